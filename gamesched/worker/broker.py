"""The taskiq broker: in-process by default, Redis streams (acknowledged) for scale-out."""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker
from taskiq.acks import AcknowledgeType
from taskiq_redis import RedisStreamBroker

REDELIVER_AFTER_SECONDS = 120
"""A task a worker read but never acknowledged (it was killed in between) goes to another
worker. Workers acknowledge on receipt, so this is rare; the database lease covers the rest."""
ACK_ON = AcknowledgeType.WHEN_RECEIVED
"""Redelivering a task still running elsewhere (a 5,000-DM round outlasts any idle timeout)
would run it twice under the same claim; the lease is what recovers a killed worker's work."""
AUTOCLAIM_LOCK_SECONDS = 5.0
"""How long one worker may hold the lock for taking over unacknowledged tasks."""


def make_broker(url: str, *, queue_name: str = "gamesched") -> AsyncBroker:
    """An in-process broker when ``url`` is empty, else a Redis stream broker on ``url``.

    Workers acknowledge a task as soon as they receive it (see :data:`ACK_ON`): a task
    cut short by a killed worker is not redelivered as it stands but claimed and kicked anew
    once its lease runs out, under a new claim, so a slow task is never run twice at once.
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
