"""Fixtures for the browser tests: the web served for real against the sandbox, and a page of
headless Chromium to open it in.

Each test gets its own browser: starting Playwright and Chromium takes under a second, and a
browser per test keeps to the test's own event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.browser import LOCALE, TIMEZONE, launch_chromium
from tests.support.environment import free_port
from tests.support.live_web import live_web_config, serving_web


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium, closed after the test."""
    async with async_playwright() as playwright:
        launched = await launch_chromium(playwright)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page in a fresh browser profile (no cookies) set to New York's time and US English."""
    context = await browser.new_context(timezone_id=TIMEZONE, locale=LOCALE)
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def live_core(
    sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> AsyncIterator[Core]:
    """The core the live web serves, on a fresh SQLite database, talking to the sandbox and
    logging in with Discord there (tests set up games through its use cases)."""
    config = live_web_config(
        f"sqlite+aiosqlite:///{tmp_path}/web.sqlite3", free_port(), sandbox, demo_world
    )
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(config, target) as core:
        yield core


@pytest.fixture
async def live_web(live_core: Core) -> AsyncIterator[str]:
    """The URL of the web served on 127.0.0.1 for :func:`live_core`."""
    async with serving_web(live_core) as url:
        yield url
