"""Recurring games (series): create, preview, edit, skip, cancel, list, and make what is due.

A series is a template (a game's fields and settings) plus a pattern of local dates
(:mod:`gamesched.domain.recurrence`) at a local wall time in an IANA zone. Each occurrence is
a normal game (its own announcement, roster, reminders and status) with ``series_id`` and
``occurrence_on`` (the series date it stands for); the database refuses a second game for
one series date. Every change to games goes through the games use cases' own code
(:func:`gamesched.services.games.add_game`, ``apply_edit``, ``cancel_loaded``), so
announcements, reminders and DMs follow as for any game.

API (the front ends use only these; one transaction per call, nothing written on an error):

- :func:`create_series` (``CreatedSeries``): the first game's start (read in the host's
  zone exactly as ``create_game`` reads it) gives the series' first date, wall time and
  zone; its date must be one of the pattern's. Creates the series and every game already due
  (at least the first). Front ends announce each of ``created.games`` with
  ``AnnouncementSync.announce_new`` like ``create_game``'s callers, and show the host
  ``created.series.next_dates`` with their ``shift`` notes. When Discord refuses a post
  (``announce_new`` then removes that game), call :func:`cancel_series` so no half-made
  series is left (the CLI does).
- :func:`preview_series` (``SeriesPreview``): the next dates in the host's zone with their
  shift notes, for a typed first start and a pattern; writes nothing.
- :func:`edit_series` with :class:`EditScope`: ``THIS`` is ``edit_game`` on that one game;
  ``FUTURE`` changes the series from that game's date on and applies the edit to it and
  every later existing game of the series (a new time of day moves each to that time on its
  own date; a new pattern re-anchors the series at that date and cancels later games the
  new pattern no longer has). Front ends sync the announcement of every game in
  ``edited.games`` and ``edited.cancelled`` and announce ``edited.created``.
- :func:`cancel_series` (``CancelledSeries``): the series ends and each of its scheduled
  games is cancelled (players are told by DM as for any cancelled game). Cancelling one
  game is the usual ``cancel_game``.
- :func:`skip_date`: leave out one date whose game is not created yet.
- :func:`get_series`, :func:`list_series`, :func:`series_of_game`: :class:`SeriesView`.
- The worker: :func:`advance_series` makes the games of a series it claimed
  (``outbox.claim_due``) that are due, in one transaction, and plans the next due time.

When games are made (``ahead_days``): None makes the next game once the newest one starts
(so one game is open at a time); a number makes each game that many days before its start.
A game whose start already passed is never made (a worker that was down does not make games
in the past). With ``carry_roster`` a new game starts with the previous game's joined players
and placeholders (in their order; the cap applies, the rest queue); its waitlist is not
carried, since a waitlisted member never had a seat to keep.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db import series as series_repo
from gamesched.db.tables import GameRow, SeriesRow
from gamesched.domain.entries import ResolvedEntries
from gamesched.domain.errors import NotFound, Problem, ValidationFailed
from gamesched.domain.permissions import Actor, require_can_manage_game
from gamesched.domain.recurrence import (
    FIELD,
    Occurrence,
    Recurrence,
    dates_before,
    describe,
    falls_on,
    local_text,
    occurrence_on,
    occurrences,
)
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import resolve_zone
from gamesched.services._common import load_game, load_managed_game, view_of
from gamesched.services.context import Context, MemberDirectory
from gamesched.services.games import (
    CheckedEdit,
    CheckedGame,
    EditedGame,
    GameEdit,
    GameTemplate,
    NewGame,
    add_game,
    apply_edit,
    cancel_loaded,
    check_edit,
    check_new_game,
    edit_game,
)
from gamesched.services.history import Action, record
from gamesched.services.views import GameView, game_columns, layer_of

MIN_AHEAD_DAYS: Final = 1
MAX_AHEAD_DAYS: Final = 90
"""Games are made at most this many days before their start."""
PREVIEW_COUNT: Final = 5
MAX_PER_PASS: Final = 100
"""Games one pass makes at most; the series is due again at once for the rest."""


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    """Games are still to be made."""
    ENDED = "ended"
    """Its pattern has no dates left to make a game for (its last game may still be ahead)."""
    CANCELLED = "cancelled"


class EditScope(StrEnum):
    """Which games of a series an edit changes."""

    THIS = "this"
    """Just the one game."""
    FUTURE = "future"
    """That game, every later one, and the series' template for games not made yet."""


