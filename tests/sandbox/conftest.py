"""Fixtures for the sandbox tests: the demo world, a running sandbox, a driver, a raw client."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock, LogEntry
from gamesched.sandbox.world import Limits, World, load_world

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"
"""Discord's OpenAPI description, read where the checkout keeps it (tests skip without it)."""

FAST_WINDOW = 0.5
"""Rate-limit window used by the tests, so waiting one out stays cheap."""


@pytest.fixture(scope="session")
def demo_world() -> World:
    """The shipped demo world with a short rate-limit window."""
    world = load_world(DEMO_WORLD)
    return dataclasses.replace(
        world, limits=Limits(channel_messages=5, channel_window_seconds=FAST_WINDOW)
    )


@pytest.fixture
def sandbox_clock() -> Clock:
    """The sandbox's clock, which tests move forward instead of waiting."""
    return Clock()


BODY_REFUSED = frozenset({50035, 50109})
"""Codes of requests the sandbox refused for their body (tests send those on purpose)."""


@functools.cache
def discord_spec() -> DiscordSpec | None:
    """Discord's OpenAPI description, loaded once; None when the file is not there.

    A cached function rather than a fixture, so modules that import the sandbox fixtures by
    name need not import this too.
    """
    return DiscordSpec.load(SPEC_PATH) if SPEC_PATH.is_file() else None


def spec_problems(spec: DiscordSpec, log: list[LogEntry]) -> dict[str, list[str]]:
    """What Discord's API description says is wrong with each logged request body."""
    problems = {}
    for entry in log:
        if entry.error_code in BODY_REFUSED:
            continue
        found = spec.validate_request(entry.method, entry.path, entry.body)
        if found:
            problems[f"#{entry.seq} {entry.method} {entry.path}"] = found
    return problems


@pytest.fixture
async def sandbox(demo_world: World, sandbox_clock: Clock) -> AsyncIterator[RunningSandbox]:
    """A sandbox serving the demo world on a free port.

    Afterwards every request body sent to it, except those it refused as invalid, must match
    Discord's OpenAPI description (when the file is present), so each test that drives a bot
    through the sandbox also checks what the bot sent against Discord's own schema.
    """
    running = await start_sandbox(demo_world, clock=sandbox_clock)
    yield running
    await running.close()
    spec = discord_spec()
    if spec is not None:
        assert spec_problems(spec, running.state.log) == {}


@pytest.fixture
async def discord(sandbox: RunningSandbox) -> AsyncIterator[SandboxDriver]:
    """A driver acting as the demo world's users."""
    async with SandboxDriver(sandbox.url, within=5.0) as driver:
        yield driver


@pytest.fixture
async def http(sandbox: RunningSandbox, demo_world: World) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client authenticated as the bot (to test the REST API directly)."""
    headers = {"Authorization": f"Bot {demo_world.token}"}
    async with aiohttp.ClientSession(sandbox.base_url + "/", headers=headers) as session:
        yield session


class RawGateway:
    """A bare gateway client standing in for a bot, to test the sandbox without disnake."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket

    async def receive(self, *, within: float = 5.0) -> dict[str, Any]:
        """The next frame."""
        message = await self.socket.receive(timeout=within)
        assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message!r}"
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def send(self, op: int, data: Any) -> None:
        """Send a frame."""
        await self.socket.send_str(json.dumps({"op": op, "d": data}))

    async def next_dispatch(self, event: str, *, within: float = 5.0) -> dict[str, Any]:
        """Skip frames until a dispatch of ``event``."""
        while True:
            frame = await self.receive(within=within)
            if frame["op"] == 0 and frame["t"] == event:
                return frame


async def connect_gateway(session: aiohttp.ClientSession, sandbox: RunningSandbox) -> RawGateway:
    """Open a websocket to the sandbox's gateway (HELLO not yet read)."""
    socket = await session.ws_connect(f"ws://{sandbox.host}:{sandbox.port}/gateway")
    return RawGateway(socket)


@pytest.fixture
async def raw_bot(
    sandbox: RunningSandbox, demo_world: World, http: aiohttp.ClientSession
) -> AsyncIterator[RawGateway]:
    """A connected, identified bare gateway client with the guild's slash commands synced."""
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(2, {"token": demo_world.token, "intents": 3})
        await gateway.next_dispatch("GUILD_CREATE")
        guild_id = demo_world.guilds[0].id
        response = await http.put(
            f"applications/{demo_world.application_id}/guilds/{guild_id}/commands",
            json=TEST_COMMANDS,
        )
        assert response.status == 200, await response.text()
        yield gateway
        await gateway.socket.close()


TEST_COMMANDS: list[dict[str, Any]] = [
    {
        "name": "create",
        "description": "Create a game",
        "type": 1,
        "options": [
            {"name": "title", "description": "Title", "type": 3, "required": True},
            {"name": "host", "description": "Host", "type": 6},
            {
                "name": "size",
                "description": "Seats",
                "type": 4,
                "choices": [{"name": "four", "value": 4}, {"name": "six", "value": 6}],
            },
            {"name": "game", "description": "Game", "type": 3, "autocomplete": True},
            {"name": "public", "description": "Public", "type": 5},
        ],
    },
    {
        "name": "config",
        "description": "Settings",
        "type": 1,
        "options": [
            {
                "name": "channel",
                "description": "Channel settings",
                "type": 1,
                "options": [
                    {"name": "target", "description": "Channel", "type": 7, "required": True}
                ],
            }
        ],
    },
]
"""Commands the bare bot syncs."""
