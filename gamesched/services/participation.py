"""Joining, leaving and filling placeholder slots.

Join and Leave clicks on a game that arrive while this process writes an earlier click of
the same game wait for it, and are then written together in one transaction, in the order
they arrived: a burst of clicks on a game costs a few transactions rather than one each.
Each click still gets its own seat decision, version, history entry and answer, exactly as
if it had been written alone, and a refused click changes nothing. Clicks that reach other
processes are kept apart by the game's row lock, as always.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow
from gamesched.domain.errors import Conflict, GameAction, PlaceholderGone
from gamesched.domain.permissions import Actor
from gamesched.domain.roster import (
    SlotStatus,
    decide_join,
    decide_leave,
    find_placeholder,
    place,
)
from gamesched.domain.settings import reminder_ahead
from gamesched.services._common import (
    first_sort_key,
    load_game,
    load_managed_game,
    require_open,
    view_of,
)
from gamesched.services.context import Context
from gamesched.services.history import ROSTER_FIELDS, Action, record_game, values_of
from gamesched.services.planning import NoticeKind, notify
from gamesched.services.views import GameView


@dataclass(frozen=True, slots=True)
class Joined:
    game: GameView
    status: SlotStatus
    """JOINED (a seat) or WAITLIST."""
    user_id: int
    will_be_reminded: bool
    """They took a seat and one of the game's reminders is still ahead (the waitlist is not
    reminded)."""

    @property
    def waitlist_position(self) -> int | None:
        """1-based place in line when waitlisted."""
        if self.status is SlotStatus.WAITLIST:
            return self.game.roster.waitlist_position(self.user_id)
        return None


@dataclass(frozen=True, slots=True)
class Left:
    game: GameView
    was: SlotStatus
    promoted: tuple[int, ...]
    """Members who got the freed seat (told by DM)."""


@dataclass(frozen=True, slots=True)
class Assigned:
    game: GameView
    placeholder: str
    status: SlotStatus
    """Where the member ended up: a seat, the waitlist, or where they already were."""


async def join_game(ctx: Context, *, game_id: int, user_id: int) -> Joined:
    """Take a free seat, else a place at the end of the waitlist."""
    joined = await _click(ctx, game_id, user_id, joining=True)
    assert isinstance(joined, Joined)
    return joined


async def leave_game(ctx: Context, *, game_id: int, user_id: int) -> Left:
    """Give up a seat (the first in line gets it and is told) or a waitlist place."""
    left = await _click(ctx, game_id, user_id, joining=False)
    assert isinstance(left, Left)
    return left


async def remove_player(ctx: Context, *, actor: Actor, game_id: int, user_id: int) -> Left:
    """Take a member off a game (its host, an admin or an operator): they are told by DM, and
    the first in line gets a freed seat and is told."""
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, bump=True)
        require_open(game, GameAction.REMOVE_PLAYERS)
        changes = _RosterChanges(session, ctx, game, await view_of(session, game))
        left = await changes.take_off(user_id, by=actor.user_id)
        if user_id != actor.user_id:
            notify(session, game, NoticeKind.REMOVED, [user_id])
        return left


async def assign_placeholder(
    ctx: Context, *, actor: Actor, game_id: int, placeholder: str, user_id: int
) -> Assigned:
    """Replace a placeholder slot with a member, who takes a seat if one is free."""
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, bump=True)
        require_open(game, GameAction.CHANGE_PLACEHOLDERS)
        before = await view_of(session, game)
        text = find_placeholder(before.roster, placeholder)
        slot = await repo.find_placeholder(session, game_id=game.id, text=text)
        if slot is None:
            raise Conflict(PlaceholderGone(game_id=game.id, placeholder=text))
        await session.delete(slot)
        placeholders = list(before.placeholders)
        placeholders.remove(text)  # the first, as the slot found is the first stored
        joined, waitlist = before.joined, before.waitlist
        status = before.roster.status_of(user_id)
        if status is None:
            status = place(before.roster, user_id)
            await repo.add_participant(
                session,
                game_id=game.id,
                user_id=user_id,
                status=status,
                sort_key=first_sort_key(game),
            )
            if status is SlotStatus.JOINED:
                joined += (user_id,)
            else:
                waitlist += (user_id,)
        after = before.after(
            version=game.version,
            joined=joined,
            waitlist=waitlist,
            placeholders=tuple(placeholders),
        )
        record_game(
            session,
            ctx,
            game,
            action=Action.PLACEHOLDER_ASSIGNED,
            member_id=actor.user_id,
            before=_roster_state(before),
            after=_roster_state(after),
        )
        return Assigned(game=after, placeholder=text, status=status)


class _RosterChanges:
    """Changes to one game's roster in one transaction, each decided on the roster the one
    before left and each with its own version.

    The game comes loaded with its version bumped once (the first change's version); each
    further change moves it one more, which the commit writes.
    """

    def __init__(self, session: AsyncSession, ctx: Context, game: GameRow, view: GameView):
        self._session = session
        self._ctx = ctx
        self._game = game
        self._view = view
        self._version_before = game.version - 1
        self.count = 0
        """Changes made so far."""

    def _next_version(self) -> int:
        self.count += 1
        self._game.version = self._version_before + self.count
        return self._game.version

    def _record(self, action: Action, member_id: int, after: GameView) -> None:
        record_game(
            self._session,
            self._ctx,
            self._game,
            action=action,
            member_id=member_id,
            before=_roster_state(self._view),
            after=_roster_state(after),
        )
        self._view = after

    async def join(self, user_id: int) -> Joined:
        status = decide_join(self._view.roster, user_id)
        version = self._next_version()
        with self._session.no_autoflush:  # the history and the version are written at commit
            await repo.add_participant(
                self._session,
                game_id=self._game.id,
                user_id=user_id,
                status=status,
                sort_key=first_sort_key(self._game),
            )
        before = self._view
        if status is SlotStatus.JOINED:
            after = before.after(version=version, joined=(*before.joined, user_id))
        else:
            after = before.after(version=version, waitlist=(*before.waitlist, user_id))
        self._record(Action.JOINED, user_id, after)
        reminded = status is SlotStatus.JOINED and reminder_ahead(
            start_at=after.start_at,
            reminder_minutes=after.settings.reminder_minutes.value,
            now=self._ctx.now(),
        )
        return Joined(game=after, status=status, user_id=user_id, will_be_reminded=reminded)

    async def take_off(self, user_id: int, *, by: int) -> Left:
        """Remove ``user_id``, promote into a freed seat, and record who did it."""
        before = self._view
        departure = decide_leave(before.roster, user_id, leaving=by == user_id)
        version = self._next_version()
        game_id = self._game.id
        with self._session.no_autoflush:  # the history and the version are written at commit
            await repo.remove_participant(self._session, game_id=game_id, user_id=user_id)
            await repo.promote_waitlisted(
                self._session,
                game_id=game_id,
                user_ids=departure.promoted,
                first_sort_key=first_sort_key(self._game),
            )
        notify(self._session, self._game, NoticeKind.PROMOTED, departure.promoted)
        gone = {user_id, *departure.promoted}
        after = before.after(
            version=version,
            joined=tuple(u for u in before.joined if u != user_id) + departure.promoted,
            waitlist=tuple(u for u in before.waitlist if u not in gone),
        )
        self._record(Action.LEFT if by == user_id else Action.REMOVED, by, after)
        return Left(game=after, was=departure.was, promoted=departure.promoted)


# ----- clicks queued per game, written together ----------------------------------------

CLICKS_PER_TRANSACTION = 100
"""The most queued clicks one transaction writes, so a flood holds the game's lock briefly."""


@dataclass(frozen=True, slots=True)
class _Click:
    """A Join or Leave click waiting for its game's next transaction."""

    user_id: int
    joining: bool
    answer: asyncio.Future[Joined | Left]


_queued: dict[tuple[int, int], list[_Click]] = {}
"""Clicks waiting for their game's writer in this process, by (``id`` of the context, game
id): a key is here exactly while its writer runs, which holds the context."""
_writers: set[asyncio.Task[None]] = set()


async def _click(ctx: Context, game_id: int, user_id: int, *, joining: bool) -> Joined | Left:
    """Queue a click for its game's writer (starting one if none runs) and wait for it."""
    click = _Click(user_id, joining, asyncio.get_running_loop().create_future())
    queue = _queued.get((id(ctx), game_id))
    if queue is not None:
        queue.append(click)
    else:
        _queued[id(ctx), game_id] = [click]
        writer = asyncio.create_task(_write_queued(ctx, game_id), name=f"roster-{game_id}")
        _writers.add(writer)
        writer.add_done_callback(_writers.discard)
    return await click.answer


async def _write_queued(ctx: Context, game_id: int) -> None:
    """Write the game's queued clicks, in order and up to a batch per transaction, until
    none is left. A click whose caller stopped waiting before its turn is not written."""
    queue = _queued[id(ctx), game_id]
    clicks: list[_Click] = []
    try:
        while queue:
            clicks = [c for c in queue[:CLICKS_PER_TRANSACTION] if not c.answer.done()]
            del queue[:CLICKS_PER_TRANSACTION]
            if not clicks:
                continue
            answers: Sequence[Joined | Left | Exception]
            try:
                answers = await _write_clicks(ctx, game_id, clicks)
            except Exception as error:  # nothing of the transaction was kept
                answers = [error] * len(clicks)
            for click, answer in zip(clicks, answers, strict=True):
                if click.answer.done():
                    continue
                if isinstance(answer, Exception):
                    click.answer.set_exception(answer)
                else:
                    click.answer.set_result(answer)
    finally:
        del _queued[id(ctx), game_id]
        for click in clicks + queue:
            click.answer.cancel()


class _AllRefused(Exception):
    """Every click of a transaction was refused: it is rolled back, version bump included."""


async def _write_clicks(
    ctx: Context, game_id: int, clicks: Sequence[_Click]
) -> list[Joined | Left | Conflict]:
    """The clicks' changes in one transaction, in order; a refused click gets its refusal."""
    answers: list[Joined | Left | Conflict] = []
    try:
        async with ctx.transaction() as session:
            game = await load_game(session, game_id, bump=True)
            changes = _RosterChanges(session, ctx, game, await view_of(session, game))
            for click in clicks:
                try:
                    if click.joining:
                        require_open(game, GameAction.JOIN)
                        answers.append(await changes.join(click.user_id))
                    else:
                        require_open(game, GameAction.LEAVE)
                        answers.append(await changes.take_off(click.user_id, by=click.user_id))
                except Conflict as refusal:
                    answers.append(refusal)
            if not changes.count:
                raise _AllRefused
    except _AllRefused:
        pass
    return answers


def _roster_state(view: GameView) -> dict[str, object]:
    return values_of(view, ROSTER_FIELDS)
