"""The worker beside the real bot, on the sandbox: dispatch passes driven by the test clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from taskiq import InMemoryBroker

from gamesched.services.outbox import stale_announcements
from gamesched.worker.dispatcher import Dispatcher
from gamesched.worker.tasks import WorkerDeps, register_tasks
from tests.bot.conftest import RunningBot, gamesched_bot  # noqa: F401
from tests.conftest import REDIS_URL
from tests.sandbox.conftest import demo_world, discord, sandbox, sandbox_clock  # noqa: F401

MAX_PASSES = 20
"""A drain that still finds work after this many passes is looping: fail loudly."""


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


@pytest.fixture
async def worker(gamesched_bot: RunningBot) -> AsyncIterator[DrivenWorker]:  # noqa: F811
    """A worker sharing the bot's services, REST client and announcement sync."""
    broker = InMemoryBroker()
    tasks = register_tasks(broker)
    deps = WorkerDeps(
        services=gamesched_bot.services,
        rest=gamesched_bot.bot.deps.rest,
        sync=gamesched_bot.sync,
    )
    broker.add_dependency_context({WorkerDeps: deps})
    await broker.startup()
    yield DrivenWorker(
        dispatcher=Dispatcher(
            gamesched_bot.services, tasks, gamesched_bot.sync, name="test-worker"
        ),
        broker=broker,
        bot=gamesched_bot,
    )
    await broker.wait_all()
    await broker.shutdown()


@pytest.fixture
async def queue() -> AsyncIterator[str]:
    """A Redis queue name of this test's own, deleted afterwards."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    name = f"gamesched-test-{uuid.uuid4().hex[:8]}"
    yield name
    redis = Redis.from_url(REDIS_URL)
    await redis.delete(name)
    await redis.aclose()
