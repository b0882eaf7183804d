"""Fixtures for the sandbox tests: the demo world, a running sandbox, a driver, a raw client."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
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


@pytest.fixture
async def sandbox(demo_world: World, sandbox_clock: Clock) -> AsyncIterator[RunningSandbox]:
    """A sandbox serving the demo world on a free port."""
    running = await start_sandbox(demo_world, clock=sandbox_clock)
    yield running
    await running.close()


@pytest.fixture
async def discord(sandbox: RunningSandbox) -> AsyncIterator[SandboxDriver]:
    """A driver acting as the demo world's users."""
    async with SandboxDriver(sandbox.url, timeout=5.0) as driver:
        yield driver


@pytest.fixture
async def http(sandbox: RunningSandbox, demo_world: World) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client authenticated as the bot (to test the REST API directly)."""
    headers = {"Authorization": f"Bot {demo_world.token}"}
    async with aiohttp.ClientSession(sandbox.base_url + "/", headers=headers) as session:
        yield session
