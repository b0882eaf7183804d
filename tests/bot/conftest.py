"""The real gamesched bot against the sandbox, on a fresh database of each engine."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import disnake
import pytest
from sqlalchemy import update

from gamesched.bot.client import BotDeps, GameschedBot
from gamesched.db.engine import Database
from gamesched.db.tables import GameRow
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.interactions import walk_components
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import Guild, Member, User, World
from gamesched.services.context import Context
from gamesched.services.games import list_games
from gamesched.services.views import GameView
from tests.conftest import FakeClock
from tests.sandbox.conftest import demo_world, discord, sandbox, sandbox_clock  # noqa: F401

COMMANDS = ("create-game", "list-games", "my-games", "config-guild", "timezone")

FORM = {
    "title": "Catan night",
    "when": "2026-12-05 19:00",
    "description": "Bring snacks",
    "max_players": "4",
    "participants": "",
}
"""A valid game form (the fixtures' clock reads it as four days ahead)."""


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


@asynccontextmanager
async def running_bot(
    sandbox: RunningSandbox,  # noqa: F811
    world: World,
    discord: SandboxDriver,  # noqa: F811
    services: Context,
) -> AsyncIterator[RunningBot]:
    """Start the real bot on ``services``' database, wait until it is connected, close it after.

    Several may run one after another against the same sandbox (a restart).
    """
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    sync = AnnouncementSync(services, rest)
    bot = GameschedBot(
        BotDeps(services=services, rest=rest, sync=sync), test_guild_ids=[world.guilds[0].id]
    )
    identified = (await discord.gateway())["identifies"]
    task = asyncio.create_task(bot.start(world.token))
    await discord.gateway(connected=True, identifies=identified + 1, within=30)
    await discord.commands(wait_for=COMMANDS, within=30)
    try:
        yield RunningBot(bot=bot, services=services, sync=sync, world=world)
    finally:
        await sync.wait_idle()
        await bot.close()
        await asyncio.wait_for(task, timeout=10)
        await rest.aclose()


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
    services = Context(database=database, clock=clock)
    async with running_bot(sandbox, demo_world, discord, services) as running:
        yield running


def crowded_world(world: World, *, extra_members: int, response_seconds: float) -> World:
    """``world`` with ``extra_members`` plain members ``player001``... added to its guild.

    ``response_seconds`` replaces Discord's 3-second answer rule: the bot, the sandbox and
    every simulated user share one process, so a burst is slower here than in production.
    """
    (guild,) = world.guilds
    first_id = 1_200_000_000_000_000_000
    users = tuple(
        User(id=first_id + n, username=f"player{n:03}", global_name=f"Player {n}")
        for n in range(1, extra_members + 1)
    )
    member_role = next(role.id for role in guild.roles if role.name == "Member")
    members = tuple(Member(user_id=user.id, role_ids=(member_role,)) for user in users)
    crowded: Guild = dataclasses.replace(guild, members=guild.members + members)
    limits = dataclasses.replace(world.limits, interaction_response_seconds=response_seconds)
    return dataclasses.replace(world, users=world.users + users, guilds=(crowded,), limits=limits)


async def create_via_form(
    discord: SandboxDriver,  # noqa: F811
    running: RunningBot,
    *,
    host: str = "olivia",
    channel: str = "board-games",
    options: Mapping[str, Any] | None = None,
    **fields: str,
) -> GameView:
    """Create a game as ``host`` through /create-game and its form; the newest game."""
    opened = await discord.slash(host, "create-game", channel=channel, options=options)
    assert opened.modal is not None, opened.content
    done = await discord.submit_modal(host, FORM | fields)
    assert "Created" in done.content, done.content
    page = await list_games(running.services, guild_id=running.guild_id)
    return max(page.items, key=lambda game: game.id)


async def announcement_of(
    discord: SandboxDriver,  # noqa: F811
    running: RunningBot,
    game: GameView,
) -> dict[str, Any]:
    """The game's announcement once every requested sync has finished."""
    await running.sync.wait_idle()
    for message in await discord.messages(game.channel_id):
        if int(message["id"]) == game.message_id:
            return message
    raise AssertionError(f"no announcement {game.message_id} in channel {game.channel_id}")


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message, in order."""
    return [c for c in walk_components(message.get("components") or []) if c.get("type") == 2]


def embed_fields(message: Mapping[str, Any]) -> dict[str, str]:
    """An announcement's embed fields by name."""
    (embed,) = message["embeds"]
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


async def set_status(services: Context, game_id: int, status: GameStatus) -> None:
    """Move a game to ``status`` in the database, as the worker's status change will.

    No service makes this change yet, so the tests write the row directly (and bump the
    version, as every change does).
    """
    async with services.transaction() as session:
        await session.execute(
            update(GameRow)
            .where(GameRow.id == game_id)
            .values(status=status.value, version=GameRow.version + 1)
        )
