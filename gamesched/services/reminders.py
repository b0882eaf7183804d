"""The operator's view of reminders: what is planned, what went wrong, and sending a refused
DM again.

What went wrong comes in three kinds, each with an id of its own that a retry takes: a
reminder that was missed or skipped as a whole (``r`` and the job's id), one player's
reminder DM that Discord refused (``d`` and the delivery's id), and one member's notice DM
(a seat, a new time, a cancellation) that Discord refused (``n`` and the notice's id).

A retry plans the DM again with the rows the worker already claims, in one transaction that
holds the game's lock (as a worker's reminder round does): a refused reminder DM loses its
failure and its reminder is reopened, unclaimed, so the next dispatcher pass claims it; the
round then sends only to seated players whose delivery row shows nothing sent or refused
(the delivery rows are unique per reminder and player), so nobody who got it gets it again.
A refused notice is reopened the same way. A refused DM of a reminder a worker holds (its
round is still sending) is not retried until the round is done, so a retry never races a
round; a reopened reminder no worker has claimed yet can take more retried DMs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import jobs
from gamesched.db.tables import DeliveryRow, JobRow, NotificationRow
from gamesched.domain.errors import Conflict, NotFound
from gamesched.domain.status import GameStatus
from gamesched.services._common import load_game, views_of
from gamesched.services.context import Context, mark_due_work
from gamesched.services.history import Action, record
from gamesched.services.planning import JobKind, NoticeKind, Outcome
from gamesched.services.views import GameView

SUPERSEDED = "superseded"
"""The failure recorded for a notice a newer one made obsolete: not something that went wrong."""


class FailureKind(StrEnum):
    REMINDER = "reminder"
    """A reminder missed or skipped as a whole."""
    REMINDER_DM = "reminder_dm"
    """One player's reminder DM, refused by Discord."""
    NOTICE = "notice"
    """One member's notice DM (promoted, rescheduled, cancelled), refused by Discord."""


_PREFIXES = {FailureKind.REMINDER: "r", FailureKind.REMINDER_DM: "d", FailureKind.NOTICE: "n"}
_REF = re.compile(r"([rdn])([0-9]{1,18})")


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """The id a failure (or a planned reminder) is shown with, e.g. ``d12``."""

    kind: FailureKind
    row_id: int

    def __str__(self) -> str:
        return f"{_PREFIXES[self.kind]}{self.row_id}"

    @staticmethod
    def parse(text: str) -> Ref | None:
        """``d12`` -> the reminder DM with delivery id 12; None when it is no such id."""
        match = _REF.fullmatch(text.strip().lower())
        if match is None:
            return None
        kind = next(k for k, prefix in _PREFIXES.items() if prefix == match[1])
        return Ref(kind, int(match[2]))


class Blocker(StrEnum):
    """Why a failure cannot be retried (for a missed or skipped reminder: why it was not sent)."""

    GAME_STARTED = "game_started"
    GAME_CANCELLED = "game_cancelled"
    GAME_MOVED = "game_moved"
    LATER_REMINDER = "later_reminder"
    REMINDER_TIMES_CHANGED = "reminder_times_changed"
    SENDING = "sending"
    NOT_SEATED = "not_seated"
    NOT_IN_GAME = "not_in_game"
    NEWER_NOTICE = "newer_notice"

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]


