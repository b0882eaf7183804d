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
from gamesched.discord.limits import (
    EVENT_ACTIVE,
    EVENT_CANCELED,
    EVENT_COMPLETED,
    EVENT_SCHEDULED,
    MAX_OPEN_SCHEDULED_EVENTS_CODE,
    UNKNOWN_SCHEDULED_EVENT_CODE,
)
from gamesched.discord.place_names import UNKNOWN_CHANNEL, place_names
from gamesched.discord.rest import (
    MISSING_PERMISSIONS,
    DiscordError,
    DiscordForbidden,
    DiscordNotFound,
    DiscordRest,
)
from gamesched.discord.rights import GuildRights
from gamesched.domain.errors import NotFound
from gamesched.domain.permissions import Actor
from gamesched.domain.status import GameStatus
from gamesched.outages import Unreachable
from gamesched.services import event_mirror
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
EVENT_PROBLEMS = {
    MAX_OPEN_SCHEDULED_EVENTS_CODE: event_mirror.EventProblem.EVENTS_FULL,
    MISSING_PERMISSIONS: event_mirror.EventProblem.NO_PERMISSION,
}
"""Discord's refusals of an event that waiting will not cure: the host is told, once."""


class AnnouncementSync:
    """Brings announcements up to date, at most one pass in flight per game."""

    def __init__(
        self, ctx: Context, rest: DiscordRest, *, rights: GuildRights | None = None
    ) -> None:
        """``rights`` names the channels events are held in (its cached guild facts); by
        default a cache of this instance's own."""
        self._ctx = ctx
        self._rest = rest
        self._rights = rights or GuildRights(rest)
        self._dirty: set[int] = set()
        self._forced: set[int] = set()
        self._forced_events: set[int] = set()
        """Games whose event is brought up to date on their next pass even if it looks it."""
        self._event_backoff: dict[int, float] = {}
        """game id -> seconds waited before the last retry of its event"""
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
        if force or game.message_id is None or game.rendered_version < game.version:
            game = await self._announce(game, force=force)
        await self._mirror(game)
        return game

    async def _announce(self, game: GameView, *, force: bool) -> GameView:
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
            self._forced.add(game.id)
            self._dirty.add(game.id)
        shown = dataclasses.replace(game, message_id=message_id, rendered_version=game.version)
        if self.on_synced is not None:
            self.on_synced(shown)
        return shown

    # ----- the scheduled event mirroring the game ---------------------------------------

    async def _mirror(self, game: GameView) -> None:
        """Bring the game's scheduled event to the game's version, once its announcement is
        shown. A failure never blocks the announcement: Discord's refusals for a full server
        or a missing permission are told to the host once; anything else is tried again
        after a backoff (in this process; else at the game's next change)."""
        forced = game.id in self._forced_events
        self._forced_events.discard(game.id)
        if game.event_version >= game.version and not forced:
            return
        if game.event_id is None and not game.settings.mirror_events.value:
            return  # the common case, without a query: mirroring is off and no event is left
        try:
            if game.event_id is None:
                await self._create_event(game)
            else:
                await self._update_event(game, game.event_id)
        except DiscordError as error:
            problem = EVENT_PROBLEMS.get(error.code)
            if problem is None:
                self._retry_event(game.id, error)
            elif await event_mirror.report_problem(self._ctx, game_id=game.id, problem=problem):
                log.info("game %s is not mirrored as an event: %s", game.id, error)
        except Unreachable as error:
            self._retry_event(game.id, error)
        else:
            self._event_backoff.pop(game.id, None)
            if game.status.is_final and game.series_id is not None:
                # the series' next occurrence takes over the event
                following = await event_mirror.next_occurrence(self._ctx, series_id=game.series_id)
                if following is not None:
                    self.request(following)

    async def _create_event(self, game: GameView) -> None:
        if game.status is not GameStatus.SCHEDULED or game.start_at <= self._ctx.now():
            return  # Discord refuses an event that starts in the past
        if not await event_mirror.wanted(self._ctx, game):
            return
        body = render.scheduled_event(
            game, location=await self._location(game), now=self._ctx.now()
        )
        event = await self._rest.create_scheduled_event(game.guild_id, body)
        event_id = int(event["id"])
        if not await event_mirror.record_event(
            self._ctx, game_id=game.id, was=None, event_id=event_id, version=game.version
        ):
            # Another process mirrored the game meanwhile (or settled a newer version): keep
            # one event, and look again.
            await self._rest.delete_scheduled_event(game.guild_id, event_id)
            self._dirty.add(game.id)

    async def _update_event(self, game: GameView, event_id: int) -> None:
        try:
            if game.status in event_mirror.LIVE:
                if not await event_mirror.wanted(self._ctx, game):
                    await self._rest.delete_scheduled_event(game.guild_id, event_id)
                    await event_mirror.forget_event(self._ctx, game_id=game.id, event_id=event_id)
                    return
                await self._edit_event(game, event_id)
            else:
                await self._end_event(game, event_id)
        except DiscordNotFound as error:
            if error.code != UNKNOWN_SCHEDULED_EVENT_CODE:
                raise
            # Deleted in Discord: a game still on gets a new event, an ended one none.
            await event_mirror.forget_event(self._ctx, game_id=game.id, event_id=event_id)
            if game.status in event_mirror.LIVE:
                await self._create_event(dataclasses.replace(game, event_id=None, event_version=0))
            return
        if not await event_mirror.record_event(
            self._ctx, game_id=game.id, was=event_id, event_id=event_id, version=game.version
        ):
            self._forced_events.add(game.id)  # an older change may have landed last
            self._dirty.add(game.id)

    async def _edit_event(self, game: GameView, event_id: int) -> None:
        body = render.scheduled_event(
            game, location=await self._location(game), now=self._ctx.now()
        )
        if game.status is GameStatus.IN_PROGRESS:
            body["status"] = EVENT_ACTIVE
            body.pop("scheduled_start_time", None)
        await self._rest.edit_scheduled_event(game.guild_id, event_id, body)

    async def _end_event(self, game: GameView, event_id: int) -> None:
        """Complete the event of a completed game (starting it first if it never started),
        cancel the event of a cancelled one (deleting it if it has started: Discord cancels
        only events that have not); an event that ended already is left as it is."""
        event = await self._rest.get_scheduled_event(game.guild_id, event_id)
        status = event.get("status")
        if game.status is GameStatus.CANCELLED:
            if status == EVENT_SCHEDULED:
                await self._set_event_status(game, event_id, EVENT_CANCELED)
            elif status == EVENT_ACTIVE:
                await self._rest.delete_scheduled_event(game.guild_id, event_id)
            return
        if status == EVENT_SCHEDULED:
            await self._set_event_status(game, event_id, EVENT_ACTIVE)
        if status in (EVENT_SCHEDULED, EVENT_ACTIVE):
            await self._set_event_status(game, event_id, EVENT_COMPLETED)

    async def _set_event_status(self, game: GameView, event_id: int, status: int) -> None:
        await self._rest.edit_scheduled_event(game.guild_id, event_id, {"status": status})

    async def _location(self, game: GameView) -> str:
        """Where the event is held: the channel's name (from the cached guild facts), else
        the announcement's link."""
        names = await place_names(self._rights, [(game.guild_id, game.channel_id)])
        name = names.channel(game.channel_id)
        if name and name != UNKNOWN_CHANNEL:
            return f"#{name}"
        return render.announcement_link(game) or f"channel {game.channel_id}"

    def _retry_event(self, game_id: int, error: Exception) -> None:
        waited = self._event_backoff.get(game_id, 0.0)
        wait = min(max(waited * 2, FIRST_BACKOFF_SECONDS), MAX_BACKOFF_SECONDS)
        self._event_backoff[game_id] = wait
        log.log(
            logging.DEBUG if isinstance(error, Unreachable) else logging.WARNING,
            "scheduled event of game %s not updated (retry in %.0fs): %s",
            game_id,
            wait,
            error,
        )
        self._forced_events.add(game_id)
        asyncio.get_running_loop().call_later(wait, self.request, game_id)


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
