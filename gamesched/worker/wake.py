"""Waking dispatchers when work is written, in this process and (over Redis) in others."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

from gamesched.metrics import count_error

log = logging.getLogger(__name__)


class WakeSignal:
    """Set by ``Context.on_due_work`` after a commit that planned work; dispatchers wait on it.

    Without a Redis URL it is a plain event of this process. With one, :meth:`notify` also
    publishes on a Redis channel and :meth:`listen` (run by worker processes) sets the event
    when another process published, so a DM owed by a click in the bot process goes out at
    once from a separate worker instead of at its next idle check.
    """

    def __init__(self, redis_url: str = "", *, channel: str = "gamesched:wake") -> None:
        self.event = asyncio.Event()
        self._channel = channel
        self._redis: Redis | None = Redis.from_url(redis_url) if redis_url else None
        self._publishing: set[asyncio.Task[object]] = set()

    def notify(self) -> None:
        """Wake this process's dispatcher and tell the others (never blocks, never raises)."""
        self.event.set()
        if self._redis is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._publish())
        except RuntimeError:
            return  # no loop (a synchronous caller): the idle check will see the rows
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish(self) -> None:
        assert self._redis is not None
        try:
            await self._redis.publish(self._channel, b"1")
        except Exception as error:  # a lost wake-up only delays work until the idle check
            log.warning("could not publish a wake-up on Redis: %s", error)
            count_error("redis", error)

    async def listen(self) -> None:
        """Set the event whenever any process publishes a wake-up, until cancelled."""
        if self._redis is None:
            await asyncio.Event().wait()
            return
        while True:
            try:
                await self._listen_once(self._redis)
            except Exception as error:
                log.warning("wake-up channel lost (%s); reconnecting", error)
                count_error("redis", error)
                self.event.set()  # something may have been missed: look now
                await asyncio.sleep(1.0)

    async def _listen_once(self, redis: Redis) -> None:
        pubsub = redis.pubsub()
        await pubsub.subscribe(self._channel)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self.event.set()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def aclose(self) -> None:
        """Finish pending publishes and close the Redis connection."""
        if self._publishing:
            await asyncio.gather(*self._publishing, return_exceptions=True)
        if self._redis is not None:
            await self._redis.aclose()
