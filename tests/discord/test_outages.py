"""The shared Discord pacing and the shared caches live through a Redis outage quietly.

Redis is reached through a TCP proxy the test cuts and restores; the real server is never
touched.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from redis.asyncio import Redis

from gamesched.discord.cache import RedisCache
from gamesched.discord.pacing import RedisPacer
from tests.support.environment import REDIS_URL
from tests.support.outages import assert_quiet_outage, eventually, failed_attempts
from tests.support.tcp_proxy import proxy_to

pytestmark = pytest.mark.redis

REQUESTS_DURING_OUTAGE = 40
"""Within the local pacing limit, so none waits."""


async def test_the_shared_pacer_paces_alone_during_an_outage_and_shares_again_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Requests keep going out while Redis is down (paced by this process), with one warning
    for the whole outage and no attempt on Redis per request; once Redis is back the shared
    window is used again and the log says how long the outage lasted."""
    caplog.set_level(logging.INFO)
    key = f"gamesched-test-pacing-{uuid.uuid4().hex[:8]}"
    direct = Redis.from_url(REDIS_URL)
    async with proxy_to(REDIS_URL) as redis:
        pacer = RedisPacer(redis.url_for(REDIS_URL), key=key)
        await pacer.wait()
        await redis.cut()
        await direct.delete(key)
        for _ in range(REQUESTS_DURING_OUTAGE):
            await asyncio.wait_for(pacer.wait(), timeout=30)
        assert await direct.zcard(key) == 0  # nothing went through Redis
        await redis.restore()

        async def shared_again() -> bool:
            await pacer.wait()
            return not pacer.outage.down

        await eventually(shared_again)
        assert await direct.zcard(key) >= 1
        await pacer.aclose()
    await direct.delete(key)
    await direct.aclose()

    back = assert_quiet_outage(caplog, "shared Discord pacing (Redis)")
    assert failed_attempts(back) < REQUESTS_DURING_OUTAGE


async def test_a_shared_cache_finds_nothing_during_an_outage_and_works_again_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While Redis is down the name cache answers "not cached" (so Discord is asked) without
    raising, logs one warning, and serves and keeps names again once Redis is back."""
    caplog.set_level(logging.INFO)
    prefix = f"gamesched-test-{uuid.uuid4().hex[:8]}:name:"
    async with proxy_to(REDIS_URL) as redis:
        client = Redis.from_url(redis.url_for(REDIS_URL))
        cache = RedisCache(client, prefix=prefix)
        await cache.set_many({"1": "ali"}, ttl=60)
        await redis.cut()
        for _ in range(REQUESTS_DURING_OUTAGE):
            assert await cache.get_many(["1"]) == {}
            await cache.set_many({"2": "bo"}, ttl=60)
        await redis.restore()

        async def cached_again() -> bool:
            return await cache.get_many(["1"]) == {"1": "ali"}

        await eventually(cached_again)
        await client.delete(f"{prefix}1", f"{prefix}2")
        await client.aclose()

    back = assert_quiet_outage(caplog, f"cache {prefix!r} (Redis)")
    assert failed_attempts(back) < REQUESTS_DURING_OUTAGE
