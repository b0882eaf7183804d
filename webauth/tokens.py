"""The token vault: a login's OAuth tokens, encrypted before they are stored.

Tokens are sealed with Fernet (AES-CBC with an HMAC) under a key derived with HKDF from
``web.session_secret``, and bound to their session id, so a database dump, a log line or a
blob copied to another session gives nothing. Tokens are never shown: their repr is masked.
A blob that does not open (tampered with, or sealed under another secret, e.g. the random
secret of an earlier process) reads as no tokens: the member logs in again.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gamesched.services import web_sessions
from gamesched.services.context import Context

log = logging.getLogger(__name__)

_KEY_INFO = b"gamesched web: oauth token vault v1"
"""HKDF's context: the same secret signs cookies, and this key must differ from that use."""


class TamperedTokens(Exception):
    """A sealed blob failed its integrity check or belongs to another session."""


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """What Discord's token endpoint granted one login."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    """When the access token stops working (aware UTC)."""
    scope: str

    def __repr__(self) -> str:
        return (
            f"OAuthTokens(access_token='***', refresh_token='***', "
            f"expires_at={self.expires_at.isoformat()!r}, scope={self.scope!r})"
        )

    __str__ = __repr__


def vault_key(secret: str) -> bytes:
    """The Fernet key for ``secret`` (HKDF-SHA256, 32 bytes, urlsafe base64)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(derived)


class TokenSeal:
    """Encrypts and authenticates tokens for one session under the session secret's key."""

    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(vault_key(secret))

    def __repr__(self) -> str:
        return "TokenSeal(key='***')"

    def seal(self, session_id: str, tokens: OAuthTokens) -> bytes:
        plain = {
            "session": session_id,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat(),
            "scope": tokens.scope,
        }
        return self._fernet.encrypt(json.dumps(plain).encode())

    def unseal(self, session_id: str, blob: bytes) -> OAuthTokens:
        """The tokens sealed for this session; TamperedTokens if the blob is not exactly that."""
        try:
            plain = json.loads(self._fernet.decrypt(blob))
        except InvalidToken:
            raise TamperedTokens("the sealed tokens failed their integrity check") from None
        if plain["session"] != session_id:
            raise TamperedTokens("the sealed tokens belong to another session")
        return OAuthTokens(
            access_token=plain["access_token"],
            refresh_token=plain["refresh_token"],
            expires_at=datetime.fromisoformat(plain["expires_at"]),
            scope=plain["scope"],
        )


class TokenVault:
    """Keeps a session's tokens, sealed, through the web sessions use case."""

    def __init__(self, services: Context, seal: TokenSeal) -> None:
        self._services = services
        self._seal = seal

    async def keep(self, session_id: str, tokens: OAuthTokens, *, until: datetime) -> None:
        """Store the session's tokens, sealed, until the session ends at ``until``."""
        await web_sessions.save_session(
            self._services,
            session_id=session_id,
            tokens=self._seal.seal(session_id, tokens),
            expires_at=until,
        )

    async def fetch(self, session_id: str) -> OAuthTokens | None:
        """The session's tokens; None when it has none, has expired, or its blob does not
        open (that session is then forgotten)."""
        stored = await web_sessions.load_session(self._services, session_id=session_id)
        if stored is None:
            return None
        try:
            return self._seal.unseal(session_id, stored.tokens)
        except TamperedTokens as problem:
            log.warning("Forgetting a web session whose tokens do not open: %s", problem)
            await self.forget(session_id)
            return None

    async def forget(self, session_id: str) -> None:
        await web_sessions.delete_session(self._services, session_id=session_id)
