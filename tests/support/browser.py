"""Headless Chromium for the browser tests: Debian's own build, driven by Playwright, which
never downloads a browser here (the machines have no internet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox will not start
    "--disable-gpu",
    # Without these Chromium keeps calling Google's services, and every call is refused.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEZONE = "America/New_York"
"""The browser's zone: not UTC, so a time shown in the server's zone instead of the viewer's
is caught."""
LOCALE = "en-US"


def installed_chromium() -> Path:
    """Chromium's path; the test fails (it does not skip) where Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: apt-get install chromium",
            pytrace=False,
        )
    return CHROMIUM


async def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium, without the calls home that would be refused here."""
    return await playwright.chromium.launch(
        executable_path=installed_chromium(), headless=True, args=CHROMIUM_ARGS
    )


async def log_in(page: Page, site: str, username: str) -> None:
    """Log in on ``site`` as the demo member ``username`` through the sandbox's authorize
    page, and wait for the start page to greet them."""
    await page.goto(site)
    await page.get_by_role("link", name="Log in with Discord").click()
    await page.locator(f"input[name=as][value={username}]").check()
    await page.get_by_role("button", name="Authorize").click()
    await expect(page.locator("header")).to_contain_text("Signed in as")
