"""Entry points: build the sandbox app, start it on a port, or serve it until stopped.

``create_sandbox_app(world)`` gives an aiohttp application with the REST API under
``/api/v10``, the gateway at ``/gateway``, the control API under ``/_sandbox``, the page at
``/`` and "Login with Discord" (``/oauth2/authorize``, ``/api/v10/oauth2/token``). Point
disnake at it by setting ``disnake.http.Route.BASE`` to ``RunningSandbox.base_url`` before
``start()`` (and do not call ``_workaround_set_api_version`` afterwards).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from gamesched.sandbox import control, oauth2_web, rest
from gamesched.sandbox.context import SANDBOX, Sandbox
from gamesched.sandbox.state import Clock, SandboxState
from gamesched.sandbox.world import World, load_world

__all__ = [
    "DEMO_WORLD",
    "RunningSandbox",
    "create_sandbox_app",
    "load_world",
    "run_sandbox",
    "serve",
    "start_sandbox",
]

PAGE_DIR = Path(__file__).parent / "page"
DEMO_WORLD = Path(__file__).parent / "worlds" / "demo.toml"
"""The world shipped with gamesched."""


def create_sandbox_app(world: World, *, clock: Clock | None = None) -> web.Application:
    """The sandbox as an aiohttp application (one state per application)."""
    sandbox = Sandbox.create(SandboxState(world, clock=clock))
    app = web.Application(middlewares=[rest.discord_middleware, control.control_errors])
    app[SANDBOX] = sandbox
    rest.add_routes(app)
    control.add_routes(app)
    oauth2_web.add_routes(app)
    app.router.add_get("/gateway", sandbox.gateway.handle)
    app.router.add_get("/", _page)
    app.router.add_static("/page/", PAGE_DIR)
    app.on_shutdown.append(_close_gateway)
    return app


@dataclass(frozen=True, slots=True)
class RunningSandbox:
    """A sandbox listening on a port."""

    runner: web.AppRunner
    """The aiohttp runner (closed by :meth:`close`)."""
    host: str
    """Listening address."""
    port: int
    """Listening port."""
    sandbox: Sandbox
    """State, interactions, gateway, faults."""

    @property
    def url(self) -> str:
        """The page, and the root of the control API."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to set ``disnake.http.Route.BASE`` to."""
        return f"{self.url}{rest.PREFIX}"

    @property
    def state(self) -> SandboxState:
        """Messages, commands, request log, violations."""
        return self.sandbox.state

    async def close(self) -> None:
        """Stop listening and close every connection."""
        await self.runner.cleanup()


async def start_sandbox(
    world: World, *, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None
) -> RunningSandbox:
    """Start serving ``world``; ``port=0`` picks a free port."""
    app = create_sandbox_app(world, clock=clock)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    return RunningSandbox(runner=runner, host=host, port=int(bound), sandbox=app[SANDBOX])


async def serve(world: World, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve until cancelled."""
    running = await start_sandbox(world, host=host, port=port)
    try:
        await asyncio.Event().wait()
    finally:
        await running.close()


def run_sandbox(
    world_path: str | Path = DEMO_WORLD, *, host: str = "127.0.0.1", port: int = 8765
) -> None:
    """Blocking: load a world file and serve it until interrupted."""
    world = load_world(world_path)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(world, host=host, port=port))


async def _page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PAGE_DIR / "index.html")


async def _close_gateway(app: web.Application) -> None:
    await app[SANDBOX].gateway.close()
