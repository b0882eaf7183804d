"""Commands that start services: all in one process, or the bot, a worker, the web or the
sandbox alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import typer
from pydantic import SecretStr

from cli._state import ExitCode, fail, load, run
from gamesched.app import (
    Core,
    DiscordTarget,
    ServiceUnavailable,
    configure_logging,
    configured_discord,
    open_core,
    serve_bot,
    serve_probes,
    serve_web,
    serving_worker,
)
from gamesched.config import Config
from gamesched.sandbox.oauth2_web import AUTHORIZE_PATH, TOKEN_PATH
from gamesched.sandbox.rest import PREFIX
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.world import World, WorldError, load_world


@asynccontextmanager
async def discord_or_sandbox(config: Config) -> AsyncIterator[tuple[Config, DiscordTarget]]:
    """The configured Discord when a token is set; otherwise a sandbox started for the block,
    with the configuration's web login pointed at the sandbox's application."""
    target = configured_discord(config)
    if target is not None:
        yield config, target
        return
    world = load_world(config.sandbox.world_path)
    sandbox = await _start_sandbox(world, host=config.sandbox.host, port=config.sandbox.port)
    try:
        web_login = (
            f"\nOn the web ({config.web.base_url}) log in with Discord as one of its members."
            if config.web.enabled
            else ""
        )
        typer.secho(
            f"No bot token set: running against the offline Discord sandbox.\n"
            f"Open {sandbox.url} to act as a member of '{world.guilds[0].name}'.{web_login}",
            fg=typer.colors.CYAN,
        )
        target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
        yield sandbox_login(config, sandbox, world), target
    finally:
        await sandbox.close()


SANDBOX_PROBE_SECONDS = 1.0
"""How long an operator's command waits for a running sandbox to answer."""


async def running_sandbox(config: Config) -> DiscordTarget | None:
    """With no token set, the sandbox that `gamesched run` (or `gamesched sandbox`) serves at
    ``sandbox.host``:``sandbox.port``, if it answers as the configured world's bot; so the
    operator's commands see the same offline Discord as the bot. None when nothing answers."""
    if config.sandbox.port == 0:
        return None  # any free port: nowhere to look
    try:
        world = load_world(config.sandbox.world_path)
    except WorldError:
        return None
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.sandbox.host, config.sandbox.host)
    base_url = f"http://{f'[{host}]' if ':' in host else host}:{config.sandbox.port}{PREFIX}"
    try:
        async with httpx.AsyncClient(timeout=SANDBOX_PROBE_SECONDS) as client:
            answer = await client.get(
                f"{base_url}/users/@me", headers={"Authorization": f"Bot {world.token}"}
            )
    except httpx.HTTPError:
        return None
    return DiscordTarget(base_url, world.token) if answer.status_code == 200 else None


async def operators_discord(config: Config) -> DiscordTarget | None:
    """Where the operator's commands talk to Discord: the configured one, else the running
    sandbox, else nowhere (they then work on the database alone)."""
    return configured_discord(config) or await running_sandbox(config)


def sandbox_login(config: Config, sandbox: RunningSandbox, world: World) -> Config:
    """``config`` with the web's "Login with Discord" on the sandbox's application."""
    web = config.web.model_copy(
        update={
            "oauth_authorize_url": f"{sandbox.url}{AUTHORIZE_PATH}",
            "oauth_token_url": f"{sandbox.base_url}{TOKEN_PATH}",
            "client_id": str(world.application_id),
            "client_secret": SecretStr(world.oauth2.client_secret),
        }
    )
    return config.model_copy(update={"web": web})


async def _start_sandbox(world: World, *, host: str, port: int) -> RunningSandbox:
    """The sandbox on ``host:port``; an address in use or not ours is a short error."""
    try:
        return await start_sandbox(world, host=host, port=port)
    except OSError as error:
        raise ServiceUnavailable(
            f"Could not start the sandbox on {host}:{port}: {error.strerror or error}. Stop what "
            "uses that port, or set sandbox.port (GAMESCHED_SANDBOX__PORT; 0 = any free port)."
        ) from error


