"""How fast a change made with the CLI reaches the Discord announcement.

    python bench/cli_follow.py [--edits 10] [--redis redis://127.0.0.1:6379/0]

This process runs the sandbox (the demo world) and what ``gamesched run`` runs for the
announcement to follow: the core and its worker, on a SQLite file. Each round runs the real
``gamesched games edit ID --title ...`` in a child process, as an operator types it, and
watches the sandbox until the announcement shows the new title. Two figures per round: how
long the command took (Python's start-up included), and the *lag* from the command's exit to
the announcement showing the change. Without Redis the worker finds the change at its next
idle check (``broker.idle_check_seconds``, 2 s by default); with ``--redis`` the CLI
publishes a wake-up the worker acts on at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from join_contention import percentile

from gamesched.app import Core, DiscordTarget, open_core, serving_worker
from gamesched.config import Config
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.world import load_world
from gamesched.services.games import NewGame, create_game
from gamesched.services.views import GameView

GUILD = 1170000000000000001
CHANNEL = 1190000000000000007  # lfg
HOST = 1200000000000000001  # olivia, the owner
SHOWN_WITHIN = 30.0


GAMESCHED = Path(sys.executable).parent / "gamesched"
"""The console script installed beside this Python, as an operator runs it."""


class NobodyKnown:
    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        return ()


async def shown(sandbox: RunningSandbox, message_id: int, title: str) -> float:
    """When (monotonic) the sandbox's copy of the announcement first carries ``title``."""
    deadline = time.monotonic() + SHOWN_WITHIN
    while time.monotonic() < deadline:
        message = sandbox.state.messages.get(message_id)
        if message is not None and title in str(message.payload["embeds"]):
            return time.monotonic()
        await asyncio.sleep(0.005)
    raise TimeoutError(f"the announcement did not show {title!r} within {SHOWN_WITHIN} s")


async def bench(edits: int, redis_url: str) -> None:
    world = load_world(DEMO_WORLD)
    sandbox = await start_sandbox(world, host="127.0.0.1", port=0)
    folder = Path(tempfile.mkdtemp(prefix="gamesched-bench-"))
    url = f"sqlite+aiosqlite:///{folder}/follow.sqlite3"
    config = Config.model_validate({"database": {"url": url}, "broker": {"url": redis_url}})
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    env = {
        **os.environ,
        "GAMESCHED_DATABASE__URL": url,
        "GAMESCHED_BROKER__URL": redis_url,
        "GAMESCHED_DISCORD__TOKEN": world.token,
        "GAMESCHED_DISCORD__API_BASE_URL": sandbox.base_url,
    }
    commands: list[float] = []
    lags: list[float] = []
    try:
        async with open_core(config, target) as core, serving_worker(core):
            game = await announced_game(core)
            for n in range(edits):
                title = f"Catan night {n}"
                began = time.monotonic()
                child = await asyncio.create_subprocess_exec(
                    GAMESCHED, "games", "edit", str(game.id), "--title", title,
                    env=env, stdout=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                seen = asyncio.create_task(shown(sandbox, game.message_id or 0, title))
                assert await child.wait() == 0, "the edit command failed"
                exited = time.monotonic()
                shown_at = await seen
                commands.append(exited - began)
                lags.append(max(shown_at - exited, 0.0))
    finally:
        await sandbox.close()
    broker = "redis wake-ups" if redis_url else "no Redis (idle check)"
    print(
        f"{broker:<22} {edits} edits  command p50 {percentile(commands, 0.5):5.2f} s  "
        f"lag after exit p50 {percentile(lags, 0.5):5.2f} s  max {max(lags):5.2f} s"
    )


async def announced_game(core: Core) -> GameView:
    """A game in #lfg, created and announced as the bot would."""
    new = NewGame(
        guild_id=GUILD,
        channel_id=CHANNEL,
        title="Catan night",
        when=datetime.now(UTC) + timedelta(days=2),
    )
    owner = Actor(user_id=HOST, permissions=int(Permission.ADMINISTRATOR))
    created = await create_game(core.services, actor=owner, new=new, directory=NobodyKnown())
    return await core.sync.publish(created.game.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--redis", default="", help="also measure with wake-ups over Redis")
    args = parser.parse_args()
    asyncio.run(bench(args.edits, ""))
    if args.redis:
        asyncio.run(bench(args.edits, args.redis))


if __name__ == "__main__":
    main()
