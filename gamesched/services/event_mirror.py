"""Bookkeeping for the Discord scheduled event mirroring a game: whether the game should have
one, which event shows which version, and why a game is not mirrored (told to its host once).

A game is mirrored when its place (channel, else server) has ``mirror_events`` on, it is
scheduled or running, and, for an occurrence of a recurring series, it is the series' earliest
occurrence still scheduled or running: only the next occurrence of a series has an event, and
when it ends or is cancelled the one after it gets its event.

``event_version`` is the game version the event shows; it is 0 whenever the game has no event,
so a game whose event was removed (mirroring switched off, no longer the series' next
occurrence) is looked at afresh when it is wanted again.
"""

from __future__ import annotations

from enum import StrEnum

from gamesched.db import repositories as repo
from gamesched.domain.status import GameStatus
from gamesched.services._common import load_game
from gamesched.services.context import Context
from gamesched.services.planning import NoticeKind, notify
from gamesched.services.views import GameView

LIVE = (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS)
"""The statuses of a game whose event is shown as upcoming or happening."""


class EventProblem(StrEnum):
    """Why Discord would not create a game's event (stored in ``games.event_problem``)."""

    EVENTS_FULL = "events_full"
    """The server has as many scheduled or active events as Discord allows (100)."""
    NO_PERMISSION = "no_permission"
    """The bot has neither Manage Events nor Create Events in the server."""


_NOTICE_OF = {
    EventProblem.EVENTS_FULL: NoticeKind.EVENTS_FULL,
    EventProblem.NO_PERMISSION: NoticeKind.EVENTS_FORBIDDEN,
}


async def wanted(ctx: Context, game: GameView) -> bool:
    """Whether the game should have an event now: mirroring is on for its place, it is
    scheduled or running, and it is its series' next occurrence (if it has a series)."""
    if not game.settings.mirror_events.value or game.status not in LIVE:
        return False
    if game.series_id is None:
        return True
    return await next_occurrence(ctx, series_id=game.series_id) == game.id


async def next_occurrence(ctx: Context, *, series_id: int) -> int | None:
    """The series' earliest game still scheduled or running, if any."""
    async with ctx.transaction() as session:
        return await repo.next_occurrence(session, series_id)


async def record_event(
    ctx: Context, *, game_id: int, was: int | None, event_id: int, version: int
) -> bool:
    """Note that ``event_id`` shows ``version`` of the game, if its event is still ``was``
    (None: it had none) and no newer version is recorded; False otherwise. Clears the
    recorded problem: once the game is mirrored, a later problem is news for the host again.
    """
    async with ctx.transaction() as session:
        return await repo.record_event_if_newer(
            session, game_id=game_id, was=was, event_id=event_id, version=version
        )


async def forget_event(ctx: Context, *, game_id: int, event_id: int) -> None:
    """The game's event ``event_id`` is gone (deleted, by gamesched or in Discord)."""
    async with ctx.transaction() as session:
        await repo.forget_event(session, game_id=game_id, event_id=event_id)


async def report_problem(ctx: Context, *, game_id: int, problem: EventProblem) -> bool:
    """Record why the game is not mirrored; the first time for this problem, its host is
    owed a DM saying so (in the same transaction). True when the host is to be told now."""
    async with ctx.transaction() as session:
        game = await load_game(session, game_id, lock=True)
        if game.event_problem == problem:
            return False
        game.event_problem = problem
        notify(session, game, _NOTICE_OF[problem], [game.host_id])
        return True