@dataclass(frozen=True, slots=True)
class SeriesDate:
    """One upcoming date of a series, as shown to the host."""

    on: date
    """The series' local date."""
    start_at: datetime
    """Aware UTC."""
    local: str
    """The start in the series' zone, e.g. ``Thu 10 Dec 2026, 19:00 Europe/Berlin``."""
    shift: str | None
    """Why it is not plainly the wall time (DST gap or fold), for the host; None otherwise."""


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series as the front ends show it."""

    id: int
    guild_id: int
    channel_id: int
    host_id: int
    title: str
    zone: str
    """The IANA zone of its wall time."""
    wall_time: time
    """The local start time of every game."""
    recurrence: Recurrence
    pattern: str
    """``describe(recurrence)``, e.g. ``Every week on Monday and Thursday``."""
    starts_on: date
    status: SeriesStatus
    ahead_days: int | None
    """Games are made this many days ahead; None: the next once the newest one starts."""
    carry_roster: bool
    next_due_at: datetime | None
    """When the worker makes the next game (None once no more are to be made)."""
    next_dates: tuple[SeriesDate, ...]
    """The next dates from now (made or not), up to PREVIEW_COUNT."""
    game_ids: tuple[int, ...]
    """Its games made so far, by date (every status)."""
    version: int


@dataclass(frozen=True, slots=True)
class CreatedSeries:
    series: SeriesView
    games: tuple[GameView, ...]
    """The games made now (the first, and any already due): announce each."""
    read_as: str
    """How the first start was understood."""

    @property
    def shifts(self) -> tuple[str, ...]:
        """The DST notes of the upcoming dates, to tell the host."""
        return tuple(d.shift for d in self.series.next_dates if d.shift)


@dataclass(frozen=True, slots=True)
class SeriesPreview:
    zone: str
    wall_time: time
    pattern: str
    read_as: str
    dates: tuple[SeriesDate, ...]


@dataclass(frozen=True, slots=True)
class EditedSeries:
    series: SeriesView | None
    """The series after the change (None: the game was not part of one, scope THIS only)."""
    games: tuple[EditedGame, ...]
    """The games changed: sync each announcement."""
    cancelled: tuple[GameView, ...]
    """Later games the new pattern no longer has, cancelled: sync each announcement."""
    created: tuple[GameView, ...]
    """Games the new pattern made due at once: announce each."""


@dataclass(frozen=True, slots=True)
class CancelledSeries:
    series: SeriesView
    cancelled: tuple[GameView, ...]
    """Its games that were cancelled: sync each announcement."""


# --- reading a series ----------------------------------------------------------------------


def recurrence_of(row: SeriesRow) -> Recurrence:
    return Recurrence.from_stored(
        row.rule, until=row.until_on, count=row.count, skipped=list(row.skipped or ())
    )


def _store_recurrence(row: SeriesRow, rec: Recurrence) -> None:
    row.rule = rec.to_stored()
    row.until_on = rec.until
    row.count = rec.count
    row.skipped = rec.stored_skipped()


def _dates(found: Sequence[Occurrence], zone: str) -> tuple[SeriesDate, ...]:
    return tuple(
        SeriesDate(on=o.on, start_at=o.start_at, local=local_text(o.start_at, zone), shift=o.shift)
        for o in found
    )


def _upcoming(row: SeriesRow, rec: Recurrence, *, after: datetime, limit: int) -> list[Occurrence]:
    return occurrences(
        rec,
        wall_time=row.wall_time,
        zone=row.timezone,
        starts_on=row.starts_on,
        after=after,
        limit=limit,
    )


async def _view(session: AsyncSession, row: SeriesRow, *, now: datetime) -> SeriesView:
    rec = recurrence_of(row)
    games = await series_repo.occurrences_of(session, row.id)
    upcoming = (
        _upcoming(row, rec, after=now, limit=PREVIEW_COUNT)
        if row.status != SeriesStatus.CANCELLED
        else []
    )
    return SeriesView(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        host_id=row.host_id,
        title=row.title,
        zone=row.timezone,
        wall_time=row.wall_time,
        recurrence=rec,
        pattern=describe(rec),
        starts_on=row.starts_on,
        status=SeriesStatus(row.status),
        ahead_days=row.ahead_days,
        carry_roster=row.carry_roster,
        next_due_at=row.next_due_at,
        next_dates=_dates(upcoming, row.timezone),
        game_ids=tuple(g.id for g in games),
        version=row.version,
    )


async def _load(
    session: AsyncSession, series_id: int, *, actor: Actor | None = None, lock: bool = False
) -> SeriesRow:
    """The series (one the actor may manage, when given), or a NotFound."""
    row = await series_repo.get_series(session, series_id, lock=lock)
    if row is None or (
        actor is not None and actor.guild_id is not None and actor.guild_id != row.guild_id
    ):
        where = " in this server" if actor is not None and actor.guild_id is not None else ""
        raise NotFound(f"There is no series #{series_id}{where}.")
    if actor is not None:
        require_can_manage_game(actor, host_id=row.host_id)
    return row


def _record(
    session: AsyncSession,
    ctx: Context,
    row: SeriesRow,
    *,
    action: Action,
    member_id: int | None,
    changes: dict[str, list[object]],
) -> None:
    record(
        session,
        ctx,
        action=action,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        member_id=member_id,
        changes={"series": [row.id, row.id]} | changes,
    )


# --- making games --------------------------------------------------------------------------


def _template(row: SeriesRow, entries: ResolvedEntries) -> GameTemplate:
    layer = layer_of(row)
    assert layer is not None
    return GameTemplate(
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        host_id=row.host_id,
        title=row.title,
        description=row.description,
        ping_participants=row.ping_participants,
        layer=layer,
        entries=entries,
    )


async def _carried(
    session: AsyncSession, row: SeriesRow, previous: GameRow | None
) -> ResolvedEntries:
    """The roster a new game starts with: the previous game's players and placeholders, or
    nobody."""
    if not row.carry_roster or previous is None:
        return ResolvedEntries(user_ids=(), placeholders=())
    view = await view_of(session, previous)
    return ResolvedEntries(user_ids=view.joined, placeholders=view.placeholders)


async def _advance(
    session: AsyncSession, ctx: Context, row: SeriesRow, *, member_id: int | None
) -> list[GameView]:
    """Make the series' games that are due now (never one in the past), then set when the
    next is due, or end the series when its pattern has no dates left. The row is locked."""
    if row.status != SeriesStatus.ACTIVE:
        row.next_due_at = None
        return []
    now = ctx.now()
    rec = recurrence_of(row)
    previous = await series_repo.newest_occurrence(session, row.id)
    made: list[GameView] = []
    while True:
        after = now
        if previous is not None and previous.occurrence_on is not None:
            last = occurrence_on(previous.occurrence_on, wall_time=row.wall_time, zone=row.timezone)
            after = max(now, last.start_at)
        upcoming = _upcoming(row, rec, after=after, limit=1)
        if not upcoming:
            row.status = SeriesStatus.ENDED
            row.next_due_at = None
            _record(session, ctx, row, action=Action.SERIES_ENDED, member_id=None, changes={})
            return made
        nxt = upcoming[0]
        if row.ahead_days is None:
            due = now if previous is None else previous.start_at
        else:
            due = nxt.start_at - timedelta(days=row.ahead_days)
        if due > now or len(made) >= MAX_PER_PASS:
            row.next_due_at = due if due > now else now  # now: the rest in the next pass
            return made
        entries = await _carried(session, row, previous)
        view = await add_game(
            session,
            ctx,
            _template(row, entries),
            start=nxt.start_at,
            member_id=member_id,
            series_id=row.id,
            occurrence_on=nxt.on,
        )
        made.append(view)
        previous = await repo.get_game(session, view.id)


# --- use cases -----------------------------------------------------------------------------


async def _first_date(
    ctx: Context, *, actor: Actor, new: NewGame, rec: Recurrence, directory: MemberDirectory
) -> tuple[CheckedGame, datetime]:
    """The checked first game and its local start in its zone, whose date must be one of
    the pattern's."""
    checked = await check_new_game(ctx, actor=actor, new=new, directory=directory)
    checked = replace(checked, zone=resolve_zone(checked.zone))
    local = checked.start.astimezone(zoneinfo.ZoneInfo(checked.zone))
    if not falls_on(rec, starts_on=local.date(), on=local.date()):
        raise ValidationFailed(
            [
                Problem(
                    FIELD,
                    f"The first game ({local_text(checked.start, checked.zone)}) is not on one "
                    f"of the series' dates ({describe(rec)}); start it on one of them.",
                )
            ]
        )
    if rec.until is not None and rec.until < local.date():
        raise ValidationFailed(
            [Problem(FIELD, "The series' end date is before its first game; pick a later one.")]
        )
    return checked, local


