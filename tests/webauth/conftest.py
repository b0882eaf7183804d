"""Fixtures of the web tests: a core on a fresh database, the app on it, and a probe site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.web import ProbeSite, Site, client_for, open_site, web_config
from webauth.app import create_app


@pytest.fixture
async def core(sandbox: RunningSandbox, demo_world: World, tmp_path: Path) -> AsyncIterator[Core]:
    """A core on a fresh SQLite database, talking to the sandbox."""
    config = web_config(f"sqlite+aiosqlite:///{tmp_path}/web.sqlite3")
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(config, target) as opened:
        yield opened


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """A client on ``create_app(core)`` at the configured public URL."""
    async with client_for(create_app(core)) as opened:
        yield opened


@pytest.fixture
def probe() -> ProbeSite:
    """The safety stack around routes that write, crash and hand out the CSRF token."""
    return ProbeSite()


@pytest.fixture
async def probe_client(probe: ProbeSite) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the probe site."""
    async with client_for(probe.app()) as opened:
        yield opened


@pytest.fixture
async def site(
    database_url: str, sandbox: RunningSandbox, demo_world: World
) -> AsyncIterator[Site]:
    """The web on a fresh database of each engine, logging in against the demo sandbox."""
    async with open_site(database_url, sandbox, demo_world) as opened:
        yield opened
