"""Short-lived caches for what Discord said: in this process, or shared through Redis."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gamesched.metrics import count_error
from gamesched.outages import Outage

log = logging.getLogger(__name__)


class ExpiringCache(Protocol):
    """Text kept for a while between requests (names, Discord's rights facts)."""

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached values among ``keys`` (absent keys are simply missing)."""
        ...

    async def set_many(self, items: Mapping[str, str], ttl: float) -> None:
        """Remember ``items`` for ``ttl`` seconds."""
        ...


class MemoryCache:
    """An in-process cache with expiry; expired entries are dropped as new ones arrive."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, str]] = {}

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        now = self._clock()
        found = {key: self._entries.get(key) for key in keys}
        return {key: entry[1] for key, entry in found.items() if entry and entry[0] > now}

    async def set_many(self, items: Mapping[str, str], ttl: float) -> None:
        now = self._clock()
        self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
        self._entries.update((key, (now + ttl, value)) for key, value in items.items())


class RedisCache:
    """Entries shared by every process through Redis: one MGET per lookup, SET with EX each.

    While Redis is down it finds nothing and keeps nothing (callers ask Discord instead),
    tries Redis again only after a backoff delay, and logs the outage once; each failure is
    counted (``gamesched_errors_total``).
    """

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self.outage = Outage(
            f"cache {prefix!r} (Redis)", log=log, meanwhile="asking Discord until it is back"
        )

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys or not self.outage.may_try():
            return {}
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except (RedisError, OSError) as error:
            self._failed(error)
            return {}
        self.outage.recovered()
        return {
            key: value.decode() if isinstance(value, bytes) else value
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def set_many(self, items: Mapping[str, str], ttl: float) -> None:
        if not self.outage.may_try():
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value in items.items():
                    pipe.set(self._prefix + key, value, ex=math.ceil(ttl))
                await pipe.execute()
        except (RedisError, OSError) as error:
            self._failed(error)
            return
        self.outage.recovered()

    def _failed(self, error: Exception) -> None:
        self.outage.failed(error)
        count_error("redis", error)