def _ahead_problems(ahead_days: int | None) -> list[Problem]:
    if ahead_days is not None and not MIN_AHEAD_DAYS <= ahead_days <= MAX_AHEAD_DAYS:
        message = (
            f"Games are made {MIN_AHEAD_DAYS} to {MAX_AHEAD_DAYS} days ahead, not {ahead_days}."
        )
        return [Problem("ahead_days", message)]
    return []


async def create_series(
    ctx: Context,
    *,
    actor: Actor,
    game: NewGame,
    recurrence: Recurrence,
    ahead_days: int | None = None,
    carry_roster: bool = False,
    directory: MemberDirectory,
) -> CreatedSeries:
    """Create a series from its first game; see the module text."""
    problems = _ahead_problems(ahead_days)
    if problems:
        raise ValidationFailed(problems)
    checked, local = await _first_date(
        ctx, actor=actor, new=game, rec=recurrence, directory=directory
    )
    template = checked.template
    async with ctx.transaction() as session:
        await repo.ensure_channel(
            session, channel_id=template.channel_id, guild_id=template.guild_id
        )
        row = SeriesRow(
            guild_id=template.guild_id,
            channel_id=template.channel_id,
            host_id=template.host_id,
            title=template.title,
            description=template.description,
            ping_participants=template.ping_participants,
            **game_columns(template.layer),
            timezone=checked.zone,
            wall_time=local.time(),
            starts_on=local.date(),
            ahead_days=ahead_days,
            carry_roster=carry_roster,
            status=SeriesStatus.ACTIVE,
            version=1,
            rule={},
            skipped=[],
        )
        _store_recurrence(row, recurrence)
        session.add(row)
        await session.flush()
        first_game = await add_game(
            session,
            ctx,
            template,
            start=checked.start,
            member_id=actor.user_id,
            series_id=row.id,
            occurrence_on=local.date(),
        )
        _record(
            session,
            ctx,
            row,
            action=Action.SERIES_CREATED,
            member_id=actor.user_id,
            changes={"repeat": [None, describe(recurrence)], "first_game": [None, first_game.id]},
        )
        more = await _advance(session, ctx, row, member_id=actor.user_id)
        await session.flush()
        return CreatedSeries(
            series=await _view(session, row, now=ctx.now()),
            games=(first_game, *more),
            read_as=checked.read_as,
        )


