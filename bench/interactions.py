"""Join clicks through the sandbox: click-to-answer latency of the real bot against a baseline.

    python bench/interactions.py [--clicks 200] [--seats 50]
                                 [--postgres postgresql://user@host:5432/db]

This process runs the sandbox on 127.0.0.1 (a fresh one per setup, whose guild has a member
per clicker) and a driver acting as the members; the bot under test runs in a child process
of its own, as it would next to the real Discord, so the sandbox's and the clickers' work is
not charged to it. The *baseline* is a bare disnake bot answering every button click with an
ephemeral message and no database work; the *gamesched* setups are the real bot on SQLite
(a temporary file) and, with --postgres or GAMESCHED_TEST_POSTGRES_URL, on PostgreSQL (a
scratch database, dropped afterwards). Games are created and announced through the services.

Each setup gets a short warm-up, then ``--clicks`` Join clicks by as many members fired at
once on a fresh button, then as many one after another on another fresh button. A click's
latency runs from sending it to the sandbox until the sandbox has recorded the bot's answer
(the driver's call returns). Quote the ratios to the baseline: the absolute figures mostly
say how busy the machine was.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import multiprocessing
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

import disnake
from disnake.ext import commands
from disnake.interactions import MessageInteraction
from join_contention import percentile, postgres_database, sqlite_database

from gamesched.bot.client import BotDeps, GameschedBot, point_at
from gamesched.db.engine import Database, create_database
from gamesched.db.migrate import upgrade
from gamesched.discord import render
from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox import world as w
from gamesched.sandbox.driver import InteractionResult, InteractionTimeout, SandboxDriver
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game, get_game
from gamesched.services.views import GameView

CHANNEL = "lfg"
FIRST_CLICKER_ID = 1_200_000_000_000_000_001
WARM_UP_CLICKS = 5
ANSWER_WITHIN = 30.0
"""Seconds a click may wait for its answer (Discord's 3-second rule still applies)."""
CONNECTIONS_PER_DRIVER = 100
"""aiohttp's default connection limit per session: enough drivers keep every click in flight."""
BOT_READY_WITHIN = 60.0
"""Seconds the bot process has to import, connect and receive its guild."""
CONVERGE_WITHIN = 60.0
"""Seconds the announcement has to catch up after the clicks (edits are rate limited)."""


def bench_world(clickers: int) -> w.World:
    """The demo world plus ``clickers`` plain members, with Discord's own rate limits."""
    demo = w.load_world(DEMO_WORLD)
    users = tuple(
        w.User(id=FIRST_CLICKER_ID + n, username=f"clicker{n}", global_name=f"Clicker {n}")
        for n in range(clickers)
    )
    (guild,) = demo.guilds
    members = tuple(w.Member(user_id=user.id) for user in users)
    guild = dataclasses.replace(guild, members=guild.members + members)
    return dataclasses.replace(demo, users=demo.users + users, guilds=(guild,), limits=w.Limits())


def channel_id(world: w.World) -> int:
    channel = world.find_channel(CHANNEL)
    assert channel is not None
    return channel.id


# --- the bots, each in a process of its own ----------------------------------------------------


class BaselineBot(commands.InteractionBot):
    """Answers every button click at once with a private message; no database, no rendering."""

    def __init__(self) -> None:
        intents = disnake.Intents.none()
        intents.guilds = True
        intents.members = True
        super().__init__(intents=intents, allowed_mentions=disnake.AllowedMentions.none())

    async def on_button_click(self, inter: MessageInteraction[BaselineBot]) -> None:
        await inter.response.send_message("You're in **Bench**.", ephemeral=True)


async def serve_bot(api_base_url: str, token: str, database_url: str, control: Connection) -> None:
    """Run the bot (the gamesched one when ``database_url`` is set) until told to stop."""
    point_at(api_base_url)
    database: Database | None = None
    rest: DiscordRest | None = None
    bot: commands.InteractionBot
    if database_url:
        database = create_database(database_url)
        rest = DiscordRest(base_url=api_base_url, token=token)
        services = Context(database=database)
        sync = AnnouncementSync(services, rest)
        bot = GameschedBot(BotDeps(services=services, rest=rest, sync=sync))
    else:
        bot = BaselineBot()
    task = asyncio.create_task(bot.start(token))
    await bot.wait_until_ready()
    control.send("ready")
    await asyncio.to_thread(control.recv)
    if isinstance(bot, GameschedBot):
        await bot.deps.sync.wait_idle()
    await bot.close()
    await task
    if rest is not None:
        await rest.aclose()
    if database is not None:
        await database.dispose()


def bot_process_main(api_base_url: str, token: str, database_url: str, control: Connection) -> None:
    asyncio.run(serve_bot(api_base_url, token, database_url, control))


@asynccontextmanager
async def bot_process(
    sandbox: RunningSandbox, token: str, database_url: str = ""
) -> AsyncIterator[None]:
    """A bot connected to ``sandbox`` from a child process, ready; stopped afterwards."""
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    process = spawn.Process(
        target=bot_process_main,
        args=(sandbox.base_url, token, database_url, theirs),
        name="bench-bot",
    )
    process.start()
    try:
        deadline = time.monotonic() + BOT_READY_WITHIN
        while not await asyncio.to_thread(ours.poll, 0.5):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the bot process did not get ready (see its output above)")
        ours.recv()
        yield
        ours.send("stop")
        await asyncio.to_thread(process.join, 30)
    finally:
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 10)


