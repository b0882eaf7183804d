"""Queries on recurring series and the games that are their occurrences.

A due series (``next_due_at <= now``) is claimed by the worker exactly like a job (see
:func:`gamesched.db.jobs.claim_due_series`); the UNIQUE(series_id, occurrence_on) constraint
on games is the last guard against a second game for one series date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db.tables import SERIES_DUE, GameRow, SeriesRow


async def get_series(
    session: AsyncSession, series_id: int, *, lock: bool = False
) -> SeriesRow | None:
    """One series; with ``lock`` its row stays locked for the transaction (so its games are
    made by one transaction at a time)."""
    if lock:
        query = select(SeriesRow).where(SeriesRow.id == series_id).with_for_update()
        return (
            await session.scalars(query.execution_options(populate_existing=True))
        ).one_or_none()
    return await session.get(SeriesRow, series_id)


async def series_of_guild(
    session: AsyncSession, *, guild_id: int | None, statuses: Sequence[str]
) -> Sequence[SeriesRow]:
    """A guild's series (every guild's with None) of these statuses (all when empty), oldest
    first."""
    query = select(SeriesRow).order_by(SeriesRow.id)
    if guild_id is not None:
        query = query.where(SeriesRow.guild_id == guild_id)
    if statuses:
        query = query.where(SeriesRow.status.in_(statuses))
    return (await session.scalars(query)).all()


async def occurrences_of(
    session: AsyncSession, series_id: int, *, from_on: date | None = None
) -> Sequence[GameRow]:
    """The series' games (every status), by series date; from ``from_on`` on when given."""
    query = select(GameRow).where(GameRow.series_id == series_id)
    if from_on is not None:
        query = query.where(GameRow.occurrence_on >= from_on)
    return (await session.scalars(query.order_by(GameRow.occurrence_on))).all()


async def newest_occurrence(session: AsyncSession, series_id: int) -> GameRow | None:
    """The series' game with the latest series date (any status), or None."""
    query = (
        select(GameRow)
        .where(GameRow.series_id == series_id)
        .order_by(GameRow.occurrence_on.desc())
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def next_unclaimed_series_due_at(session: AsyncSession) -> datetime | None:
    """When the next series nobody holds is due to make a game (None when none is)."""
    return await session.scalar(
        select(SeriesRow.next_due_at)
        .where(SERIES_DUE, SeriesRow.claimed_at.is_(None))
        .order_by(SeriesRow.next_due_at, SeriesRow.id)
        .limit(1)
    )
