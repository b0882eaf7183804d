"""The token vault: login tokens sealed at rest, bound to their session, never shown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.web_sessions import load_session, save_session
from tests.support.web import SECRET, web_config
from webauth.tokens import OAuthTokens, TamperedTokens, TokenSeal, TokenVault

ACCESS = "access-abcdefghijklmnop"
REFRESH = "refresh-qrstuvwxyz012345"
TOKENS = OAuthTokens(
    access_token=ACCESS,
    refresh_token=REFRESH,
    expires_at=datetime(2026, 12, 8, 12, 0, tzinfo=UTC),
    scope="identify guilds",
)


@pytest.fixture
async def db_core(
    database_url: str, sandbox: RunningSandbox, demo_world: World
) -> AsyncIterator[Core]:
    """A core on a fresh database of each engine."""
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(web_config(database_url), target) as core:
        yield core


SEAL = TokenSeal(SECRET)


def test_sealed_tokens_open_again_for_their_session() -> None:
    """Tokens sealed for a session come back equal, and the blob does not contain them."""
    blob = SEAL.seal("s1", TOKENS)
    assert ACCESS.encode() not in blob
    assert REFRESH.encode() not in blob
    assert SEAL.unseal("s1", blob) == TOKENS


def test_a_changed_blob_is_detected() -> None:
    """Flipping any byte of a sealed blob makes it refuse to open."""
    blob = bytearray(SEAL.seal("s1", TOKENS))
    blob[len(blob) // 2] ^= 0x01
    with pytest.raises(TamperedTokens, match="integrity"):
        SEAL.unseal("s1", bytes(blob))


def test_a_blob_moved_to_another_session_does_not_open() -> None:
    """Tokens copied into another session's row are refused there."""
    with pytest.raises(TamperedTokens, match="another session"):
        SEAL.unseal("s2", SEAL.seal("s1", TOKENS))


def test_another_secret_cannot_open_the_blob() -> None:
    """After the session secret changes (or a restart with a random one) old blobs are dead."""
    with pytest.raises(TamperedTokens):
        TokenSeal("another-secret-of-at-least-32-characters!").unseal("s1", SEAL.seal("s1", TOKENS))


def test_tokens_never_show_in_reprs_or_strings() -> None:
    """Printing or logging the tokens or the vault shows masks, never a token or key."""
    shown = f"{TOKENS!r} {TOKENS} {SEAL!r}"
    for secret in (ACCESS, REFRESH, SECRET):
        assert secret not in shown
    assert "access_token='***'" in shown
    assert "scope='identify guilds'" in shown


async def test_the_vault_keeps_tokens_for_a_session(db_core: Core) -> None:
    """Kept tokens come back for their session until it ends; the database holds them sealed."""
    tokens = TokenVault(db_core.services, SEAL)
    until = datetime.now(UTC) + timedelta(days=1)
    await tokens.keep("s1", TOKENS, until=until)
    assert await tokens.fetch("s1") == TOKENS
    stored = await load_session(db_core.services, session_id="s1")
    assert stored is not None
    assert ACCESS.encode() not in stored.tokens
    await tokens.forget("s1")
    assert await tokens.fetch("s1") is None


async def test_a_tampered_session_is_forgotten_without_logging_tokens(
    db_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    """A row whose blob does not open reads as logged out, is removed, and no token is logged."""
    tokens = TokenVault(db_core.services, SEAL)
    until = datetime.now(UTC) + timedelta(days=1)
    other = SEAL.seal("s2", TOKENS)
    await save_session(db_core.services, session_id="s1", tokens=other, expires_at=until)
    with caplog.at_level(logging.DEBUG):
        assert await tokens.fetch("s1") is None
        await tokens.keep("s3", TOKENS, until=until)
        assert await tokens.fetch("s3") == TOKENS
    assert "tokens do not open" in caplog.text
    for secret in (ACCESS, REFRESH, SECRET):
        assert secret not in caplog.text
    assert await load_session(db_core.services, session_id="s1") is None