async def preview_series(
    ctx: Context,
    *,
    actor: Actor,
    guild_id: int,
    channel_id: int,
    start_text: str | datetime,
    recurrence: Recurrence,
    count: int = PREVIEW_COUNT,
    zone: str | None = None,
    directory: MemberDirectory,
) -> SeriesPreview:
    """The first ``count`` dates a series would have (first start read as ``create_series``
    reads it); writes nothing."""
    new = NewGame(
        guild_id=guild_id, channel_id=channel_id, title="preview", when=start_text, zone=zone
    )
    checked, local = await _first_date(
        ctx, actor=actor, new=new, rec=recurrence, directory=directory
    )
    found = occurrences(
        recurrence,
        wall_time=local.time(),
        zone=checked.zone,
        starts_on=local.date(),
        after=checked.start - timedelta(seconds=1),
        limit=max(1, min(count, 50)),
    )
    return SeriesPreview(
        zone=checked.zone,
        wall_time=local.time(),
        pattern=describe(recurrence),
        read_as=checked.read_as,
        dates=_dates(found, checked.zone),
    )


async def edit_series(
    ctx: Context,
    *,
    actor: Actor,
    game_id: int,
    edit: GameEdit,
    recurrence: Recurrence | None = None,
    scope: EditScope,
) -> EditedSeries:
    """Edit one game of a series, or it and every later one and the series; see the module
    text. With FUTURE, a new start must keep the game's date (it sets the time of day); to
    move the series to other days give a new pattern that has this game's date."""
    if scope is EditScope.THIS:
        if recurrence is not None:
            message = "A new repeat pattern changes this and every later game, not one game."
            raise ValidationFailed([Problem(FIELD, message)])
        edited = await edit_game(ctx, actor=actor, game_id=game_id, edit=edit)
        async with ctx.transaction() as session:
            game = await repo.get_game(session, game_id)
            series = None
            if game is not None and game.series_id is not None:
                row = await series_repo.get_series(session, game.series_id)
                series = None if row is None else await _view(session, row, now=ctx.now())
        return EditedSeries(series=series, games=(edited,), cancelled=(), created=())
    checked = await check_edit(ctx, actor=actor, game_id=game_id, edit=edit)
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id)
        if game.series_id is None or game.occurrence_on is None:
            raise ValidationFailed(
                [Problem(FIELD, f"Game #{game_id} is not part of a series; edit it alone.")]
            )
        row = await _load(session, game.series_id, actor=actor, lock=True)
        on = game.occurrence_on
        before = _template_state(row)
        wall = row.wall_time
        if checked.start is not None:
            local = checked.start.astimezone(zoneinfo.ZoneInfo(row.timezone))
            if local.date() != on:
                message = (
                    "Changing this and later games sets their time of day; to move them to "
                    "other days, give a repeat pattern that has this game's date, or edit "
                    "this one game only."
                )
                raise ValidationFailed([Problem("when", message)])
            wall = local.time()
        old_rec = recurrence_of(row)
        rec = old_rec
        if recurrence is not None:
            rec = _reanchored(old_rec, recurrence, starts_on=row.starts_on, on=on)
            if not falls_on(rec, starts_on=on, on=on):
                message = (
                    f"This game's date ({on.isoformat()}) is not one of the new pattern's "
                    f"({describe(recurrence)}); pick a pattern that has it, or edit from "
                    "a game on one of its dates."
                )
                raise ValidationFailed([Problem(FIELD, message)])
            row.starts_on = on
            _store_recurrence(row, rec)
        row.wall_time = wall
        _apply_template(row, checked)
        row.version += 1
        changed: list[EditedGame] = []
        cancelled: list[GameView] = []
        for later in await series_repo.occurrences_of(session, row.id, from_on=on):
            if later.status != GameStatus.SCHEDULED or later.occurrence_on is None:
                continue
            if recurrence is not None and not falls_on(rec, starts_on=on, on=later.occurrence_on):
                cancelled.append(await _cancel(session, ctx, later.id, actor=actor))
                continue
            start_at = None
            if checked.start is not None:
                start_at = occurrence_on(
                    later.occurrence_on, wall_time=wall, zone=row.timezone
                ).start_at
            one = replace(checked, start=start_at)
            changed.append(
                await apply_edit(session, ctx, actor=actor, game_id=later.id, checked=one)
            )
        after = _template_state(row)
        _record(
            session,
            ctx,
            row,
            action=Action.SERIES_EDITED,
            member_id=actor.user_id,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
        created = await _advance(session, ctx, row, member_id=actor.user_id)
        await session.flush()
        return EditedSeries(
            series=await _view(session, row, now=ctx.now()),
            games=tuple(changed),
            cancelled=tuple(cancelled),
            created=tuple(created),
        )


_TEMPLATE_FIELDS = (
    "title",
    "description",
    "ping_participants",
    "max_players",
    "reminder_minutes",
    "rules",
    "duration_minutes",
    "category",
)


def _template_state(row: SeriesRow) -> dict[str, object]:
    """What the history compares of a series."""
    state: dict[str, object] = {name: getattr(row, name) for name in _TEMPLATE_FIELDS}
    state["wall_time"] = row.wall_time.isoformat()
    state["repeat"] = describe(recurrence_of(row))
    state["starts_on"] = row.starts_on.isoformat()
    return state


def _apply_template(row: SeriesRow, checked: CheckedEdit) -> None:
    """Copy an edit's game fields to the series' template."""
    for name in ("title", "description"):
        value = getattr(checked.edit, name)
        if isinstance(value, str):
            setattr(row, name, value.strip())
    if isinstance(checked.edit.ping_participants, bool):
        row.ping_participants = checked.edit.ping_participants
    for name, value in checked.settings.items():
        setattr(row, name, value)


def _reanchored(old: Recurrence, new: Recurrence, *, starts_on: date, on: date) -> Recurrence:
    """The new pattern counted from ``on``: without a count of its own, what is left of the
    old count carries on; the old skipped dates from ``on`` on stay skipped."""
    count = new.count
    if count is None and new.until is None and old.count is not None:
        count = max(1, old.count - dates_before(old, starts_on=starts_on, before=on))
    skipped = new.skipped | {d for d in old.skipped if d >= on}
    return replace(new, count=count, skipped=frozenset(skipped))


async def _cancel(session: AsyncSession, ctx: Context, game_id: int, *, actor: Actor) -> GameView:
    """Cancel one game of a series through the games' cancel, its row locked first."""
    return await cancel_loaded(
        session, ctx, await load_game(session, game_id, lock=True), actor=actor
    )


async def cancel_series(ctx: Context, *, actor: Actor, series_id: int) -> CancelledSeries:
    """End the series and cancel each of its games still scheduled (their players are told)."""
    async with ctx.transaction() as session:
        row = await _load(session, series_id, actor=actor, lock=True)
        if row.status == SeriesStatus.CANCELLED:
            raise ValidationFailed(
                [Problem("series", f"Series #{series_id} is already cancelled.")]
            )
        was = row.status
        row.status = SeriesStatus.CANCELLED
        row.next_due_at = None
        row.version += 1
        cancelled = []
        for game in await series_repo.occurrences_of(session, row.id):
            if game.status == GameStatus.SCHEDULED:
                cancelled.append(await _cancel(session, ctx, game.id, actor=actor))
        _record(
            session,
            ctx,
            row,
            action=Action.SERIES_CANCELLED,
            member_id=actor.user_id,
            changes={"status": [was, row.status]},
        )
        await session.flush()
        return CancelledSeries(
            series=await _view(session, row, now=ctx.now()), cancelled=tuple(cancelled)
        )


async def skip_date(ctx: Context, *, actor: Actor, series_id: int, on: date) -> SeriesView:
    """Leave out one upcoming date whose game is not made yet (a made one is cancelled with
    ``cancel_game`` instead)."""
    async with ctx.transaction() as session:
        row = await _load(session, series_id, actor=actor, lock=True)
        rec = recurrence_of(row)
        made = {g.occurrence_on: g.id for g in await series_repo.occurrences_of(session, row.id)}
        problem = None
        if row.status != SeriesStatus.ACTIVE:
            problem = f"Series #{series_id} is {row.status}: it makes no more games."
        elif on in made:
            problem = (
                f"The game of {on.isoformat()} is made already (game #{made[on]}); "
                "cancel that game instead."
            )
        elif not falls_on(rec, starts_on=row.starts_on, on=on):
            problem = (
                f"{on.isoformat()} is not one of the series' dates ({describe(rec)}); "
                "pick one of its upcoming dates."
            )
        elif occurrence_on(on, wall_time=row.wall_time, zone=row.timezone).start_at <= ctx.now():
            problem = f"{on.isoformat()} is in the past; pick an upcoming date."
        if problem is not None:
            raise ValidationFailed([Problem("date", problem)])
        _store_recurrence(row, replace(rec, skipped=rec.skipped | {on}))
        row.version += 1
        _record(
            session,
            ctx,
            row,
            action=Action.SERIES_SKIPPED,
            member_id=actor.user_id,
            changes={"skipped": [None, on.isoformat()]},
        )
        await _advance(session, ctx, row, member_id=actor.user_id)
        await session.flush()
        return await _view(session, row, now=ctx.now())


async def get_series(ctx: Context, series_id: int) -> SeriesView:
    """One series, or a NotFound."""
    async with ctx.transaction() as session:
        return await _view(session, await _load(session, series_id), now=ctx.now())


async def series_of_game(ctx: Context, game_id: int) -> SeriesView | None:
    """The series a game belongs to (None when it is a one-off game)."""
    async with ctx.transaction() as session:
        game = await repo.get_game(session, game_id)
        if game is None or game.series_id is None:
            return None
        row = await series_repo.get_series(session, game.series_id)
        return None if row is None else await _view(session, row, now=ctx.now())


async def list_series(
    ctx: Context,
    *,
    guild_id: int | None,
    statuses: tuple[SeriesStatus, ...] = (SeriesStatus.ACTIVE,),
) -> list[SeriesView]:
    """A guild's series (every guild's with None), oldest first; an empty ``statuses`` keeps
    every status."""
    async with ctx.transaction() as session:
        rows = await series_repo.series_of_guild(
            session, guild_id=guild_id, statuses=[s.value for s in statuses]
        )
        return [await _view(session, row, now=ctx.now()) for row in rows]


async def advance_series(ctx: Context, *, series_id: int, claim: str) -> tuple[GameView, ...]:
    """The worker's step for a series it claimed: make the games due now and plan the next
    due time, in one transaction. Does nothing unless the series is still held under
    ``claim`` (another worker took it over); releases the claim."""
    async with ctx.transaction() as session:
        row = await series_repo.get_series(session, series_id, lock=True)
        if row is None or row.claimed_by != claim:
            return ()
        made = await _advance(session, ctx, row, member_id=None)
        row.claimed_at = None
        row.claimed_by = None
        return tuple(made)
