"""The worker's use cases: claim due side effects atomically, carry them out, record outcomes.

Reminders, status changes and owed DMs are rows written in the same transaction as the change
that caused them (see :mod:`gamesched.services.planning`). A worker claims due rows in one
atomic statement (see :mod:`gamesched.db.jobs`), so several workers never take the same row;
a claim older than the lease is taken over, so a crashed worker loses nothing. Each claim has
its own name, which the task presents before it acts: a copy of a task whose claim was taken
over (it waited in a queue past the lease, or its worker stalled) finds the row held by
someone else and does nothing. Each reminder DM is written as a delivery row *before* it is sent and
marked after, so a re-run after a crash re-sends at most the DMs that were in flight.

No transaction is held while Discord is called: the caller sends between these functions.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import jobs
from gamesched.db import repositories as repo
from gamesched.db import series as series_repo
from gamesched.db.tables import GameRow, JobRow
from gamesched.domain.lifecycle import move
from gamesched.domain.status import GameStatus
from gamesched.services._common import bump, load_game, settings_of, view_of
from gamesched.services.context import Context
from gamesched.services.history import Action, record_game
from gamesched.services.planning import JobKind, NoticeKind, Outcome, close_job, replan_jobs
from gamesched.services.views import GameView

LEASE = timedelta(seconds=60)
"""A claim older than this belongs to a worker that died; another worker takes the row over."""
UNANNOUNCED_GRACE = timedelta(minutes=2)
"""A game still unannounced this long after its last change (its creation, or a move to
another channel) lost its post to a crash: post it. Until then the front end that made the
change posts it, so the two never post it twice."""
DMS_CLOSED = "dms_closed"
"""Recorded failure when Discord refuses a DM because the member closed their DMs."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """Rows one worker claimed in one pass."""

    claim: str
    """The pass's claim: the tasks present it to show they still hold their row."""
    job_ids: tuple[int, ...]
    notification_ids: tuple[int, ...]
    series_ids: tuple[int, ...] = ()
    """Recurring series due to make their next game (``series.advance_series``)."""


@dataclass(frozen=True, slots=True)
class OwedDelivery:
    """One reminder DM still owed to one player."""

    delivery_id: int
    """Also the DM's idempotency nonce, so a re-send after a crash is not shown twice."""
    user_id: int


@dataclass(frozen=True, slots=True)
class ReminderRound:
    """A reminder that is to be delivered now: the game and the players still owed the DM."""

    job_id: int
    offset_minutes: int
    game: GameView
    deliveries: tuple[OwedDelivery, ...]

    @property
    def user_ids(self) -> tuple[int, ...]:
        return tuple(d.user_id for d in self.deliveries)


@dataclass(frozen=True, slots=True)
class OwedNotice:
    """One DM owed to one member about a game."""

    notification_id: int
    user_id: int
    kind: NoticeKind
    game: GameView


async def claim_due(
    ctx: Context, *, worker: str, limit: int = 200, lease: timedelta = LEASE
) -> Claimed:
    """Claim the jobs that are due now, the owed DMs and the series due to make a game (plus
    any whose claim expired)."""
    now = ctx.now()
    claim = f"{worker[:55]}/{secrets.token_hex(4)}"  # fits jobs.claimed_by (64)
    async with ctx.transaction() as session:
        job_ids = await jobs.claim_due_jobs(session, now=now, lease=lease, claim=claim, limit=limit)
        notice_ids = await jobs.claim_owed_notifications(
            session, now=now, lease=lease, claim=claim, limit=limit
        )
        series_ids = await jobs.claim_due_series(
            session, now=now, lease=lease, claim=claim, limit=limit
        )
    return Claimed(claim=claim, job_ids=job_ids, notification_ids=notice_ids, series_ids=series_ids)


async def next_due_at(ctx: Context) -> datetime | None:
    """When the next unclaimed job or series falls due (None when nothing is planned)."""
    async with ctx.transaction() as session:
        due = [
            await jobs.next_unclaimed_due_at(session),
            await series_repo.next_unclaimed_series_due_at(session),
        ]
    return min((d for d in due if d is not None), default=None)


async def stale_announcements(ctx: Context, *, limit: int = 100) -> tuple[int, ...]:
    """Games whose announcement is behind the database, or lost its post (after creation or
    a move) to a crash."""
    now = ctx.now()
    async with ctx.transaction() as session:
        return await repo.games_with_stale_announcement(
            session, unannounced_since=now - UNANNOUNCED_GRACE, limit=limit
        )


