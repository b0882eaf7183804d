"""A scripted Discord over HTTP, and the REST client pointed at it with a hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from gamesched.discord.rest import DiscordRest
from tests.support.environment import free_port

TOKEN = "MTE1.fake-bot-token.Xy_Secret42"
PREFIX = "/api/v10"


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the fake Discord."""

    status: int = 200
    """HTTP status."""
    body: Any = field(default_factory=dict)
    """JSON body (ignored for 204)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. the X-RateLimit-* family."""


@dataclass(frozen=True)
class Seen:
    """One request the fake Discord received."""

    method: str
    """HTTP method."""
    path: str
    """Path below the API prefix."""
    query: Mapping[str, str]
    """Query parameters."""
    headers: Mapping[str, str]
    """Request headers."""
    body: Any
    """Decoded JSON body, or None."""


class FakeDiscord:
    """Scripted answers per (method, path); the last scripted answer repeats; all requests kept."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.base_url = ""
        self._replies: dict[tuple[str, str], list[Reply]] = {}

    def on(self, method: str, path: str, *replies: Reply) -> None:
        """Answer ``method path`` with ``replies`` in order, repeating the last one."""
        self._replies[(method, path)] = list(replies)

    def seen(self, method: str, path: str) -> list[Seen]:
        """The requests received for ``method path``."""
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix(PREFIX)
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            Seen(request.method, path, dict(request.query), dict(request.headers), body)
        )
        replies = self._replies.get((request.method, path))
        if not replies:
            return web.json_response({"code": 0, "message": "404: Not Found"}, status=404)
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.status == 204:
            return web.Response(status=204, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)


class FakeTime:
    """A monotonic clock moved by hand, and a sleep that records its waits instead of waiting."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))


@asynccontextmanager
async def running_fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord served on a free local port while the block runs."""
    fake = FakeDiscord()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    fake.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}{PREFIX}"
    try:
        yield fake
    finally:
        await runner.cleanup()


def make_rest(base_url: str, fake_time: FakeTime, *, max_retries: int = 3) -> DiscordRest:
    """A client on ``base_url`` with the fake clock and sleep."""
    return DiscordRest(
        base_url=base_url,
        token=TOKEN,
        max_retries=max_retries,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )


def closed_port_url() -> str:
    """An API URL on a local port nobody listens on (connections are refused)."""
    return f"http://127.0.0.1:{free_port()}{PREFIX}"
