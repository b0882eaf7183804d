"""The worker makes each recurring series' next game by the clock and announces it: across a
restart (a claim left by a dead worker) and with two workers on Redis and PostgreSQL, every
date gets exactly one game and none is missing."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta

import pytest
from taskiq import InMemoryBroker

from gamesched.db.engine import create_database
from gamesched.domain.recurrence import read_recurrence
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox, series
from gamesched.services.context import Context
from gamesched.services.games import NewGame, get_game
from gamesched.services.views import GameView
from gamesched.worker.tasks import register_tasks
from tests.support.fakes import FakeClock, NoMembers
from tests.support.sandbox import administrator, channel_id_of
from tests.support.worker import DrivenWorker, start_local_worker

FIRST = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
"""Thursday 3 December 2026, 19:00 UTC: every series here starts then."""


async def weekly_series(ctx: Context, world: World, *, title: str = "Weekly") -> int:
    created = await series.create_series(
        ctx,
        actor=administrator(world),
        game=NewGame(
            guild_id=world.guilds[0].id,
            channel_id=channel_id_of(world, "board-games"),
            title=title,
            when=FIRST.isoformat(),
            zone="UTC",
        ),
        recurrence=read_recurrence("weekly on Thu"),
        directory=NoMembers(),
    )
    return created.series.id


async def games(ctx: Context, series_id: int) -> list[GameView]:
    view = await series.get_series(ctx, series_id)
    return [await get_game(ctx, game_id) for game_id in view.game_ids]


def thursdays(n: int) -> list[date]:
    return [(FIRST + timedelta(weeks=k)).date() for k in range(n)]


async def dates_of(ctx: Context, series_id: int) -> list[date]:
    return [g.start_at.date() for g in await games(ctx, series_id)]


async def test_the_next_game_is_made_and_announced_after_a_restart(
    worker: DrivenWorker, clock: FakeClock
) -> None:
    """A claim left by a worker that died (claimed, never done) is taken over once its lease
    ran out: the next game is made once and posted; the dead worker's late task then changes
    nothing."""
    bot = worker.bot
    ctx = bot.services
    series_id = await weekly_series(ctx, bot.world)
    await worker.drain()  # the first game is announced by the sweep's grace, or here
    clock.now = FIRST
    dead = await outbox.claim_due(ctx, worker="dead-worker")
    assert dead.series_ids == (series_id,)
    await worker.drain()
    assert await dates_of(ctx, series_id) == thursdays(1)  # still held by the dead claim

    clock.now = FIRST + outbox.LEASE + timedelta(seconds=1)
    await worker.drain()  # the live worker takes the dead one's claim over
    made = await games(ctx, series_id)
    assert [g.start_at.date() for g in made] == thursdays(2)
    assert made[1].message_id is not None
    assert made[1].rendered_version == made[1].version
    assert await series.advance_series(ctx, series_id=series_id, claim=dead.claim) == ()
    assert await dates_of(ctx, series_id) == thursdays(2)


async def test_worker_keeps_one_game_ahead_week_after_week(
    worker: DrivenWorker, clock: FakeClock
) -> None:
    """Stepping the clock from start to start, each pass makes exactly the next date."""
    ctx = worker.bot.services
    series_id = await weekly_series(ctx, worker.bot.world)
    for week in range(1, 5):
        clock.now = FIRST + timedelta(weeks=week - 1)
        await worker.drain()
        await worker.drain()  # a second pass finds nothing more to make
        assert await dates_of(ctx, series_id) == thursdays(week + 1)


@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_workers_on_redis_make_every_date_once(
    database_url: str,
    sandbox: RunningSandbox,
    demo_world: World,
    clock: FakeClock,
    queue: str,
) -> None:
    """Two workers on one Redis queue and one PostgreSQL database, several series, the clock
    stepped week by week, both workers restarted half way: every series gets one game per
    date, none missing, all posted."""
    database = create_database(database_url)
    front = Context(database=database, clock=clock)
    series_ids = [await weekly_series(front, demo_world, title=f"Series {n}") for n in range(4)]
    weeks = 4
    for run_weeks in (range(2), range(2, weeks)):  # two workers, restarted half way
        async with AsyncExitStack() as stack:
            wakes = [
                await start_local_worker(
                    stack,
                    url=database_url,
                    sandbox=sandbox,
                    world=demo_world,
                    clock=clock,
                    queue=queue,
                )
                for _ in range(2)
            ]
            for week in run_weeks:
                clock.now = FIRST + timedelta(weeks=week)
                for wake in wakes:
                    wake.notify()
                await wait_for_dates(front, series_ids, count=week + 2)
            await asyncio.sleep(0.5)  # room for a duplicate to show up
    for series_id in series_ids:
        made = await games(front, series_id)
        assert [g.start_at.date() for g in made] == thursdays(weeks + 1)
        assert all(g.message_id is not None for g in made[1:])
    await database.dispose()


async def wait_for_dates(
    ctx: Context, series_ids: list[int], *, count: int, within: float = 60
) -> None:
    """Until every series has ``count`` games, each announced."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        made = [await games(ctx, series_id) for series_id in series_ids]
        if all(len(m) >= count and all(g.message_id for g in m[1:]) for m in made):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the workers did not make {count} games of every series in time")


def test_register_tasks_names_the_series_task() -> None:
    """The series task has one stable name on every process (Redis routes by it)."""
    tasks = register_tasks(InMemoryBroker())
    assert tasks.advance_series.task_name == "gamesched.advance_series"
