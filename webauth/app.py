"""The web application: ``create_app(core)`` builds it on a process's core.

Requests pass, outermost first: security headers (on every answer), the crash page, the
body-size limit, the signed session cookie, and the CSRF guard; then the routes, whose
404 and 405 answers are pages too. ``/healthz`` and ``/metrics`` (:mod:`webauth.probes`) are
routes like the others: they need no login and only answer GET.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from gamesched.config import WebConfig
from gamesched.discord.rest import DiscordError
from gamesched.domain.errors import DomainError
from gamesched.services.context import FrontEnd, Origin
from gamesched.services.web_sessions import delete_expired_sessions
from webauth.access import LoginRequired, web_text
from webauth.api.errors import LOGIN_PATH, refusal_status
from webauth.csrf import CsrfGuard
from webauth.login import LoginFailed
from webauth.middleware import BodyLimit, SecurityHeaders, ServerErrors
from webauth.probes import probe_routes
from webauth.redirects import safe_next
from webauth.render import Pages, wants_json
from webauth.routes import routes
from webauth.state import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, Web, web_of
from webauth.tokens import TokenSeal, TokenVault

if TYPE_CHECKING:  # gamesched.app imports webauth to serve the web
    from gamesched.app import Core

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
ERROR_DETAILS = {
    404: "There is no page at this address.",
    405: "This address does not take that kind of request.",
}


def session_secret(web: WebConfig) -> str:
    """``web.session_secret``, or a random one for this process when it is empty."""
    return web.session_secret.get_secret_value() or secrets.token_urlsafe(32)


def create_app(core: Core) -> Starlette:
    """The web service on ``core``: pages, sessions, and the safety rules of the module doc."""
    core = replace(core, services=core.services.acting_from(Origin(FrontEnd.WEB)))
    web_config = core.config.web
    secret = session_secret(web_config)
    pages = Pages()
    web = Web(core=core, pages=pages, tokens=TokenVault(core.services, TokenSeal(secret)))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        swept = await delete_expired_sessions(core.services)
        if swept:
            log.info("Removed %d expired web sessions", swept)
        yield

    app = Starlette(
        routes=[
            *probe_routes(core, metrics=core.config.metrics.on_web),
            *routes(),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=safety_stack(web_config, secret=secret, pages=pages),
        exception_handlers={
            HTTPException: _http_error,
            LoginFailed: _login_failed,
            LoginRequired: _login_required,
            DomainError: _refused,
            DiscordError: _discord_failed,
        },
        lifespan=lifespan,
    )
    app.state.web = web
    return app


def safety_stack(web_config: WebConfig, *, secret: str, pages: Pages) -> list[Middleware]:
    """The middleware every request passes, outermost first (see the module doc)."""
    return [
        Middleware(SecurityHeaders),
        Middleware(ServerErrors, pages=pages),
        Middleware(BodyLimit, pages=pages),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE_SECONDS,
            same_site="lax",
            https_only=web_config.base_url.startswith("https://"),
        ),
        Middleware(
            CsrfGuard,
            public_url=web_config.base_url,
            pages=pages,
            origin_only=frozenset({LOGIN_PATH}),
        ),
    ]


async def _http_error(request: Request, error: Exception) -> Response:
    """404, 405 and other refusals the routing raises, as pages."""
    assert isinstance(error, HTTPException)
    detail = ERROR_DETAILS.get(error.status_code, error.detail)
    return web_of(request).pages.error(
        request, error.status_code, detail, headers=dict(error.headers or {})
    )


async def _login_required(request: Request, error: Exception) -> Response:
    """A page that needs a login: log in, then come back here. Scripts get a 401."""
    if wants_json(request) or request.method != "GET":
        return web_of(request).pages.error(request, 401, "Log in with Discord first.")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?" + urlencode({"next": safe_next(here)})
    return RedirectResponse(target, status_code=303)


async def _refused(request: Request, error: Exception) -> Response:
    """A use case said no: the same sentence as the bot's, with the web's hint."""
    assert isinstance(error, DomainError)
    return web_of(request).pages.error(request, refusal_status(error), web_text(error))


async def _discord_failed(request: Request, error: Exception) -> Response:
    """Discord refused or could not be reached while building the answer."""
    assert isinstance(error, DiscordError)
    log.warning("Discord failed during %s %s: %s", request.method, request.url.path, error)
    return web_of(request).pages.error(
        request, 502, "Discord could not be asked just now. Please try again in a moment."
    )


async def _login_failed(request: Request, error: Exception) -> Response:
    """A login step that failed: what happened, and a link to log in again."""
    assert isinstance(error, LoginFailed)
    return web_of(request).pages.page(
        request, "login_failed.html", {"detail": error.detail}, status=error.status
    )
