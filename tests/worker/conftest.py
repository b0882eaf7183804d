"""The worker beside the real bot, on the sandbox: dispatch passes driven by the test clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from taskiq import InMemoryBroker

from gamesched.worker.dispatcher import Dispatcher
from gamesched.worker.tasks import WorkerDeps, register_tasks
from tests.support.bot import RunningBot
from tests.support.environment import REDIS_URL
from tests.support.worker import DrivenWorker


@pytest.fixture
async def worker(gamesched_bot: RunningBot) -> AsyncIterator[DrivenWorker]:
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
