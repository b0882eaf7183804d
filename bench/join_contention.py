"""Concurrent Join clicks against one game, beside the database's raw commit rate.

    python bench/join_contention.py [--joins 200] [--seats 50] [--rounds 3]
                                    [--postgres postgresql://user@host:5432/db]

SQLite always runs (a temporary file). PostgreSQL runs when --postgres or
GAMESCHED_TEST_POSTGRES_URL is given: a scratch database is created next to the one named
and dropped afterwards.

Each round measures, on the same database, ``--joins`` of each of these, first all started
at once and then one by one:

- *commits* (the reference): single-row INSERTs, each in its own transaction, through
  gamesched's engine: the same driver, pool and set-up (WAL and ``BEGIN IMMEDIATE`` on
  SQLite), with SQLAlchemy Core. No write transaction of gamesched can be cheaper.
- *driver commits*, for context: the same straight through the driver (aiosqlite, asyncpg)
  without SQLAlchemy, on one connection for SQLite and the pool's size for PostgreSQL.
  SQLAlchemy's aiosqlite adapter hands each statement to the SQLite thread three or four
  times (open a cursor, execute, fetch, close) where aiosqlite's own ``execute`` does it
  once, which is most of the difference on SQLite.
- *joins*: Join clicks on a fresh game through ``join_game``. All at once, the clicks that
  queue behind a game's running write are written together (see
  ``gamesched.services.participation``); one by one, each is a transaction of its own.

Rounds alternate, so a load that comes and goes on a shared machine weighs on all alike;
the fraction joins/s over commits/s is the figure to compare across machines. Statements
and round trips per join are counted by SQLAlchemy event listeners during the join rounds:
statements are what SQLAlchemy sends besides BEGIN and COMMIT; round trips add BEGIN and
COMMIT, and on PostgreSQL the pool's liveness check when it hands out a connection (BEGIN,
an empty query, ROLLBACK).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy import Column, Integer, MetaData, Table, event
from sqlalchemy.engine import make_url

from gamesched.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database, create_database
from gamesched.db.migrate import upgrade
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game, get_game
from gamesched.services.participation import join_game

GUILD, CHANNEL = 1, 2
HOST = Actor(user_id=3, permissions=int(Permission.ADMINISTRATOR))
POSTGRES_POOL_SIZE = 20
PING_ROUND_TRIPS = 3
"""The pool's liveness check on PostgreSQL: BEGIN, an empty query, ROLLBACK."""


class NoMembers:
    async def candidates(self, guild_id: int, entries: Entries) -> list[Member]:
        return []


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        database = create_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            yield database
        finally:
            await database.dispose()


@asynccontextmanager
async def postgres_database(url: str) -> AsyncIterator[Database]:
    admin_url = make_url(url).set(drivername="postgresql")
    name = f"gs_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    bench_url = admin_url.set(drivername="postgresql+asyncpg", database=name)
    database = create_database(
        bench_url.render_as_string(hide_password=False), pool_size=POSTGRES_POOL_SIZE
    )
    try:
        yield database
    finally:
        await database.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# ----- raw commits: one single-row INSERT per transaction -------------------------------

Commit = Callable[[int], Awaitable[None]]
"""Commits one transaction inserting the given number as one row."""

COMMITS = Table(
    "bench_commits", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer)
)


@asynccontextmanager
async def engine_commits(database: Database) -> AsyncIterator[Commit]:
    """Through gamesched's own engine: the same driver, pool and set-up (WAL and ``BEGIN
    IMMEDIATE`` on SQLite), with SQLAlchemy Core and no ORM."""
    async with database.engine.begin() as connection:
        await connection.run_sync(COMMITS.metadata.create_all)

    async def commit(n: int) -> None:
        async with database.engine.begin() as connection:
            await connection.execute(COMMITS.insert().values(n=n))

    yield commit


