"""The taskiq broker: in-process by default, Redis streams (acknowledged) for scale-out."""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker

REDELIVER_AFTER_SECONDS = 30.0
"""A task a worker took but never acknowledged (it was killed) goes to another worker."""


def make_broker(url: str, *, queue_name: str = "gamesched") -> AsyncBroker:
    """An in-process broker when ``url`` is empty, else a Redis stream broker on ``url``.

    The Redis broker acknowledges a task only after it ran, so a worker killed mid-task
    leaves it to be redelivered; the tasks are idempotent, so that costs nothing.
    """
    if not url:
        return InMemoryBroker()
    return RedisStreamBroker(
        url,
        queue_name=queue_name,
        consumer_group_name=queue_name,
        unacknowledged_lock_timeout=REDELIVER_AFTER_SECONDS,
    )
