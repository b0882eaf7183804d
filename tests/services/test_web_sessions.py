"""Web sessions keep a login's sealed tokens until they expire."""

from __future__ import annotations

from datetime import timedelta

from gamesched.services.context import Context
from gamesched.services.web_sessions import (
    StoredSession,
    delete_expired_sessions,
    delete_session,
    load_session,
    save_session,
)
from tests.support.fakes import FakeClock

HOUR = timedelta(hours=1)


async def test_a_saved_session_reads_back_until_it_expires(ctx: Context, clock: FakeClock) -> None:
    """The blob saved for a session comes back as saved; after its expiry it is gone."""
    until = clock.now + HOUR
    await save_session(ctx, session_id="s1", tokens=b"\x00sealed\xff", expires_at=until)
    assert await load_session(ctx, session_id="s1") == StoredSession(b"\x00sealed\xff", until)
    clock.now += HOUR
    assert await load_session(ctx, session_id="s1") is None
    assert await delete_session(ctx, session_id="s1") is False  # removed when it was seen


async def test_saving_again_replaces_the_blob_and_expiry(ctx: Context, clock: FakeClock) -> None:
    """A refreshed login overwrites the session's tokens instead of failing or duplicating."""
    await save_session(ctx, session_id="s1", tokens=b"old", expires_at=clock.now + HOUR)
    await save_session(ctx, session_id="s1", tokens=b"new", expires_at=clock.now + 2 * HOUR)
    assert await load_session(ctx, session_id="s1") == StoredSession(b"new", clock.now + 2 * HOUR)


async def test_logging_out_forgets_only_that_session(ctx: Context, clock: FakeClock) -> None:
    """Deleting a session removes it and says so; other sessions stay."""
    for name in ("s1", "s2"):
        await save_session(ctx, session_id=name, tokens=b"t", expires_at=clock.now + HOUR)
    assert await delete_session(ctx, session_id="s1") is True
    assert await load_session(ctx, session_id="s1") is None
    assert await load_session(ctx, session_id="s2") is not None


async def test_expired_sessions_are_swept_in_one_go(ctx: Context, clock: FakeClock) -> None:
    """Sessions nobody came back to are removed together; live ones stay."""
    await save_session(ctx, session_id="old", tokens=b"t", expires_at=clock.now + HOUR)
    await save_session(ctx, session_id="live", tokens=b"t", expires_at=clock.now + 3 * HOUR)
    clock.now += 2 * HOUR
    assert await delete_expired_sessions(ctx) == 1
    assert await load_session(ctx, session_id="live") is not None


def test_the_sealed_blob_is_never_in_a_repr(clock: FakeClock) -> None:
    """A logged session value shows its expiry, never its token blob."""
    assert "sealed" not in repr(StoredSession(b"sealed", expires_at=clock.now))
