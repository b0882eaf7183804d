"""The sandbox from the command line: `gamesched sandbox` alone, `gamesched run` without a token.

Each test starts the real console command in a child process, reads the URLs it prints, acts
through them, and stops it with Ctrl+C (SIGINT) as a person would.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import DEMO_WORLD
from gamesched.sandbox.world import load_world
from tests.support.environment import free_port

GAMESCHED = Path(sys.executable).with_name("gamesched")
"""The console script installed beside the interpreter running the tests."""
STARTUP_SECONDS = 60.0
"""How long a command may take to print its URL and connect: generous for a slow machine."""
URL = re.compile(r"http://127\.0\.0\.1:\d+(?:/api/v10)?")


class Command:
    """A running `gamesched` command and what it printed."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output: list[str] = []
        """Lines printed to stdout so far."""
        self.errors = ""
        """Everything printed to stderr, once the command has ended."""

    async def line_with(self, label: str) -> str:
        """The next printed line containing ``label``."""
        assert self.process.stdout is not None
        async with asyncio.timeout(STARTUP_SECONDS):
            while True:
                raw = await self.process.stdout.readline()
                assert raw, f"the command exited before printing {label!r}: {self.output}"
                self.output.append(raw.decode())
                if label in self.output[-1]:
                    return self.output[-1]

    async def url_after(self, label: str) -> str:
        """The URL on the next printed line containing ``label``."""
        found = URL.search(await self.line_with(label))
        assert found is not None, self.output
        return found.group(0)


@asynccontextmanager
async def gamesched(
    tmp_path: Path, *args: str, env: Mapping[str, str] = {}
) -> AsyncIterator[Command]:
    """Run ``gamesched *args`` in ``tmp_path``; on exit, Ctrl+C it and check it exits with 0."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GAMESCHED_")}
    process = await asyncio.create_subprocess_exec(
        str(GAMESCHED),
        *args,
        cwd=tmp_path,
        env={**clean, "PYTHONUNBUFFERED": "1", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    command = Command(process)
    try:
        yield command
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
        command.errors = stderr.decode()
    assert process.returncode == 0, command.errors


async def test_gamesched_sandbox_serves_the_demo_world_on_the_port_asked(tmp_path: Path) -> None:
    """`gamesched sandbox --port 0` prints its page and API URLs; the API answers the bot token
    it printed and the page is served."""
    world = load_world(DEMO_WORLD)
    async with gamesched(tmp_path, "sandbox", "--host", "127.0.0.1", "--port", "0") as command:
        page = await command.url_after("Sandbox page")
        api = await command.url_after("API base URL")
        assert api == page + "/api/v10"
        token = (await command.line_with("Bot token")).split()[2]
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {token}"}) as session:
            async with session.get(api + "/users/@me") as me:
                assert (await me.json())["username"] == world.bot.username
            async with session.get(page + "/") as html:
                assert "gamesched sandbox" in await html.text()
    assert "Traceback" not in command.errors


async def test_gamesched_run_without_a_token_answers_a_command_through_the_sandbox(
    tmp_path: Path,
) -> None:
    """With no bot token, `gamesched run` starts the sandbox, the real bot and the web in one
    process: the bot syncs its commands and answers one, breaking none of Discord's rules, the
    web serves its start page, and Ctrl+C stops them all cleanly."""
    env = {
        "GAMESCHED_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'gamesched.sqlite3'}",
        "GAMESCHED_SANDBOX__PORT": "0",
        "GAMESCHED_WEB__PORT": str(free_port()),
    }
    async with gamesched(tmp_path, "run", env=env) as command:
        page = await command.url_after("Open")
        web = await command.url_after("Web:")
        async with SandboxDriver(page, within=STARTUP_SECONDS) as discord:
            synced = await discord.commands(wait_for=["list-games"])
            names = {c["name"] for c in synced["global"]}
            names |= {c["name"] for pool in synced["guilds"].values() for c in pool}
            assert "list-games" in names
            answered = await discord.slash("olivia", "list-games", channel="general")
            assert answered.settled
            assert answered.rejected == []
            assert answered.content or (answered.message or {}).get("embeds")
            assert await discord.violations() == []
        async with aiohttp.ClientSession() as session, session.get(web + "/") as home:
            assert "Log in with Discord" in await home.text()
    assert "Traceback" not in command.errors
