"""The real gamesched bot as a fixture: connected to the sandbox, on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import disnake
import pytest

from gamesched.db.engine import Database
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from tests.support.bot import RunningBot, running_bot
from tests.support.fakes import FakeClock


@pytest.fixture
async def gamesched_bot(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    database: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[RunningBot]:
    """The real bot connected to the sandbox, commands synced, closed cleanly afterwards."""
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    services = Context(database=database, clock=clock)
    async with running_bot(sandbox, demo_world, discord, services) as running:
        yield running
