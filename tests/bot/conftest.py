"""The real gamesched bot against the sandbox, on a fresh database of each engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import disnake
import pytest

from gamesched.bot.client import BotDeps, GameschedBot
from gamesched.db.engine import Database
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from tests.conftest import FakeClock
from tests.sandbox.conftest import demo_world, discord, sandbox, sandbox_clock  # noqa: F401

COMMANDS = ("create-game", "list-games", "my-games", "config-guild", "timezone")


@dataclass
class RunningBot:
    """The bot and what it was built with."""

    bot: GameschedBot
    services: Context
    sync: AnnouncementSync
    world: World

    @property
    def guild_id(self) -> int:
        return self.world.guilds[0].id

    def channel_id(self, name: str) -> int:
        channel = self.world.find_channel(name)
        assert channel is not None, name
        return channel.id

    def user_id(self, name: str) -> int:
        user = self.world.find_user(name)
        assert user is not None, name
        return user.id


@pytest.fixture
async def gamesched_bot(
    sandbox: RunningSandbox,  # noqa: F811
    demo_world: World,  # noqa: F811
    discord: SandboxDriver,  # noqa: F811
    database: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[RunningBot]:
    """The real bot connected to the sandbox, commands synced, closed cleanly afterwards."""
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    rest = DiscordRest(base_url=sandbox.base_url, token=demo_world.token)
    services = Context(database=database, clock=clock)
    sync = AnnouncementSync(services, rest)
    bot = GameschedBot(
        BotDeps(services=services, rest=rest, sync=sync),
        test_guild_ids=[demo_world.guilds[0].id],
    )
    task = asyncio.create_task(bot.start(demo_world.token))
    await discord.commands(wait_for=COMMANDS)
    yield RunningBot(bot=bot, services=services, sync=sync, world=demo_world)
    await sync.wait_idle()
    await bot.close()
    await asyncio.wait_for(task, timeout=10)
    await rest.aclose()


def embed_fields(message: dict[str, Any]) -> dict[str, str]:
    """An announcement's embed fields by name."""
    (embed,) = message["embeds"]
    return {field["name"]: field["value"] for field in embed.get("fields", [])}
