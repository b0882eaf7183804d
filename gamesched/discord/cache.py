"""Short-lived caches for what Discord said: in this process, or shared through Redis."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Protocol

from redis.asyncio import Redis

from gamesched.metrics import count_error


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

    A Redis failure is counted (``gamesched_errors_total``) and raised: the callers carry on
    without the cache.
    """

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        with _counting_failures():
            values = await self._redis.mget([self._prefix + key for key in keys])
        return {
            key: value.decode() if isinstance(value, bytes) else value
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def set_many(self, items: Mapping[str, str], ttl: float) -> None:
        with _counting_failures():
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value in items.items():
                    pipe.set(self._prefix + key, value, ex=math.ceil(ttl))
                await pipe.execute()


@contextmanager
def _counting_failures() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        count_error("redis", error)
        raise
