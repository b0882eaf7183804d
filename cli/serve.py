"""Commands that start services: all in one process, or the bot, a worker, the sandbox alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import typer

from cli._state import fail, load, open_database, run
from gamesched.bot.client import BotDeps, GameschedBot, point_at
from gamesched.config import Config
from gamesched.db.migrate import upgrade
from gamesched.discord.pacing import RedisPacer
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.sandbox.server import start_sandbox
from gamesched.sandbox.world import load_world
from gamesched.services.context import Context
from gamesched.worker.broker import make_broker
from gamesched.worker.runtime import running_worker
from gamesched.worker.tasks import WorkerDeps
from gamesched.worker.wake import WakeSignal

log = logging.getLogger("gamesched")


@dataclass(frozen=True, slots=True)
class DiscordTarget:
    """Where the bot connects and with which token."""

    api_base_url: str
    token: str


CHATTY_LIBRARIES = ("httpx", "taskiq")
"""They log every request and task at INFO; at INFO gamesched keeps them to warnings."""


class JsonLines(logging.Formatter):
    """One JSON object per record (``logging.json = true``), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(config: Config) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLines()
        if config.logging.json_format
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    logging.basicConfig(level=config.logging.level, handlers=[handler], force=True)
    if config.logging.level == "INFO":
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)


@asynccontextmanager
async def discord_target(config: Config, stack: AsyncExitStack) -> AsyncIterator[DiscordTarget]:
    """Real Discord when a token is set; otherwise a sandbox started in this process."""
    token = config.discord.token.get_secret_value()
    if token:
        yield DiscordTarget(api_base_url=config.discord.api_base_url, token=token)
        return
    world = load_world(config.sandbox.world_path)
    sandbox = await start_sandbox(world, host=config.sandbox.host, port=config.sandbox.port)
    stack.push_async_callback(sandbox.close)
    typer.secho(
        f"No bot token set: running against the offline Discord sandbox.\n"
        f"Open {sandbox.url} to act as a member of '{world.guilds[0].name}'.",
        fg=typer.colors.CYAN,
    )
    yield DiscordTarget(api_base_url=sandbox.base_url, token=world.token)


@dataclass(frozen=True, slots=True)
class Core:
    """What the bot and the worker of one process share."""

    services: Context
    rest: DiscordRest
    sync: AnnouncementSync
    wake: WakeSignal
    """Notified after every commit that planned work, so dispatchers look at once."""


async def open_core(config: Config, target: DiscordTarget, stack: AsyncExitStack) -> Core:
    """The migrated database, the REST client and the announcement sync for this process."""
    database = await stack.enter_async_context(open_database(config))
    await upgrade(database)
    pacer = None
    if config.broker.url:  # several processes: share Discord's global limit through Redis
        pacer = RedisPacer(config.broker.url, key=f"{config.broker.queue_name}:discord-global")
        stack.push_async_callback(pacer.aclose)
    rest = DiscordRest(base_url=target.api_base_url, token=target.token, pacer=pacer)
    stack.push_async_callback(rest.aclose)
    wake = WakeSignal(config.broker.url, channel=f"{config.broker.queue_name}:wake")
    stack.push_async_callback(wake.aclose)
    services = Context(database=database, on_due_work=wake.notify)
    sync = AnnouncementSync(services, rest)
    stack.push_async_callback(sync.wait_idle)
    return Core(services=services, rest=rest, sync=sync, wake=wake)


async def start_worker(config: Config, core: Core, stack: AsyncExitStack) -> None:
    """Dispatch due reminders, status changes and DMs (and run tasks) until the stack closes."""
    broker = make_broker(config.broker.url, queue_name=config.broker.queue_name)
    lease = timedelta(seconds=config.broker.lease_seconds)
    deps = WorkerDeps(services=core.services, rest=core.rest, sync=core.sync, lease=lease)
    await stack.enter_async_context(
        running_worker(
            deps,
            broker,
            wake=core.wake,
            lease=lease,
            idle_check=config.broker.idle_check_seconds,
        )
    )


