"""Concurrent Join clicks against one game: throughput and latency per engine.

    python bench/join_contention.py [--joins 200] [--seats 50] [--rounds 3]
                                    [--postgres postgresql://user@host:5432/db]

SQLite always runs (a temporary file). PostgreSQL runs when --postgres or
GAMESCHED_TEST_POSTGRES_URL is given: a scratch database is created next to the one named
and dropped afterwards. Each round creates a fresh game and fires every join at once; the
figures are over all rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from gamesched.db.engine import Database, create_database
from gamesched.db.migrate import upgrade
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game, get_game
from gamesched.services.participation import join_game

GUILD, CHANNEL = 1, 2
HOST = Actor(user_id=3, permissions=int(Permission.ADMINISTRATOR))


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
    database = create_database(bench_url.render_as_string(hide_password=False), pool_size=20)
    try:
        yield database
    finally:
        await database.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def one_round(ctx: Context, *, joins: int, seats: int) -> tuple[float, list[float]]:
    new = NewGame(
        guild_id=GUILD,
        channel_id=CHANNEL,
        title="Bench",
        when="in 3 days at 19:00",
        max_players=seats,
    )
    game = (await create_game(ctx, actor=HOST, new=new, directory=NoMembers())).game
    latencies: list[float] = []

    async def click(user_id: int) -> None:
        started = time.perf_counter()
        await join_game(ctx, game_id=game.id, user_id=user_id)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(click(10_000 + n) for n in range(joins)))
    elapsed = time.perf_counter() - started
    final = await get_game(ctx, game.id)
    assert len(final.joined) == min(seats, joins), "seats taken do not match"
    assert len(final.joined) + len(final.waitlist) == joins, "a join was lost or doubled"
    return elapsed, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def bench(engine: str, database: Database, *, joins: int, seats: int, rounds: int) -> None:
    await upgrade(database)
    ctx = Context(database=database)
    total_time = 0.0
    latencies: list[float] = []
    for _ in range(rounds):
        elapsed, round_latencies = await one_round(ctx, joins=joins, seats=seats)
        total_time += elapsed
        latencies += round_latencies
    print(
        f"{engine:<10} {joins:>5} joins x {rounds} rounds  "
        f"{joins * rounds / total_time:>7.0f} joins/s  "
        f"p50 {statistics.median(latencies) * 1000:>7.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:>7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--joins", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sizes = {"joins": args.joins, "seats": args.seats, "rounds": args.rounds}
    print(f"{args.joins} concurrent joins on a game with {args.seats} seats")
    async with sqlite_database() as database:
        await bench("sqlite", database, **sizes)
    if args.postgres:
        async with postgres_database(args.postgres) as database:
            await bench("postgresql", database, **sizes)
    else:
        print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    asyncio.run(main())