# --- clicking ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Click:
    """One click: how long until its answer, whether it was a proper one, whether deferred."""

    seconds: float
    answered: bool
    deferred: bool


@dataclass(frozen=True, slots=True)
class Run:
    """One batch of clicks."""

    clicks: list[Click]

    def p(self, fraction: float) -> float:
        return percentile([click.seconds for click in self.clicks], fraction)

    def count(self, what: str) -> int:
        return sum(getattr(click, what) for click in self.clicks)


def answered(result: InteractionResult) -> bool:
    """A private message answered the click, and Discord accepted every answer."""
    return result.settled and not result.rejected and result.ephemeral and bool(result.content)


class Clicks:
    """Join clicks by distinct members of the bench world, timed from send to answer."""

    def __init__(self, sandbox: RunningSandbox, clickers: int) -> None:
        count = math.ceil(clickers / CONNECTIONS_PER_DRIVER)
        self.drivers = [SandboxDriver(sandbox.url, within=ANSWER_WITHIN) for _ in range(count)]

    async def close(self) -> None:
        for driver in self.drivers:
            await driver.close()

    async def one(self, n: int, custom_id: str) -> Click:
        driver = self.drivers[n % len(self.drivers)]
        started = time.perf_counter()
        try:
            result = await driver.click(FIRST_CLICKER_ID + n, custom_id, channel=CHANNEL)
        except InteractionTimeout:
            return Click(time.perf_counter() - started, answered=False, deferred=False)
        seconds = time.perf_counter() - started
        return Click(seconds, answered=answered(result), deferred=result.callback_type == 5)

    async def concurrent(self, clickers: int, custom_id: str) -> Run:
        return Run(list(await asyncio.gather(*(self.one(n, custom_id) for n in range(clickers)))))

    async def sequential(self, clickers: int, custom_id: str) -> Run:
        return Run([await self.one(n, custom_id) for n in range(clickers)])


Button = Callable[[], Awaitable[str]]
"""Posts a fresh Join button in the bench channel and returns its custom id."""


async def measure(sandbox: RunningSandbox, clickers: int, button: Button) -> tuple[Run, Run]:
    clicks = Clicks(sandbox, clickers)
    try:
        await clicks.sequential(WARM_UP_CLICKS, await button())
        concurrent = await clicks.concurrent(clickers, await button())
        sequential = await clicks.sequential(clickers, await button())
    finally:
        await clicks.close()
    return concurrent, sequential


# --- the setups ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """One setup's runs, and for gamesched the state the concurrent clicks left behind."""

    concurrent: Run
    sequential: Run
    outcome: str | None = None


async def baseline(world: w.World, clickers: int) -> Figures:
    sandbox = await start_sandbox(world)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    posted = 0

    async def button() -> str:
        nonlocal posted
        posted += 1
        custom_id = f"bench:join:{posted}"
        join = {"type": 2, "style": render.SUCCESS_STYLE, "label": "Join", "custom_id": custom_id}
        row = {"type": 1, "components": [join]}
        await rest.create_message(channel_id(world), {"content": "Bench", "components": [row]})
        return custom_id

    try:
        async with bot_process(sandbox, world.token):
            concurrent, sequential = await measure(sandbox, clickers, button)
    finally:
        await rest.aclose()
        await sandbox.close()
    return Figures(concurrent, sequential)


