"""Starting gamesched costs the same with one game as with many: the bot and the worker run
the same statements and send Discord the same requests, and none of those statements reads
every game (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import disnake
import pytest

from gamesched.app import open_core, serve_bot, serving_worker
from gamesched.config import Config
from gamesched.db.engine import Database
from gamesched.db.plans import full_scans, plan_of, statements_run
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox
from gamesched.services.announcements import record_rendered
from gamesched.services.context import Context
from tests.support.bot import COMMANDS
from tests.support.factories import P1, P2, make_game
from tests.test_app import target_of

FIRST_MESSAGE = 900_000_000_000_000_001
STARTED_WITHIN = 30.0


@pytest.fixture
def config(database_url: str) -> Config:
    """A configuration on the test database; the worker looks once at start (then every
    minute), so its start is one pass."""
    return Config.model_validate(
        {"database": {"url": database_url}, "broker": {"idle_check_seconds": 60}}
    )


async def add_announced_games(database: Database, count: int) -> None:
    """Games in three days with players and planned reminders, their announcements up to
    date (on the real clock, which the started processes go by)."""
    ctx = Context(database=database)
    for _ in range(count):
        when = datetime.now(UTC) + timedelta(days=3)
        game = await make_game(ctx, when=when, joiners=(P1, P2))
        message = FIRST_MESSAGE + game.id
        await record_rendered(ctx, game_id=game.id, message_id=message, version=game.version)


async def start(
    config: Config,
    sandbox: RunningSandbox,
    world: World,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Counter[str], Counter[str], list[str]]:
    """Start the worker and the bot as `gamesched run` does and stop them once the bot is
    connected with its commands and the worker's first pass is over: the statements run,
    the requests sent to Discord, and the large tables any statement reads whole."""
    passed = asyncio.Event()
    next_due_at = outbox.next_due_at

    async def last_step_of_a_pass(ctx: Context) -> datetime | None:
        try:
            return await next_due_at(ctx)
        finally:
            passed.set()

    monkeypatch.setattr(outbox, "next_due_at", last_step_of_a_pass)
    monkeypatch.setattr(disnake.http.Route, "BASE", disnake.http.Route.BASE)  # restored after
    identified = (await discord.gateway())["identifies"]
    requests_before = len(sandbox.state.log)
    async with open_core(config, target_of(sandbox, world)) as core:
        database = core.services.database
        with statements_run(database) as statements:
            async with serving_worker(core):
                bot = asyncio.create_task(serve_bot(core))
                await discord.gateway(connected=True, identifies=identified + 1, within=30)
                await discord.commands(wait_for=COMMANDS, within=STARTED_WITHIN)
                await asyncio.wait_for(passed.wait(), STARTED_WITHIN)
                bot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bot
        whole = [
            table
            for statement in statements
            for table in full_scans(await plan_of(database, statement, sequential_scans=False))
        ]
    requests = Counter(f"{e.method} {e.path}" for e in sandbox.state.log[requests_before:])
    return Counter(s.sql for s in statements), requests, whole


async def test_the_bot_and_the_worker_start_alike_with_one_game_and_with_many(
    config: Config,
    database: Database,
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twelve games more change nothing in what starting asks the database and Discord (a
    restart, after a first start that registered the commands)."""
    await add_announced_games(database, 1)
    await start(config, sandbox, demo_world, discord, monkeypatch)
    one = await start(config, sandbox, demo_world, discord, monkeypatch)
    await add_announced_games(database, 12)
    many = await start(config, sandbox, demo_world, discord, monkeypatch)

    statements, requests, whole = many
    assert statements == one[0]
    assert requests == one[1]
    assert whole == []
