"""Per-channel message rate limits: Discord's headers, 429s, and disnake honouring them."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
import disnake
import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World

LFG = 1190000000000000007
GENERAL = 1190000000000000002


async def test_headers_count_down_and_the_sixth_message_gets_429(
    http: aiohttp.ClientSession, discord: SandboxDriver, sandbox_clock: Clock
) -> None:
    """Five messages per window pass with X-RateLimit headers; the sixth is a 429 with Via."""
    remaining = []
    for n in range(5):
        response = await http.post(f"channels/{LFG}/messages", json={"content": str(n)})
        assert response.status == 200
        remaining.append(response.headers["X-RateLimit-Remaining"])
        for header in ("Limit", "Reset", "Reset-After", "Bucket"):
            assert f"X-RateLimit-{header}" in response.headers
    assert remaining == ["4", "3", "2", "1", "0"]

    limited = await http.post(f"channels/{LFG}/messages", json={"content": "too many"})
    assert limited.status == 429
    assert limited.headers["Via"]
    body = await limited.json()
    assert body["retry_after"] > 0
    assert body["global"] is False
    assert [v["code"] for v in await discord.violations()] == [0]

    other = await http.post(f"channels/{GENERAL}/messages", json={"content": "elsewhere"})
    assert other.status == 200  # buckets are per channel

    sandbox_clock.advance(body["retry_after"])
    again = await http.post(f"channels/{LFG}/messages", json={"content": "later"})
    assert again.status == 200


async def test_disnake_waits_out_the_bucket_instead_of_hitting_429(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real disnake client sending a burst obeys the headers: all land, no 429, no violation."""
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    client = disnake.http.HTTPClient(loop=asyncio.get_running_loop())
    await client.static_login(demo_world.token)
    try:
        for n in range(7):
            await client.send_message(LFG, content=f"burst {n}")
    finally:
        await client.close()
    statuses = [e["status"] for e in await discord.log() if e["method"] == "POST"]
    assert statuses == [200] * 7
    assert len(await discord.messages("lfg")) == 7
    assert await discord.violations() == []


async def test_going_over_the_global_limit_is_a_global_429(demo_world: World) -> None:
    """More requests in a second than the global limit allows get a 429 marked global."""
    world = dataclasses.replace(
        demo_world, limits=dataclasses.replace(demo_world.limits, global_requests_per_second=5)
    )
    running = await start_sandbox(world)
    headers = {"Authorization": f"Bot {world.token}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as session:
            answers = [await session.get(running.base_url + "/users/@me") for _ in range(8)]
            limited = [a for a in answers if a.status == 429]
            assert limited
            assert limited[0].headers["X-RateLimit-Global"] == "true"
            assert limited[0].headers["X-RateLimit-Scope"] == "global"
            assert (await limited[0].json())["global"] is True
        assert running.state.violations
    finally:
        await running.close()
