"""Queries for the web service's sessions: sealed token blobs by session id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db.engine import changed_any, changed_rows
from gamesched.db.tables import WebSessionRow, utcnow


async def put_session(
    session: AsyncSession, *, session_id: str, tokens: bytes, expires_at: datetime
) -> None:
    """Store the session's blob and expiry, replacing what it had (one statement, so two
    saves of one session at once never fail on the primary key)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(WebSessionRow).values(id=session_id, tokens=tokens, expires_at=expires_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[WebSessionRow.id],
            set_={"tokens": tokens, "expires_at": expires_at, "updated_at": utcnow()},
        )
    )


async def get_session(session: AsyncSession, session_id: str) -> WebSessionRow | None:
    return await session.get(WebSessionRow, session_id)


async def delete_session(session: AsyncSession, session_id: str) -> bool:
    """Remove the session; whether it existed."""
    result = await session.execute(delete(WebSessionRow).where(WebSessionRow.id == session_id))
    return changed_any(result)


async def delete_expired_sessions(session: AsyncSession, now: datetime) -> int:
    """Remove every session that expired by ``now``; how many."""
    result = await session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
    return changed_rows(result)
