"""The real gamesched bot on the sandbox, and what its tests do through it and read back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from gamesched.bot.client import BotDeps, GameschedBot
from gamesched.calendar.addresses import CalendarSite
from gamesched.db.tables import GameRow
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.interactions import walk_components
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.calendars import FeedKey
from gamesched.services.context import Context
from gamesched.services.games import list_games
from gamesched.services.views import GameView
from tests.support.factories import make_game
from tests.support.sandbox import administrator, channel_id_of, user_id_of
from tests.support.web import PUBLIC_URL, SECRET

COMMANDS = ("create-game", "list-games", "my-games", "config-guild", "timezone", "calendar")
CALENDARS = CalendarSite(FeedKey.of(SECRET), base_url=PUBLIC_URL)
"""Calendar addresses as a bot whose web is at :data:`PUBLIC_URL` gives them."""

GAME_FORM = {
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
        return channel_id_of(self.world, name)

    def user_id(self, name: str) -> int:
        return user_id_of(self.world, name)


@asynccontextmanager
async def running_bot(
    sandbox: RunningSandbox,
    world: World,
    discord: SandboxDriver,
    services: Context,
) -> AsyncIterator[RunningBot]:
    """Start the real bot on ``services``' database, wait until it is connected, close it after.

    Several may run one after another against the same sandbox (a restart).
    """
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    sync = AnnouncementSync(services, rest)
    bot = GameschedBot(
        BotDeps(services=services, rest=rest, sync=sync, calendars=CALENDARS),
        test_guild_ids=[world.guilds[0].id],
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


async def create_via_form(
    discord: SandboxDriver,
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
    done = await discord.submit_modal(host, GAME_FORM | fields)
    assert "Created" in done.content, done.content
    page = await list_games(running.services, guild_id=running.guild_id)
    return max(page.items, key=lambda game: game.id)


async def announcement_of(
    discord: SandboxDriver,
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


async def announce(bot: RunningBot, *, max_players: int) -> GameView:
    """Azul in #board-games at START, 90 minutes long, created by olivia and announced;
    reminders 60 and 15 minutes ahead (the defaults)."""
    game = await make_game(
        bot.services,
        title="Azul",
        guild_id=bot.guild_id,
        channel_id=bot.channel_id("board-games"),
        host=administrator(bot.world),
        max_players=max_players,
        duration_minutes=90,
    )
    return await bot.sync.publish(game.id)


async def join(discord: SandboxDriver, game: GameView, *members: str) -> None:
    """Each of ``members`` clicks Join on the game's announcement and is answered privately."""
    for member in members:
        answer = await discord.click(member, f"game:join:v1:{game.id}", message_id=game.message_id)
        assert answer.ephemeral
