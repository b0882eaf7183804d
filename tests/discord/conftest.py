"""Fixtures for the REST client tests: a fake Discord, the client's clock, the client, and a
real Redis for the shared caches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gamesched.discord.rest import DiscordRest
from tests.support.environment import REDIS_URL
from tests.support.fake_discord import FakeDiscord, FakeTime, make_rest, running_fake_discord


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on a free local port."""
    async with running_fake_discord() as fake:
        yield fake


@pytest.fixture
def fake_time() -> FakeTime:
    """The client's clock and sleep."""
    return FakeTime()


@pytest.fixture
async def rest(fake_discord: FakeDiscord, fake_time: FakeTime) -> AsyncIterator[DiscordRest]:
    """The client under test, pointed at the fake Discord."""
    client = make_rest(fake_discord.base_url, fake_time)
    yield client
    await client.aclose()


@pytest.fixture
async def redis_cache() -> AsyncIterator[tuple[Redis, str]]:
    """A real Redis client and a random key prefix, cleaned up afterwards."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    client = Redis.from_url(REDIS_URL)
    prefix = f"gamesched-test:{uuid.uuid4().hex}:"
    yield client, prefix
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
