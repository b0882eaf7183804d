"""Login with Discord: the OAuth2 authorization-code grant with PKCE, through Authlib.

``/login`` sends the browser to Discord's authorize page with a random single-use ``state``
and a PKCE challenge, both kept in the session; ``/callback`` checks the state, exchanges the
code, reads the member from ``/users/@me`` and starts a new session: the old one's contents
are dropped and a fresh session id keys the tokens in the :class:`~webauth.tokens.TokenVault`
(server side, sealed). The cookie holds only the session id and who is logged in.
:func:`access_token` hands routes a working access token, refreshing it shortly before it
expires; logout revokes the tokens at Discord. Tokens are never logged or shown.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import warnings
import weakref
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from starlette.requests import Request

with warnings.catch_warnings():
    # Authlib's httpx integration asks for the httpx2 fork and warns once, on import, that
    # plain httpx is deprecated; gamesched uses httpx throughout and Authlib still supports
    # it, so operators would only see a start-up warning they can do nothing about.
    warnings.filterwarnings(
        "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
    )
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from gamesched.config import WebConfig
from webauth.render import USER_KEY
from webauth.state import SESSION_MAX_AGE_SECONDS, web_of
from webauth.tokens import OAuthTokens

log = logging.getLogger(__name__)

SCOPE = "identify guilds guilds.members.read"
SID_KEY = "sid"
"""Session key of the session id the vault keeps the tokens under."""
PENDING_KEY = "login"
"""Session key of a login under way: its state, PKCE verifier and where to go after."""
REFRESH_MARGIN = timedelta(minutes=1)
"""An access token expiring within this is refreshed before use."""
CALLBACK_PATH = "/callback"


class LoginFailed(Exception):
    """A login step failed in a way the member should read: the page says ``detail``."""

    def __init__(self, detail: str, *, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


def missing_settings(web: WebConfig) -> list[str]:
    """The config keys login needs that are not set."""
    missing = []
    if not web.client_id:
        missing.append("web.client_id")
    if not web.client_secret.get_secret_value():
        missing.append("web.client_secret")
    return missing


def revoke_url(web: WebConfig) -> str:
    """Discord's revocation endpoint: ``/revoke`` below the token endpoint."""
    return web.oauth_token_url.rstrip("/") + "/revoke"


def oauth_client(web: WebConfig) -> AsyncOAuth2Client:
    """An OAuth2 client of the configured application, redirecting to this site's callback."""
    return AsyncOAuth2Client(
        client_id=web.client_id,
        client_secret=web.client_secret.get_secret_value(),
        scope=SCOPE,
        redirect_uri=web.base_url.rstrip("/") + CALLBACK_PATH,
        code_challenge_method="S256",
        leeway=0,  # renewal is :func:`access_token`'s, not a side effect of a request
        timeout=10.0,
    )


def start(request: Request, next_path: str) -> str:
    """The authorize URL for a new login; its state and verifier are kept in the session."""
    web = web_of(request).core.config.web
    missing = missing_settings(web)
    if missing:
        raise LoginFailed(
            "Login with Discord is not set up on this site: set "
            f"{' and '.join(missing)} to the OAuth2 credentials of the Discord application.",
            status=503,
        )
    state = secrets.token_urlsafe(32)
    verifier = generate_token(64)
    url, _ = oauth_client(web).create_authorization_url(
        web.oauth_authorize_url, state=state, code_verifier=verifier
    )
    request.session[PENDING_KEY] = {"state": state, "verifier": verifier, "next": next_path}
    return str(url)


async def finish(request: Request) -> str:
    """Complete the login the callback's query answers; where to go next."""
    pending = request.session.pop(PENDING_KEY, None)
    params = request.query_params
    sent_state = params.get("state", "")
    if not isinstance(pending, dict) or not secrets.compare_digest(
        sent_state.encode(), str(pending.get("state", "")).encode()
    ):
        raise LoginFailed(
            "This login answer does not belong to a login started here, or was already used "
            "(its state did not match). Nothing was changed."
        )
    error = params.get("error")
    if error == "access_denied":
        raise LoginFailed("You cancelled the login at Discord, so you are not logged in.")
    code = params.get("code")
    if error or not code:
        raise LoginFailed(f"Discord did not log you in ({error or 'no code in its answer'}).")
    web = web_of(request)
    config = web.core.config.web
    try:
        async with oauth_client(config) as oauth:
            token = await oauth.fetch_token(
                config.oauth_token_url, code=code, code_verifier=pending["verifier"]
            )
            me = await oauth.get(web.core.discord.api_base_url.rstrip("/") + "/users/@me")
            if me.status_code == 429:
                raise LoginFailed(
                    "Discord is limiting how often you can log in just now. Wait "
                    f"{_retry_after(me)} and log in again.",
                    status=503,
                )
            me.raise_for_status()
    except OAuthError as refused:
        log.info("Discord refused a login code: %s", refused.error)
        raise LoginFailed(
            "Discord did not accept this login: its code has expired or was already used."
        ) from None
    except httpx.HTTPError as failure:
        log.warning("Login with Discord failed talking to Discord: %s", type(failure).__name__)
        raise LoginFailed("Could not reach Discord to finish the login.", status=502) from None
    user = me.json()
    now = web.core.services.now()
    request.session.clear()  # a new session: nothing from before the login carries over
    session_id = secrets.token_urlsafe(32)
    await web.tokens.keep(session_id, tokens_of(token, now), until=session_end(now))
    request.session[SID_KEY] = session_id
    request.session[USER_KEY] = {
        "id": str(user["id"]),
        "name": str(user.get("global_name") or user["username"]),
        "username": str(user["username"]),
    }
    log.info("Member %s logged in", user["id"])
    return str(pending.get("next", "/"))


