"""The dispatcher's own loop: it wakes at due times and when work is written, and stops
cleanly when asked."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from taskiq import InMemoryBroker

from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.context import Context
from gamesched.services.participation import leave_game
from gamesched.worker.runtime import running_worker
from gamesched.worker.tasks import WorkerDeps
from gamesched.worker.wake import WakeSignal
from tests.support.bot import RunningBot
from tests.support.factories import make_game
from tests.support.sandbox import administrator

IDLE_CHECK = 3600.0
"""So long that only a wake-up can make the dispatcher look in time."""


async def test_a_freed_seat_is_offered_at_once_without_waiting_for_the_idle_check(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """The commit that promotes a waitlisted player wakes the dispatcher, which sends the DM."""
    wake = WakeSignal()
    services = dataclasses.replace(gamesched_bot.services, on_due_work=wake.notify)
    deps = WorkerDeps(services=services, rest=gamesched_bot.bot.deps.rest, sync=gamesched_bot.sync)
    sam, zoe = gamesched_bot.user_id("sam"), gamesched_bot.user_id("zoe")
    game = await make_game(
        services,
        title="Hanabi",
        guild_id=gamesched_bot.guild_id,
        channel_id=gamesched_bot.channel_id("board-games"),
        host=administrator(gamesched_bot.world),
        max_players=1,
        joiners=(sam, zoe),
    )
    async with running_worker(deps, InMemoryBroker(), wake=wake, idle_check=IDLE_CHECK):
        await asyncio.sleep(0.2)  # the first pass has run and the dispatcher sleeps
        await leave_game(services, game_id=game.id, user_id=sam)
        (dm,) = await discord.dms("zoe", at_least=1, within=10)
    assert "seat" in dm["content"]


async def test_stopping_returns_promptly_while_the_dispatcher_sleeps(
    gamesched_bot: RunningBot,
) -> None:
    """Leaving the worker's block ends the dispatcher between passes, without cancelling one."""
    deps = WorkerDeps(
        services=gamesched_bot.services, rest=gamesched_bot.bot.deps.rest, sync=gamesched_bot.sync
    )
    async with asyncio.timeout(30):
        async with running_worker(deps, InMemoryBroker(), idle_check=IDLE_CHECK) as dispatcher:
            await asyncio.sleep(0.2)
        assert dispatcher.stopped


async def test_a_reminder_goes_out_at_its_time_without_any_wake_up(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Planned before the worker started and never signalled: the dispatcher sleeps until the
    reminder's due time (not until its idle check an hour away) and sends it then."""
    services = Context(database=gamesched_bot.services.database)  # the real clock
    deps = WorkerDeps(services=services, rest=gamesched_bot.bot.deps.rest, sync=gamesched_bot.sync)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(minutes=60, seconds=2)
    await make_game(  # planned as of ``now``: a slow machine must not find the reminder past
        Context(database=services.database, clock=lambda: now),
        title="Root",
        when=start.isoformat(),
        guild_id=gamesched_bot.guild_id,
        channel_id=gamesched_bot.channel_id("board-games"),
        host=administrator(gamesched_bot.world),
        reminder_minutes=(60,),
        joiners=(gamesched_bot.user_id("sam"),),
    )
    async with running_worker(deps, InMemoryBroker(), idle_check=IDLE_CHECK):
        (dm,) = await discord.dms("sam", at_least=1, within=30)
    assert "Root" in dm["content"]
    assert datetime.now(UTC) >= start - timedelta(minutes=60)
