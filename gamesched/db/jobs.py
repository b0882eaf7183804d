"""Queries on the worker's rows: planned jobs, owed DMs (notifications) and reminder deliveries.

Claims: a worker takes due rows with one ``UPDATE ... RETURNING`` whose candidates are picked
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take the same row and
neither waits for the other. SQLite has no row locks and leaves ``FOR UPDATE`` out; there
every transaction is ``BEGIN IMMEDIATE``, so claims are serialised by the database lock. A
claim older than the lease is taken over (its worker died); each claim carries its own name
in ``claimed_by``, and a renewal or any later step only succeeds while the row still holds
that name.

Every function takes the open session; the use cases in :mod:`gamesched.services.outbox`
decide what to claim, when, and what a row's state means.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from gamesched.db.engine import changed_any
from gamesched.db.tables import (
    OPEN_JOB,
    OWED_NOTIFICATION,
    SERIES_DUE,
    DeliveryRow,
    GameRow,
    JobRow,
    NotificationRow,
    SeriesRow,
)

# ----- claims -----------------------------------------------------------------------------


async def claim_due_jobs(
    session: AsyncSession, *, now: datetime, lease: timedelta, claim: str, limit: int
) -> tuple[int, ...]:
    """Take up to ``limit`` unfinished jobs due by ``now`` that nobody holds, soonest first."""
    return await _claim(
        session,
        JobRow,
        and_(OPEN_JOB, JobRow.due_at <= now),
        order=(JobRow.due_at, JobRow.id),
        now=now,
        lease=lease,
        claim=claim,
        limit=limit,
    )


async def claim_owed_notifications(
    session: AsyncSession, *, now: datetime, lease: timedelta, claim: str, limit: int
) -> tuple[int, ...]:
    """Take up to ``limit`` unsent notifications that nobody holds, oldest first."""
    return await _claim(
        session,
        NotificationRow,
        OWED_NOTIFICATION,
        order=(NotificationRow.id,),
        now=now,
        lease=lease,
        claim=claim,
        limit=limit,
    )


async def claim_due_series(
    session: AsyncSession, *, now: datetime, lease: timedelta, claim: str, limit: int
) -> tuple[int, ...]:
    """Take up to ``limit`` series due to make a game by ``now`` that nobody holds."""
    return await _claim(
        session,
        SeriesRow,
        and_(SERIES_DUE, SeriesRow.next_due_at <= now),
        order=(SeriesRow.next_due_at, SeriesRow.id),
        now=now,
        lease=lease,
        claim=claim,
        limit=limit,
    )


async def _claim(
    session: AsyncSession,
    table: type[JobRow] | type[NotificationRow] | type[SeriesRow],
    due: ColumnElement[bool],
    *,
    order: tuple[InstrumentedAttribute[Any], ...],
    now: datetime,
    lease: timedelta,
    claim: str,
    limit: int,
) -> tuple[int, ...]:
    """Take up to ``limit`` due rows nobody holds: one statement, so two workers never share.

    The claimable condition is checked again in the UPDATE itself, so a row another worker
    claimed between the pick and the write is not taken twice.
    """
    claimable = and_(due, or_(table.claimed_at.is_(None), table.claimed_at < now - lease))
    candidates = (
        select(table.id)
        .where(claimable)
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(table)
        .where(table.id.in_(candidates.scalar_subquery()), claimable)
        .values(claimed_at=now, claimed_by=claim)
        .returning(table.id)
    )
    return tuple(sorted(result.scalars().all()))


async def renew_job_claim(session: AsyncSession, *, job_id: int, claim: str, now: datetime) -> bool:
    """Start the lease of an unfinished job held under ``claim`` again; False if not held."""
    return await _renew(session, JobRow, job_id, claim, JobRow.done_at.is_(None), now)


async def renew_notification_claim(
    session: AsyncSession, *, notification_id: int, claim: str, now: datetime
) -> bool:
    """:func:`renew_job_claim` for an unsent notification."""
    return await _renew(
        session, NotificationRow, notification_id, claim, NotificationRow.sent_at.is_(None), now
    )


async def _renew(
    session: AsyncSession,
    table: type[JobRow] | type[NotificationRow],
    row_id: int,
    claim: str,
    open_: ColumnElement[bool],
    now: datetime,
) -> bool:
    result = await session.execute(
        update(table)
        .where(table.id == row_id, open_, table.claimed_by == claim)
        .values(claimed_at=now)
    )
    return changed_any(result)


# ----- jobs -------------------------------------------------------------------------------


async def get_job(session: AsyncSession, job_id: int, *, fresh: bool = False) -> JobRow | None:
    """One job; with ``fresh`` it is read from the database again even if this session
    already holds it (to see changes committed while the session waited for a lock)."""
    if fresh:
        return await session.get(JobRow, job_id, populate_existing=True)
    return await session.get(JobRow, job_id)


async def next_unclaimed_due_at(session: AsyncSession) -> datetime | None:
    """When the next unfinished job nobody holds falls due (None when there is none).

    Read in due order from the index of open jobs and stopped at the first one nobody holds,
    so an idle worker's look costs the same with a hundred or a million jobs planned.
    """
    return await session.scalar(
        select(JobRow.due_at)
        .where(OPEN_JOB, JobRow.claimed_at.is_(None))
        .order_by(JobRow.due_at, JobRow.id)
        .limit(1)
    )


async def jobs_of_game(session: AsyncSession, game_id: int) -> Sequence[JobRow]:
    """Every job of a game, done or not, in the order they fall due."""
    query = select(JobRow).where(JobRow.game_id == game_id).order_by(JobRow.due_at, JobRow.id)
    return (await session.scalars(query)).all()


async def later_jobs_due(
    session: AsyncSession,
    *,
    game_id: int,
    kind: str,
    after: datetime,
    until: datetime,
    ended_as: str,
) -> Sequence[JobRow]:
    """A game's jobs of ``kind`` due after ``after`` and by ``until`` that are still open or
    ended as ``ended_as`` (the ones closed for another reason do not count)."""
    query = select(JobRow).where(
        JobRow.game_id == game_id,
        JobRow.kind == kind,
        JobRow.due_at > after,
        JobRow.due_at <= until,
        or_(JobRow.outcome.is_(None), JobRow.outcome == ended_as),
    )
    return (await session.scalars(query)).all()


async def count_unfinished(session: AsyncSession, *, game_ids: Sequence[int] | None) -> int:
    """Jobs not done plus notifications not sent, of these games (of all when None)."""
    jobs = select(func.count(JobRow.id)).where(JobRow.done_at.is_(None))
    notices = select(func.count(NotificationRow.id)).where(NotificationRow.sent_at.is_(None))
    if game_ids is not None:
        jobs = jobs.where(JobRow.game_id.in_(game_ids))
        notices = notices.where(NotificationRow.game_id.in_(game_ids))
    return int(await session.scalar(jobs) or 0) + int(await session.scalar(notices) or 0)


# ----- reminder deliveries ----------------------------------------------------------------


async def deliveries_for(
    session: AsyncSession, *, job_id: int, game_id: int, user_ids: Iterable[int]
) -> dict[int, DeliveryRow]:
    """The reminder's delivery row per player, written now for those who have none yet.

    Flushed, so every row has its id (the DM's nonce) before anything is sent.
    """
    query = select(DeliveryRow).where(DeliveryRow.job_id == job_id)
    rows = {row.user_id: row for row in (await session.scalars(query)).all()}
    for user_id in user_ids:
        if user_id not in rows:
            rows[user_id] = DeliveryRow(job_id=job_id, game_id=game_id, user_id=user_id)
            session.add(rows[user_id])
    await session.flush()
    return rows


async def deliveries_of_game(session: AsyncSession, game_id: int) -> Sequence[DeliveryRow]:
    """Every reminder DM written for a game, in the order they were written."""
    query = select(DeliveryRow).where(DeliveryRow.game_id == game_id).order_by(DeliveryRow.id)
    return (await session.scalars(query)).all()


async def mark_delivery_sent(
    session: AsyncSession, *, job_id: int, user_id: int, at: datetime
) -> None:
    await session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.job_id == job_id, DeliveryRow.user_id == user_id)
        .values(sent_at=at)
    )


async def mark_delivery_refused(
    session: AsyncSession, *, job_id: int, user_id: int, failure: str
) -> None:
    await session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.job_id == job_id, DeliveryRow.user_id == user_id)
        .values(failure=failure)
    )


async def players_refused_in_round(
    session: AsyncSession, *, job_id: int, failure: str
) -> tuple[int, ...]:
    """Players whose DM of this reminder failed with ``failure``, in the order rows were
    written."""
    refused = await session.scalars(
        select(DeliveryRow.user_id)
        .where(DeliveryRow.job_id == job_id, DeliveryRow.failure == failure)
        .order_by(DeliveryRow.id)
    )
    return tuple(refused.all())


async def players_refused(session: AsyncSession, *, game_id: int, failure: str) -> tuple[int, ...]:
    """Members whose reminder or notice DM about a game failed with ``failure``, each once,
    by id."""
    users = await session.scalars(
        select(DeliveryRow.user_id)
        .where(DeliveryRow.game_id == game_id, DeliveryRow.failure == failure)
        .union(
            select(NotificationRow.user_id).where(
                NotificationRow.game_id == game_id, NotificationRow.failure == failure
            )
        )
    )
    return tuple(sorted(set(users.all())))


# ----- notifications ----------------------------------------------------------------------


async def get_notification(session: AsyncSession, notification_id: int) -> NotificationRow | None:
    return await session.get(NotificationRow, notification_id)


async def has_newer_notification(
    session: AsyncSession, notification: NotificationRow, *, kinds: Collection[str]
) -> bool:
    """Whether the member has a later notification of one of ``kinds`` about the same game
    (sent or not)."""
    newer = await session.scalar(
        select(func.count(NotificationRow.id)).where(
            NotificationRow.game_id == notification.game_id,
            NotificationRow.user_id == notification.user_id,
            NotificationRow.id > notification.id,
            NotificationRow.kind.in_(kinds),
        )
    )
    return bool(newer)


async def close_notification(
    session: AsyncSession, *, notification_id: int, at: datetime, failure: str | None
) -> None:
    """Mark an unsent notification closed at ``at``: sent, or refused with ``failure``."""
    await session.execute(
        update(NotificationRow)
        .where(NotificationRow.id == notification_id, NotificationRow.sent_at.is_(None))
        .values(sent_at=at, failure=failure)
    )


# ----- the operator's view: planned reminders, failures, retries --------------------------


def _of_games(
    game_id: InstrumentedAttribute[int], *, guild_id: int | None, only_game: int | None
) -> list[ColumnElement[bool]]:
    """Conditions keeping rows of one guild's games and/or of one game."""
    conditions: list[ColumnElement[bool]] = []
    if guild_id is not None:
        conditions.append(game_id.in_(select(GameRow.id).where(GameRow.guild_id == guild_id)))
    if only_game is not None:
        conditions.append(game_id == only_game)
    return conditions


async def open_reminders(
    session: AsyncSession,
    *,
    guild_id: int | None,
    game_id: int | None,
    due_by: datetime | None,
    limit: int,
) -> tuple[int, Sequence[JobRow]]:
    """How many reminders are not done yet, and the first ``limit`` of them, soonest first."""
    where = [
        JobRow.kind == "reminder",
        JobRow.done_at.is_(None),
        *_of_games(JobRow.game_id, guild_id=guild_id, only_game=game_id),
    ]
    if due_by is not None:
        where.append(JobRow.due_at <= due_by)
    total = await session.scalar(select(func.count(JobRow.id)).where(*where))
    rows = await session.scalars(
        select(JobRow).where(*where).order_by(JobRow.due_at, JobRow.id).limit(limit)
    )
    return int(total or 0), rows.all()


async def ended_reminders(
    session: AsyncSession,
    *,
    outcomes: Collection[str],
    guild_id: int | None,
    game_id: int | None,
    limit: int | None,
) -> tuple[int, Sequence[JobRow]]:
    """How many reminders ended with one of ``outcomes``, and the latest ``limit`` of them."""
    where = [
        JobRow.kind == "reminder",
        JobRow.outcome.in_(outcomes),
        *_of_games(JobRow.game_id, guild_id=guild_id, only_game=game_id),
    ]
    total = await session.scalar(select(func.count(JobRow.id)).where(*where))
    query = select(JobRow).where(*where).order_by(JobRow.done_at.desc(), JobRow.id.desc())
    return int(total or 0), (await session.scalars(query.limit(limit))).all()


async def refused_deliveries(
    session: AsyncSession, *, guild_id: int | None, game_id: int | None, limit: int | None
) -> tuple[int, Sequence[DeliveryRow]]:
    """How many reminder DMs Discord refused, and the latest ``limit`` of them."""
    where = [
        DeliveryRow.failure.is_not(None),
        *_of_games(DeliveryRow.game_id, guild_id=guild_id, only_game=game_id),
    ]
    total = await session.scalar(select(func.count(DeliveryRow.id)).where(*where))
    query = select(DeliveryRow).where(*where).order_by(DeliveryRow.id.desc())
    return int(total or 0), (await session.scalars(query.limit(limit))).all()


async def refused_notifications(
    session: AsyncSession,
    *,
    not_counting: Collection[str],
    guild_id: int | None,
    game_id: int | None,
    limit: int | None,
) -> tuple[int, Sequence[NotificationRow]]:
    """How many notices were closed with a failure other than those in ``not_counting``, and
    the latest ``limit`` of them."""
    where = [
        NotificationRow.failure.is_not(None),
        NotificationRow.failure.not_in(not_counting),
        *_of_games(NotificationRow.game_id, guild_id=guild_id, only_game=game_id),
    ]
    total = await session.scalar(select(func.count(NotificationRow.id)).where(*where))
    query = (
        select(NotificationRow)
        .where(*where)
        .order_by(NotificationRow.sent_at.desc(), NotificationRow.id.desc())
    )
    return int(total or 0), (await session.scalars(query.limit(limit))).all()


async def get_delivery(session: AsyncSession, delivery_id: int) -> DeliveryRow | None:
    return await session.get(DeliveryRow, delivery_id)


async def game_of(
    session: AsyncSession, table: type[DeliveryRow] | type[NotificationRow], row_id: int
) -> int | None:
    """The game a delivery or notification is about (None when there is no such row), read
    without loading the row, so it can be read afresh once the game is locked."""
    return await session.scalar(select(table.game_id).where(table.id == row_id))


async def players_settled(
    session: AsyncSession, *, job_ids: Collection[int]
) -> dict[int, set[int]]:
    """Per reminder, the players whose DM of it was sent or refused: its round owes them
    nothing."""
    rows = await session.execute(
        select(DeliveryRow.job_id, DeliveryRow.user_id).where(
            DeliveryRow.job_id.in_(job_ids),
            or_(DeliveryRow.sent_at.is_not(None), DeliveryRow.failure.is_not(None)),
        )
    )
    settled: dict[int, set[int]] = {job_id: set() for job_id in job_ids}
    for job_id, user_id in rows:
        settled[job_id].add(user_id)
    return settled


async def reopen_job(session: AsyncSession, *, job_id: int) -> bool:
    """Make a finished job claimable again, held by nobody. Its delivery rows stay, so its
    round sends only what they do not show as sent or refused. False if it was not finished."""
    result = await session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.done_at.is_not(None))
        .values(done_at=None, outcome=None, claimed_at=None, claimed_by=None)
    )
    return changed_any(result)


