"""Fixtures for the REST client tests: a fake Discord, the client's clock, the client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gamesched.discord.rest import DiscordRest
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
