"""Logging in through the API: the pages' login flow (:mod:`webauth.login`), answered in JSON."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from webauth import login as flow
from webauth.access import require_viewer
from webauth.api.handling import answer, body_of, endpoint
from webauth.api.models import AuthorizeOut, LoginStart, RefreshOut, UserOut
from webauth.csrf import csrf_token
from webauth.redirects import safe_next
from webauth.render import USER_KEY


def user_of(request: Request) -> UserOut:
    """The logged-in member, with the session's CSRF token for their scripts."""
    viewer = require_viewer(request)
    stored: dict[str, Any] = request.session.get(USER_KEY) or {}
    username = stored.get("username")
    return UserOut(
        discord_id=str(viewer.user_id),
        username=username if isinstance(username, str) else None,
        display_name=viewer.name,
        csrf_token=csrf_token(request.session),
    )


@endpoint
async def login(request: Request) -> Response:
    """Start a login: the Discord address to send the browser to (state and PKCE kept in the
    session, as ``GET /login`` does)."""
    started = await body_of(request, LoginStart)
    return answer(AuthorizeOut(authorize_url=flow.start(request, safe_next(started.next))))


@endpoint
async def callback(request: Request) -> Response:
    """Finish a login with Discord's answer (``code`` and ``state``): a new session, and who
    is logged in."""
    await flow.finish(request)
    return answer(user_of(request))


@endpoint
async def refresh(request: Request) -> Response:
    """Renew the login's Discord token now; when the new one expires."""
    require_viewer(request)
    return answer(RefreshOut(expires_at=await flow.renew(request)))


@endpoint
async def user(request: Request) -> Response:
    """Who is logged in (once the login still holds at Discord, renewed when due)."""
    require_viewer(request)
    await flow.access_token(request)
    return answer(user_of(request))
