"""The worker's heartbeat: a running worker is seen by the operator's front ends, with when it
last handed work to the broker, and a heartbeat that cannot be written never stops it."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import timedelta
from typing import Any

import pytest
from taskiq import InMemoryBroker

from gamesched.sandbox.driver import SandboxDriver
from gamesched.services import workers
from gamesched.services.context import Context
from gamesched.services.participation import leave_game
from gamesched.services.views import GameView
from gamesched.services.workers import WorkerSeen
from gamesched.worker.runtime import running_worker
from gamesched.worker.tasks import WorkerDeps
from gamesched.worker.wake import WakeSignal
from tests.support.bot import RunningBot
from tests.support.factories import make_game
from tests.support.sandbox import administrator

IDLE_CHECK = 3600.0
"""So long that only wake-ups and heartbeats make the dispatcher look."""
QUICK_BEATS = timedelta(seconds=0.1)


async def seen_as(
    services: Context, name: str, *, dispatched: bool = False, within: float = 10.0
) -> WorkerSeen:
    """The worker called ``name`` once its heartbeat shows (with a dispatch, if asked)."""
    async with asyncio.timeout(within):
        while True:
            for worker in await workers.workers_seen(services):
                if worker.name == name and (worker.dispatched_at is not None or not dispatched):
                    return worker
            await asyncio.sleep(0.05)


@dataclasses.dataclass(frozen=True)
class Waitlisted:
    """sam holds the only seat of a game and zoe waits: sam leaving owes zoe a DM."""

    services: Context
    deps: WorkerDeps
    wake: WakeSignal
    game: GameView
    sam: int


@pytest.fixture
async def waitlisted(gamesched_bot: RunningBot) -> Waitlisted:
    wake = WakeSignal()
    services = dataclasses.replace(gamesched_bot.services, on_due_work=wake.notify)
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
    deps = WorkerDeps(services=services, rest=gamesched_bot.bot.deps.rest, sync=gamesched_bot.sync)
    return Waitlisted(services=services, deps=deps, wake=wake, game=game, sam=sam)


async def test_a_running_worker_is_seen_and_marked_when_it_dispatched(
    waitlisted: Waitlisted, discord: SandboxDriver
) -> None:
    """A started worker shows in workers_seen at once, alive, with nothing dispatched yet;
    after it handed a DM to the broker its next heartbeat records the dispatch."""
    async with running_worker(
        waitlisted.deps,
        InMemoryBroker(),
        wake=waitlisted.wake,
        idle_check=IDLE_CHECK,
        heartbeat_every=QUICK_BEATS,
    ) as dispatcher:
        started = await seen_as(waitlisted.services, dispatcher.name)
        assert started.alive
        assert started.dispatched_at is None
        await leave_game(waitlisted.services, game_id=waitlisted.game.id, user_id=waitlisted.sam)
        await discord.dms("zoe", at_least=1, within=10)
        after = await seen_as(waitlisted.services, dispatcher.name, dispatched=True)
    assert after.dispatched_at is not None
    assert await workers.worker_alive(waitlisted.services)


async def test_a_heartbeat_that_cannot_be_written_never_stops_dispatching(
    waitlisted: Waitlisted,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With every heartbeat write failing the owed DM still goes out, and the failure is
    logged once, not on every pass."""
    attempts = 0
    tried_thrice = asyncio.Event()

    async def unwritable(*args: Any, **kwargs: Any) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 3:
            tried_thrice.set()
        raise OSError("the workers table is locked")

    monkeypatch.setattr(workers, "heartbeat", unwritable)
    caplog.set_level(logging.INFO, logger="gamesched.worker.dispatcher")
    async with running_worker(
        waitlisted.deps,
        InMemoryBroker(),
        wake=waitlisted.wake,
        idle_check=0.05,
        heartbeat_every=timedelta(0),
    ):
        await leave_game(waitlisted.services, game_id=waitlisted.game.id, user_id=waitlisted.sam)
        (dm,) = await discord.dms("zoe", at_least=1, within=10)
        await asyncio.wait_for(tried_thrice.wait(), timeout=10)
    assert "seat" in dm["content"]
    warnings = [r for r in caplog.records if "heartbeat" in r.getMessage()]
    assert [r.levelno for r in warnings] == [logging.WARNING]