_SENTENCES = {
    Blocker.GAME_STARTED: "the game has started",
    Blocker.GAME_CANCELLED: "the game was cancelled",
    Blocker.GAME_MOVED: "the game moved to another time (its new reminders are planned)",
    Blocker.LATER_REMINDER: "a later reminder of the game has gone out",
    Blocker.REMINDER_TIMES_CHANGED: "the game's reminder times changed",
    Blocker.SENDING: "its reminder is being sent right now; try again in a minute",
    Blocker.NOT_SEATED: "the member no longer holds a seat in the game",
    Blocker.NOT_IN_GAME: "the member is no longer in the game",
    Blocker.NEWER_NOTICE: "a newer notice of the same kind was sent to the member",
}


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    items: tuple[T, ...]
    total: int
    """How many there are in all (``items`` stops at the limit asked for)."""


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder not sent yet."""

    ref: Ref
    game: GameView
    offset_minutes: int
    due_at: datetime
    """When it is due; in the past for one that is due now (or sent again after a retry)."""
    recipients: tuple[int, ...]
    """Seated players its round will DM (those it has not reached or been refused by)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that went wrong with a reminder or a DM, and whether a retry would help."""

    ref: Ref
    game: GameView
    reason: str
    """``missed`` or ``skipped`` for a reminder; for a DM, the failure recorded when Discord
    refused it (``dms_closed``, or ``refused_`` and Discord's error code)."""
    at: datetime | None
    """When it happened: the reminder closed, the DM was tried, the notice was closed."""
    member_id: int | None = None
    """Whose DM it was (None for a whole reminder)."""
    reminder: JobRow | None = None
    """The reminder (for a whole reminder and a reminder DM)."""
    notice: NoticeKind | None = None
    blocker: Blocker | None = None
    """Why it cannot be retried; None when it can."""

    @property
    def retryable(self) -> bool:
        return self.blocker is None


@dataclass(frozen=True, slots=True)
class ReopenedRound:
    """A reminder a retry planned again, and every seated player its round will DM: the
    retried ones and anyone seated since it went out."""

    ref: Ref
    game: GameView
    offset_minutes: int
    recipients: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Retried:
    retried: tuple[Failure, ...]
    """The DMs planned again, as they were before the retry."""
    not_retried: tuple[Failure, ...]
    """Failures of the game that were left as they are, each with its blocker."""
    rounds: tuple[ReopenedRound, ...]


# ----- reading ----------------------------------------------------------------------------


async def planned_reminders(
    ctx: Context,
    *,
    guild_id: int | None = None,
    game_id: int | None = None,
    due_within: timedelta | None = None,
    limit: int = 25,
) -> Listing[PlannedReminder]:
    """Reminders not sent yet, soonest first; with ``due_within``, only those due by then.

    A NotFound for an unknown ``game_id``.
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        if game_id is not None:
            await load_game(session, game_id)
        total, rows = await jobs.open_reminders(
            session,
            guild_id=guild_id,
            game_id=game_id,
            due_by=None if due_within is None else now + due_within,
            limit=limit,
        )
        games = await _views(session, (row.game_id for row in rows))
        settled = await jobs.players_settled(session, job_ids=[row.id for row in rows])
        items = tuple(
            PlannedReminder(
                ref=Ref(FailureKind.REMINDER, row.id),
                game=games[row.game_id],
                offset_minutes=row.offset_minutes,
                due_at=row.due_at,
                recipients=_recipients(games[row.game_id], settled[row.id]),
            )
            for row in rows
        )
        return Listing(items=items, total=total)


async def failures(
    ctx: Context, *, guild_id: int | None = None, game_id: int | None = None, limit: int = 25
) -> Listing[Failure]:
    """What went wrong, the latest first: reminders missed or skipped, reminder DMs and
    notices Discord refused; each says whether a retry would help. A NotFound for an
    unknown ``game_id``."""
    now = ctx.now()
    async with ctx.transaction() as session:
        if game_id is not None:
            await load_game(session, game_id)
        ended_total, ended = await jobs.ended_reminders(
            session,
            outcomes=(Outcome.MISSED, Outcome.SKIPPED),
            guild_id=guild_id,
            game_id=game_id,
            limit=limit,
        )
        dms_total, dms = await jobs.refused_deliveries(
            session, guild_id=guild_id, game_id=game_id, limit=limit
        )
        notices_total, notices = await jobs.refused_notifications(
            session, not_counting=(SUPERSEDED,), guild_id=guild_id, game_id=game_id, limit=limit
        )
        game_ids = [*(j.game_id for j in ended), *(d.game_id for d in dms)]
        games = await _views(session, [*game_ids, *(n.game_id for n in notices)])
        found = [
            *[await _reminder_failure(session, job, games[job.game_id]) for job in ended],
            *[await _failure_of_row(session, row, games[row.game_id], now) for row in dms],
            *[await _failure_of_row(session, row, games[row.game_id], now) for row in notices],
        ]
        found.sort(key=lambda f: (f.at is not None, f.at or now, f.ref), reverse=True)
        return Listing(items=tuple(found[:limit]), total=ended_total + dms_total + notices_total)


# ----- retrying ---------------------------------------------------------------------------


async def retry(ctx: Context, refs: Sequence[Ref]) -> Retried:
    """Plan these failed DMs again, all or none.

    A NotFound for an id nothing has; a Conflict (nothing changed) when one of them is not a
    refused DM (delivered, owed already, a whole reminder) or cannot be retried (the game
    started or was cancelled, the member left, ...), naming it and why.
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        game_ids = {ref: await _game_of(session, ref) for ref in refs}
        for game_id in sorted(set(game_ids.values())):  # in order: retries never deadlock
            await load_game(session, game_id, lock=True)
        rows = [await _failed_row(session, ref) for ref in game_ids]  # read once locked
        games = await _views(session, game_ids.values())
        found = [await _failure_of_row(session, row, games[row.game_id], now) for row in rows]
        for failure in found:
            if failure.blocker is not None:
                raise Conflict(
                    f"{_described(failure)} cannot be sent again: {failure.blocker.sentence}. "
                    "Nothing was retried."
                )
        return await _plan_again(session, ctx, found, not_retried=())


async def retry_game(ctx: Context, *, game_id: int, member_id: int | None = None) -> Retried:
    """Plan again every refused DM of a game (to one member, when given) that a retry would
    help; the others are left as they are and returned with why.

    A NotFound for an unknown game; a Conflict (nothing changed) when it has no refused DMs,
    or none that a retry would help.
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        await load_game(session, game_id, lock=True)
        game = await _views(session, [game_id])
        _, dms = await jobs.refused_deliveries(session, guild_id=None, game_id=game_id, limit=None)
        _, notices = await jobs.refused_notifications(
            session, not_counting=(SUPERSEDED,), guild_id=None, game_id=game_id, limit=None
        )
        refused: list[DeliveryRow | NotificationRow] = [*dms, *notices]
        rows = [row for row in refused if member_id in (None, row.user_id)]
        found = [await _failure_of_row(session, row, game[game_id], now) for row in rows]
        whose = f" to member {member_id}" if member_id is not None else ""
        if not found:
            raise Conflict(f"Game #{game_id} has no refused DMs{whose}; nothing to retry.")
        retryable = [f for f in found if f.blocker is None]
        if not retryable:
            reasons = "; ".join(f"{f.ref}: {f.blocker.sentence}" for f in found if f.blocker)
            raise Conflict(
                f"None of the refused DMs of game #{game_id}{whose} can be sent again ({reasons})."
            )
        blocked = tuple(f for f in found if f.blocker is not None)
        return await _plan_again(session, ctx, retryable, not_retried=blocked)


async def _plan_again(
    session: AsyncSession,
    ctx: Context,
    found: Sequence[Failure],
    *,
    not_retried: tuple[Failure, ...],
) -> Retried:
    """Make the worker owe these DMs again (see the module's docstring), recorded in each
    game's history."""
    by_game: dict[int, list[Failure]] = {}
    for failure in found:
        by_game.setdefault(failure.game.id, []).append(failure)
    for failures in by_game.values():
        game = failures[0].game
        members = sorted({f.member_id for f in failures if f.member_id is not None})
        record(
            session,
            ctx,
            action=Action.DMS_RETRIED,
            guild_id=game.guild_id,
            channel_id=game.channel_id,
            game_id=game.id,
            changes={"dms_retried": [None, members]},
        )
    reopened: dict[int, Failure] = {}
    for failure in found:
        if failure.ref.kind is FailureKind.NOTICE:
            await jobs.reopen_notification(session, notification_id=failure.ref.row_id)
            continue
        await jobs.clear_delivery_failure(session, delivery_id=failure.ref.row_id)
        assert failure.reminder is not None
        reopened.setdefault(failure.reminder.id, failure)
    for job_id in reopened:
        await jobs.reopen_job(session, job_id=job_id)
    mark_due_work(session)
    settled = await jobs.players_settled(session, job_ids=list(reopened))
    rounds = tuple(
        ReopenedRound(
            ref=Ref(FailureKind.REMINDER, job_id),
            game=failure.game,
            offset_minutes=failure.reminder.offset_minutes,
            recipients=_recipients(failure.game, settled[job_id]),
        )
        for job_id, failure in reopened.items()
        if failure.reminder is not None
    )
    return Retried(retried=tuple(found), not_retried=not_retried, rounds=rounds)


# ----- judging one failure ----------------------------------------------------------------


async def _game_of(session: AsyncSession, ref: Ref) -> int:
    """The game of the DM ``ref`` names; a NotFound when there is none, a Conflict for a
    whole reminder."""
    if ref.kind is FailureKind.REMINDER:
        job = await jobs.get_job(session, ref.row_id)
        if job is None or job.kind != JobKind.REMINDER:
            raise NotFound(f"There is no reminder {ref}.")
        state = f"was {job.outcome}" if job.outcome else "is not sent yet"
        raise Conflict(
            f"Reminder {ref} {state}; a reminder as a whole is never sent again (only a "
            "refused DM is). Nothing was retried."
        )
    table = DeliveryRow if ref.kind is FailureKind.REMINDER_DM else NotificationRow
    game_id = await jobs.game_of(session, table, ref.row_id)
    if game_id is None:
        raise NotFound(f"There is no {_WHAT[ref.kind]} {ref}.")
    return game_id


async def _failed_row(session: AsyncSession, ref: Ref) -> DeliveryRow | NotificationRow:
    """The refused DM ``ref`` names (known to exist); a Conflict when it is not refused."""
    row: DeliveryRow | NotificationRow | None
    if ref.kind is FailureKind.REMINDER_DM:
        row = await jobs.get_delivery(session, ref.row_id)
    else:
        row = await jobs.get_notification(session, ref.row_id)
    assert row is not None  # its game is locked: it cannot be deleted meanwhile
    what = _WHAT[ref.kind]
    if row.failure == SUPERSEDED:
        raise Conflict(f"The {what} {ref} was replaced by a newer one; nothing to retry.")
    if row.failure is None:
        state = "was delivered" if row.sent_at is not None else "is owed already"
        raise Conflict(f"The {what} {ref} {state}; nothing to retry.")
    return row


_WHAT = {
    FailureKind.REMINDER: "reminder",
    FailureKind.REMINDER_DM: "reminder DM",
    FailureKind.NOTICE: "notice",
}


async def _failure_of_row(
    session: AsyncSession, row: DeliveryRow | NotificationRow, game: GameView, now: datetime
) -> Failure:
    if isinstance(row, DeliveryRow):
        return await _dm_failure(session, row, game, now)
    return await _notice_failure(session, row, game, now)


async def _reminder_failure(session: AsyncSession, job: JobRow, game: GameView) -> Failure:
    """A reminder missed or skipped; the blocker says why, as far as the game tells now."""
    blocker: Blocker
    if job.outcome == Outcome.MISSED:
        blocker = Blocker.GAME_STARTED
    elif not _planned_for(job, game):
        blocker = Blocker.GAME_MOVED
    elif job.done_at is not None and await _later_reminder_due(session, job, game, job.done_at):
        blocker = Blocker.LATER_REMINDER
    elif game.status is GameStatus.CANCELLED:
        blocker = Blocker.GAME_CANCELLED
    else:  # the only other way a due reminder is skipped: it was taken off the game's times
        blocker = Blocker.REMINDER_TIMES_CHANGED
    return Failure(
        ref=Ref(FailureKind.REMINDER, job.id),
        game=game,
        reason=job.outcome or "",
        at=job.done_at,
        reminder=job,
        blocker=blocker,
    )


async def _dm_failure(
    session: AsyncSession, row: DeliveryRow, game: GameView, now: datetime
) -> Failure:
    job = await jobs.get_job(session, row.job_id)
    assert job is not None  # a delivery goes with its job (ON DELETE CASCADE)
    blocker = _game_blocker(game, now)
    if blocker is None:
        if not _planned_for(job, game):
            blocker = Blocker.GAME_MOVED
        elif job.done_at is None and job.claimed_at is not None:
            blocker = Blocker.SENDING  # an unclaimed one waits for a worker: more can join it
        elif row.user_id not in game.joined:
            blocker = Blocker.NOT_SEATED
        elif await _later_reminder_due(session, job, game, now):
            blocker = Blocker.LATER_REMINDER
    return Failure(
        ref=Ref(FailureKind.REMINDER_DM, row.id),
        game=game,
        reason=row.failure or "",
        at=row.created_at,
        member_id=row.user_id,
        reminder=job,
        blocker=blocker,
    )


async def _notice_failure(
    session: AsyncSession, row: NotificationRow, game: GameView, now: datetime
) -> Failure:
    kind = NoticeKind(row.kind)
    blocker = _game_blocker(game, now)
    if blocker is None:
        if kind is NoticeKind.PROMOTED and row.user_id not in game.joined:
            blocker = Blocker.NOT_SEATED
        elif row.user_id not in game.joined + game.waitlist:
            blocker = Blocker.NOT_IN_GAME
        elif await jobs.has_newer_notification(session, row, kinds=(kind,)):
            blocker = Blocker.NEWER_NOTICE
    return Failure(
        ref=Ref(FailureKind.NOTICE, row.id),
        game=game,
        reason=row.failure or "",
        at=row.sent_at,
        member_id=row.user_id,
        notice=kind,
        blocker=blocker,
    )


def _game_blocker(game: GameView, now: datetime) -> Blocker | None:
    """Whether the game still takes DMs about it: scheduled, and its start still ahead."""
    if game.status is GameStatus.CANCELLED:
        return Blocker.GAME_CANCELLED
    if game.status is not GameStatus.SCHEDULED or now >= game.start_at:
        return Blocker.GAME_STARTED
    return None


def _planned_for(job: JobRow, game: GameView) -> bool:
    """Whether a reminder was planned for the game's current start time (as the worker
    judges it before sending)."""
    return job.due_at == game.start_at - timedelta(minutes=job.offset_minutes)


async def _later_reminder_due(
    session: AsyncSession, job: JobRow, game: GameView, until: datetime
) -> bool:
    """Whether a later reminder for the game's current start was due by ``until`` and sent
    (or is being sent): the worker then skips this one, sending only the latest."""
    later = await jobs.later_jobs_due(
        session,
        game_id=game.id,
        kind=JobKind.REMINDER,
        after=job.due_at,
        until=until,
        ended_as=Outcome.SENT,
    )
    return any(_planned_for(other, game) for other in later)


def _recipients(game: GameView, settled: set[int]) -> tuple[int, ...]:
    return tuple(user_id for user_id in game.joined if user_id not in settled)


def _described(failure: Failure) -> str:
    what = _WHAT[failure.ref.kind]
    return f"The {what} {failure.ref} (game #{failure.game.id}, member {failure.member_id})"


async def _views(session: AsyncSession, game_ids: Iterable[int]) -> dict[int, GameView]:
    games = [await load_game(session, game_id) for game_id in sorted(set(game_ids))]
    return {view.id: view for view in await views_of(session, games)}
