"""The JSON API's side of the web tests: a logged-in member's client with the CSRF header,
another browser on the same site, and a valid create body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.demo import BOARD_GAMES, GUILD
from tests.support.web import SITE, Site, client_for
from webauth.app import create_app


@dataclass
class Api:
    """A logged-in member calling the API: POST, PUT and DELETE carry the session's CSRF
    token and this site's Origin, as a script on the site's pages would send them."""

    site: Site
    csrf: str

    @property
    def browser(self) -> httpx.AsyncClient:
        return self.site.browser

    def headers(self) -> dict[str, str]:
        return {"Origin": SITE, "X-CSRF-Token": self.csrf}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.browser.get("/api/v1" + path, params=params)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.browser.post("/api/v1" + path, json=body, headers=self.headers())

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.browser.put("/api/v1" + path, json=body, headers=self.headers())

    async def delete(self, path: str) -> httpx.Response:
        return await self.browser.delete("/api/v1" + path, headers=self.headers())


def code_of(response: httpx.Response) -> tuple[int, str]:
    """A refusal's status and its stable ``error`` code."""
    return response.status_code, response.json()["error"]


async def api_as(site: Site, username: str) -> Api:
    """``site``'s browser logged in as the demo member ``username``, with their CSRF token."""
    await site.login(as_user=username)
    user = await site.browser.get("/api/v1/auth/user")
    assert user.status_code == 200, user.text
    return Api(site, user.json()["csrfToken"])


@asynccontextmanager
async def other_browser(site: Site) -> AsyncIterator[Site]:
    """A second browser on the same core and sandbox (another member's session)."""
    async with client_for(create_app(site.core), base_url=SITE) as browser:
        yield Site(browser, site.sandbox, site.core, site.world)


def soon(days: int = 7) -> datetime:
    """19:00 UTC ``days`` from today: a start time the use cases accept."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=19, minute=0, second=0, microsecond=0)


def iso(moment: datetime) -> str:
    """``moment`` as the API writes times: ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_game(**overrides: Any) -> dict[str, Any]:
    """A valid create body for a game in #board-games next week, changed by ``overrides``."""
    return {
        "title": "Catan night",
        "description": "Bring snacks",
        "scheduled_at": iso(soon()),
        "guild_id": str(GUILD),
        "channel_id": str(BOARD_GAMES),
        **overrides,
    }
