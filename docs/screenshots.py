"""The README's picture of the web's game form: a submit with an ambiguous ``@Alex``, the
problem beside the participants and the suggestion chips.

    python docs/screenshots.py [--out docs/web-form.png] [--chromium /usr/bin/chromium]

It starts the sandbox (the demo world) and the web on it as ``gamesched run`` does (SQLite in
a temporary folder, free ports on 127.0.0.1), logs in as the demo world's moderator through
the sandbox's "Login with Discord" page in headless Chromium (New York time, US English),
fills the create form and saves what the browser shows after the submit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Page, ViewportSize, async_playwright, expect

from cli.serve import sandbox_login
from gamesched.app import Core, DiscordTarget, open_core, serve_web
from gamesched.config import Config
from gamesched.sandbox.server import DEMO_WORLD, start_sandbox
from gamesched.sandbox.world import load_world

HERE = Path(__file__).resolve().parent
GUILD = 1170000000000000001
HOST = "mia_mod"
"""The demo world's moderator (Manage Server: with no host roles set, she may host)."""
TIMEZONE = "America/New_York"
VIEWPORT: ViewportSize = {"width": 1000, "height": 1100}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SESSION_SECRET = "a-screenshot-session-secret-of-at-least-32-characters"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(folder: Path) -> AsyncIterator[str]:
    """The sandbox and the web on it while the block runs; the web's URL."""
    world = load_world(DEMO_WORLD)
    sandbox = await start_sandbox(world)
    try:
        port = free_port()
        config = Config.model_validate(
            {
                "database": {"url": f"sqlite+aiosqlite:///{folder / 'web.sqlite3'}"},
                "web": {
                    "host": "127.0.0.1",
                    "port": port,
                    "public_url": f"http://127.0.0.1:{port}",
                    "session_secret": SESSION_SECRET,
                },
                "logging": {"level": "WARNING"},
            }
        )
        config = sandbox_login(config, sandbox, world)
        target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
        async with open_core(config, target) as core, web_of(core) as url:
            yield url
    finally:
        await sandbox.close()


@contextlib.asynccontextmanager
async def web_of(core: Core) -> AsyncIterator[str]:
    """``serve_web(core)`` while the block runs; its URL once the start page answers."""
    url = core.config.web.base_url
    task = asyncio.create_task(serve_web(core))
    try:
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=3)) as probe:
            (await probe.get(url)).raise_for_status()
        yield url
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def next_friday_evening() -> datetime:
    """19:30 on the Friday at least two days ahead, as the date picker shows it."""
    day = datetime.now(ZoneInfo(TIMEZONE)).date() + timedelta(days=2)
    day += timedelta(days=(4 - day.weekday()) % 7)
    return datetime.combine(day, time(19, 30))


async def fill_the_form(page: Page, site: str) -> None:
    """Log in, open "New game" and submit it with an ambiguous ``@Alex``."""
    await page.goto(site)
    await page.get_by_role("link", name="Log in with Discord").click()
    await page.locator(f"input[name=as][value={HOST}]").check()
    await page.get_by_role("button", name="Authorize").click()
    await page.goto(f"{site}/guilds/{GUILD}")
    await page.get_by_role("link", name="New game").click()
    await page.get_by_label("Channel").select_option(label="#board-games")
    await page.get_by_label("Title").fill("Catan night")
    start = next_friday_evening().strftime("%Y-%m-%dT%H:%M")
    await page.get_by_label("Date and time").fill(start)
    await page.get_by_label("Description").fill("Base game with Seafarers. Snacks welcome!")
    await page.get_by_role("textbox", name="Participants").fill("@Alex\n@zoe\nJordan (maybe)")
    await page.get_by_role("button", name="Create game").click()
    await expect(page.locator(".entry-problem button.chip").first).to_be_enabled()


SCROLL_TO_PARTICIPANTS = """
([title, participants]) => {
  const top = title.getBoundingClientRect().top + window.scrollY - 16;
  const bottom = participants.getBoundingClientRect().bottom + window.scrollY;
  window.scrollTo(0, Math.max(top, bottom + 24 - window.innerHeight));
}
"""


async def show_the_participants(page: Page) -> None:
    """Scroll down to the participants field, its problem and chips at the window's foot,
    starting at the title's field if that fits too."""
    title = await page.locator("#field-title").evaluate_handle("e => e.closest('.field')")
    participants = await page.locator(".field.participants").element_handle()
    await page.evaluate(SCROLL_TO_PARTICIPANTS, [title, participants])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "web-form.png")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        async with serving(Path(folder)) as site, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
            )
            context = await browser.new_context(
                viewport=VIEWPORT, timezone_id=TIMEZONE, locale="en-US"
            )
            page = await context.new_page()
            await fill_the_form(page, site)
            await show_the_participants(page)
            await page.screenshot(path=args.out)
            await browser.close()
    print(f"Saved {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