async def clear_delivery_failure(session: AsyncSession, *, delivery_id: int) -> bool:
    """Make a refused reminder DM owed again; False if it was not refused."""
    result = await session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.id == delivery_id,
            DeliveryRow.failure.is_not(None),
            DeliveryRow.sent_at.is_(None),
        )
        .values(failure=None)
    )
    return changed_any(result)


async def reopen_notification(session: AsyncSession, *, notification_id: int) -> bool:
    """Make a refused notice owed again, held by nobody; False if it was not refused."""
    result = await session.execute(
        update(NotificationRow)
        .where(NotificationRow.id == notification_id, NotificationRow.failure.is_not(None))
        .values(sent_at=None, failure=None, claimed_at=None, claimed_by=None)
    )
    return changed_any(result)


async def count_due_unfinished(session: AsyncSession, *, now: datetime) -> int:
    """Jobs due by ``now`` and not done, plus notifications not sent: work waiting for a
    worker (claimed or not)."""
    jobs = select(func.count(JobRow.id)).where(JobRow.done_at.is_(None), JobRow.due_at <= now)
    notices = select(func.count(NotificationRow.id)).where(NotificationRow.sent_at.is_(None))
    return int(await session.scalar(jobs) or 0) + int(await session.scalar(notices) or 0)


async def oldest_due_unfinished(session: AsyncSession, *, now: datetime) -> datetime | None:
    """Since when the longest-waiting work has been due: the earliest due time of the jobs
    due by ``now`` and not done, or the creation of the oldest unsent notification. Both are
    read off the pending indexes, never by scanning the tables."""
    job = await session.scalar(
        select(func.min(JobRow.due_at)).where(JobRow.done_at.is_(None), JobRow.due_at <= now)
    )
    oldest_notice = (
        select(func.min(NotificationRow.id))
        .where(NotificationRow.sent_at.is_(None))
        .scalar_subquery()
    )
    notice = await session.scalar(
        select(NotificationRow.created_at).where(NotificationRow.id == oldest_notice)
    )
    return min((at for at in (job, notice) if at is not None), default=None)