def _required_discord(config: Config, service: str) -> DiscordTarget:
    """Discord from the configuration; a separate service needs a real (or sandbox) token."""
    target = configured_discord(config)
    if target is None:
        raise fail(
            f"The {service} needs a token: set GAMESCHED_DISCORD__TOKEN (or discord.token). "
            "To try gamesched offline use `gamesched run`, which starts the sandbox too.",
            ExitCode.UNAVAILABLE,
        )
    return target


def run_all(ctx: typer.Context) -> None:
    """Run gamesched in one process: bot, worker and web (web.enabled), on the sandbox when no
    token is set."""
    config = load(ctx)
    configure_logging(config)

    async def serve() -> None:
        try:
            async with (
                discord_or_sandbox(config) as (running, target),
                open_core(running, target) as core,
                serving_worker(core),
                asyncio.TaskGroup() as services,  # one failing stops the others
            ):
                services.create_task(serve_bot(core))
                services.create_task(serve_probes(core))
                if running.web.enabled:
                    typer.secho(f"Web: {running.web.base_url}", fg=typer.colors.CYAN)
                    services.create_task(serve_web(core))
        except* ServiceUnavailable as failed:  # a short error, as from the other commands
            raise failed.exceptions[0] from None

    with contextlib.suppress(KeyboardInterrupt):
        run(serve())


def _serve_alone(
    ctx: typer.Context, service: str, body: Callable[[Core], Coroutine[Any, Any, None]]
) -> None:
    """Run one service on a core with the configured Discord until stopped (Ctrl+C), with its
    /metrics and /healthz on metrics.port when one is set."""
    config = load(ctx)
    target = _required_discord(config, service)
    configure_logging(config)

    async def serve() -> None:
        try:
            async with open_core(config, target) as core, asyncio.TaskGroup() as running:
                running.create_task(body(core))
                running.create_task(serve_probes(core))
        except* ServiceUnavailable as failed:
            raise failed.exceptions[0] from None

    with contextlib.suppress(KeyboardInterrupt):
        run(serve())


def bot(ctx: typer.Context) -> None:
    """Run the bot alone (needs discord.token; point api_base_url at a sandbox to test)."""
    _serve_alone(ctx, "bot", serve_bot)


def worker(ctx: typer.Context) -> None:
    """Run a worker alone: reminders, status changes, DMs and announcement updates.

    Start as many as you like on PostgreSQL with broker.url set to Redis; each one
    claims due work atomically, so nothing is sent twice.
    """

    async def work(core: Core) -> None:
        if not core.config.broker.url:
            typer.secho(
                "broker.url is empty: this worker runs its tasks in-process. Set it to a "
                "redis:// URL to share the work between several worker processes.",
                fg=typer.colors.YELLOW,
            )
        async with serving_worker(core):
            typer.echo("Worker running; press Ctrl+C to stop.")
            await asyncio.Event().wait()

    _serve_alone(ctx, "worker", work)


def web(ctx: typer.Context) -> None:
    """Run the web service alone on web.host:web.port (needs discord.token, like the bot)."""

    async def serve(core: Core) -> None:
        typer.echo(f"Web: {core.config.web.base_url}; press Ctrl+C to stop.")
        await serve_web(core)

    _serve_alone(ctx, "web service", serve)


def sandbox(
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

    async def serve() -> None:
        running = await _start_sandbox(
            world,
            host=host or config.sandbox.host,
            port=config.sandbox.port if port is None else port,
        )
        typer.echo(f"Sandbox page:  {running.url}")
        typer.echo(f"API base URL:  {running.base_url}")
        typer.echo(f"Bot token:     {world.token} (a sandbox token, not a secret)")
        try:
            await asyncio.Event().wait()
        finally:
            await running.close()

    with contextlib.suppress(KeyboardInterrupt):
        run(serve())
