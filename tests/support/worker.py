"""The worker's side, driven by hand: claiming due work, and dispatcher passes on demand; or
started as a worker process builds itself, here or as ``gamesched worker`` in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from taskiq import InMemoryBroker

from gamesched.db.engine import create_database
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.services.outbox import stale_announcements
from gamesched.worker.broker import make_broker
from gamesched.worker.dispatcher import Dispatcher
from gamesched.worker.runtime import running_worker
from gamesched.worker.tasks import WorkerDeps
from gamesched.worker.wake import WakeSignal
from tests.support.bot import RunningBot
from tests.support.environment import REDIS_URL
from tests.support.fakes import FakeClock

GAMESCHED = Path(sys.executable).with_name("gamesched")
"""The console script of the environment the tests run in."""
MAX_PASSES = 20
"""A drain that still finds work after this many passes is looping: fail loudly."""


async def claim_one(ctx: Context, worker: str = "w1") -> tuple[int, str]:
    """Claim what is due, expecting exactly one job: its id and the claim it is held by."""
    claimed = await outbox.claim_due(ctx, worker=worker)
    (job_id,) = claimed.job_ids
    return job_id, claimed.claim


@dataclass
class DrivenWorker:
    """A dispatcher whose passes the test runs by hand, with the in-process broker."""

    dispatcher: Dispatcher
    broker: InMemoryBroker
    bot: RunningBot

    async def drain(self) -> None:
        """Run dispatcher passes until nothing due is left and every DM and edit went out."""
        for _ in range(MAX_PASSES):
            claimed = await self.dispatcher.run_once()
            await self.broker.wait_all()
            await self.bot.sync.wait_idle()
            if claimed == 0 and not await _stale(self.bot):
                return
        raise AssertionError(f"work still due after {MAX_PASSES} dispatcher passes")


async def _stale(bot: RunningBot) -> bool:
    return bool(await stale_announcements(bot.services))


def start_worker(
    url: str, running: RunningSandbox, cwd: Path, settings: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """``gamesched worker`` as an operator starts it, in its own process, on the database at
    ``url`` and the sandbox, with a short lease and idle check and ``settings`` (more
    ``GAMESCHED_*`` variables) on top."""
    environment = os.environ | {
        "GAMESCHED_DATABASE__URL": url,
        "GAMESCHED_DISCORD__TOKEN": running.sandbox.state.world.token,
        "GAMESCHED_DISCORD__API_BASE_URL": running.base_url,
        "GAMESCHED_BROKER__LEASE_SECONDS": "5",
        "GAMESCHED_BROKER__IDLE_CHECK_SECONDS": "0.2",
        **settings,
    }
    environment.pop("GAMESCHED_CONFIG", None)
    return subprocess.Popen(
        [str(GAMESCHED), "worker"],
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def start_local_worker(
    stack: AsyncExitStack,
    *,
    url: str,
    sandbox: RunningSandbox,
    world: World,
    clock: FakeClock,
    queue: str,
    redis_url: str = REDIS_URL,
) -> WakeSignal:
    """One worker built as its own process builds it (engine, REST client, broker, wake-ups)
    but on this loop; stopped when ``stack`` closes. ``queue`` names its Redis queue
    (``redis_url``, empty for the in-process broker) and wake-up channel."""
    database = create_database(url)
    stack.push_async_callback(database.dispose)
    wake = WakeSignal(redis_url, channel=f"{queue}:wake")
    stack.push_async_callback(wake.aclose)
    services = Context(database=database, clock=clock, on_due_work=wake.notify)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    stack.push_async_callback(rest.aclose)
    sync = AnnouncementSync(services, rest)
    stack.push_async_callback(sync.wait_idle)
    broker = make_broker(redis_url, queue_name=queue)
    deps = WorkerDeps(services=services, rest=rest, sync=sync)
    await stack.enter_async_context(running_worker(deps, broker, wake=wake))
    return wake