async def run_bot(config: Config, target: DiscordTarget, core: Core, stack: AsyncExitStack) -> None:
    """Connect the bot and serve until cancelled."""
    point_at(target.api_base_url)
    bot = GameschedBot(
        BotDeps(services=core.services, rest=core.rest, sync=core.sync),
        test_guild_ids=config.discord.test_guild_ids,
        members_intent=config.discord.members_intent,
    )
    stack.push_async_callback(bot.close)
    await bot.start(target.token)


async def _run_all(config: Config) -> None:
    async with AsyncExitStack() as stack:
        target = await stack.enter_async_context(discord_target(config, stack))
        core = await open_core(config, target, stack)
        await start_worker(config, core, stack)
        await run_bot(config, target, core, stack)


def _token_target(config: Config, service: str) -> DiscordTarget:
    """Discord from the configuration; a separate service needs a real (or sandbox) token."""
    token = config.discord.token.get_secret_value()
    if not token:
        raise fail(
            f"The {service} needs a token: set GAMESCHED_DISCORD__TOKEN (or discord.token). "
            "To try gamesched offline use `gamesched run`, which starts the sandbox too."
        )
    return DiscordTarget(api_base_url=config.discord.api_base_url, token=token)


def register(app: typer.Typer) -> None:
    """Add the service commands to the CLI."""

    @app.command("run")
    def run_command(ctx: typer.Context) -> None:
        """Run gamesched in one process: bot and worker (on the sandbox when no token is set)."""
        config = load(ctx)
        configure_logging(config)
        with contextlib.suppress(KeyboardInterrupt):
            run(_run_all(config))

    @app.command("bot")
    def bot_command(ctx: typer.Context) -> None:
        """Run the bot alone (needs discord.token; point api_base_url at a sandbox to test)."""
        config = load(ctx)
        target = _token_target(config, "bot")
        configure_logging(config)

        async def go() -> None:
            async with AsyncExitStack() as stack:
                await run_bot(config, target, await open_core(config, target, stack), stack)

        with contextlib.suppress(KeyboardInterrupt):
            run(go())

    @app.command("worker")
    def worker_command(ctx: typer.Context) -> None:
        """Run a worker alone: reminders, status changes, DMs and announcement updates.

        Start as many as you like on PostgreSQL with broker.url set to Redis; each one
        claims due work atomically, so nothing is sent twice.
        """
        config = load(ctx)
        target = _token_target(config, "worker")
        if not config.broker.url:
            typer.secho(
                "broker.url is empty: this worker runs its tasks in-process. Set it to a "
                "redis:// URL to share the work between several worker processes.",
                fg=typer.colors.YELLOW,
            )
        configure_logging(config)

        async def go() -> None:
            async with AsyncExitStack() as stack:
                await start_worker(config, await open_core(config, target, stack), stack)
                typer.echo("Worker running; press Ctrl+C to stop.")
                await asyncio.Event().wait()

        with contextlib.suppress(KeyboardInterrupt):
            run(go())

    @app.command("sandbox")
    def sandbox_command(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="Address (default: sandbox.host)")] = None,
        port: Annotated[
            int | None, typer.Option(help="Port, 0 for any (default: sandbox.port)")
        ] = None,
    ) -> None:
        """Run the offline Discord sandbox alone and print its URLs."""
        config = load(ctx)
        configure_logging(config)
        world = load_world(config.sandbox.world_path)

        async def go() -> None:
            sandbox = await start_sandbox(
                world,
                host=host or config.sandbox.host,
                port=config.sandbox.port if port is None else port,
            )
            typer.echo(f"Sandbox page:  {sandbox.url}")
            typer.echo(f"API base URL:  {sandbox.base_url}")
            typer.echo(f"Bot token:     {world.token} (a sandbox token, not a secret)")
            try:
                await asyncio.Event().wait()
            finally:
                await sandbox.close()

        with contextlib.suppress(KeyboardInterrupt):
            run(go())