# ----- jobs -------------------------------------------------------------------------------


async def job_kind(ctx: Context, job_id: int) -> JobKind | None:
    """The kind of a job that is still to be done (None if it is done or gone)."""
    async with ctx.transaction() as session:
        job = await jobs.get_job(session, job_id)
        return None if job is None or job.done_at is not None else JobKind(job.kind)


async def start_reminder(ctx: Context, *, job_id: int, claim: str) -> ReminderRound | None:
    """Open a reminder's round: write a delivery row for every joined player not yet reached.

    Returns None when there is nothing to send: the job is done, another worker holds it
    under a newer claim, or it no longer applies, and is then finished with the reason (the
    game started before a worker got to it, moved, was cancelled, or a later reminder of the
    same game is also due, in which case only that latest one is sent).
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        opened = await _open_job(session, job_id, claim, now)
        if opened is None:
            return None
        job, game = opened
        outcome = await _reminder_obstacle(session, job, game, now)
        if outcome is not None:
            close_job(job, outcome, now)
            return None
        view = await view_of(session, game)
        rows = await jobs.deliveries_for(
            session, job_id=job.id, game_id=game.id, user_ids=view.joined
        )
        owed = tuple(
            OwedDelivery(delivery_id=rows[u].id, user_id=u)
            for u in view.joined
            if rows[u].sent_at is None and rows[u].failure is None
        )
        return ReminderRound(
            job_id=job.id, offset_minutes=job.offset_minutes, game=view, deliveries=owed
        )


async def _open_job(
    session: AsyncSession, job_id: int, claim: str, now: datetime
) -> tuple[JobRow, GameRow] | None:
    """A job still to be done under ``claim``, and its game, locked for this transaction.

    The job is read again once the game is locked, so a change to the game committed
    meanwhile (and the re-plan that came with it) is seen. Its lease starts afresh: a task
    that waited in a queue keeps the whole lease for its work.
    """
    job = await jobs.get_job(session, job_id)
    if job is None or not _held(job, claim):
        return None
    game = await load_game(session, job.game_id, lock=True)
    job = await jobs.get_job(session, job_id, fresh=True)
    if job is None or not _held(job, claim):
        return None
    job.claimed_at = now
    return job, game


def _held(job: JobRow, claim: str) -> bool:
    return job.done_at is None and job.claimed_by == claim


async def _reminder_obstacle(
    session: AsyncSession, job: JobRow, game: GameRow, now: datetime
) -> Outcome | None:
    if GameStatus(game.status) is not GameStatus.SCHEDULED:
        return (
            Outcome.MISSED
            if GameStatus(game.status) is not GameStatus.CANCELLED
            else Outcome.SKIPPED
        )
    if not _planned_for(job, game):
        return Outcome.SKIPPED  # planned for a start time the game no longer has
    if now >= game.start_at:
        return Outcome.MISSED
    later_due = await jobs.later_jobs_due(
        session,
        game_id=game.id,
        kind=JobKind.REMINDER,
        after=job.due_at,
        until=now,
        ended_as=Outcome.SENT,
    )
    superseded = any(_planned_for(later, game) for later in later_due)
    return Outcome.SKIPPED if superseded else None


def _planned_for(job: JobRow, game: GameRow) -> bool:
    """Whether a reminder was planned for the game's current start time."""
    return job.due_at == game.start_at - timedelta(minutes=job.offset_minutes)


async def record_delivery(
    ctx: Context, *, job_id: int, user_id: int, failure: str | None = None
) -> None:
    """Note that one reminder DM went out (or was refused, with the reason)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        if failure:
            await jobs.mark_delivery_refused(
                session, job_id=job_id, user_id=user_id, failure=failure
            )
        else:
            await jobs.mark_delivery_sent(session, job_id=job_id, user_id=user_id, at=now)


async def renew_claim(ctx: Context, *, job_id: int, claim: str) -> bool:
    """Keep holding a claimed job that is still running (its lease starts again).

    False when the job is no longer held under ``claim``: it is done, or its lease ran out
    and another worker took it over, and this worker should stop working on it.
    """
    async with ctx.transaction() as session:
        return await jobs.renew_job_claim(session, job_id=job_id, claim=claim, now=ctx.now())


async def renew_notice_claim(ctx: Context, *, notification_id: int, claim: str) -> bool:
    """:func:`renew_claim` for an owed DM that is waiting its turn under Discord's limits."""
    async with ctx.transaction() as session:
        return await jobs.renew_notification_claim(
            session, notification_id=notification_id, claim=claim, now=ctx.now()
        )


