"""Waking dispatchers when work is written, in this process and (over Redis) in others."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gamesched.metrics import count_error
from gamesched.outages import Outage
from gamesched.worker.broker import REDIS_CONNECT_TIMEOUT_SECONDS

log = logging.getLogger(__name__)


class WakeSignal:
    """Set by ``Context.on_due_work`` after a commit that planned work; dispatchers wait on it.

    Without a Redis URL it is a plain event of this process. With one, :meth:`notify` also
    publishes on a Redis channel and :meth:`listen` (run by worker processes) sets the event
    when another process published, so a DM owed by a click in the bot process goes out at
    once from a separate worker instead of at its next idle check.

    While Redis is down nothing is lost: dispatchers still look at their idle check. The
    outage is logged once (publishing and listening share one :class:`Outage`) and the
    listener reconnects with backoff.
    """

    def __init__(self, redis_url: str = "", *, channel: str = "gamesched:wake") -> None:
        self.event = asyncio.Event()
        self._channel = channel
        self._redis: Redis | None = None
        if redis_url:
            self._redis = Redis.from_url(
                redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS
            )
        self._publishing: set[asyncio.Task[object]] = set()
        self.outage = Outage("wake-up channel (Redis)", log=log)

    def notify(self) -> None:
        """Wake this process's dispatcher and tell the others (never blocks, never raises)."""
        self.event.set()
        if self._redis is None or not self.outage.may_try():
            return  # while Redis is down, only after a backoff delay
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
            self.outage.failed(error)
            count_error("redis", error)
            return
        self.outage.recovered()

    async def listen(self) -> None:
        """Set the event whenever any process publishes a wake-up, until cancelled."""
        if self._redis is None:
            await asyncio.Event().wait()
            return
        while True:
            try:
                await self._listen_once(self._redis)
            except Exception as error:
                if not isinstance(error, RedisError | OSError):  # not an outage: a bug
                    log.exception("wake-up listener failed; listening again")
                count_error("redis", error)
                self.event.set()  # something may have been missed: look now
                await asyncio.sleep(self.outage.failed(error))

    async def _listen_once(self, redis: Redis) -> None:
        pubsub = redis.pubsub()
        await pubsub.subscribe(self._channel)
        self.outage.recovered()
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
