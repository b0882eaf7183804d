"""The one way an announcement catches up with the database.

A coalescing, idempotent sync per game: any number of requests while a sync runs collapse
into one more pass, each pass renders the newest committed version, and the version shown
is recorded with compare-and-set, so an older render never overwrites a newer one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from gamesched.discord import render
from gamesched.discord.rest import DiscordError, DiscordNotFound, DiscordRest
from gamesched.domain.errors import NotFound
from gamesched.services.announcements import record_rendered
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.views import GameView

log = logging.getLogger(__name__)


class AnnouncementSync:
    """Brings announcements up to date, at most one pass in flight per game."""

    def __init__(self, ctx: Context, rest: DiscordRest) -> None:
        self._ctx = ctx
        self._rest = rest
        self._dirty: set[int] = set()
        self._running: dict[int, asyncio.Task[None]] = {}
        self.on_synced: Callable[[GameView], None] | None = None
        """Called after each successful pass (tests and metrics listen here)."""

    def request(self, game_id: int) -> None:
        """Ask for the game's announcement to show its newest version soon."""
        self._dirty.add(game_id)
        if game_id not in self._running:
            task = asyncio.create_task(self._drain(game_id), name=f"sync-game-{game_id}")
            self._running[game_id] = task
            task.add_done_callback(lambda _: self._running.pop(game_id, None))

    async def wait_idle(self) -> None:
        """Wait until no sync is running (shutdown, tests)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def publish(self, game_id: int) -> GameView:
        """Post (or bring up to date) the announcement now; Discord errors propagate.

        Used when creating a game, where the host must hear about a failed post.
        """
        return await self._pass(game_id)

    async def _drain(self, game_id: int) -> None:
        while game_id in self._dirty:
            self._dirty.discard(game_id)
            try:
                await self._pass(game_id)
            except NotFound:
                return
            except DiscordError as error:
                # Left behind (rendered_version < version): a later request or the worker's
                # sweep retries. The client has already retried Discord's 5xx answers.
                log.warning("announcement of game %s not updated: %s", game_id, error)
                return

    async def _pass(self, game_id: int) -> GameView:
        game = await get_game(self._ctx, game_id)
        if game.message_id is not None and game.rendered_version >= game.version:
            return game
        payload = render.announcement(game)
        message_id = game.message_id
        if message_id is not None:
            try:
                await self._rest.edit_message(game.channel_id, message_id, payload)
            except DiscordNotFound:
                message_id = None  # someone deleted the announcement: post it again
        if message_id is None:
            message = await self._rest.create_message(game.channel_id, payload)
            message_id = int(message["id"])
        await record_rendered(
            self._ctx, game_id=game.id, message_id=message_id, version=game.version
        )
        if self.on_synced is not None:
            self.on_synced(game)
        return game
