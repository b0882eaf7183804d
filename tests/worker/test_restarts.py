"""A worker process killed with SIGKILL in the middle of a reminder round: the next one
finishes the round, nobody is left out and nobody gets the reminder twice, with the
in-process broker and with Redis."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gamesched.db.engine import create_database
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.worker.tasks import DM_CONCURRENCY
from tests.support.environment import REDIS_URL
from tests.support.factories import make_game
from tests.support.sandbox import administrator, channel_id_of, crowded_world
from tests.support.worker import start_worker

PLAYERS = 60


@pytest.fixture
async def crowded_sandbox(demo_world: World) -> AsyncIterator[RunningSandbox]:
    """A sandbox whose guild has PLAYERS extra members; every DM takes a moment to send."""
    world = crowded_world(demo_world, extra_members=PLAYERS, response_seconds=3.0)
    running = await start_sandbox(world)
    running.sandbox.faults.add(route=r"^POST /channels/\d+/messages$", kind="latency", seconds=0.1)
    yield running
    await running.close()


@pytest.fixture(params=["in-process", "redis"])
def broker_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """The worker's broker: in-process, or a Redis queue of this test's own."""
    if request.param == "in-process":
        return {"GAMESCHED_BROKER__URL": ""}
    queue: str = request.getfixturevalue("queue")
    return {"GAMESCHED_BROKER__URL": REDIS_URL, "GAMESCHED_BROKER__QUEUE_NAME": queue}


def dms_by_user(running: RunningSandbox) -> Counter[int]:
    """How many DMs the bot has sent each user so far."""
    state = running.sandbox.state
    counts: Counter[int] = Counter()
    for message in list(state.messages.values()):
        recipient = state.dm_recipient(int(message.payload["channel_id"]))
        if recipient is not None:
            counts[recipient.id] += 1
    return counts


def dm_posts(running: RunningSandbox) -> int:
    """How many DM posts the sandbox accepted, repeats answered from a nonce included."""
    state = running.sandbox.state
    dm_paths = {f"/channels/{channel}/messages" for channel in state.dm_channels.values()}
    return sum(e.method == "POST" and e.status == 200 and e.path in dm_paths for e in state.log)


async def wait_for(condition: object, *, within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    assert callable(condition)
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_a_killed_worker_neither_loses_nor_repeats_a_reminder(
    database_url: str,
    crowded_sandbox: RunningSandbox,
    tmp_path: Path,
    broker_settings: dict[str, str],
) -> None:
    """SIGKILL after some DMs of a round went out; a fresh worker sends the rest, once each."""
    world = crowded_sandbox.sandbox.state.world
    database = create_database(database_url)
    front = Context(database=database)
    players = [u.id for u in world.users if u.username.startswith("player")]
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(minutes=60, seconds=2)
    created = await make_game(  # planned as of ``now``, however long the joins take
        Context(database=database, clock=lambda: now),
        title="Twilight Imperium",
        when=start.isoformat(),
        guild_id=world.guilds[0].id,
        channel_id=channel_id_of(world, "board-games"),
        host=administrator(world),
        max_players=PLAYERS,
        reminder_minutes=(60,),
        joiners=players,
    )

    first = start_worker(database_url, crowded_sandbox, tmp_path, broker_settings)
    try:
        await wait_for(
            lambda: sum(dms_by_user(crowded_sandbox).values()) >= PLAYERS // 4,
            within=120,
            what="the first worker to start the round",
        )
    finally:
        first.send_signal(signal.SIGKILL)
        _, errors = first.communicate(timeout=10)
        print(errors.decode())  # shown if the test fails
    cut_short = sum(dms_by_user(crowded_sandbox).values())
    assert cut_short < PLAYERS, "the round finished before the kill; slow the DMs down"

    second = start_worker(database_url, crowded_sandbox, tmp_path, broker_settings)
    try:
        await wait_for(
            lambda: set(dms_by_user(crowded_sandbox)) >= set(players),
            within=120,
            what="the second worker to finish the round",
        )
        await asyncio.sleep(0.5)  # room for any duplicate to show up
    finally:
        second.send_signal(signal.SIGINT)
        _, errors = second.communicate(timeout=20)
    assert b"Traceback" not in errors, errors.decode()

    counts = dms_by_user(crowded_sandbox)
    assert {user: counts[user] for user in players} == dict.fromkeys(players, 1)
    assert dm_posts(crowded_sandbox) <= PLAYERS + DM_CONCURRENCY  # only those in flight again
    game = await get_game(front, created.id)
    assert game.title == "Twilight Imperium"
    await database.dispose()
