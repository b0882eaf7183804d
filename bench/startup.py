"""Start-up and scale: `gamesched run` with 10, 1,000 and 10,000 scheduled games.

    python bench/startup.py [--sizes 10,1000,10000] [--clicks 20]
                            [--postgres postgresql://user@host:5432/db]

For each size a scratch database (a SQLite file; with --postgres or
GAMESCHED_TEST_POSTGRES_URL also a scratch PostgreSQL database, dropped afterwards) is filled
with that many scheduled games in the demo world's guild, an hour apart, each with 5 players
and its reminders and status changes planned. One game is made through the use cases (create,
then 5 joins) and every other is a copy of its rows (games, participants, jobs, history) with
its own id, start time, host, players and announcement message, inserted in bulk: the rows
are exactly what the use cases write. That first game's announcement is left unposted, as if
a crash had lost it ten minutes ago, so the worker posts it as it starts.

Then the real `gamesched run` starts as a child process in sandbox mode (no token: it serves
the bundled sandbox, on a free port) and this process drives the sandbox's control API:

- start: from starting the process until the first click on that game's Join button is
  answered (the bot has connected and the worker has posted the announcement);
- memory: the process's resident memory (RSS) right then;
- Join: ``--clicks`` Join clicks by members of the demo guild (each followed by a Leave, not
  timed), p50 and p95 from sending the click until the sandbox holds the answer;
- /list-games (everywhere, so every game of the guild is counted) and the /game-info game
  autocomplete, p50 of ``--clicks`` each.

Last, with the largest size on each engine, it prints the plan the database chooses for each
hot query (a click's writes, the lists, the worker's idle pass, the dashboard's poll):
``ok`` when no large table is read whole.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
from join_contention import NoMembers, percentile, postgres_database, sqlite_database
from sqlalchemy import Table, delete, func, insert, select, text

from gamesched.db.engine import Database
from gamesched.db.migrate import upgrade
from gamesched.db.plans import Statement, full_scans, plan_of, statements_run
from gamesched.db.tables import Base, GameRow
from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import DEMO_WORLD
from gamesched.sandbox.world import World, load_world
from gamesched.services import outbox, overview
from gamesched.services.context import Context
from gamesched.services.games import MAX_PAGE_SIZE, NewGame, create_game, list_games, my_games
from gamesched.services.participation import join_game

GAMES = Base.metadata.tables["games"]
CHANNELS = Base.metadata.tables["channels"]
PLAYERS = 5
FIRST_PLAYER = 7 * 10**17
"""Players are made-up members (the demo guild is small): ids from here on..."""
PLAYER_POOL = 3_000
"""...out of this many, so a member is in a few games, not in all of them."""
FIRST_HOST = 8 * 10**17
HOST_POOL = 300
FIRST_MESSAGE = 9 * 10**17
AGE = timedelta(minutes=10)
"""How long ago every game was created (older than the worker's grace for a lost post)."""
PLANNED_COLUMNS = frozenset({"start_at", "due_at"})
"""Times that follow a copy's start time; every other time is moved back by AGE."""
GAME_CHANNELS = ("lfg", "board-games", "rpg", "general")
PROBE_CHANNEL = "lfg"
CLICKERS = ("samantha", "sammy_b", "alex_r", "alexandra", "taylor", "zoe", "hana", "kai_keeper")
LISTER = "olivia"
"""The guild's owner: sees every channel."""
CHUNK = 1_000
"""Games inserted per statement batch."""
READY_WITHIN = 120.0
"""Seconds `gamesched run` has to start and answer the first click."""
ANSWER_WITHIN = 30.0


# --- filling ------------------------------------------------------------------------------------


def _channel(world: World, name: str) -> int:
    channel = world.find_channel(name)
    assert channel is not None, name
    return channel.id


def _rewrite(value: Any, *, ids: Mapping[int, int], texts: Mapping[str, str], key: str) -> Any:
    """``value`` of a template row as its copy has it: ids and start-time texts swapped
    (also inside JSON), planned times moved with the start, other times moved back."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return ids.get(value, value)
    if isinstance(value, str):
        return texts.get(value, value)
    if isinstance(value, datetime):
        return value + (timedelta(0) if key in PLANNED_COLUMNS else -AGE)
    if isinstance(value, list):
        return [_rewrite(item, ids=ids, texts=texts, key=key) for item in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, ids=ids, texts=texts, key=key) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Template:
    """The rows the use cases wrote for one game, per table."""

    game: dict[str, Any]
    children: dict[Table, list[dict[str, Any]]]
    channel: dict[str, Any]


async def make_template(database: Database, world: World) -> Template:
    """One game made through the use cases (create, then a join per player), read back and
    removed: the copies are made from its rows."""
    services = Context(database=database)
    (guild,) = world.guilds
    host = Actor(user_id=guild.owner_id, permissions=int(Permission.ADMINISTRATOR))
    new = NewGame(
        guild_id=guild.id,
        channel_id=_channel(world, PROBE_CHANNEL),
        title="Game",
        when=(datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
    )
    game_id = (await create_game(services, actor=host, new=new, directory=NoMembers())).game.id
    for n in range(PLAYERS):
        await join_game(services, game_id=game_id, user_id=FIRST_PLAYER + n)
    async with database.sessions() as session, session.begin():
        game = (await session.execute(select(GAMES).where(GAMES.c.id == game_id))).one()
        children = {}
        for table in Base.metadata.sorted_tables:
            if "game_id" in table.c and table is not GAMES:
                rows = await session.execute(select(table).where(table.c.game_id == game_id))
                children[table] = [dict(row._mapping) for row in rows]
        query = select(CHANNELS).where(CHANNELS.c.id == new.channel_id)
        channel = (await session.execute(query)).one()
        await session.execute(delete(GAMES).where(GAMES.c.id == game_id))
    return Template(game=dict(game._mapping), children=children, channel=dict(channel._mapping))


def copy_of(
    template: Template, number: int, *, channel_id: int
) -> dict[Table, list[dict[str, Any]]]:
    """Game ``number`` (1 = the probe, unannounced; the others announced), as rows."""
    base = template.game
    shift = timedelta(hours=number - 1)
    ids = {base["channel_id"]: channel_id}
    if number > 1:
        ids[base["host_id"]] = FIRST_HOST + number % HOST_POOL
    for n in range(PLAYERS):
        ids[FIRST_PLAYER + n] = FIRST_PLAYER + ((number - 1) * PLAYERS + n) % PLAYER_POOL
    texts = {base["start_at"].isoformat(): (base["start_at"] + shift).isoformat()}
    game = {key: _rewrite(value, ids=ids, texts=texts, key=key) for key, value in base.items()}
    game |= {"id": number, "start_at": base["start_at"] + shift, "title": f"Game {number}"}
    if number > 1:  # as the announcement sync records a post
        game |= {"message_id": FIRST_MESSAGE + number, "rendered_version": game["version"]}
    rows: dict[Table, list[dict[str, Any]]] = {GAMES: [game]}
    for table, template_rows in template.children.items():
        rows[table] = [
            {
                key: number
                if key == "game_id"
                else _rewrite(
                    value + shift if key in PLANNED_COLUMNS else value,
                    ids=ids,
                    texts=texts,
                    key=key,
                )
                for key, value in row.items()
                if key != "id"
            }
            for row in template_rows
        ]
    return rows


async def fill(database: Database, world: World, games: int) -> None:
    """``games`` games spread over the demo guild's channels (see the module's text)."""
    await upgrade(database)
    template = await make_template(database, world)
    channels = [_channel(world, name) for name in GAME_CHANNELS]
    async with database.sessions() as session, session.begin():
        known = set((await session.scalars(select(CHANNELS.c.id))).all())
        await session.execute(
            insert(CHANNELS),
            [template.channel | {"id": c} for c in channels if c not in known],
        )
    for first in range(1, games + 1, CHUNK):
        batch: dict[Table, list[dict[str, Any]]] = {}
        for number in range(first, min(games, first + CHUNK - 1) + 1):
            channel_id = channels[0] if number == 1 else channels[number % len(channels)]
            for table, rows in copy_of(template, number, channel_id=channel_id).items():
                batch.setdefault(table, []).extend(rows)
        async with database.sessions() as session, session.begin():
            for table in [GAMES, *template.children]:
                if batch.get(table):
                    await session.execute(insert(table), batch[table])
    if not database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('games', 'id'), :last)"),
                {"last": games},
            )
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))  # as autovacuum does, soon after


# --- `gamesched run` ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mib(pid: int) -> float:
    """A process's resident memory now (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert match is not None
    return int(match.group(1)) / 1024


