"""The web service served for real, as ``gamesched web`` serves it, for a browser to open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from cli.serve import sandbox_login
from gamesched.app import Core, serve_web
from gamesched.config import Config
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.web import SECRET


def live_web_config(database_url: str, port: int, sandbox: RunningSandbox, world: World) -> Config:
    """The web on 127.0.0.1:``port`` (its public URL too), logging in against ``sandbox`` as
    ``gamesched run`` sets it up."""
    config = Config.model_validate(
        {
            "database": {"url": database_url},
            "web": {
                "host": "127.0.0.1",
                "port": port,
                "public_url": f"http://127.0.0.1:{port}",
                "session_secret": SECRET,
            },
        }
    )
    return sandbox_login(config, sandbox, world)


@contextlib.asynccontextmanager
async def serving_web(core: Core) -> AsyncIterator[str]:
    """``serve_web(core)`` while the block runs; its URL, once the start page answers."""
    url = core.config.web.base_url
    serving = asyncio.create_task(serve_web(core))
    try:
        # Retries cover a first connection made before the server's task has run.
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=3)) as probe:
            (await probe.get(url)).raise_for_status()
        yield url
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
