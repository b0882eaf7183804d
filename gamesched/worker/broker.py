"""The taskiq broker: in-process by default, Redis streams (acknowledged) for scale-out."""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker

REDELIVER_AFTER_SECONDS = 120
"""A task a worker took but never acknowledged (it was killed) goes to another worker. The
database lease usually gets there first: the dispatcher re-claims the row and kicks it anew."""
AUTOCLAIM_LOCK_SECONDS = 5.0
"""How long one worker may hold the lock for taking over unacknowledged tasks."""


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
        idle_timeout=REDELIVER_AFTER_SECONDS * 1000,
        unacknowledged_lock_timeout=AUTOCLAIM_LOCK_SECONDS,
    )