@asynccontextmanager
async def gamesched_run(
    url: str, folder: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, SandboxDriver]]:
    """`gamesched run` on ``url`` in sandbox mode, and a driver for its sandbox; stopped with
    Ctrl+C (SIGINT) afterwards. Its output goes to ``folder``/run.log."""
    sandbox_port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.upper().startswith("GAMESCHED_")}
    environment |= {
        "GAMESCHED_DATABASE__URL": url,
        "GAMESCHED_SANDBOX__PORT": str(sandbox_port),
        "GAMESCHED_WEB__PORT": str(free_port()),
    }
    executable = Path(sys.executable).with_name("gamesched")
    with (folder / "run.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(executable), "run", cwd=folder, env=environment, stdout=log, stderr=log
        )
    driver = SandboxDriver(f"http://127.0.0.1:{sandbox_port}", within=ANSWER_WITHIN)
    try:
        yield process, driver
    finally:
        await driver.close()
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def until_up(driver: SandboxDriver, process: asyncio.subprocess.Process, log: Path) -> None:
    """Wait until the sandbox answers and the bot is connected to its gateway."""
    deadline = time.monotonic() + READY_WITHIN
    while True:
        if process.returncode is not None:
            raise RuntimeError(f"gamesched run exited; its output is in {log}")
        try:
            await driver.gateway(connected=True, within=READY_WITHIN)
            return
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Figures:
    games: int
    start_s: float
    rss_mib: float
    join_p50_ms: float
    join_p95_ms: float
    list_p50_ms: float
    complete_p50_ms: float


