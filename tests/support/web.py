"""Helpers for the web tests: a config, a client on an ASGI app, a forged session cookie,
a site whose members log in through the sandbox, and a probe site (the real safety stack
around routes that write, crash or hand out the CSRF token)."""

from __future__ import annotations

import dataclasses
import json
import re
from base64 import b64decode, b64encode
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from itsdangerous import TimestampSigner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.config import Config
from gamesched.sandbox.oauth2_web import AUTHORIZE_PATH, TOKEN_PATH
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from webauth.app import create_app, safety_stack
from webauth.csrf import csrf_token
from webauth.render import Pages
from webauth.state import SESSION_COOKIE
from webauth.tokens import OAuthTokens, TokenSeal, TokenVault

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


SITE = "http://127.0.0.1:8080"
SAM = {"id": "1160000000000000002", "name": "Sam Smith", "username": "sam"}


def login_config(
    database_url: str, sandbox: RunningSandbox, world: World, *, token_url: str | None = None
) -> Config:
    """The web logging in against ``sandbox`` as its application, at :data:`SITE` (with its
    codes traded at ``token_url`` when given)."""
    return Config.model_validate(
        {
            "database": {"url": database_url},
            "web": {
                "public_url": SITE,
                "session_secret": SECRET,
                "client_id": str(world.application_id),
                "client_secret": world.oauth2.client_secret,
                "oauth_authorize_url": sandbox.url + AUTHORIZE_PATH,
                "oauth_token_url": token_url or sandbox.base_url + TOKEN_PATH,
            },
        }
    )


@dataclasses.dataclass
class Site:
    """A browser on the web app, and the sandbox it logs in against."""

    browser: httpx.AsyncClient
    sandbox: RunningSandbox
    core: Core
    world: World

    @property
    def vault(self) -> TokenVault:
        return TokenVault(self.core.services, TokenSeal(SECRET))

    async def authorize(
        self, path: str = "/login", decision: str = "authorize", *, as_user: str = "sam"
    ) -> str:
        """Start a login and answer Discord's page as ``as_user`` (a demo username); the
        callback URL Discord sends."""
        started = await self.browser.get(path)
        assert started.status_code == 302
        async with httpx.AsyncClient() as discord:
            answer = await discord.post(
                started.headers["location"], data={"as": as_user, "decision": decision}
            )
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    async def login(self, path: str = "/login", *, as_user: str = "sam") -> httpx.Response:
        """The whole round trip; the callback's answer."""
        return await self.browser.get(await self.authorize(path, as_user=as_user))

    async def csrf(self) -> str:
        """The logged-in session's CSRF token, as the pages carry it."""
        return csrf_of(await self.browser.get("/"))

    async def logged_in(self, as_user: str = "sam") -> str:
        """Log ``as_user`` in; the session's CSRF token."""
        await self.login(as_user=as_user)
        return await self.csrf()

    async def tokens(self) -> OAuthTokens:
        """What the vault keeps for the browser's session."""
        tokens = await self.vault.fetch(session_in(self.browser)["sid"])
        assert tokens is not None
        return tokens

    async def me(self, access_token: str) -> httpx.Response:
        """GET /users/@me at the sandbox with an access token."""
        async with httpx.AsyncClient() as discord:
            return await discord.get(
                self.sandbox.base_url + "/users/@me",
                headers={"Authorization": f"Bearer {access_token}"},
            )


@asynccontextmanager
async def open_site(
    database_url: str, sandbox: RunningSandbox, world: World, *, token_url: str | None = None
) -> AsyncIterator[Site]:
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    config = login_config(database_url, sandbox, world, token_url=token_url)
    async with (
        open_core(config, target) as core,
        client_for(create_app(core), base_url=SITE) as browser,
    ):
        yield Site(browser, sandbox, core, world)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)
