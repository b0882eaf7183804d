"""The one way an announcement catches up with the database.

A coalescing, idempotent sync per game: any number of requests while a sync runs collapse
into one more pass, each pass renders the newest committed version, and the version shown
is recorded with compare-and-set, so an older render never overwrites a newer one. When the
compare-and-set finds that another process recorded a newer render while this one was in
flight, this edit may have landed last, so one more pass shows the newest version again.

Requests from the worker's sweep (:meth:`AnnouncementSync.sweep`) back off per game after a
failure, so a channel the bot cannot post in is not hammered every few seconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from gamesched.discord import render
from gamesched.discord.rest import DiscordError, DiscordForbidden, DiscordNotFound, DiscordRest
from gamesched.domain.errors import NotFound
from gamesched.domain.permissions import Actor
from gamesched.outages import Unreachable
from gamesched.services.announcements import discard_unannounced, record_rendered
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.series import CreatedSeries, cancel_series
from gamesched.services.views import GameView

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 5.0
"""After a failed sync the sweep leaves the game alone this long, doubling per failure..."""
MAX_BACKOFF_SECONDS = 300.0
"""...up to this."""


class AnnouncementSync:
    """Brings announcements up to date, at most one pass in flight per game."""

    def __init__(self, ctx: Context, rest: DiscordRest) -> None:
        self._ctx = ctx
        self._rest = rest
        self._dirty: set[int] = set()
        self._forced: set[int] = set()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._backoff: dict[int, tuple[float, float]] = {}
        """game id -> (seconds waited last, monotonic time before which the sweep skips it)"""
        self.on_synced: Callable[[GameView], None] | None = None
        """Called after each successful pass (tests and metrics listen here)."""

    def request(self, game_id: int) -> None:
        """Ask for the game's announcement to show its newest version soon."""
        self._dirty.add(game_id)
        if game_id not in self._running:
            task = asyncio.create_task(self._drain(game_id), name=f"sync-game-{game_id}")
            self._running[game_id] = task
            task.add_done_callback(lambda done: self._finished(game_id, done))

    def sweep(self, game_id: int) -> None:
        """Like :meth:`request`, unless the game's last sync failed and its backoff runs."""
        backoff = self._backoff.get(game_id)
        if backoff is None or time.monotonic() >= backoff[1]:
            self.request(game_id)

    async def wait_idle(self) -> None:
        """Wait until no sync is running (shutdown, tests)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def publish(self, game_id: int) -> GameView:
        """Post (or bring up to date) the announcement now; Discord errors propagate.

        Used when creating a game, where the host must hear about a failed post.
        """
        game = await self._pass(game_id)
        if game_id in self._dirty:
            self.request(game_id)  # raced with another process: show the newest once more
        return game

    async def announce_new(self, game_id: int) -> GameView:
        """Post a new game's announcement; if Discord refuses it, remove the game again and
        raise Discord's error.

        Creating a game is complete only once Discord shows it, so an unannounced game must
        not linger half-created. If a worker announced it meanwhile, the game stands.
        """
        try:
            return await self.publish(game_id)
        except DiscordError:
            if await discard_unannounced(self._ctx, game_id=game_id):
                raise
            return await get_game(self._ctx, game_id)

    async def announce_series(self, created: CreatedSeries, *, actor: Actor) -> GameView:
        """Post the announcements of a new series' games and return the first; if Discord
        refuses one, cancel the series (a series whose games cannot be shown must not go on
        making them) and raise Discord's error."""
        try:
            first, *_ = [await self.announce_new(game.id) for game in created.games]
        except DiscordError:
            await cancel_series(self._ctx, actor=actor, series_id=created.series.id)
            raise
        return first

    async def _drain(self, game_id: int) -> None:
        """Pass until no request is left; the game stops counting as running in the same step
        as the last look at the requests, so a request made after it starts a new pass (a
        done-callback would run later, and a request in between would be lost)."""
        try:
            while game_id in self._dirty:
                self._dirty.discard(game_id)
                force = game_id in self._forced
                self._forced.discard(game_id)
                try:
                    await self._pass(game_id, force=force)
                except NotFound:
                    return
                except (DiscordError, Unreachable) as error:
                    # Left behind (rendered_version < version): the worker's sweep retries after
                    # a backoff. The client has already retried Discord's 5xx answers; an
                    # unreachable database is logged once per outage by the engine, not per game.
                    waited = self._backoff.get(game_id, (0.0, 0.0))[0]
                    wait = min(max(waited * 2, FIRST_BACKOFF_SECONDS), MAX_BACKOFF_SECONDS)
                    self._backoff[game_id] = (wait, time.monotonic() + wait)
                    log.log(
                        logging.DEBUG if isinstance(error, Unreachable) else logging.WARNING,
                        "announcement of game %s not updated (retry in %.0fs): %s",
                        game_id,
                        wait,
                        error,
                    )
                    return
                self._backoff.pop(game_id, None)
        finally:
            self._finished(game_id, asyncio.current_task())

    def _finished(self, game_id: int, task: asyncio.Task[Any] | None) -> None:
        """Forget ``task`` as the game's pass (also when it was cancelled before it began),
        unless a newer pass already took its place."""
        if self._running.get(game_id) is task:
            del self._running[game_id]

    async def _pass(self, game_id: int, *, force: bool = False) -> GameView:
        game = await get_game(self._ctx, game_id)
        if not force and game.message_id is not None and game.rendered_version >= game.version:
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
        recorded = await record_rendered(
            self._ctx, game_id=game.id, message_id=message_id, version=game.version
        )
        if not recorded and not force:
            self._forced.add(game_id)
            self._dirty.add(game_id)
        shown = dataclasses.replace(game, message_id=message_id, rendered_version=game.version)
        if self.on_synced is not None:
            self.on_synced(shown)
        return shown


def why_not_announced(error: DiscordError) -> str:
    """Why Discord refused an announcement, for an operator (the web and the bot say it in
    their users' words)."""
    if isinstance(error, DiscordForbidden):
        return (
            "gamesched may not post in that channel (it needs View Channel, Send Messages and "
            "Embed Links there)"
        )
    if isinstance(error, DiscordNotFound):
        return "that channel does not exist or gamesched cannot see it"
    return f"Discord could not be reached ({error.message})"