async def finish_job(ctx: Context, *, job_id: int, claim: str) -> None:
    """Mark a job held under ``claim`` done, so no worker takes it again."""
    now = ctx.now()
    async with ctx.transaction() as session:
        job = await jobs.get_job(session, job_id)
        if job is not None and _held(job, claim):
            close_job(job, Outcome.SENT, now)


async def advance_status(ctx: Context, *, job_id: int, claim: str) -> GameView | None:
    """Carry out a start or completion job: move the game to the status its clock calls for.

    A game whose start and end both passed while everything was down goes through
    IN_PROGRESS to COMPLETED in one step. Returns the changed game, or None when nothing
    changed (cancelled meanwhile, moved to another time, already done, held by another claim).
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        opened = await _open_job(session, job_id, claim, now)
        if opened is None:
            return None
        job, game = opened
        settings = await settings_of(session, game)
        end = game.start_at + timedelta(minutes=settings.duration_minutes.value)
        status = GameStatus(game.status)
        target = status
        if status is GameStatus.SCHEDULED and now >= game.start_at:
            target = GameStatus.IN_PROGRESS
        if target is GameStatus.IN_PROGRESS and now >= end:
            target = GameStatus.COMPLETED
        if target is status:
            close_job(job, Outcome.SKIPPED, now)
            return None
        was = status
        if status is GameStatus.SCHEDULED:
            status = move(status, GameStatus.IN_PROGRESS)
        if target is GameStatus.COMPLETED:
            status = move(status, GameStatus.COMPLETED)
        game.status = status
        bump(game)
        record_game(
            session,
            ctx,
            game,
            action=Action.COMPLETED if status is GameStatus.COMPLETED else Action.STARTED,
            member_id=None,
            before={"status": was},
            after={"status": status},
        )
        close_job(job, Outcome.SENT, now)
        await replan_jobs(session, game, settings, now=now)
        await session.flush()
        return await view_of(session, game)


async def unreachable_players(ctx: Context, *, game_id: int) -> tuple[int, ...]:
    """Players of a game whose DMs Discord refused (shown to the host)."""
    async with ctx.transaction() as session:
        return await jobs.players_refused(session, game_id=game_id, failure=DMS_CLOSED)


# ----- owed DMs ---------------------------------------------------------------------------


async def owed_notice(ctx: Context, *, notification_id: int, claim: str) -> OwedNotice | None:
    """The DM a notification held under ``claim`` asks for, or None (sent already, held by
    another claim, or overtaken).

    A notice overtaken by a later one about the same game and member (moved twice; moved,
    then cancelled) is closed unsent: the member hears only the newest news.
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        row = await jobs.get_notification(session, notification_id)
        if row is None or row.sent_at is not None or row.claimed_by != claim:
            return None
        row.claimed_at = now  # the lease starts afresh with the work
        newer = await jobs.has_newer_notification(session, row, kinds=_NEWS_KINDS)
        if newer and row.kind in _NEWS_KINDS:
            row.sent_at = now
            row.failure = "superseded"
            return None
        game = await view_of(session, await load_game(session, row.game_id))
        return OwedNotice(
            notification_id=row.id, user_id=row.user_id, kind=NoticeKind(row.kind), game=game
        )


_NEWS_KINDS = (NoticeKind.RESCHEDULED, NoticeKind.CANCELLED)
"""Notices a later one of these kinds makes obsolete."""


async def record_notice(ctx: Context, *, notification_id: int, failure: str | None = None) -> None:
    """Close an owed DM: sent, or refused with the reason (never retried after that)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        await jobs.close_notification(
            session, notification_id=notification_id, at=now, failure=failure
        )


async def pending_work(ctx: Context, *, game_ids: Sequence[int] | None = None) -> int:
    """How many jobs and notifications are not done yet (operators, tests)."""
    async with ctx.transaction() as session:
        return await jobs.count_unfinished(session, game_ids=game_ids)
