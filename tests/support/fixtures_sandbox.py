"""Fixtures for everything that talks to the sandbox: the demo world, a running sandbox, a
driver acting as its users, and Discord's API description."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World
from tests.support.sandbox import SPEC_PATH, discord_spec, load_demo_world, spec_problems


@pytest.fixture(scope="session")
def demo_world() -> World:
    """The shipped demo world with a short rate-limit window."""
    return load_demo_world()


@pytest.fixture
def sandbox_clock() -> Clock:
    """The sandbox's clock, which tests move forward instead of waiting."""
    return Clock()


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


@pytest.fixture(scope="session")
def spec() -> DiscordSpec:
    """Discord's OpenAPI description; tests that use it skip when the file is not there."""
    loaded = discord_spec()
    if loaded is None:
        pytest.skip(f"Discord's OpenAPI description is not at {SPEC_PATH}")
    return loaded
