"""What a Redis outage costs an idle worker: log lines and CPU, against the same time healthy.

    python bench/redis_outage.py --redis redis://127.0.0.1:6379/0 [--seconds 20]

This process runs the sandbox (the demo world) and one real ``gamesched worker`` process on a
SQLite file, whose Redis is reached through a TCP proxy this script cuts and restores (the
real Redis is never touched). Two phases of ``--seconds`` each: healthy, then Redis cut. For
each: the lines the worker logged and the CPU seconds it used (user + system, from /proc).
At the start of the outage a freed seat makes a DM owed; the last figure is how long after
Redis came back that DM reached the sandbox (nothing is lost, the work waits in the database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gamesched.app import DiscordTarget, open_core
from gamesched.config import Config
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import DEMO_WORLD, start_sandbox
from gamesched.sandbox.world import World, load_world
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game
from gamesched.services.participation import join_game, leave_game

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' TCP proxy
from tests.support.fakes import NoMembers
from tests.support.tcp_proxy import proxy_to

GAMESCHED = Path(sys.executable).parent / "gamesched"
"""The console script installed beside this Python, as an operator runs it."""
GUILD = 1170000000000000001
CHANNEL = 1190000000000000007  # lfg
HOST = 1200000000000000001  # olivia, the owner
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Worker:
    """The worker process and the lines it printed so far."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reading: asyncio.Task[None] | None = None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def mark(self) -> tuple[int, float]:
        """Lines printed and CPU seconds used so far."""
        return len(self.lines), self.cpu_seconds()

    def since(self, mark: tuple[int, float]) -> tuple[int, float]:
        """Lines printed and CPU seconds used since ``mark``."""
        lines, cpu = self.mark()
        return lines - mark[0], cpu - mark[1]

    async def collect(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.lines.append(line.decode(errors="replace").rstrip())


async def start_worker(env: dict[str, str]) -> Worker:
    """``gamesched worker``, collecting its output, once it says it is running."""
    process = await asyncio.create_subprocess_exec(
        GAMESCHED, "worker", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    worker = Worker(process)
    assert process.stdout is not None
    worker.reading = asyncio.get_running_loop().create_task(worker.collect(process.stdout))
    while not any("Worker running" in line for line in worker.lines):
        if process.returncode is not None:
            raise SystemExit("the worker stopped:\n" + "\n".join(worker.lines))
        await asyncio.sleep(0.1)
    return worker


async def game_with_a_waitlist(services: Context, world: World) -> tuple[int, int, int]:
    """A one-seat game in #lfg with sam seated and zoe waiting: (game, sam, zoe)."""
    sam, zoe = (_user_id(world, name) for name in ("sam", "zoe"))
    owner = Actor(user_id=HOST, permissions=int(Permission.ADMINISTRATOR))
    new = NewGame(
        guild_id=GUILD,
        channel_id=CHANNEL,
        title="Outage night",
        when=datetime.now(UTC) + timedelta(days=2),
        max_players=1,
    )
    created = await create_game(services, actor=owner, new=new, directory=NoMembers())
    for user_id in (sam, zoe):
        await join_game(services, game_id=created.game.id, user_id=user_id)
    return created.game.id, sam, zoe


def _user_id(world: World, name: str) -> int:
    user = world.find_user(name)
    assert user is not None, name
    return user.id


async def bench(redis_url: str, seconds: float) -> None:
    world = load_world(DEMO_WORLD)
    sandbox = await start_sandbox(world, host="127.0.0.1", port=0)
    folder = Path(tempfile.mkdtemp(prefix="gamesched-bench-"))
    url = f"sqlite+aiosqlite:///{folder}/outage.sqlite3"
    config = Config.model_validate({"database": {"url": url}})
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    try:
        async with (
            proxy_to(redis_url) as proxy,
            open_core(config, target) as core,
            SandboxDriver(sandbox.url) as discord,
        ):
            game_id, sam, zoe = await game_with_a_waitlist(core.services, world)
            env = {
                **os.environ,
                "GAMESCHED_DATABASE__URL": url,
                "GAMESCHED_BROKER__URL": proxy.url_for(redis_url),
                "GAMESCHED_BROKER__QUEUE_NAME": f"gamesched-bench-{uuid.uuid4().hex[:8]}",
                "GAMESCHED_DISCORD__TOKEN": world.token,
                "GAMESCHED_DISCORD__API_BASE_URL": sandbox.base_url,
            }
            worker = await start_worker(env)
            await asyncio.sleep(2)  # past start-up
            mark = worker.mark()
            await asyncio.sleep(seconds)
            healthy = worker.since(mark)

            mark = worker.mark()
            await proxy.cut()
            await leave_game(core.services, game_id=game_id, user_id=sam)  # zoe is owed a DM
            await asyncio.sleep(seconds)
            outage = worker.since(mark)
            await proxy.restore()
            back = time.monotonic()
            await discord.dms(zoe, at_least=1, within=120)
            resumed = time.monotonic() - back

            worker.process.terminate()
            await worker.process.wait()
    finally:
        await sandbox.close()
    print(f"{'phase':<22} {'log lines':>9} {'CPU s':>7}")
    print(f"{f'healthy {seconds:g} s':<22} {healthy[0]:>9} {healthy[1]:>7.2f}")
    print(f"{f'Redis cut {seconds:g} s':<22} {outage[0]:>9} {outage[1]:>7.2f}")
    print(f"DM owed since the outage delivered {resumed:.1f} s after Redis came back")
    print("worker's lines during the outage:")
    for line in worker.lines:
        if "unavailable" in line or "back after" in line:
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", required=True, help="the Redis to reach through the proxy")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    args = parser.parse_args()
    asyncio.run(bench(args.redis, args.seconds))


if __name__ == "__main__":
    main()
