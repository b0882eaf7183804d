"""Fixtures for the sandbox's own tests: a raw HTTP client and a bare bot on the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.sandbox import RawGateway, connect_gateway


@pytest.fixture
async def http(sandbox: RunningSandbox, demo_world: World) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client authenticated as the bot (to test the REST API directly)."""
    headers = {"Authorization": f"Bot {demo_world.token}"}
    async with aiohttp.ClientSession(sandbox.base_url + "/", headers=headers) as session:
        yield session


@pytest.fixture
async def raw_bot(
    sandbox: RunningSandbox, demo_world: World, http: aiohttp.ClientSession
) -> AsyncIterator[RawGateway]:
    """A connected, identified bare gateway client with the guild's slash commands synced."""
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(2, {"token": demo_world.token, "intents": 3})
        await gateway.next_dispatch("GUILD_CREATE")
        guild_id = demo_world.guilds[0].id
        response = await http.put(
            f"applications/{demo_world.application_id}/guilds/{guild_id}/commands",
            json=TEST_COMMANDS,
        )
        assert response.status == 200, await response.text()
        yield gateway
        await gateway.socket.close()


TEST_COMMANDS: list[dict[str, Any]] = [
    {
        "name": "create",
        "description": "Create a game",
        "type": 1,
        "options": [
            {"name": "title", "description": "Title", "type": 3, "required": True},
            {"name": "host", "description": "Host", "type": 6},
            {
                "name": "size",
                "description": "Seats",
                "type": 4,
                "choices": [{"name": "four", "value": 4}, {"name": "six", "value": 6}],
            },
            {"name": "game", "description": "Game", "type": 3, "autocomplete": True},
            {"name": "public", "description": "Public", "type": 5},
        ],
    },
    {
        "name": "config",
        "description": "Settings",
        "type": 1,
        "options": [
            {
                "name": "channel",
                "description": "Channel settings",
                "type": 1,
                "options": [
                    {"name": "target", "description": "Channel", "type": 7, "required": True}
                ],
            }
        ],
    },
]
"""Commands the bare bot syncs."""
