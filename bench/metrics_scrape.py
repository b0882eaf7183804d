"""What a /metrics scrape and a /healthz probe cost with a large backlog of planned work.

    python bench/metrics_scrape.py [--jobs 200000] [--due 2000] [--scrapes 200]
                                   [--postgres postgresql://user@host:5432/db]

Each scrape reads the queue (how much work is due, how long the oldest waited) from the
database; it must stay cheap however many jobs are planned or done, since Prometheus scrapes
every process every few seconds. The jobs table is filled with ``--jobs`` rows: half done,
``--due`` due and not done, the rest planned ahead. The process's own listener
(``metrics.port``, as a worker serves it) is then asked ``--scrapes`` times for each route,
one request after another; the queue read alone is timed too (the part a larger backlog
could make slower: it reads the pending indexes, so it does not grow with the table). SQLite
always runs (a temporary file); PostgreSQL when --postgres
or GAMESCHED_TEST_POSTGRES_URL is given (a scratch database, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx
from join_contention import HOST, NoMembers, percentile, postgres_database, sqlite_database
from sqlalchemy import insert

from gamesched.app import DiscordTarget, open_core, serve_probes
from gamesched.config import Config
from gamesched.db.engine import Database
from gamesched.db.migrate import upgrade
from gamesched.db.tables import JobRow
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game
from gamesched.services.workers import queue

CHUNK = 10_000
NOWHERE = DiscordTarget(api_base_url="http://127.0.0.1:9/api/v10", token="bench")
"""The scrapes never ask Discord anything."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def plant(database: Database, *, jobs: int, due: int) -> None:
    """``jobs`` reminder rows on one game: half done, ``due`` due now, the rest ahead."""
    ctx = Context(database=database)
    new = NewGame(guild_id=1, channel_id=2, title="Bench", when="in 3 days at 19:00")
    game = (await create_game(ctx, actor=HOST, new=new, directory=NoMembers())).game
    now = datetime.now(UTC).replace(microsecond=0)
    done = jobs // 2

    def row(n: int) -> dict[str, object]:
        if n < done:
            at = now - timedelta(minutes=n % 50_000 + 1)
            return {"due_at": at, "done_at": at, "outcome": "sent"}
        if n < done + due:
            return {"due_at": now - timedelta(seconds=n - done + 1)}
        return {"due_at": now + timedelta(minutes=n % 50_000 + 1)}

    for first in range(0, jobs, CHUNK):
        rows = [
            {"game_id": game.id, "kind": "reminder", "offset_minutes": 60} | row(n)
            for n in range(first, min(first + CHUNK, jobs))
        ]
        async with ctx.transaction() as session:
            await session.execute(insert(JobRow), rows)


async def timed_reads(services: Context, count: int) -> list[float]:
    """The scrape's database part alone: reading the queue."""
    seconds: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        await queue(services)
        seconds.append(time.perf_counter() - started)
    return seconds


async def timed_gets(client: httpx.AsyncClient, path: str, count: int) -> list[float]:
    seconds: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        answer = await client.get(path)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return seconds


async def bench(engine: str, database: Database, *, jobs: int, due: int, scrapes: int) -> None:
    await upgrade(database)
    await plant(database, jobs=jobs, due=due)
    port = free_port()
    url = database.engine.url.render_as_string(hide_password=False)
    config = Config.model_validate({"database": {"url": url}, "metrics": {"port": port}})
    async with open_core(config, NOWHERE) as core:
        serving = asyncio.create_task(serve_probes(core))
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", transport=httpx.AsyncHTTPTransport(retries=5)
            ) as client:
                await client.get("/healthz")  # the listener is up, the pool warm
                reads = await timed_reads(core.services, scrapes)
                metrics = await timed_gets(client, "/metrics", scrapes)
                health = await timed_gets(client, "/healthz", scrapes)
                text = (await client.get("/metrics")).text
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
    shown = re.search(r"^gamesched_jobs_due (\S+)$", text, flags=re.MULTILINE)
    assert shown is not None, "no queue in the scrape"
    assert float(shown.group(1)) == due, "the queue is not what was planted"
    print(
        f"{engine:<10} {jobs:>7} jobs ({due} due)  "
        f"{figures('queue read', reads)}  {figures('/metrics', metrics)}  "
        f"{figures('/healthz', health)}"
    )


def figures(what: str, seconds: list[float]) -> str:
    median, worst = statistics.median(seconds) * 1000, percentile(seconds, 0.99) * 1000
    return f"{what} p50 {median:>5.1f} ms p99 {worst:>5.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    if not 0 <= args.due <= args.jobs // 2:
        parser.error("--due must be between 0 and half of --jobs (the other half is done)")
    sizes = {"jobs": args.jobs, "due": args.due, "scrapes": args.scrapes}
    print(f"{args.scrapes} scrapes, one after another, of a worker's own listener")
    async with sqlite_database() as database:
        await bench("sqlite", database, **sizes)
    if args.postgres:
        async with postgres_database(args.postgres) as database:
            await bench("postgresql", database, **sizes)
    else:
        print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    asyncio.run(main())
