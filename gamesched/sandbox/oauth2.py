"""Discord's OAuth2 authorization-code grant: codes, token pairs, refresh and revocation.

The world's application is the one client (client id = ``World.application_id``, secret and
extra redirect URIs in ``World.oauth2``). A code is bound to the member who approved, the
client, the redirect URI, the scopes and the PKCE challenge; it works once, for
``Limits.oauth2_code_seconds``. An exchange gives an access token (``Bearer``, working for
``Limits.oauth2_access_token_seconds``) and a refresh token; refreshing replaces both, and
revoking either one ends both. Refusals are :class:`OAuth2Error` with RFC 6749's error names,
as Discord answers them. The HTTP side is :mod:`gamesched.sandbox.oauth2_web`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World

SCOPES: Final = frozenset({"identify", "guilds", "guilds.members.read"})
"""The scopes the sandbox grants (what gamesched's web login asks for)."""
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts whose ``http`` redirect URIs are accepted on any port and path without registering."""


class OAuth2Error(Exception):
    """A refused token request: RFC 6749's ``error`` and a description, as Discord sends."""

    def __init__(self, error: str, description: str = "", *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        """The JSON body."""
        data = {"error": self.error}
        if self.description:
            data["error_description"] = self.description
        return data


@dataclass(frozen=True, slots=True)
class Grant:
    """What one token pair allows."""

    user_id: int
    """The member who approved."""
    scopes: frozenset[str]
    """Granted scopes."""
    access_token: str
    """The Bearer token."""
    refresh_token: str
    """Exchanged for the next pair."""
    expires_at: float
    """Clock time the access token stops working."""

    def token_response(self, now: float) -> dict[str, object]:
        """The token endpoint's answer for this pair."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": max(0, round(self.expires_at - now)),
            "refresh_token": self.refresh_token,
            "scope": " ".join(sorted(self.scopes)),
        }


@dataclass(frozen=True, slots=True)
class _Code:
    user_id: int
    redirect_uri: str
    scopes: frozenset[str]
    code_challenge: str | None
    expires_at: float


class OAuth2:
    """Codes and tokens of one running sandbox."""

    def __init__(self, world: World, clock: Clock) -> None:
        self._world = world
        self._clock = clock
        self._codes: dict[str, _Code] = {}
        self._by_access: dict[str, Grant] = {}
        self._by_refresh: dict[str, Grant] = {}

    def is_client(self, client_id: str) -> bool:
        """Whether ``client_id`` names the world's application."""
        return client_id == str(self._world.application_id)

    def check_client(self, client_id: str, client_secret: str) -> None:
        """Client authentication, or ``invalid_client`` (401)."""
        secret = self._world.oauth2.client_secret
        if not (self.is_client(client_id) and secrets.compare_digest(client_secret, secret)):
            raise OAuth2Error("invalid_client", status=401)

    def redirect_allowed(self, redirect_uri: str) -> bool:
        """A registered redirect URI, or an ``http`` one on this machine."""
        if redirect_uri in self._world.oauth2.redirect_uris:
            return True
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS

    def issue_code(
        self,
        *,
        user_id: int,
        redirect_uri: str,
        scopes: frozenset[str],
        code_challenge: str | None,
    ) -> str:
        """A fresh single-use code for an approved authorization."""
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(
            user_id=user_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=code_challenge,
            expires_at=self._clock.now() + self._world.limits.oauth2_code_seconds,
        )
        return code

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str | None) -> Grant:
        """Spend a code (even on a failed attempt) for a token pair."""
        pending = self._codes.pop(code, None)
        if pending is None or self._clock.now() >= pending.expires_at:
            raise OAuth2Error("invalid_grant", 'Invalid "code" in request.')
        if redirect_uri != pending.redirect_uri:
            raise OAuth2Error("invalid_grant", 'Invalid "redirect_uri" in request.')
        if pending.code_challenge is not None and not (
            code_verifier is not None
            and secrets.compare_digest(s256(code_verifier), pending.code_challenge)
        ):
            raise OAuth2Error("invalid_grant", 'Invalid "code_verifier" in request.')
        return self._issue(pending.user_id, pending.scopes)

    def refresh(self, refresh_token: str) -> Grant:
        """Replace the pair ``refresh_token`` belongs to with a new one."""
        old = self._by_refresh.get(refresh_token)
        if old is None:
            raise OAuth2Error("invalid_grant", 'Invalid "refresh_token" in request.')
        self._forget(old)
        return self._issue(old.user_id, old.scopes)

    def revoke(self, token: str) -> None:
        """End the pair an access or refresh token belongs to; unknown tokens are ignored."""
        grant = self._by_access.get(token) or self._by_refresh.get(token)
        if grant is not None:
            self._forget(grant)

    def bearer(self, access_token: str) -> Grant | None:
        """The grant of a working access token, None when unknown, expired or revoked."""
        grant = self._by_access.get(access_token)
        if grant is None or self._clock.now() >= grant.expires_at:
            return None
        return grant

    def _issue(self, user_id: int, scopes: frozenset[str]) -> Grant:
        grant = Grant(
            user_id=user_id,
            scopes=scopes,
            access_token=secrets.token_urlsafe(30),
            refresh_token=secrets.token_urlsafe(30),
            expires_at=self._clock.now() + self._world.limits.oauth2_access_token_seconds,
        )
        self._by_access[grant.access_token] = grant
        self._by_refresh[grant.refresh_token] = grant
        return grant

    def _forget(self, grant: Grant) -> None:
        self._by_access.pop(grant.access_token, None)
        self._by_refresh.pop(grant.refresh_token, None)


def s256(code_verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
