"""The worker's work in the metrics: reminders sent, late, unreachable and missed, read from
the web's ``/metrics`` of the same process (as ``gamesched run`` serves it); the queue read at
scrape time; and a separate ``gamesched worker`` serving its own ``/metrics`` and ``/healthz``."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from gamesched.app import Core
from gamesched.db.engine import create_database
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from tests.support.bot import announce, join
from tests.support.environment import free_port
from tests.support.factories import START, make_game
from tests.support.fakes import FakeClock
from tests.support.metrics import scrape, scrape_until, web_client
from tests.support.sandbox import administrator, channel_id_of, user_id_of
from tests.support.web import web_config
from tests.support.worker import DrivenWorker, start_worker

REMINDERS = "gamesched_reminders_total"
LATENESS = "gamesched_reminder_lateness_seconds"
FINISHED = "gamesched_jobs_finished_total"


def on_clock(clock: FakeClock) -> Callable[[Core], Core]:
    """A core's use cases on the test clock (what is due is read by it)."""
    return lambda core: replace(core, services=replace(core.services, clock=clock))


async def test_reminders_sent_on_time_late_and_to_closed_dms_are_counted(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock, database_url: str
) -> None:
    """A reminder on time counts as sent with no lateness, one to a player with closed DMs
    as unreachable, and one sent five minutes after it was due as late, 300 s in the
    lateness histogram."""
    async with web_client(web_config(database_url)) as web:
        game = await announce(worker.bot, max_players=4)
        await join(discord, game, "sam", "cleo")
        before = await scrape(web)
        clock.now = START - timedelta(minutes=60)  # the 60-minute reminder, on time
        await worker.drain()
        on_time = await scrape(web)
        clock.now = START - timedelta(minutes=10)  # the 15-minute one, 5 minutes late
        await worker.drain()
        late = await scrape(web)

    assert on_time(REMINDERS, outcome="sent") - before(REMINDERS, outcome="sent") == 1
    assert on_time(REMINDERS, outcome="unreachable") - before(REMINDERS, outcome="unreachable") == 1
    assert on_time(f"{LATENESS}_count") - before(f"{LATENESS}_count") == 1
    assert on_time(f"{LATENESS}_bucket", le="1.0") - before(f"{LATENESS}_bucket", le="1.0") == 1

    assert late(REMINDERS, outcome="late") - on_time(REMINDERS, outcome="late") == 1
    assert late(REMINDERS, outcome="sent") == on_time(REMINDERS, outcome="sent")
    assert late(f"{LATENESS}_sum") - on_time(f"{LATENESS}_sum") == pytest.approx(300)
    assert late(f"{LATENESS}_bucket", le="120.0") == on_time(f"{LATENESS}_bucket", le="120.0")
    assert late(f"{LATENESS}_bucket", le="300.0") - on_time(f"{LATENESS}_bucket", le="300.0") == 1
    rounds = late(FINISHED, kind="reminder", outcome="sent")
    assert rounds - before(FINISHED, kind="reminder", outcome="sent") == 2


async def test_reminders_of_a_game_that_started_first_count_as_missed(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock, database_url: str
) -> None:
    """Reminders no worker got to before the game started are counted as missed, not sent,
    and the game's start as done."""
    async with web_client(web_config(database_url)) as web:
        game = await announce(worker.bot, max_players=4)
        await join(discord, game, "sam")
        before = await scrape(web)
        clock.now = START + timedelta(minutes=1)
        await worker.drain()
        after = await scrape(web)

    missed = after(FINISHED, kind="reminder", outcome="missed")
    assert missed - before(FINISHED, kind="reminder", outcome="missed") == 2  # 60 and 15 min
    assert (
        after(FINISHED, kind="start", outcome="sent")
        - before(FINISHED, kind="start", outcome="sent")
        == 1
    )
    assert after(REMINDERS, outcome="sent") == before(REMINDERS, outcome="sent")
    assert await discord.dms("sam") == []


async def test_the_queue_shows_due_work_and_how_long_the_oldest_waited(
    ctx: Context, clock: FakeClock, database_url: str
) -> None:
    """Planned reminders show in gamesched_jobs_due once they are due, with the age of the
    oldest, and not before."""
    await make_game(ctx, reminder_minutes=(60, 15), joiners=[1, 2])
    async with web_client(web_config(database_url), adjust=on_clock(clock)) as web:
        ahead = await scrape(web)
        clock.now = START - timedelta(minutes=10)
        due = await scrape(web)
    assert ahead("gamesched_jobs_due") == 0
    assert ahead("gamesched_oldest_due_job_seconds") == 0
    assert due("gamesched_jobs_due") == 2  # the 60- and the 15-minute reminder
    assert due("gamesched_oldest_due_job_seconds") == 50 * 60
    assert due.types["gamesched_jobs_due"] == "gauge"


async def test_a_worker_process_serves_its_own_metrics_and_health(
    database_url: str, sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> None:
    """``gamesched worker`` with metrics.port serves /healthz and /metrics, and its metrics
    count the reminder it sent (each process has its own registry)."""
    database = create_database(database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(minutes=60, seconds=1)
    await make_game(  # planned as of ``now``: a slow machine must not find the reminder past
        Context(database=database, clock=lambda: now),
        when=start.isoformat(),
        guild_id=demo_world.guilds[0].id,
        channel_id=channel_id_of(demo_world, "board-games"),
        host=administrator(demo_world),
        reminder_minutes=(60,),
        joiners=[user_id_of(demo_world, "sam")],
    )
    await database.dispose()
    port = free_port()
    worker = start_worker(database_url, sandbox, tmp_path, {"GAMESCHED_METRICS__PORT": str(port)})
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as listener:
            health = await _once_listening(listener, "/healthz")
            found = await scrape_until(
                listener,
                lambda now: now(FINISHED, kind="reminder", outcome="sent") == 1,
                within=120,
            )
    finally:
        worker.send_signal(signal.SIGINT)
        _, errors = worker.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode()

    assert health.status_code == 200, health.text
    assert health.json()["checks"]["bot"]["status"] == "elsewhere"
    assert found(REMINDERS, outcome="sent") + found(REMINDERS, outcome="late") == 1
    assert found(f"{LATENESS}_count") == 1
    assert found.has("process_resident_memory_bytes")


async def _once_listening(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """The first answer at ``path``, once the process has started its listener."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        try:
            return await client.get(path)
        except httpx.TransportError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)
