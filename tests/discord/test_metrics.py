"""What the REST client, the shared pacing and the shared cache count: 429s, retries and Redis
errors."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from gamesched.discord.cache import RedisCache
from gamesched.discord.pacing import RedisPacer
from gamesched.discord.rest import DiscordRest, DiscordUnavailable
from tests.support.environment import free_port
from tests.support.fake_discord import FakeDiscord, FakeTime, Reply, closed_port_url, make_rest
from tests.support.metrics import counted

MESSAGES = "/channels/2000/messages"
RATE_LIMITED = "gamesched_discord_rate_limited_total"
RETRIES = "gamesched_discord_retries_total"
REDIS_DOWN = {"component": "redis", "kind": "ConnectionError"}


def unreachable_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


async def test_a_429_is_counted_once_for_the_rest_client(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Each 429 Discord answers the REST client counts once, and is not a retry."""
    too_many = {"message": "You are being rate limited.", "retry_after": 1.0, "global": False}
    fake_discord.on("POST", MESSAGES, Reply(429, too_many), Reply(body={"id": "1"}))
    limited, retried = counted(RATE_LIMITED, client="rest"), counted(RETRIES, reason="server_error")

    await rest.create_message(2000, {"content": "x"})

    assert counted(RATE_LIMITED, client="rest") - limited == 1
    assert counted(RETRIES, reason="server_error") == retried


async def test_retries_are_counted_by_reason(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """Retries after 5xx answers count as server_error, after refused connections as
    unreachable, one per retry."""
    fake_discord.on("POST", MESSAGES, Reply(500, {}), Reply(502, {}), Reply(body={"id": "3"}))
    server_errors = counted(RETRIES, reason="server_error")
    await rest.create_message(2000, {"content": "x"})
    assert counted(RETRIES, reason="server_error") - server_errors == 2

    nowhere = make_rest(closed_port_url(), fake_time, max_retries=2)
    unreachable = counted(RETRIES, reason="unreachable")
    with pytest.raises(DiscordUnavailable):
        await nowhere.get_channel(2000)
    await nowhere.aclose()
    assert counted(RETRIES, reason="unreachable") - unreachable == 2


async def test_shared_pacing_without_redis_counts_a_redis_error() -> None:
    """Pacing falls back to this process when Redis is unreachable, and the failure counts."""
    pacer = RedisPacer(unreachable_redis())
    before = counted("gamesched_errors_total", **REDIS_DOWN)
    try:
        await pacer.wait()
    finally:
        await pacer.aclose()
    assert counted("gamesched_errors_total", **REDIS_DOWN) - before == 1


async def test_a_shared_cache_without_redis_counts_a_failed_attempt() -> None:
    """The shared name cache answers "not cached" when Redis is unreachable (its callers ask
    Discord instead), raises nothing, and counts the failed attempt."""
    redis = Redis.from_url(unreachable_redis())
    cache = RedisCache(redis, prefix="test:")
    before = counted("gamesched_errors_total", **REDIS_DOWN)
    try:
        assert await cache.get_many(["a"]) == {}
    finally:
        await redis.aclose()
    assert counted("gamesched_errors_total", **REDIS_DOWN) - before == 1
