"""The REST client against a tiny real HTTP server that answers the way Discord does."""

from __future__ import annotations

import asyncio
import logging
import traceback
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from gamesched.discord.pacing import RedisPacer
from gamesched.discord.rest import (
    CLOSED_DMS,
    UNKNOWN_CHANNEL,
    DiscordError,
    DiscordForbidden,
    DiscordNotFound,
    DiscordRest,
    DiscordUnavailable,
)
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World, load_world
from tests.support.environment import REDIS_URL
from tests.support.fake_discord import (
    TOKEN,
    FakeDiscord,
    FakeTime,
    Reply,
    closed_port_url,
    make_rest,
)
from tests.support.sandbox import paced_rest, spec_problems

CHANNEL = 2000
OTHER_CHANNEL = 2001
GUILD = 1000


def limited(remaining: int, reset_after: float, bucket: str = "abc123") -> dict[str, str]:
    """Discord's rate-limit headers."""
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset-After": str(reset_after),
        "X-RateLimit-Bucket": bucket,
    }


MESSAGES = f"/channels/{CHANNEL}/messages"
TOO_MANY = {"message": "You are being rate limited.", "retry_after": 1.25, "global": False}


async def test_sends_bot_token_user_agent_and_json_body(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Requests authenticate as the bot, name the library, and carry the payload as JSON."""
    fake_discord.on("POST", MESSAGES, Reply(body={"id": "77", "content": "hi"}))
    payload = {"content": "hi", "allowed_mentions": {"parse": []}}

    message = await rest.create_message(CHANNEL, payload)

    assert message == {"id": "77", "content": "hi"}
    (seen,) = fake_discord.requests
    assert seen.headers["Authorization"] == f"Bot {TOKEN}"
    assert seen.headers["User-Agent"].startswith("DiscordBot (https://")
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.body == payload


async def test_edit_get_and_delete_use_discords_paths(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Editing, reading and deleting hit the message's own path; a 204 delete returns nothing."""
    path = f"{MESSAGES}/5"
    fake_discord.on("PATCH", path, Reply(body={"id": "5", "content": "new"}))
    fake_discord.on("GET", path, Reply(body={"id": "5", "content": "new"}))
    fake_discord.on("DELETE", path, Reply(status=204))

    assert (await rest.edit_message(CHANNEL, 5, {"content": "new"}))["content"] == "new"
    assert (await rest.get_message(CHANNEL, 5))["id"] == "5"
    await rest.delete_message(CHANNEL, 5)
    assert [(r.method, r.body) for r in fake_discord.requests] == [
        ("PATCH", {"content": "new"}),
        ("GET", None),
        ("DELETE", None),
    ]


async def test_member_listing_and_search_send_query_parameters(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Member paging and search pass limit/after/query as Discord expects them."""
    fake_discord.on("GET", f"/guilds/{GUILD}/members", Reply(body=[{"user": {"id": "9"}}]))
    fake_discord.on("GET", f"/guilds/{GUILD}/members/search", Reply(body=[]))

    assert await rest.list_members(GUILD, limit=50, after=8) == [{"user": {"id": "9"}}]
    assert await rest.search_members(GUILD, "sam & co", limit=5) == []
    assert [r.query for r in fake_discord.requests] == [
        {"limit": "50", "after": "8"},
        {"query": "sam & co", "limit": "5"},
    ]


async def test_429_waits_retry_after_and_is_not_counted_as_a_failure(
    fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """A 429 waits the body's retry_after and retries, even with no retries left for errors."""
    fake_discord.on("POST", MESSAGES, Reply(429, TOO_MANY), Reply(body={"id": "1"}))
    rest = make_rest(fake_discord.base_url, fake_time, max_retries=0)

    assert (await rest.create_message(CHANNEL, {"content": "x"}))["id"] == "1"
    assert fake_time.waits == [1.25]
    assert len(fake_discord.requests) == 2
    await rest.aclose()


async def test_global_429_makes_every_route_wait(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """A global 429 holds back requests on other routes too until retry_after has passed."""
    too_many = {**TOO_MANY, "retry_after": 3.0, "global": True}
    fake_discord.on("POST", MESSAGES, Reply(429, too_many), Reply(body={"id": "1"}))
    fake_discord.on("GET", f"/channels/{OTHER_CHANNEL}", Reply(body={"id": str(OTHER_CHANNEL)}))

    await rest.create_message(CHANNEL, {"content": "x"})
    await rest.get_channel(OTHER_CHANNEL)
    fake_time.now += 3.0
    await rest.get_channel(OTHER_CHANNEL)

    assert fake_time.waits == [3.0, 3.0]


async def test_remaining_zero_makes_the_next_call_on_that_bucket_wait(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """After Remaining 0 the same bucket waits Reset-After; other channels' buckets do not."""
    for channel in (CHANNEL, OTHER_CHANNEL):
        for message in (1, 2):
            path = f"/channels/{channel}/messages/{message}"
            fake_discord.on("GET", path, Reply(body={"id": "1"}, headers=limited(0, 2.5)))

    await rest.get_message(CHANNEL, 1)
    assert fake_time.waits == []
    await rest.get_message(OTHER_CHANNEL, 1)
    assert fake_time.waits == []
    await rest.get_message(CHANNEL, 2)
    assert fake_time.waits == [2.5]
    fake_time.now += 10
    await rest.get_message(OTHER_CHANNEL, 2)
    assert fake_time.waits == [2.5]


async def test_concurrent_calls_on_one_bucket_do_not_burst(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """Concurrent edits in one bucket go one by one, each waiting out the previous Remaining 0."""
    for message in (1, 2, 3):
        fake_discord.on(
            "PATCH", f"{MESSAGES}/{message}", Reply(body={"id": "1"}, headers=limited(0, 1.0))
        )

    await asyncio.gather(*(rest.edit_message(CHANNEL, m, {"content": "x"}) for m in (1, 2, 3)))

    assert fake_time.waits == [1.0, 1.0]
    assert len(fake_discord.requests) == 3


async def test_server_errors_are_retried_with_backoff(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """Two 5xx answers then a 200 succeed after waiting 0.5 s and 1 s."""
    fake_discord.on(
        "POST", MESSAGES, Reply(500, {"message": "oops"}), Reply(502, {}), Reply(body={"id": "3"})
    )

    assert (await rest.create_message(CHANNEL, {"content": "x"}))["id"] == "3"
    assert fake_time.waits == [0.5, 1.0]


async def test_persistent_server_errors_raise_unavailable_after_max_retries(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """A Discord that keeps failing is tried 1 + max_retries times, then DiscordUnavailable."""
    fake_discord.on("POST", MESSAGES, Reply(503, {"message": "down"}))

    with pytest.raises(DiscordUnavailable) as raised:
        await rest.create_message(CHANNEL, {"content": "x"})

    assert raised.value.status == 503
    assert "try again later" in str(raised.value)
    assert fake_time.waits == [0.5, 1.0, 2.0]
    assert len(fake_discord.requests) == 4


async def test_unreachable_discord_raises_unavailable(fake_time: FakeTime) -> None:
    """Refused connections are retried, then reported as DiscordUnavailable with status 0."""
    rest = make_rest(closed_port_url(), fake_time, max_retries=2)

    with pytest.raises(DiscordUnavailable) as raised:
        await rest.get_channel(CHANNEL)

    assert raised.value.status == 0
    assert fake_time.waits == [0.5, 1.0]
    await rest.aclose()


async def test_closed_dms_raise_forbidden_with_code_at_once(
    rest: DiscordRest, fake_discord: FakeDiscord, fake_time: FakeTime
) -> None:
    """A 403 50007 raises DiscordForbidden carrying the code, without retrying."""
    fake_discord.on("POST", "/users/@me/channels", Reply(body={"id": "555", "type": 1}))
    refusal = {"code": CLOSED_DMS, "message": "Cannot send messages to this user"}
    fake_discord.on("POST", "/channels/555/messages", Reply(403, refusal))

    with pytest.raises(DiscordForbidden) as raised:
        await rest.send_dm(42, {"content": "reminder"})

    assert (raised.value.status, raised.value.code) == (403, CLOSED_DMS)
    assert "Cannot send messages to this user" in raised.value.message
    assert len(fake_discord.seen("POST", "/channels/555/messages")) == 1
    assert fake_time.waits == []


async def test_unknown_member_raises_not_found_with_code(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A 404 raises DiscordNotFound with Discord's code and message."""
    unknown = {"code": 10007, "message": "Unknown Member"}
    fake_discord.on("GET", f"/guilds/{GUILD}/members/9", Reply(404, unknown))

    with pytest.raises(DiscordNotFound) as raised:
        await rest.get_member(GUILD, 9)

    assert (raised.value.code, raised.value.message) == (10007, "Unknown Member")


async def test_missing_permissions_say_how_to_fix_them(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A 50013 refusal names the permissions the bot needs."""
    missing = {"code": 50013, "message": "Missing Permissions"}
    fake_discord.on("POST", MESSAGES, Reply(403, missing))

    with pytest.raises(DiscordForbidden, match="Send Messages"):
        await rest.create_message(CHANNEL, {"content": "x"})


async def test_missing_permissions_for_events_name_manage_events(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A 50013 refusal on the scheduled-event routes names Manage Events (or Create Events),
    not the message permissions."""
    missing = {"code": 50013, "message": "Missing Permissions"}
    fake_discord.on("POST", "/guilds/5/scheduled-events", Reply(403, missing))

    with pytest.raises(DiscordForbidden) as refused:
        await rest.create_scheduled_event(5, {"name": "x"})
    assert "Manage Events (or Create Events)" in refused.value.message
    assert "Send Messages" not in refused.value.message


async def test_dm_channel_is_opened_once_per_user(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Repeated DMs to a user reuse the DM channel; each new user gets their own."""
    fake_discord.on(
        "POST", "/users/@me/channels", Reply(body={"id": "601"}), Reply(body={"id": "602"})
    )
    for channel in ("601", "602"):
        fake_discord.on("POST", f"/channels/{channel}/messages", Reply(body={"id": "1"}))

    await rest.send_dm(7, {"content": "a"})
    await rest.send_dm(7, {"content": "b"})
    await rest.send_dm(8, {"content": "c"})

    opened = fake_discord.seen("POST", "/users/@me/channels")
    assert [r.body for r in opened] == [{"recipient_id": "7"}, {"recipient_id": "8"}]
    assert len(fake_discord.seen("POST", "/channels/601/messages")) == 2
    assert len(fake_discord.seen("POST", "/channels/602/messages")) == 1


async def test_a_lost_dm_channel_is_opened_again_once_and_never_in_a_loop(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A remembered DM channel Discord calls unknown (10003) is replaced by a newly opened
    one; should that one be unknown too, the DM fails instead of opening channels forever."""
    unknown = Reply(404, {"code": UNKNOWN_CHANNEL, "message": "Unknown Channel"})
    fake_discord.on(
        "POST", "/users/@me/channels", Reply(body={"id": "601"}), Reply(body={"id": "602"})
    )
    fake_discord.on("POST", "/channels/601/messages", Reply(body={"id": "1"}), unknown)
    fake_discord.on("POST", "/channels/602/messages", unknown)

    await rest.send_dm(7, {"content": "a"})
    with pytest.raises(DiscordNotFound) as raised:
        await rest.send_dm(7, {"content": "b"})

    assert raised.value.code == UNKNOWN_CHANNEL
    assert len(fake_discord.seen("POST", "/users/@me/channels")) == 2
    assert len(fake_discord.seen("POST", "/channels/601/messages")) == 2
    assert len(fake_discord.seen("POST", "/channels/602/messages")) == 1


async def test_token_never_appears_in_errors_reprs_or_logs(
    fake_discord: FakeDiscord, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """No exception text, traceback, repr or log line reveals the bot token."""
    caplog.set_level(logging.DEBUG)
    echo = {"code": 50035, "message": f"Invalid header Bot {TOKEN}"}
    fake_discord.on("POST", MESSAGES, Reply(400, echo))
    fake_discord.on("GET", f"/channels/{CHANNEL}", Reply(403, {"code": 50001, "message": "x"}))
    fake_discord.on("GET", f"/guilds/{GUILD}", Reply(500, {}))
    rest = make_rest(fake_discord.base_url, fake_time)
    offline = make_rest(closed_port_url(), fake_time, max_retries=1)

    errors: list[DiscordError] = []
    for call in (
        rest.create_message(CHANNEL, {"content": "x"}),
        rest.get_channel(CHANNEL),
        rest.get_member(GUILD, 1),
        rest.get_guild(GUILD),
        offline.get_guild(GUILD),
    ):
        with pytest.raises(DiscordError) as raised:
            await call
        errors.append(raised.value)

    texts = [repr(rest), repr(offline), caplog.text]
    for error in errors:
        texts += [
            str(error),
            repr(error),
            error.message,
            "".join(traceback.format_exception(error)),
        ]
    assert [t for t in texts if TOKEN in t] == []
    assert len(errors) == 5
    await rest.aclose()
    await offline.aclose()


async def test_against_the_sandbox_within_its_rate_limits() -> None:
    """Against the Discord-compatible sandbox: posts wait out the channel's window instead of
    hitting a 429, edits and DMs land, and closed DMs raise DiscordForbidden 50007."""
    world = load_world(DEMO_WORLD)
    sandbox_clock = Clock()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        sandbox_clock.advance(seconds + 0.001)  # the headers round to milliseconds

    running = await start_sandbox(world, clock=sandbox_clock)
    rest = DiscordRest(base_url=running.base_url, token=world.token, sleep=sleep)
    channel = world.find_channel("general")
    sam, cleo = world.find_user("sam"), world.find_user("cleo")
    assert channel is not None
    assert sam is not None
    assert cleo is not None
    try:
        posted = [await rest.create_message(channel.id, {"content": f"game {n}"}) for n in range(6)]
        first = int(posted[0]["id"])
        await rest.edit_message(channel.id, first, {"content": "edited"})
        dm = await rest.send_dm(sam.id, {"content": "reminder"})
        with pytest.raises(DiscordForbidden) as closed:
            await rest.send_dm(cleo.id, {"content": "reminder"})

        assert len(waits) == 1
        assert 0 < waits[0] <= world.limits.channel_window_seconds
        assert (await rest.get_message(channel.id, first))["content"] == "edited"
        assert dm["content"] == "reminder"
        assert closed.value.code == CLOSED_DMS
        assert running.state.violations == []
    finally:
        await rest.aclose()
        await running.close()


async def test_bursts_are_paced_under_the_global_limit_without_a_429() -> None:
    """120 requests in a burst start at most 50 a second, so Discord never answers 429."""
    world = load_world(DEMO_WORLD)
    sandbox_clock = Clock()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        sandbox_clock.advance(seconds)

    running = await start_sandbox(world, clock=sandbox_clock)
    rest = DiscordRest(
        base_url=running.base_url, token=world.token, sleep=sleep, clock=sandbox_clock.now
    )
    channel = world.find_channel("general")
    assert channel is not None
    try:
        await asyncio.gather(*(rest.get_channel(channel.id) for _ in range(120)))
        assert running.state.violations == []
        assert len(waits) >= 2  # two waits for the next second's allowance
        statuses = [entry.status for entry in running.state.log]
        assert 429 not in statuses
    finally:
        await rest.aclose()
        await running.close()


@pytest.mark.redis
async def test_processes_sharing_a_redis_pacer_stay_under_the_global_limit_together() -> None:
    """Two clients (two worker processes) pacing through one Redis key never draw a 429."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    world = load_world(DEMO_WORLD)
    running = await start_sandbox(world)
    key = f"gamesched-test-pacing-{uuid.uuid4().hex[:8]}"
    pacers = [RedisPacer(REDIS_URL, key=key), RedisPacer(REDIS_URL, key=key)]
    clients = [
        DiscordRest(base_url=running.base_url, token=world.token, pacer=pacer) for pacer in pacers
    ]
    channel = world.find_channel("general")
    assert channel is not None
    try:
        await asyncio.gather(
            *(client.get_channel(channel.id) for client in clients for _ in range(60))
        )
        assert [entry.status for entry in running.state.log if entry.status == 429] == []
        assert running.state.violations == []
    finally:
        for client in clients:
            await client.aclose()
        for pacer in pacers:
            await pacer.aclose()
        await running.close()


@pytest.mark.redis
async def test_more_waiters_than_redis_connections_all_pace_through_the_shared_window() -> None:
    """A reminder round's hundreds of DMs waiting at once all take their slot in the shared
    window, instead of running out of Redis connections and pacing each process alone."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    waiters = 300  # more than the Redis client's pool of 100 connections
    key = f"gamesched-test-pacing-{uuid.uuid4().hex[:8]}"
    pacer = RedisPacer(REDIS_URL, key=key, limit=waiters)
    redis = Redis.from_url(REDIS_URL)
    try:
        await asyncio.gather(*(pacer.wait() for _ in range(waiters)))
        assert await redis.zcard(key) == waiters  # each took a slot in the shared window
    finally:
        await redis.delete(key)
        await redis.aclose()
        await pacer.aclose()


async def test_a_redis_pacer_without_redis_falls_back_to_pacing_alone() -> None:
    """When Redis is unreachable, requests still go out, paced by this process alone."""
    world = load_world(DEMO_WORLD)
    running = await start_sandbox(world)
    pacer = RedisPacer("redis://127.0.0.1:1/0")
    client = DiscordRest(base_url=running.base_url, token=world.token, pacer=pacer)
    channel = world.find_channel("general")
    assert channel is not None
    try:
        answer = await client.get_channel(channel.id)
        assert int(answer["id"]) == channel.id
    finally:
        await client.aclose()
        await pacer.aclose()
        await running.close()


async def test_scheduled_events_round_trip_with_bodies_discord_describes(
    sandbox: RunningSandbox, demo_world: World, sandbox_clock: Clock, spec: DiscordSpec
) -> None:
    """Against the sandbox the client creates, lists (with user counts), starts, ends and
    deletes a guild scheduled event; every body it sent is one Discord's OpenAPI description
    accepts, and a change to a deleted event raises DiscordNotFound with code 10070."""
    rest = paced_rest(sandbox, demo_world, sandbox_clock)
    guild = demo_world.guilds[0].id
    start = datetime.fromtimestamp(sandbox_clock.now(), UTC) + timedelta(days=1)
    body = {
        "name": "Catan night",
        "description": "Game #12 in #board-games",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + timedelta(hours=3)).isoformat(),
        "entity_metadata": {"location": "#board-games"},
    }
    try:
        event = await rest.create_scheduled_event(guild, body)
        event_id = int(event["id"])
        listed = await rest.list_scheduled_events(guild, with_user_count=True)
        assert [(e["id"], e["user_count"]) for e in listed] == [(event["id"], 0)]
        started = await rest.edit_scheduled_event(guild, event_id, {"status": 2})
        ended = await rest.edit_scheduled_event(guild, event_id, {"status": 3})
        assert (started["status"], ended["status"]) == (2, 3)
        await rest.delete_scheduled_event(guild, event_id)
        assert await rest.list_scheduled_events(guild) == []
        with pytest.raises(DiscordNotFound) as gone:
            await rest.edit_scheduled_event(guild, event_id, {"name": "Rematch"})
        assert gone.value.code == 10070
        assert spec_problems(spec, sandbox.state.log) == {}
        assert sandbox.state.violations == []
    finally:
        await rest.aclose()