class NoMembers:
    async def candidates(self, guild_id: int, entries: Entries) -> list[Member]:
        return []


async def gamesched(world: w.World, database: Database, *, clickers: int, seats: int) -> Figures:
    await upgrade(database)
    sandbox = await start_sandbox(world)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    services = Context(database=database)
    sync = AnnouncementSync(services, rest)
    (guild,) = world.guilds
    host = Actor(user_id=guild.owner_id, permissions=int(Permission.ADMINISTRATOR))
    game_ids: list[int] = []

    async def button() -> str:
        new = NewGame(
            guild_id=guild.id,
            channel_id=channel_id(world),
            title="Bench",
            when="in 3 days at 19:00",
            max_players=seats,
        )
        created = await create_game(services, actor=host, new=new, directory=NoMembers())
        await sync.publish(created.game.id)
        game_ids.append(created.game.id)
        return game_custom_id(Action.JOIN, created.game.id)

    url = database.engine.url.render_as_string(hide_password=False)
    try:
        async with bot_process(sandbox, world.token, url):
            concurrent, sequential = await measure(sandbox, clickers, button)
            _, concurrent_game, _ = game_ids  # warm-up, concurrent, sequential
            game = await converged(services, concurrent_game)
        outcome = describe(sandbox, game)
    finally:
        await rest.aclose()
        await sandbox.close()
    return Figures(concurrent, sequential, outcome)


async def converged(services: Context, game_id: int) -> GameView:
    """The game once the bot's announcement shows its newest version (or the wait ran out)."""
    deadline = time.monotonic() + CONVERGE_WITHIN
    while True:
        game = await get_game(services, game_id)
        if game.rendered_version >= game.version or time.monotonic() > deadline:
            return game
        await asyncio.sleep(0.2)


def describe(sandbox: RunningSandbox, game: GameView) -> str:
    """Seats and waitlist, and whether the announcement shows exactly them."""
    assert game.message_id is not None
    shown = sandbox.state.messages[game.message_id].to_json()
    matches = game.rendered_version == game.version and (
        shown["embeds"] == render.announcement(game)["embeds"]
    )
    violations = len(sandbox.state.violations)
    return (
        f"{len(game.joined)} seats taken, {len(game.waitlist)} waitlisted; the announcement "
        f"{'matches' if matches else 'DOES NOT match'} the database; "
        f"{violations} Discord rule violation(s)"
    )


def report(name: str, figures: Figures, base: Figures | None, clickers: int) -> None:
    """Two lines per setup; ``base`` None marks the baseline itself."""
    for label in ("concurrent", "sequential"):
        run: Run = getattr(figures, label)
        ratios = "(reference)"
        if base is not None:
            ref: Run = getattr(base, label)
            ratios = f"x{run.p(0.5) / ref.p(0.5):.1f}  x{run.p(0.99) / ref.p(0.99):.1f}"
        print(
            f"{name:<20} {label:<10} "
            f"{run.p(0.5) * 1000:>8.1f} {run.p(0.99) * 1000:>8.1f}  {ratios:<17} "
            f"{run.count('answered'):>4}/{clickers} {run.count('deferred'):>8}"
        )
    if figures.outcome is not None:
        print(f"{'':<20} {figures.outcome}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole run")
    args = parser.parse_args()
    world = bench_world(args.clicks)
    sizes = {"clickers": args.clicks, "seats": args.seats}
    print(f"{args.clicks} Join clicks by {args.clicks} members on a game with {args.seats} seats")
    print(
        f"{'setup':<20} {'clicks':<10} {'p50 ms':>8} {'p99 ms':>8}  "
        f"{'p50/base p99/base':<17} answered deferred"
    )
    async with asyncio.timeout(args.timeout):
        base = await baseline(world, args.clicks)
        report("baseline (no db)", base, None, args.clicks)
        async with sqlite_database() as database:
            report("gamesched sqlite", await gamesched(world, database, **sizes), base, args.clicks)
        if args.postgres:
            async with postgres_database(args.postgres) as database:
                figures = await gamesched(world, database, **sizes)
            report("gamesched postgresql", figures, base, args.clicks)
        else:
            print("postgresql skipped (give --postgres or GAMESCHED_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    asyncio.run(main())
