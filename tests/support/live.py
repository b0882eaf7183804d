"""`gamesched run`'s core and worker on the sandbox with one announced game: what the CLI and
dashboard end-to-end tests change, and how they wait for Discord to show it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gamesched.app import Core, DiscordTarget, open_core, serving_worker
from gamesched.config import Config
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.games import get_game
from gamesched.services.views import GameView
from tests.support.factories import make_game
from tests.support.sandbox import administrator, channel_id_of, user_id_of

FOLLOW_WITHIN = 10.0
"""How long a test waits for Discord to show a change (the worker needs about 2 s)."""
START = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
PLAYERS = ("sam", "zoe", "alex_r")


@dataclass(frozen=True, slots=True)
class Live:
    core: Core
    discord: SandboxDriver
    world: World
    game: GameView
    """Announced in #board-games at START; sam and zoe seated, alex_r waitlisted (2 seats)."""


@asynccontextmanager
async def live_game(
    database_url: str, sandbox: RunningSandbox, world: World, discord: SandboxDriver
) -> AsyncIterator[Live]:
    """The core and worker on ``database_url``, talking to the sandbox, with the game posted."""
    config = Config.model_validate({"database": {"url": database_url}})
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    async with open_core(config, target) as core, serving_worker(core):
        game = await make_game(
            core.services,
            title="Catan night",
            guild_id=world.guilds[0].id,
            channel_id=channel_id_of(world, "board-games"),
            host=administrator(world),
            when=START,
            max_players=2,
            reminder_minutes=(),
            joiners=[user_id_of(world, name) for name in PLAYERS],
        )
        await core.sync.publish(game.id)
        yield Live(core, discord, world, await get_game(core.services, game.id))


async def message_in(live: Live, channel_id: int, message_id: int | None) -> dict[str, Any] | None:
    """The message as Discord shows it now, or None when it is not (or no longer) there."""
    messages = await live.discord.messages(channel_id)
    return next((m for m in messages if m["id"] == str(message_id)), None)


async def shows(live: Live, seen: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The game's announcement once ``seen`` holds for it; fails after FOLLOW_WITHIN s."""
    deadline = asyncio.get_running_loop().time() + FOLLOW_WITHIN
    while True:
        message = await message_in(live, live.game.channel_id, live.game.message_id)
        assert message is not None
        if seen(message):
            return message
        assert asyncio.get_running_loop().time() < deadline, json.dumps(message)[:2000]
        await asyncio.sleep(0.1)