def _retry_after(response: httpx.Response) -> str:
    """Discord's ``Retry-After`` of a 429, as words (``a few seconds`` when it sent none)."""
    try:
        seconds = math.ceil(float(response.headers.get("retry-after", "")))
    except ValueError:
        return "a few seconds"
    return "a second" if seconds <= 1 else f"{seconds} seconds"


async def access_token(request: Request) -> str:
    """A working access token of the logged-in member, refreshed (and the new pair kept) when
    it expires within :data:`REFRESH_MARGIN`. LoginFailed when nobody is logged in any more;
    a refresh Discord refuses logs the member out."""
    web = web_of(request)
    session_id = request.session.get(SID_KEY)
    if not isinstance(session_id, str):
        raise _login_ended(request)
    now = web.core.services.now()
    tokens = await web.tokens.fetch(session_id)
    if tokens is not None and tokens.expires_at - now > REFRESH_MARGIN:
        return tokens.access_token
    renewal = _renewals.setdefault(session_id, asyncio.Lock())
    async with renewal:  # re-read under the lock: another page may have renewed or ended it
        tokens = await web.tokens.fetch(session_id)
        if tokens is None:
            raise _login_ended(request)
        if tokens.expires_at - now > REFRESH_MARGIN:
            return tokens.access_token
        return (await _renew(request, session_id, tokens, now)).access_token


async def renew(request: Request) -> datetime:
    """Trade the logged-in member's refresh token for a new pair now, whatever the expiry
    (the API's ``POST /api/v1/auth/refresh``); when the new access token expires. Fails as
    :func:`access_token` does."""
    web = web_of(request)
    session_id = request.session.get(SID_KEY)
    if not isinstance(session_id, str):
        raise _login_ended(request)
    renewal = _renewals.setdefault(session_id, asyncio.Lock())
    async with renewal:
        tokens = await web.tokens.fetch(session_id)
        if tokens is None:
            raise _login_ended(request)
        renewed = await _renew(request, session_id, tokens, web.core.services.now())
    return renewed.expires_at


def _login_ended(request: Request) -> LoginFailed:
    request.session.clear()
    return LoginFailed("Your login has ended. Please log in again.", status=401)


_renewals: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
"""Session id -> the lock its renewal runs under, while someone holds it. Two pages of one
login loading at once renew once (the second finds the new pair) instead of spending the
refresh token twice, which would log the member out. It holds within one web process."""


async def _renew(
    request: Request, session_id: str, tokens: OAuthTokens, now: datetime
) -> OAuthTokens:
    """Trade the refresh token for a new pair at Discord and keep it; the new pair."""
    web = web_of(request)
    config = web.core.config.web
    try:
        async with oauth_client(config) as oauth:
            token = await oauth.refresh_token(
                config.oauth_token_url, refresh_token=tokens.refresh_token
            )
    except OAuthError as refused:
        log.info("Discord refused to renew a login (%s): logging it out", refused.error)
        await web.tokens.forget(session_id)
        request.session.clear()
        raise LoginFailed(
            "Discord no longer accepts your login (it was revoked or has run out), so you "
            "were logged out. Please log in again.",
            status=401,
        ) from None
    except httpx.HTTPError as failure:
        log.warning("Could not renew a login at Discord: %s", type(failure).__name__)
        raise LoginFailed("Could not reach Discord to renew your login.", status=502) from None
    renewed = tokens_of(token, now)
    await web.tokens.keep(session_id, renewed, until=session_end(now))
    return renewed


async def logout(request: Request) -> None:
    """Revoke the member's tokens at Discord, forget them and clear the session.

    Failing to revoke still logs out here; the failure is logged (without the token)."""
    web = web_of(request)
    session_id = request.session.get(SID_KEY)
    request.session.clear()
    if not isinstance(session_id, str):
        return
    tokens = await web.tokens.fetch(session_id)
    await web.tokens.forget(session_id)
    if tokens is None:
        return
    config = web.core.config.web
    try:
        async with oauth_client(config) as oauth:
            for token, hint in (
                (tokens.refresh_token, "refresh_token"),
                (tokens.access_token, "access_token"),
            ):
                answer = await oauth.revoke_token(
                    revoke_url(config), token=token, token_type_hint=hint
                )
                answer.raise_for_status()
    except httpx.HTTPError as failure:
        log.warning(
            "Could not revoke a login's tokens at Discord (logged out here anyway): %s",
            type(failure).__name__,
        )


def tokens_of(token: dict[str, Any], now: datetime) -> OAuthTokens:
    """The vault's record of a token endpoint answer received at ``now``."""
    return OAuthTokens(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]),
        expires_at=now + timedelta(seconds=int(token.get("expires_in", 0))),
        scope=str(token.get("scope", "")),
    )


def session_end(now: datetime) -> datetime:
    """When a session kept at ``now`` ends unless renewed (as its cookie does)."""
    return now + timedelta(seconds=SESSION_MAX_AGE_SECONDS)
