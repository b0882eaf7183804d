"""Web sessions: where a login's OAuth tokens are kept between requests.

The web service seals the tokens before they get here (see ``webauth.tokens``), so this
stores opaque bytes: a leaked database holds nothing usable without the session secret. An
expired session reads as absent and is removed when seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gamesched.db import web_sessions as repo
from gamesched.services.context import Context


@dataclass(frozen=True, slots=True)
class StoredSession:
    """What a session holds."""

    tokens: bytes = field(repr=False)
    """The sealed token blob, as saved."""
    expires_at: datetime
    """Aware UTC; the session reads as absent from then on."""


async def save_session(
    ctx: Context, *, session_id: str, tokens: bytes, expires_at: datetime
) -> None:
    """Keep ``tokens`` for the session until ``expires_at``, replacing what it held."""
    async with ctx.transaction() as session:
        await repo.put_session(session, session_id=session_id, tokens=tokens, expires_at=expires_at)


async def load_session(ctx: Context, *, session_id: str) -> StoredSession | None:
    """The session's blob and expiry; None when there is none or it has expired."""
    now = ctx.now()
    async with ctx.transaction() as session:
        row = await repo.get_session(session, session_id)
        if row is None:
            return None
        if row.expires_at <= now:
            await repo.delete_session(session, session_id)
            return None
        return StoredSession(tokens=row.tokens, expires_at=row.expires_at)


async def delete_session(ctx: Context, *, session_id: str) -> bool:
    """Forget the session (log out); whether there was one."""
    async with ctx.transaction() as session:
        return await repo.delete_session(session, session_id)


async def delete_expired_sessions(ctx: Context) -> int:
    """Remove every expired session; how many (sessions nobody came back to)."""
    async with ctx.transaction() as session:
        return await repo.delete_expired_sessions(session, ctx.now())
