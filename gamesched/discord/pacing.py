"""Keeping under Discord's global request limit, in one process or shared over Redis.

Discord allows a bot 50 requests a second over all routes, whatever number of processes it
runs. One process paces itself with a sliding window in memory; bot and worker processes
of one deployment share one sliding window in Redis, so two workers sending a burst of
reminders together still stay under the limit. The window is a little longer than a second,
a margin for the time between a request leaving and Discord counting it.

While Redis is down each process paces itself alone (a burst from several processes may then
meet Discord's 429s, which the REST client waits out). Redis is tried again after a backoff
delay rather than on every request, and the outage is logged once, with its length when it
ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gamesched.metrics import count_error
from gamesched.outages import Outage

log = logging.getLogger(__name__)

GLOBAL_REQUESTS_PER_SECOND = 50
"""Discord's global limit for a bot: requests per second over all routes."""
PACE_WINDOW_SECONDS = 1.1
"""At most GLOBAL_REQUESTS_PER_SECOND request starts in any window this long."""
REDIS_CONNECT_TIMEOUT_SECONDS = 5.0
"""A Redis that does not answer a connection attempt counts as down after this long."""


class Pacer(Protocol):
    """Waits until one more request may start."""

    async def wait(self) -> None: ...


class LocalPacer:
    """A sliding window of this process's request starts."""

    def __init__(
        self,
        *,
        limit: int = GLOBAL_REQUESTS_PER_SECOND,
        window: float = PACE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sleep = sleep
        self._recent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            while len(self._recent) >= self._limit:
                wait = self._recent[0] + self._window - self._clock()
                if wait <= 0:
                    self._recent.popleft()
                    continue
                await self._sleep(wait)
            self._recent.append(self._clock())


_TAKE_A_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""
"""Atomically: drop starts older than the window; take a slot if one is free, else say how
long until the oldest start leaves the window (a string: Lua numbers come back as integers).
Redis's own clock is used, so processes on machines with skewed clocks agree."""


class RedisPacer:
    """A sliding window shared by every process of a deployment through one Redis key."""

    def __init__(
        self,
        redis_url: str,
        *,
        key: str = "gamesched:discord-global",
        limit: int = GLOBAL_REQUESTS_PER_SECOND,
        window: float = PACE_WINDOW_SECONDS,
    ) -> None:
        self._redis = Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS
        )
        self._key = key
        self._limit = limit
        self._window = window
        self._script = self._redis.register_script(_TAKE_A_SLOT)
        self._fallback = LocalPacer(limit=limit, window=window)
        self.outage = Outage(
            "shared Discord pacing (Redis)",
            log=log,
            meanwhile="pacing this process alone until it is back",
        )
        self._turn = asyncio.Lock()
        """This process's requests queue here and ask Redis one at a time: hundreds waiting
        at once (a reminder round's DMs) would otherwise exhaust the connection pool."""

    async def wait(self) -> None:
        """Take a slot in the shared window; without Redis, pace this process alone."""
        async with self._turn:
            await self._take_a_slot()

    async def _take_a_slot(self) -> None:
        member = uuid.uuid4().hex
        while True:
            if not self.outage.may_try():
                await self._fallback.wait()
                return
            try:
                answer = await self._script(
                    keys=[self._key], args=[self._window, self._limit, member]
                )
            except (RedisError, OSError) as error:
                self.outage.failed(error)
                count_error("redis", error)
                await self._fallback.wait()
                return
            self.outage.recovered()
            wait = float(answer)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def aclose(self) -> None:
        await self._redis.aclose()
