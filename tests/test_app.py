"""The wiring: the core a process runs on, built from the configuration in one place."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from gamesched.app import (
    DiscordTarget,
    ServiceUnavailable,
    listening_socket,
    open_core,
    serve_web,
)
from gamesched.config import Config, WebConfig
from gamesched.discord.names import UNKNOWN_USER
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.environment import REDIS_URL, free_port
from tests.support.sandbox import user_id_of

UNKNOWN_ID = 4242


def config_for(tmp_path: Path, *, broker_url: str = "", queue: str = "gamesched") -> Config:
    return Config.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/gamesched.sqlite3"},
            "broker": {"url": broker_url, "queue_name": queue},
        }
    )


def target_of(sandbox: RunningSandbox, world: World) -> DiscordTarget:
    return DiscordTarget(api_base_url=sandbox.base_url, token=world.token)


async def test_the_core_names_members_for_the_web_cli_and_tui(
    sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> None:
    """A process's core shows members by nick, else global name, and someone gone as unknown."""
    sam, olivia = user_id_of(demo_world, "sam"), user_id_of(demo_world, "olivia")
    guild_id = demo_world.guilds[0].id
    async with open_core(config_for(tmp_path), target_of(sandbox, demo_world)) as core:
        names = await core.names.resolve(guild_id, [sam, olivia, UNKNOWN_ID])
    assert names == {sam: "Sammy", olivia: "Olivia Owner", UNKNOWN_ID: UNKNOWN_USER}


@pytest.mark.redis
async def test_with_redis_the_cores_of_all_processes_share_resolved_names(
    sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> None:
    """With broker.url set, a name one process resolved is in Redis for the others."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    queue = f"gs-test-{uuid.uuid4().hex[:8]}"
    sam, guild_id = user_id_of(demo_world, "sam"), demo_world.guilds[0].id
    config = config_for(tmp_path, broker_url=REDIS_URL, queue=queue)
    async with open_core(config, target_of(sandbox, demo_world)) as core:
        await core.names.resolve(guild_id, [sam])
    redis = Redis.from_url(REDIS_URL)
    try:
        key = f"{queue}:name:{guild_id}:{sam}"
        assert await redis.get(key) == b"Sammy"
        await redis.delete(key)
    finally:
        await redis.aclose()


async def test_a_database_folder_that_does_not_exist_is_named_before_anything_starts(
    sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> None:
    """The core refuses a SQLite path in a missing folder with the folder and the key to fix."""
    config = config_for(tmp_path / "missing")
    with pytest.raises(ServiceUnavailable, match=r"missing does not exist.*database\.url"):
        async with open_core(config, target_of(sandbox, demo_world)):
            pass


async def test_the_web_serves_on_its_port_until_cancelled(
    sandbox: RunningSandbox, demo_world: World, tmp_path: Path
) -> None:
    """serve_web answers on web.host:web.port, and cancelling it closes the port."""
    port = free_port()
    config = config_for(tmp_path).model_copy(
        update={"web": WebConfig.model_validate({"port": port})}
    )
    async with open_core(config, target_of(sandbox, demo_world)) as core:
        serving = asyncio.create_task(serve_web(core))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                with contextlib.suppress(httpx.ConnectError):
                    home = await client.get("/")
                    break
                await asyncio.sleep(0.05)
            assert "Log in with Discord" in home.text
            serving.cancel()
            with pytest.raises(asyncio.CancelledError):
                await serving
            with pytest.raises(httpx.ConnectError):
                await client.get("/")


async def test_the_web_answers_each_connection_without_holding_small_writes_back() -> None:
    """Connections to the web's port have Nagle's algorithm off, so an answer written in
    pieces (headers, then body) is not held back ~40 ms for the client's acknowledgement."""
    listener = listening_socket("127.0.0.1", 0)
    nodelay = asyncio.get_running_loop().create_future()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = writer.get_extra_info("socket")
        nodelay.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=listener)
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        assert await asyncio.wait_for(nodelay, 10) != 0
        writer.close()
