"""Helpers for the web tests: a config, a client on an ASGI app, a forged session cookie,
and a probe site (the real safety stack around routes that write, crash or hand out the
CSRF token, which the site's own pages do not have yet)."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from typing import Any

import httpx
from itsdangerous import TimestampSigner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gamesched.config import Config
from webauth.app import SESSION_COOKIE, safety_stack
from webauth.csrf import csrf_token
from webauth.render import Pages

SECRET = "a-test-session-secret-of-at-least-32-characters"
PUBLIC_URL = "http://games.test"
CRASH_DETAIL = "internal detail that must stay in the log"


def web_config(database_url: str, *, public_url: str = PUBLIC_URL) -> Config:
    return Config.model_validate(
        {
            "database": {"url": database_url},
            "web": {"public_url": public_url, "session_secret": SECRET},
        }
    )


def client_for(app: ASGIApp, base_url: str = PUBLIC_URL) -> httpx.AsyncClient:
    """A client on ``app``; its answers to crashes are checked, not raised."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def signed_session(data: dict[str, Any]) -> str:
    """A session cookie value as the site signs it with :data:`SECRET`."""
    payload = b64encode(json.dumps(data).encode())
    return TimestampSigner(SECRET).sign(payload).decode()


@dataclass
class ProbeSite:
    """The safety stack around three routes; ``writes`` holds every form a POST delivered."""

    public_url: str = PUBLIC_URL
    writes: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def token(request: Request) -> Response:
            return PlainTextResponse(csrf_token(request.session))

        async def write(request: Request) -> Response:
            async with request.form() as form:
                self.writes.append({key: str(value) for key, value in form.items()})
            return PlainTextResponse("written")

        async def crash(request: Request) -> Response:
            raise RuntimeError(CRASH_DETAIL)

        return Starlette(
            routes=[
                Route("/token", token),
                Route("/write", write, methods=["POST"]),
                Route("/crash", crash),
            ],
            middleware=safety_stack(
                web_config("sqlite+aiosqlite://", public_url=self.public_url).web,
                secret=SECRET,
                pages=Pages(),
            ),
        )


def session_in(client: httpx.AsyncClient) -> dict[str, Any]:
    """What the client's session cookie holds (read, not verified)."""
    value = client.cookies.get(SESSION_COOKIE)
    if not value:
        return {}
    data: dict[str, Any] = json.loads(b64decode(value.split(".")[0]))
    return data
