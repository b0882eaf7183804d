"""A worker sits out an outage of Redis or of the database quietly and catches up after it.

Each server is reached through a TCP proxy the test cuts (every connection closed, new ones
refused) and restores; the real servers are never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from gamesched.db.engine import create_database
from gamesched.db.tables import DeliveryRow
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.services.participation import leave_game
from gamesched.services.views import GameView
from gamesched.worker.wake import WakeSignal
from tests.support.environment import REDIS_URL
from tests.support.factories import START, make_game
from tests.support.fakes import FakeClock
from tests.support.outages import assert_quiet_outage, eventually, failed_attempts
from tests.support.sandbox import administrator, channel_id_of, user_id_of
from tests.support.tcp_proxy import proxy_to
from tests.support.worker import start_local_worker

OUTAGE_SECONDS = 4.0
"""Long enough for many retries without backoff (the old loop logged thousands a second)."""
WAKE_UPS_DURING_OUTAGE = 20


async def _game_with_a_freed_seat(front: Context, world: World) -> GameView:
    """Sam and zoe seated, taylor waitlisted, reminders at 60 and 15 minutes."""
    return await make_game(
        front,
        title="Brass",
        guild_id=world.guilds[0].id,
        channel_id=channel_id_of(world, "board-games"),
        host=administrator(world),
        max_players=2,
        joiners=[user_id_of(world, name) for name in ("sam", "zoe", "taylor")],
    )


async def _sent_reminders(front: Context) -> int:
    """Reminder DMs recorded as sent."""
    async with front.transaction() as session:
        sent = await session.scalar(
            select(func.count(DeliveryRow.id)).where(DeliveryRow.sent_at.is_not(None))
        )
    return sent or 0


async def _until_reminded(front: Context, game: GameView) -> None:
    """Until the first reminder's job is done (left: the second reminder, start and end)."""

    async def reminded() -> bool:
        return await outbox.pending_work(front, game_ids=[game.id]) == 3

    await eventually(reminded)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_redis_outage_is_one_warning_per_part_and_the_reminder_goes_out_once_after(
    database_url: str,
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    clock: FakeClock,
    queue: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With Redis cut for seconds while a reminder falls due, the worker logs one warning for
    the task queue and one for the wake-up channel (no traceback, a handful of lines however
    long it lasts), one line each saying how long it lasted, and once Redis is back the
    reminder reaches each seated player exactly once."""
    caplog.set_level(logging.INFO)
    front = Context(database=create_database(database_url), clock=clock)
    game = await _game_with_a_freed_seat(front, demo_world)
    async with proxy_to(REDIS_URL) as redis, AsyncExitStack() as stack:
        wake = await start_local_worker(
            stack,
            url=database_url,
            sandbox=sandbox,
            world=demo_world,
            clock=clock,
            queue=queue,
            redis_url=redis.url_for(REDIS_URL),
        )
        await leave_game(front, game_id=game.id, user_id=user_id_of(demo_world, "zoe"))
        await discord.dms("taylor", at_least=1, within=60)  # the seat offer: all is well

        caplog.clear()
        await redis.cut()
        clock.now = START - timedelta(minutes=60)  # the first reminder falls due meanwhile
        await asyncio.sleep(OUTAGE_SECONDS)
        lines_during_outage = len(caplog.records)
        assert await discord.dms("sam") == []
        await redis.restore()

        await discord.dms("sam", at_least=1, within=60)
        await discord.dms("taylor", at_least=2, within=60)
        await _until_reminded(front, game)

        async def listening_again() -> bool:
            return not wake.outage.down

        await eventually(listening_again)

    assert lines_during_outage <= 10
    assert_quiet_outage(caplog, "task queue (Redis)")
    assert_quiet_outage(caplog, "wake-up channel (Redis)")
    assert len(await discord.dms("sam")) == 1
    assert len(await discord.dms("taylor")) == 2  # the seat offer and the reminder
    assert await _sent_reminders(front) == 2
    await front.database.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_database_outage_is_one_warning_and_the_worker_resumes_by_itself(
    database_url: str,
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With PostgreSQL cut while a reminder falls due, the worker logs one warning and one
    line with the outage's length (no traceback), and sends the reminder once it is back,
    without a restart."""
    caplog.set_level(logging.INFO)
    front = Context(database=create_database(database_url), clock=clock)
    game = await _game_with_a_freed_seat(front, demo_world)
    async with proxy_to(database_url) as postgres, AsyncExitStack() as stack:
        await start_local_worker(
            stack,
            url=postgres.url_for(database_url),
            sandbox=sandbox,
            world=demo_world,
            clock=clock,
            queue="in-process",
            redis_url="",
        )
        await asyncio.sleep(0.5)  # the worker's first pass ran: its connection is pooled

        caplog.clear()
        await postgres.cut()
        clock.now = START - timedelta(minutes=60)
        await asyncio.sleep(OUTAGE_SECONDS)
        lines_during_outage = len(caplog.records)
        await postgres.restore()

        await discord.dms("sam", at_least=1, within=60)
        await discord.dms("zoe", at_least=1, within=60)
        await _until_reminded(front, game)

    assert lines_during_outage <= 5
    assert_quiet_outage(caplog, "database")
    assert len(await discord.dms("sam")) == 1
    await front.database.dispose()


@pytest.mark.redis
async def test_the_wake_up_channel_warns_once_and_hears_wake_ups_again_after_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker's wake-up listener cut off from Redis, and its publishes meanwhile, log one
    warning; it reconnects by itself, says how long the outage lasted, and hears the next
    wake-up another process publishes."""
    caplog.set_level(logging.INFO)
    channel = f"gamesched-test-{uuid.uuid4().hex[:8]}:wake"
    async with proxy_to(REDIS_URL) as redis:
        worker = WakeSignal(redis.url_for(REDIS_URL), channel=channel)
        bot = WakeSignal(REDIS_URL, channel=channel)
        listening = asyncio.create_task(worker.listen())

        async def heard() -> bool:
            worker.event.clear()
            bot.notify()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(worker.event.wait(), timeout=0.5)
            return worker.event.is_set()

        async def noticed() -> bool:
            return worker.outage.down

        await eventually(heard)
        caplog.clear()
        await redis.cut()
        await eventually(noticed)
        for _ in range(WAKE_UPS_DURING_OUTAGE):  # a change a second, say
            worker.notify()
            await asyncio.sleep(OUTAGE_SECONDS / WAKE_UPS_DURING_OUTAGE)
        await redis.restore()
        await eventually(heard)
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await worker.aclose()
        await bot.aclose()

    back = assert_quiet_outage(caplog, "wake-up channel (Redis)")
    assert failed_attempts(back) < WAKE_UPS_DURING_OUTAGE  # not an attempt per wake-up


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_redis_that_comes_back_empty_gets_its_task_queue_again(
    database_url: str,
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    clock: FakeClock,
    queue: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When Redis loses the task queue (restarted without its data), the worker makes the
    queue again by itself, says so in one warning and one recovery line, and work flows."""
    caplog.set_level(logging.INFO)
    front = Context(database=create_database(database_url), clock=clock)
    game = await _game_with_a_freed_seat(front, demo_world)
    redis = Redis.from_url(REDIS_URL)
    async with AsyncExitStack() as stack:
        await start_local_worker(
            stack, url=database_url, sandbox=sandbox, world=demo_world, clock=clock, queue=queue
        )
        await redis.delete(queue)  # the stream and its consumer group are gone
        await leave_game(front, game_id=game.id, user_id=user_id_of(demo_world, "zoe"))
        await discord.dms("taylor", at_least=1, within=120)  # at the latest after the lease

    assert_quiet_outage(caplog, "task queue (Redis)")
    await redis.aclose()
    await front.database.dispose()