@asynccontextmanager
async def driver_commits(database: Database) -> AsyncIterator[Commit]:
    """Straight through the driver, without SQLAlchemy: one aiosqlite connection set up as
    gamesched's engine sets it up, or as many asyncpg connections as the engine's pool
    keeps."""
    url = database.engine.url
    if database.is_sqlite:
        assert url.database is not None
        connection = await aiosqlite.connect(url.database, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "synchronous=NORMAL",
        ):
            await connection.execute(f"PRAGMA {pragma}")
        turn = asyncio.Lock()  # the engine's pool of one connection queues its users alike

        async def commit_sqlite(n: int) -> None:
            async with turn:
                await connection.execute("BEGIN IMMEDIATE")
                await connection.execute("INSERT INTO bench_commits (n) VALUES (?)", (n,))
                await connection.execute("COMMIT")

        try:
            yield commit_sqlite
        finally:
            await connection.close()
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    idle: asyncio.Queue[Any] = asyncio.Queue()
    for _ in range(POSTGRES_POOL_SIZE):
        idle.put_nowait(await asyncpg.connect(dsn))

    async def commit_postgres(n: int) -> None:
        connection = await idle.get()
        try:
            async with connection.transaction():
                await connection.execute("INSERT INTO bench_commits (n) VALUES ($1)", n)
        finally:
            idle.put_nowait(connection)

    try:
        yield commit_postgres
    finally:
        while not idle.empty():
            await idle.get_nowait().close()


async def run(work: Callable[[int], Awaitable[None]], count: int, *, at_once: bool) -> float:
    """Seconds for ``work(0)`` ... ``work(count - 1)``, all started at once or one by one."""
    started = time.perf_counter()
    if at_once:
        await asyncio.gather(*(work(n) for n in range(count)))
    else:
        for n in range(count):
            await work(n)
    return time.perf_counter() - started


async def commit_round(
    database: Database,
    commits: Callable[[Database], AbstractAsyncContextManager[Commit]],
    *,
    clients: int,
    at_once: bool,
) -> float:
    """Seconds for ``clients`` single-row transactions."""
    async with commits(database) as commit:
        return await run(commit, clients, at_once=at_once)


# ----- joins through the real use case -------------------------------------------------


class StatementCounter:
    """Counts what SQLAlchemy sends while it is attached to an engine."""

    def __init__(self, database: Database) -> None:
        self.counts: Counter[str] = Counter()
        self.pings_on_checkout = not database.is_sqlite and bool(
            getattr(database.engine.pool, "_pre_ping", False)
        )
        self._engine = database.engine.sync_engine
        self._listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (self._engine, "before_cursor_execute", self._statement),
            (self._engine, "begin", lambda *_: self.counts.update(["begin"])),
            (self._engine, "commit", lambda *_: self.counts.update(["commit"])),
            (self._engine, "rollback", lambda *_: self.counts.update(["rollback"])),
            (self._engine.pool, "checkout", lambda *_: self.counts.update(["checkout"])),
        ]

    def _statement(self, *args: Any) -> None:
        statement: str = args[2]
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE, counted as a begin
            self.counts.update(["statement"])

    def __enter__(self) -> StatementCounter:
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)
        return self

    def __exit__(self, *_: object) -> None:
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)

    @property
    def round_trips(self) -> int:
        c = self.counts
        pings = c["checkout"] * PING_ROUND_TRIPS if self.pings_on_checkout else 0
        return c["begin"] + c["statement"] + c["commit"] + c["rollback"] + pings


async def join_round(
    ctx: Context, *, joins: int, seats: int, at_once: bool
) -> tuple[float, list[float]]:
    """Seconds for ``joins`` clicks on a new game, and each click's latency."""
    new = NewGame(
        guild_id=GUILD,
        channel_id=CHANNEL,
        title="Bench",
        when="in 3 days at 19:00",
        max_players=seats,
    )
    game = (await create_game(ctx, actor=HOST, new=new, directory=NoMembers())).game
    latencies: list[float] = []

    async def click(n: int) -> None:
        started = time.perf_counter()
        await join_game(ctx, game_id=game.id, user_id=10_000 + n)
        latencies.append(time.perf_counter() - started)

    elapsed = await run(click, joins, at_once=at_once)
    final = await get_game(ctx, game.id)
    assert len(final.joined) == min(seats, joins), "seats taken do not match"
    assert len(final.joined) + len(final.waitlist) == joins, "a join was lost or doubled"
    return elapsed, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass(frozen=True, slots=True)
