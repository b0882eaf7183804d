"""An idle worker's cost: CPU per minute of `gamesched worker` with 100,000 jobs planned ahead.

    python bench/idle_worker.py [--jobs 0,100000] [--seconds 60]
                                [--postgres postgresql://user@host:5432/db]
                                [--redis redis://127.0.0.1:6379/0]

For each number of jobs a scratch database (a SQLite file; with --postgres also a scratch
PostgreSQL database, dropped afterwards) is filled as bench/startup.py fills it: scheduled
games an hour apart from tomorrow on, each with 5 players and its reminders and status
changes planned (4 jobs a game), so nothing falls due while the bench runs. Then the real
`gamesched worker` starts as a child process (against a sandbox this process serves; on
PostgreSQL with --redis it also takes tasks from Redis and listens for wake-ups there), is
given 5 seconds to settle, and is watched for ``--seconds``:

- worker CPU: the child's user + system time (from /proc), per minute (on SQLite this
  includes the database's work, which runs in the worker's process);
- on PostgreSQL, the CPU of the server processes serving the worker's connections (from
  /proc, this bench and the database on one machine), and what the worker asked the
  database per minute: transactions, and rows read from
  gamesched's tables (pg_stat_user_tables: rows of sequential scans plus rows fetched through
  indexes), which would grow with the jobs if a pass scanned them. The database's statistics
  reach these views within seconds, so the counts are close, not exact.

0 jobs is the reference: an idle worker should cost the same with a hundred thousand jobs
planned as with none.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from join_contention import postgres_database, sqlite_database
from reminders import GAMESCHED, ready, worker_environment
from sqlalchemy import func, select, text
from startup import fill

from gamesched.db.engine import Database
from gamesched.db.migrate import upgrade
from gamesched.db.tables import JobRow
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.world import World, load_world

SETTLE_SECONDS = 5.0
"""After it says it runs: its first pass and the imports it does late are not counted."""
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


@dataclass(frozen=True, slots=True)
class Usage:
    """What the worker has used so far; the database's share on PostgreSQL only."""

    worker_cpu: float
    database_cpu: dict[int, float]
    """CPU seconds of each PostgreSQL backend serving the worker, by process id."""
    transactions: int
    rows: int
    """Rows read from gamesched's tables: rows of sequential scans and rows fetched through
    indexes."""


async def usage(database: Database, worker_pid: int) -> Usage:
    """Read from /proc and, on PostgreSQL, from its statistics views."""
    if database.is_sqlite:
        return Usage(cpu_seconds(worker_pid), {}, 0, 0)
    async with database.engine.connect() as connection:
        backends = await connection.scalars(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        transactions = await connection.scalar(
            text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        )
        rows = await connection.scalar(
            text(
                "SELECT sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)) "
                "FROM pg_stat_user_tables"
            )
        )
        backend_cpu = {pid: cpu_seconds(pid) for pid in backends.all()}
    return Usage(cpu_seconds(worker_pid), backend_cpu, int(transactions or 0), int(rows or 0))


@asynccontextmanager
async def worker(
    url: str, sandbox: RunningSandbox, broker_url: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """One `gamesched worker`, ready; stopped with Ctrl+C afterwards."""
    environment = worker_environment(url, sandbox, broker_url=broker_url, queue="idle-bench")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "worker.log"
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                str(GAMESCHED),
                "worker",
                cwd=folder,
                env=environment,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        try:
            await ready(process, log)
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
                await process.wait()


@dataclass(frozen=True, slots=True)
class Figures:
    """Per minute."""

    jobs: int
    worker_cpu: float
    database_cpu: float
    transactions: float
    rows: float


async def measure(
    database: Database, sandbox: RunningSandbox, broker_url: str, seconds: float
) -> Figures:
    url = database.engine.url.render_as_string(hide_password=False)
    async with database.sessions() as session:
        jobs = int(await session.scalar(select(func.count(JobRow.id))) or 0)
    async with worker(url, sandbox, broker_url) as process:
        await asyncio.sleep(SETTLE_SECONDS)
        before = await usage(database, process.pid)
        await asyncio.sleep(seconds)
        after = await usage(database, process.pid)
    per_minute = 60 / seconds
    database_cpu = sum(
        cpu - before.database_cpu.get(pid, 0.0) for pid, cpu in after.database_cpu.items()
    )
    # (this process's reads of the statistics end in a rollback: not counted as commits)
    return Figures(
        jobs=jobs,
        worker_cpu=(after.worker_cpu - before.worker_cpu) * per_minute,
        database_cpu=database_cpu * per_minute,
        transactions=(after.transactions - before.transactions) * per_minute,
        rows=(after.rows - before.rows) * per_minute,
    )


HEADER = (
    f"{'setup':<24} {'jobs':>7} {'worker CPU s/min':>16} {'db CPU s/min':>12} "
    f"{'xacts/min':>9} {'rows read/min':>13}"
)


def row(setup: str, figures: Figures, *, postgres: bool) -> str:
    measured = f"{setup:<24} {figures.jobs:>7} {figures.worker_cpu:>16.2f}"
    if not postgres:
        return f"{measured} {'(in-process)':>12}"
    return (
        f"{measured} {figures.database_cpu:>12.2f} {figures.transactions:>9.0f} "
        f"{figures.rows:>13.0f}"
    )


async def one_setup(
    setup: str,
    scratch: Callable[[], AbstractAsyncContextManager[Database]],
    world: World,
    sandbox: RunningSandbox,
    *,
    sizes: list[int],
    broker_url: str,
    seconds: float,
) -> None:
    for jobs in sizes:
        async with scratch() as database:
            await upgrade(database)
            if jobs:
                await fill(database, world, games=max(1, jobs // 4))
            figures = await measure(database, sandbox, broker_url, seconds)
            print(row(setup, figures, postgres=not database.is_sqlite), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", default="0,100000", help="jobs planned, comma-separated")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to watch")
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    parser.add_argument("--redis", default=os.environ.get("GAMESCHED_TEST_REDIS_URL", ""))
    args = parser.parse_args()
    sizes = [int(size) for size in args.jobs.split(",")]
    world = load_world(DEMO_WORLD)
    sandbox = await start_sandbox(world)
    print(f"An idle `gamesched worker`, {args.seconds:.0f} s watched after {SETTLE_SECONDS:.0f} s")
    print(HEADER)
    try:
        await one_setup(
            "sqlite, in-process",
            sqlite_database,
            world,
            sandbox,
            sizes=sizes,
            broker_url="",
            seconds=args.seconds,
        )
        if args.postgres:
            setup = "postgresql + redis" if args.redis else "postgresql, in-process"
            await one_setup(
                setup,
                lambda: postgres_database(args.postgres),
                world,
                sandbox,
                sizes=sizes,
                broker_url=args.redis if args.redis else "",
                seconds=args.seconds,
            )
        else:
            print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")
    finally:
        await sandbox.close()


if __name__ == "__main__":
    asyncio.run(main())