async def measure(url: str, world: World, games: int, clicks: int) -> Figures:
    probe = game_custom_id(Action.JOIN, 1)
    leave = game_custom_id(Action.LEAVE, 1)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        async with gamesched_run(url, Path(folder)) as (process, discord):
            await until_up(discord, process, Path(folder) / "run.log")
            await discord.messages(PROBE_CHANNEL, at_least=1, within=READY_WITHIN)
            first = await discord.click(CLICKERS[0], probe, channel=PROBE_CHANNEL)
            start = time.perf_counter() - started
            assert first.settled, first.raw
            assert not first.rejected, first.raw
            memory = rss_mib(process.pid)
            await discord.click(CLICKERS[0], leave, channel=PROBE_CHANNEL)
            joins = []
            for n in range(clicks):
                member = CLICKERS[n % len(CLICKERS)]
                joins.append(
                    await timed(partial(discord.click, member, probe, channel=PROBE_CHANNEL))
                )
                await discord.click(member, leave, channel=PROBE_CHANNEL)
            await discord.commands(wait_for=["list-games", "game-info"], within=READY_WITHIN)
            lists = [
                await timed(
                    lambda: discord.slash(
                        LISTER, "list-games", channel=PROBE_CHANNEL, options={"everywhere": True}
                    )
                )
                for _ in range(clicks)
            ]
            completions = [
                await timed(
                    lambda: discord.autocomplete(
                        LISTER,
                        "game-info",
                        channel=PROBE_CHANNEL,
                        focused="game",
                        options={"game": "Game 1"},
                    )
                )
                for _ in range(clicks)
            ]
    return Figures(
        games=games,
        start_s=start,
        rss_mib=memory,
        join_p50_ms=statistics.median(joins) * 1000,
        join_p95_ms=percentile(joins, 0.95) * 1000,
        list_p50_ms=statistics.median(lists) * 1000,
        complete_p50_ms=statistics.median(completions) * 1000,
    )


# --- the plans of the hot queries ---------------------------------------------------------------


