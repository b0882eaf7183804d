"""Planned side effects, written in the same transaction as the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, JobRow, NotificationRow
from gamesched.domain.lifecycle import GameStatus
from gamesched.domain.settings import EffectiveSettings
from gamesched.services.context import mark_due_work


class JobKind(StrEnum):
    REMINDER = "reminder"
    START = "start"
    COMPLETE = "complete"


class NoticeKind(StrEnum):
    """Direct messages owed to members."""

    PROMOTED = "promoted"
    """They moved from the waitlist into a seat."""
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    """The start time changed."""


async def replan_jobs(
    session: AsyncSession, game: GameRow, settings: EffectiveSettings, *, now: datetime
) -> None:
    """Replace the game's unclaimed jobs with the ones its current state calls for.

    Reminders whose time has already passed are not planned; claimed or finished jobs are
    left to their worker.
    """
    mark_due_work(session)
    await repo.drop_pending_jobs(session, game.id)
    status = GameStatus(game.status)
    jobs: list[JobRow] = []
    if status is GameStatus.SCHEDULED:
        for offset in settings.reminder_minutes.value:
            due = game.start_at - timedelta(minutes=offset)
            if due > now:
                jobs.append(JobRow(kind=JobKind.REMINDER, offset_minutes=offset, due_at=due))
        jobs.append(JobRow(kind=JobKind.START, offset_minutes=0, due_at=game.start_at))
    if status in (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS):
        end = game.start_at + timedelta(minutes=settings.duration_minutes.value)
        jobs.append(JobRow(kind=JobKind.COMPLETE, offset_minutes=0, due_at=end))
    for job in jobs:
        job.game_id = game.id
        session.add(job)


def notify(session: AsyncSession, game: GameRow, kind: NoticeKind, user_ids: Iterable[int]) -> None:
    """Owe each member one DM about this game (delivered after commit by a worker)."""
    mark_due_work(session)
    for user_id in user_ids:
        session.add(
            NotificationRow(game_id=game.id, user_id=user_id, kind=kind, game_version=game.version)
        )