class Figures:
    joins_per_second: float
    commits_per_second: float
    """Single-row transactions through gamesched's engine (the reference)."""
    driver_commits_per_second: float
    """The same straight through the driver."""
    p50: float
    p99: float
    statements: float
    round_trips: float


async def bench(
    database: Database, *, joins: int, seats: int, rounds: int, at_once: bool
) -> Figures:
    ctx = Context(database=database)
    join_time = commit_time = driver_time = 0.0
    latencies: list[float] = []
    counter = StatementCounter(database)
    for commits in (engine_commits, driver_commits):  # warm up: connections, table pages
        await commit_round(database, commits, clients=joins, at_once=at_once)
    for _ in range(rounds):
        commit_time += await commit_round(database, engine_commits, clients=joins, at_once=at_once)
        driver_time += await commit_round(database, driver_commits, clients=joins, at_once=at_once)
        with counter:
            elapsed, round_latencies = await join_round(
                ctx, joins=joins, seats=seats, at_once=at_once
            )
        join_time += elapsed
        latencies += round_latencies
    # The counter also saw each round's create_game and final read: take them out.
    with StatementCounter(database) as overhead:
        await join_round(ctx, joins=0, seats=seats, at_once=at_once)
    total = joins * rounds
    return Figures(
        joins_per_second=total / join_time,
        commits_per_second=total / commit_time,
        driver_commits_per_second=total / driver_time,
        p50=statistics.median(latencies),
        p99=percentile(latencies, 0.99),
        statements=(counter.counts["statement"] - rounds * overhead.counts["statement"]) / total,
        round_trips=(counter.round_trips - rounds * overhead.round_trips) / total,
    )


async def bench_both(engine: str, database: Database, **sizes: int) -> None:
    """Clicks all at once (a burst on a new game), then one by one (each on its own)."""
    await upgrade(database)
    for at_once, label in ((True, f"{sizes['joins']} at once"), (False, "one by one")):
        show(engine, label, await bench(database, **sizes, at_once=at_once))


COLUMNS = (
    ("engine", "<11"),
    ("clicks", "<12"),
    ("joins/s", ">8"),
    ("commits/s", ">10"),
    ("fraction", ">9"),
    ("driver commits/s", ">17"),
    ("join p50 ms", ">12"),
    ("p99 ms", ">8"),
    ("statements", ">11"),
    ("round trips", ">12"),
)


def line(*values: object) -> str:
    return "".join(f"{value:{spec}}" for value, (_, spec) in zip(values, COLUMNS, strict=True))


def show(engine: str, clicks: str, f: Figures) -> None:
    print(
        line(
            engine,
            clicks,
            f"{f.joins_per_second:.0f}",
            f"{f.commits_per_second:.0f}",
            f"{f.joins_per_second / f.commits_per_second:.2f}",
            f"{f.driver_commits_per_second:.0f}",
            f"{f.p50 * 1000:.1f}",
            f"{f.p99 * 1000:.1f}",
            f"{f.statements:.1f}",
            f"{f.round_trips:.1f}",
        )
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--joins", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sizes = {"joins": args.joins, "seats": args.seats, "rounds": args.rounds}
    print(f"{args.joins} Join clicks on a new game with {args.seats} seats, all at once, then")
    print(f"one by one, beside as many single-row commits made alike; {args.rounds} rounds")
    print(line(*(name for name, _ in COLUMNS)))
    async with sqlite_database() as database:
        await bench_both("sqlite", database, **sizes)
    if args.postgres:
        async with postgres_database(args.postgres) as database:
            await bench_both("postgresql", database, **sizes)
    else:
        print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    asyncio.run(main())
