"""Two workers on real Redis and PostgreSQL share the due work without sending anything twice."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gamesched.db.engine import create_database
from gamesched.db.tables import DeliveryRow
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.services.participation import leave_game
from tests.support.factories import START, make_game
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator, channel_id_of, user_id_of
from tests.support.worker import start_local_worker

pytestmark = [
    pytest.mark.redis,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

GAMES = 30
PLAYERS = ("sam", "zoe", "taylor", "hana")


async def test_two_workers_deliver_every_reminder_and_seat_offer_exactly_once(
    database_url: str,
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    clock: FakeClock,
    queue: str,
) -> None:
    """With two workers on one Redis queue and one PostgreSQL database, every seated player
    gets each due reminder once and every promoted player one DM: no duplicates, no losses."""
    database = create_database(database_url)
    front = Context(database=database, clock=clock)
    players = [user_id_of(demo_world, player) for player in PLAYERS]
    game_ids = []
    for n in range(GAMES):
        game = await make_game(
            front,
            title=f"Game {n}",
            guild_id=demo_world.guilds[0].id,
            channel_id=channel_id_of(demo_world, "board-games"),
            host=administrator(demo_world),
            max_players=3,
            joiners=players,
        )
        game_ids.append(game.id)

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
        # A seat frees in every game while the workers run: hana moves up and is told...
        for game_id in game_ids:
            await leave_game(front, game_id=game_id, user_id=user_id_of(demo_world, "sam"))
            wakes[game_id % 2].notify()
        # ...and then the first reminder of every game falls due at once.
        clock.now = START - timedelta(minutes=60)
        for wake in wakes:
            wake.notify()

        await discord.dms("taylor", at_least=GAMES, within=60)
        await discord.dms("hana", at_least=GAMES * 2, within=60)
        await wait_until_done(front, game_ids)

    for player in ("zoe", "taylor", "hana"):
        reminders = [
            dm["content"] for dm in await discord.dms(player) if "Reminder" in dm["content"]
        ]
        titles = sorted(text.split("**")[1] for text in reminders)
        assert titles == sorted(f"Game {n}" for n in range(GAMES)), player
    hana = [dm["content"] for dm in await discord.dms("hana")]
    assert len(hana) == GAMES * 2  # one seat offer and one reminder per game
    assert sum("got a seat" in text for text in hana) == GAMES
    async with front.transaction() as session:
        deliveries = await session.scalar(select(func.count(DeliveryRow.id)))
    assert deliveries == GAMES * 3
    assert await discord.dms("sam") == []
    await database.dispose()


async def wait_until_done(ctx: Context, game_ids: list[int], *, within: float = 60) -> None:
    """Until no due reminder or owed DM of these games is left undone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        async with ctx.transaction() as session:
            pending = await session.scalar(
                select(func.count(DeliveryRow.id)).where(
                    DeliveryRow.sent_at.is_(None), DeliveryRow.failure.is_(None)
                )
            )
        if not pending and await outbox.pending_work(ctx, game_ids=game_ids) == GAMES * 3:
            return  # left: the 15-minute reminder, start and end of every game
        await asyncio.sleep(0.1)
    raise AssertionError("the workers did not finish the due work in time")