async def hot_queries(
    database: Database, world: World
) -> dict[str, Callable[[], Awaitable[object]]]:
    """What runs on every click, list, idle pass and poll, as the front ends call it."""
    services = Context(database=database)
    (guild,) = world.guilds
    everywhere = frozenset(channel.id for channel in guild.channels)
    lfg = _channel(world, PROBE_CHANNEL)
    async with database.sessions() as session:
        game_id = await session.scalar(select(func.max(GameRow.id)))
    assert game_id is not None
    mark = await overview.change_mark(services)
    return {
        "Join click": lambda: join_game(services, game_id=game_id, user_id=FIRST_PLAYER - 1),
        "/list-games here": lambda: list_games(services, guild_id=guild.id, channel_id=lfg),
        "/list-games everywhere": lambda: list_games(
            services, guild_id=guild.id, channel_ids=everywhere
        ),
        "game autocomplete": lambda: list_games(
            services, guild_id=guild.id, channel_ids=everywhere, limit=MAX_PAGE_SIZE
        ),
        "own games autocomplete": lambda: my_games(
            services, user_id=FIRST_HOST + 7, guild_id=guild.id
        ),
        "worker: claim due": lambda: outbox.claim_due(services, worker="bench"),
        "worker: next due job": lambda: outbox.next_due_at(services),
        "worker: stale announcements": lambda: outbox.stale_announcements(services),
        "dashboard: changed-since poll": lambda: overview.changed_games(
            services, since=mark, known={}
        ),
        "dashboard: change mark": lambda: overview.change_mark(services),
    }


_COST = re.compile(r"\s*\(cost=.*?\)")


def scan_steps(plan: list[str]) -> list[str]:
    """The plan's steps that read a table or an index, without costs."""
    steps = []
    for line in plan:
        if re.search(r"Scan|SCAN|SEARCH", line):
            steps.append(_COST.sub("", line).strip().removeprefix("->").strip())
    return steps


async def verdict(database: Database, statements: list[Statement]) -> str:
    """``ok``, or which large tables the plans read whole and whether an index could serve
    them instead (the planner reads a table whole when most of its rows match anyway)."""
    whole = [table for s in statements for table in full_scans(await plan_of(database, s))]
    if not whole:
        return "ok"
    said = "reads whole " + ", ".join(dict.fromkeys(whole))
    if database.is_sqlite:
        return said
    indexed = [
        s for s in statements if full_scans(await plan_of(database, s, sequential_scans=False))
    ]
    if indexed:
        return f"{said}: NO INDEX SERVES IT"
    return f"{said}: the planner's choice (most rows match), an index serves it"


async def explain(database: Database, world: World, games: int) -> None:
    """Each hot query's verdict and the steps of its plans that read tables or indexes."""
    engine = database.engine.dialect.name
    print(f"\nPlans at {games} games ({engine}); ok = no large table read whole")
    for name, call in (await hot_queries(database, world)).items():
        with statements_run(database) as statements:
            await call()
        steps = [step for s in statements for step in scan_steps(await plan_of(database, s))]
        print(
            f"  {name:<30} {len(statements):>2} statements  {await verdict(database, statements)}"
        )
        for step in dict.fromkeys(steps):
            print(f"      {step}")


# --- main ---------------------------------------------------------------------------------------


HEADER = (
    f"{'engine':<11} {'games':>6} {'start s':>8} {'RSS MiB':>8} {'join p50':>9} "
    f"{'join p95':>9} {'list p50':>9} {'autoc p50':>10}"
)


def row(engine: str, figures: Figures) -> str:
    return (
        f"{engine:<11} {figures.games:>6} {figures.start_s:>8.2f} {figures.rss_mib:>8.1f} "
        f"{figures.join_p50_ms:>9.1f} {figures.join_p95_ms:>9.1f} {figures.list_p50_ms:>9.1f} "
        f"{figures.complete_p50_ms:>10.1f}"
    )


async def one_engine(
    engine: str,
    scratch: Callable[[], contextlib.AbstractAsyncContextManager[Database]],
    world: World,
    sizes: list[int],
    clicks: int,
) -> None:
    for size in sizes:
        async with scratch() as database:
            await fill(database, world, size)
            url = database.engine.url.render_as_string(hide_password=False)
            print(row(engine, await measure(url, world, size, clicks)), flush=True)
            if size == max(sizes):
                await explain(database, world, size)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="games per run, comma-separated")
    parser.add_argument("--clicks", type=int, default=20, help="timed clicks per kind and size")
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    world = load_world(DEMO_WORLD)
    print(f"gamesched run with N scheduled games of {PLAYERS} players; times in ms unless said")
    print(HEADER, flush=True)
    await one_engine("sqlite", sqlite_database, world, sizes, args.clicks)
    if args.postgres:
        await one_engine(
            "postgresql", lambda: postgres_database(args.postgres), world, sizes, args.clicks
        )
    else:
        print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    asyncio.run(main())
