"""Queries for calendar feeds: a feed by its token's hash, an owner's feed, a new token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db.tables import CalendarFeedRow


async def feed_by_hash(session: AsyncSession, token_hash: str) -> CalendarFeedRow | None:
    """The feed whose token hashes to ``token_hash`` (its primary key), if any."""
    return await session.get(CalendarFeedRow, token_hash)


async def feed_of(session: AsyncSession, *, kind: str, owner_id: int) -> CalendarFeedRow | None:
    """The owner's live feed of ``kind``, if it has one (at most one: a unique key)."""
    query = select(CalendarFeedRow).where(
        CalendarFeedRow.kind == kind, CalendarFeedRow.owner_id == owner_id
    )
    return (await session.scalars(query)).one_or_none()


async def put_feed(
    session: AsyncSession,
    *,
    kind: str,
    owner_id: int,
    token_hash: str,
    created_at: datetime,
    replace: bool,
) -> None:
    """Give the owner a feed with this token hash, in one statement (safe when two arrive at
    once). With ``replace`` an existing feed takes the new hash (the old address stops
    working); without it an existing feed is kept as it is."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(CalendarFeedRow).values(
        kind=kind, owner_id=owner_id, token_hash=token_hash, created_at=created_at
    )
    keys = [CalendarFeedRow.kind, CalendarFeedRow.owner_id]
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={"token_hash": token_hash, "created_at": created_at}
        )
        if replace
        else statement.on_conflict_do_nothing(index_elements=keys)
    )
    # The row may be in the session from an earlier read: read it again from the database.
    session.expire_all()
