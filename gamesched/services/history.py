"""The history of changes: every use case that changes a game or a setting records here, in its
own transaction, who made the change, from which front end, and each field's old and new value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, HistoryRow
from gamesched.services._common import load_game
from gamesched.services.context import Context, FrontEnd
from gamesched.services.views import GameView


class Action(StrEnum):
    """What a history entry records."""

    CREATED = "created"
    EDITED = "edited"
    CANCELLED = "cancelled"
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"
    """A host, an admin or an operator took a member off the game."""
    PLACEHOLDER_ASSIGNED = "placeholder_assigned"
    STARTED = "started"
    COMPLETED = "completed"
    SETTINGS_CHANGED = "settings_changed"
    DMS_RETRIED = "dms_retried"
    """An operator had refused DMs sent again."""
    MOVED = "moved"
    """The game is announced in another channel of its server now."""
    SERIES_CREATED = "series_created"
    """A recurring series was created (its games have their own entries)."""
    SERIES_EDITED = "series_edited"
    SERIES_SKIPPED = "series_skipped"
    SERIES_CANCELLED = "series_cancelled"
    SERIES_ENDED = "series_ended"
    """A series' pattern ran out of dates: no more games are made."""


GAME_FIELDS = (
    "title",
    "description",
    "start_at",
    "status",
    "channel_id",
    "host_id",
    "max_players",
    "reminder_minutes",
    "rules",
    "duration_minutes",
    "category",
    "ping_participants",
)
"""A game's own fields as the history compares them (None settings inherit)."""
ROSTER_FIELDS = ("joined", "waitlist", "placeholders")

Changes = dict[str, list[Any]]
"""``{field: [old, new]}``, JSON-ready (times as ISO 8601 text, tuples as lists)."""


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def values_of(thing: object, names: Iterable[str]) -> dict[str, object]:
    """The named attributes of a row or view, JSON-ready, for :func:`differences`."""
    return {name: _plain(getattr(thing, name)) for name in names}


def game_state(game: GameRow, view: GameView) -> dict[str, object]:
    """What the history compares of a game: its own fields and its roster."""
    return values_of(game, GAME_FIELDS) | values_of(view, ROSTER_FIELDS)


def differences(before: Mapping[str, object], after: Mapping[str, object]) -> Changes:
    """The fields whose value differs, as ``[old, new]``; a field missing on one side is None."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def record(
    session: AsyncSession,
    ctx: Context,
    *,
    action: Action,
    guild_id: int,
    channel_id: int | None = None,
    game_id: int | None = None,
    member_id: int | None = None,
    changes: Changes | None = None,
) -> None:
    """Add the entry to the open transaction. ``member_id`` is who acted on Discord; an
    operator's or the worker's changes are recorded as theirs instead."""
    origin = ctx.origin
    acted_by_member = origin.operator is None and origin.front_end is not FrontEnd.WORKER
    session.add(
        HistoryRow(
            at=ctx.now(),
            guild_id=guild_id,
            channel_id=channel_id,
            game_id=game_id,
            member_id=member_id if acted_by_member else None,
            operator=origin.operator,
            origin=origin.front_end.value,
            action=action.value,
            changes=changes or {},
        )
    )


def record_game(
    session: AsyncSession,
    ctx: Context,
    game: GameRow,
    *,
    action: Action,
    member_id: int | None,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    """Record a change to ``game`` from its state before to its state after (nothing when
    nothing differs: an edit that kept every value)."""
    changes = differences(before, after)
    if not changes:
        return
    record(
        session,
        ctx,
        action=action,
        guild_id=game.guild_id,
        channel_id=game.channel_id,
        game_id=game.id,
        member_id=member_id,
        changes=changes,
    )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change, as the front ends show it."""

    at: datetime
    action: Action
    origin: FrontEnd
    member_id: int | None
    """The Discord member who made it, if one did."""
    operator: str | None
    """The operator's login name, for changes made at a terminal."""
    changes: Mapping[str, Sequence[Any]]
    channel_id: int | None
    game_id: int | None


def _entry(row: HistoryRow) -> HistoryEntry:
    return HistoryEntry(
        at=row.at,
        action=Action(row.action),
        origin=FrontEnd(row.origin),
        member_id=row.member_id,
        operator=row.operator,
        changes=row.changes,
        channel_id=row.channel_id,
        game_id=row.game_id,
    )


async def game_history(ctx: Context, game_id: int) -> tuple[HistoryEntry, ...]:
    """A game's changes, oldest first; a NotFound when there is no such game."""
    async with ctx.transaction() as session:
        await load_game(session, game_id)
        return tuple(_entry(row) for row in await repo.history_of_game(session, game_id))
