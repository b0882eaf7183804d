"""The taskiq broker: in-process by default, Redis streams (acknowledged) for scale-out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, BrokerMessage, InMemoryBroker
from taskiq.acks import AcknowledgeType
from taskiq_redis import RedisStreamBroker

from gamesched.metrics import count_error
from gamesched.outages import Outage, Unreachable

log = logging.getLogger(__name__)

REDELIVER_AFTER_SECONDS = 120
"""A task a worker read but never acknowledged (it was killed in between) goes to another
worker. Workers acknowledge on receipt, so this is rare; the database lease covers the rest."""
ACK_ON = AcknowledgeType.WHEN_RECEIVED
"""Redelivering a task still running elsewhere (a 5,000-DM round outlasts any idle timeout)
would run it twice under the same claim; the lease is what recovers a killed worker's work."""
AUTOCLAIM_LOCK_SECONDS = 5.0
"""How long one worker may hold the lock for taking over unacknowledged tasks."""
REDIS_CONNECT_TIMEOUT_SECONDS = 5.0
"""A Redis that does not answer a connection attempt (a network partition rather than a
refusal) counts as down after this long instead of holding the caller indefinitely."""
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
"""What redis-py raises when Redis cannot be reached or the connection broke."""
FROM_THE_START = "0"
"""Where a new consumer group starts reading: at the stream's first task, so a task kicked
before the group existed (before the first worker started, or after Redis came back without
its data and a kick made the stream again) is not skipped."""
QUEUE_LOST = ("NOGROUP", "UNBLOCKED")
"""How Redis answers a read of a stream or consumer group it no longer has (it restarted
without its data, or the key was deleted)."""


class TaskQueue(RedisStreamBroker):
    """taskiq-redis's stream broker, made to sit out a Redis outage quietly.

    taskiq's receiver restarts a listener that raised at once, with a traceback each time,
    so a Redis outage meant thousands of tracebacks a second. Here the listener itself waits
    for Redis with backoff and never raises for an outage, and a kick that finds Redis down
    raises :class:`~gamesched.outages.Unreachable` (the dispatcher keeps that work for later).
    Both note the outage in one :class:`~gamesched.outages.Outage`: one warning when it
    starts, one line when it ends.
    """

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS, **options)
        self.outage = Outage("task queue (Redis)", log=log)

    async def kick(self, message: BrokerMessage) -> None:
        try:
            await super().kick(message)
        except REDIS_DOWN as error:
            self._failed(error)
            raise Unreachable("task queue (Redis)", error) from error
        self.outage.recovered()

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """The tasks put on the queue, across any number of Redis outages."""
        failed = False
        while True:
            try:
                if failed:
                    # Also makes the consumer group again if Redis came back without its data.
                    await self._declare_consumer_group()
                    self.outage.recovered()
                    failed = False
                async for message in super().listen():
                    yield message
            except (*REDIS_DOWN, ResponseError) as error:
                if isinstance(error, ResponseError) and not str(error).startswith(QUEUE_LOST):
                    raise
                failed = True
                await asyncio.sleep(self._failed(error))

    def _failed(self, error: Exception) -> float:
        """Note and count a failure; how long to wait before the next attempt."""
        count_error("redis", error)
        return self.outage.failed(error)


def make_broker(url: str, *, queue_name: str = "gamesched") -> AsyncBroker:
    """An in-process broker when ``url`` is empty, else a Redis stream broker on ``url``.

    Workers acknowledge a task as soon as they receive it (see :data:`ACK_ON`): a task
    cut short by a killed worker is not redelivered as it stands but claimed and kicked anew
    once its lease runs out, under a new claim, so a slow task is never run twice at once.
    """
    if not url:
        return InMemoryBroker()
    return TaskQueue(
        url,
        queue_name=queue_name,
        consumer_group_name=queue_name,
        consumer_id=FROM_THE_START,
        idle_timeout=REDELIVER_AFTER_SECONDS * 1000,
        unacknowledged_lock_timeout=AUTOCLAIM_LOCK_SECONDS,
    )
