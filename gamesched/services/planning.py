"""Planned side effects, written in the same transaction as the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import object_session

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, JobRow, NotificationRow
from gamesched.domain.settings import EffectiveSettings
from gamesched.domain.status import GameStatus
from gamesched.metrics import JOBS_FINISHED
from gamesched.services.context import after_commit, mark_due_work


class JobKind(StrEnum):
    REMINDER = "reminder"
    START = "start"
    COMPLETE = "complete"


class Outcome(StrEnum):
    """How a job ended."""

    SENT = "sent"
    """Done: reminders delivered (or refused and recorded), status changed."""
    MISSED = "missed"
    """A reminder whose game had already started when a worker got to it."""
    SKIPPED = "skipped"
    """No longer applies: the game moved, was cancelled, or a later reminder was also due."""


class NoticeKind(StrEnum):
    """Direct messages owed to members."""

    PROMOTED = "promoted"
    """They moved from the waitlist into a seat."""
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    """The start time changed."""
    REMOVED = "removed"
    """The host, an admin or an operator took them off the game."""
    EVENTS_FULL = "events_full"
    """To the host: the server has as many upcoming scheduled events as Discord allows, so the
    game is announced but not mirrored as an event."""
    EVENTS_FORBIDDEN = "events_forbidden"
    """To the host: the bot may not create scheduled events, so the game is announced but not
    mirrored as an event."""


async def replan_jobs(
    session: AsyncSession, game: GameRow, settings: EffectiveSettings, *, now: datetime
) -> None:
    """Bring the game's pending jobs in line with what its current state calls for.

    A pending job still called for stays as it is, even one already due that no worker has
    got to yet (a reminder that fell due while the workers were down is still sent after a
    title edit). One no longer called for is dropped, or closed with the reason if it was due
    already; jobs a worker holds are left to it. New reminders are planned only for times
    still ahead.
    """
    mark_due_work(session)
    wanted = _wanted_jobs(game, settings)
    status = GameStatus(game.status)
    for job in await repo.pending_jobs(session, game.id):
        planned = (JobKind(job.kind), job.offset_minutes, job.due_at)
        if planned in wanted:
            wanted.remove(planned)
        elif job.claimed_at is not None:
            continue
        elif job.due_at > now:
            await session.delete(job)
        elif job.kind == JobKind.REMINDER and status in _UNDERWAY:
            close_job(job, Outcome.MISSED, now)
        else:
            close_job(job, Outcome.SKIPPED, now)
    for kind, offset, due in wanted:
        if kind is not JobKind.REMINDER or due > now:
            session.add(JobRow(game_id=game.id, kind=kind, offset_minutes=offset, due_at=due))


_UNDERWAY = (GameStatus.IN_PROGRESS, GameStatus.COMPLETED)


def _wanted_jobs(game: GameRow, settings: EffectiveSettings) -> list[tuple[JobKind, int, datetime]]:
    """(kind, offset, due time) of every job the game's status and settings call for."""
    status = GameStatus(game.status)
    wanted: list[tuple[JobKind, int, datetime]] = []
    if status is GameStatus.SCHEDULED:
        for offset in settings.reminder_minutes.value:
            due = game.start_at - timedelta(minutes=offset)
            wanted.append((JobKind.REMINDER, offset, due))
        wanted.append((JobKind.START, 0, game.start_at))
    if status in (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS):
        end = game.start_at + timedelta(minutes=settings.duration_minutes.value)
        wanted.append((JobKind.COMPLETE, 0, end))
    return wanted


def close_job(job: JobRow, outcome: Outcome, now: datetime) -> None:
    """Mark a job done, with how it ended, so no worker takes it again."""
    job.done_at = now
    job.outcome = outcome
    session = object_session(job)
    assert session is not None, "a job is closed in the transaction that loaded it"
    after_commit(session, JOBS_FINISHED.labels(job.kind, outcome).inc)


def notify(session: AsyncSession, game: GameRow, kind: NoticeKind, user_ids: Iterable[int]) -> None:
    """Owe each member one DM about this game (delivered after commit by a worker)."""
    mark_due_work(session)
    for user_id in user_ids:
        session.add(
            NotificationRow(game_id=game.id, user_id=user_id, kind=kind, game_version=game.version)
        )
