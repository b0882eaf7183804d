"""Display names resolved through the real REST client against a local fake Discord."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from gamesched.discord.cache import MemoryCache, RedisCache
from gamesched.discord.names import (
    CONCURRENCY,
    UNKNOWN_USER,
    DisplayNames,
)
from gamesched.discord.rest import DiscordRest
from tests.support.fake_discord import FakeDiscord, FakeTime, Reply, closed_port_url, make_rest

GUILD = 1000
ALICE, BOB, CAROL = 1160000000000000001, 1160000000000000002, 1160000000000000003


def member(
    user_id: int, username: str, *, global_name: str | None = None, nick: str | None = None
) -> dict[str, Any]:
    """A guild member object as Discord returns it."""
    user = {"id": str(user_id), "username": username, "global_name": global_name}
    return {"user": user, "nick": nick, "roles": []}


def serve_member(fake: FakeDiscord, user_id: int, *replies: Reply) -> None:
    """Let the fake Discord answer GET member for ``user_id``."""
    fake.on("GET", f"/guilds/{GUILD}/members/{user_id}", *replies)


def lookups(fake: FakeDiscord) -> int:
    """How many member lookups reached Discord."""
    return sum(r.path.startswith(f"/guilds/{GUILD}/members/") for r in fake.requests)


class Clock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class BrokenCache:
    """A name cache whose backend is down."""

    async def get_many(self, keys: Any) -> dict[str, str]:
        raise ConnectionError("cache is down")

    async def set_many(self, items: Any, ttl: float) -> None:
        raise ConnectionError("cache is down")


async def test_nick_wins_over_global_name_over_username(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A member shows their nick, else their global name, else their username."""
    serve_member(
        fake_discord, ALICE, Reply(body=member(ALICE, "ali", global_name="Alice", nick="Al"))
    )
    serve_member(fake_discord, BOB, Reply(body=member(BOB, "bob", global_name="Bobby", nick="")))
    serve_member(fake_discord, CAROL, Reply(body=member(CAROL, "carol")))

    names = await DisplayNames(rest).resolve(GUILD, [ALICE, BOB, CAROL])

    assert names == {ALICE: "Al", BOB: "Bobby", CAROL: "carol"}


async def test_cached_names_are_not_fetched_again(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """Within the TTL a name comes from the cache; repeated ids cost one lookup."""
    serve_member(fake_discord, ALICE, Reply(body=member(ALICE, "ali")))
    serve_member(fake_discord, BOB, Reply(body=member(BOB, "bob")))
    names = DisplayNames(rest)

    assert await names.resolve(GUILD, [ALICE, ALICE]) == {ALICE: "ali"}
    assert await names.resolve(GUILD, [BOB, ALICE]) == {BOB: "bob", ALICE: "ali"}

    assert lookups(fake_discord) == 2


async def test_names_are_fetched_again_after_the_ttl(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A renamed member shows the old name for at most the TTL, then the new one."""
    serve_member(
        fake_discord,
        ALICE,
        Reply(body=member(ALICE, "ali", nick="Old")),
        Reply(body=member(ALICE, "ali", nick="New")),
    )
    clock = Clock()
    names = DisplayNames(rest, cache=MemoryCache(clock=clock), ttl=300)

    assert await names.resolve(GUILD, [ALICE]) == {ALICE: "Old"}
    clock.now = 299.0
    assert await names.resolve(GUILD, [ALICE]) == {ALICE: "Old"}
    clock.now = 300.5
    assert await names.resolve(GUILD, [ALICE]) == {ALICE: "New"}
    assert lookups(fake_discord) == 2


async def test_member_who_left_shows_unknown_user_and_is_not_cached(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A departed member is "Unknown User", and their name is back as soon as they rejoin."""
    gone = {"code": 10007, "message": "Unknown Member"}
    serve_member(fake_discord, BOB, Reply(404, gone), Reply(body=member(BOB, "bob")))
    names = DisplayNames(rest)

    assert await names.resolve(GUILD, [BOB]) == {BOB: UNKNOWN_USER}
    assert await names.resolve(GUILD, [BOB]) == {BOB: "bob"}


@pytest.mark.parametrize(
    "refusal",
    [
        Reply(500, {"message": "500: Internal Server Error"}),
        Reply(403, {"code": 50001, "message": "Missing Access"}),
        Reply(404, {"code": 10004, "message": "Unknown Guild"}),
    ],
    ids=["server-error", "no-access", "unknown-guild"],
)
async def test_discord_failures_degrade_to_short_ids(
    fake_discord: FakeDiscord,
    refusal: Reply,
) -> None:
    """When Discord cannot tell, names show as "User …<last 4 digits>" and nothing raises."""
    serve_member(fake_discord, ALICE, refusal)
    rest = make_rest(fake_discord.base_url, FakeTime(), max_retries=1)

    names = await DisplayNames(rest).resolve(GUILD, [ALICE])

    assert names == {ALICE: "User …0001"}
    await rest.aclose()


async def test_unreachable_discord_degrades_to_short_ids_without_asking_per_id() -> None:
    """With Discord unreachable every name is a short id, and the first failure stops the rest."""
    time = FakeTime()
    rest = make_rest(closed_port_url(), time, max_retries=1)
    user_ids = [ALICE + n for n in range(3 * CONCURRENCY)]

    names = await DisplayNames(rest).resolve(GUILD, user_ids)

    assert names == {i: f"User …{str(i)[-4:]}" for i in user_ids}
    assert len(time.waits) < len(user_ids)
    await rest.aclose()


async def test_unavailable_cache_still_resolves_names_from_discord(
    rest: DiscordRest, fake_discord: FakeDiscord
) -> None:
    """A cache outage costs speed, not names: Discord is asked and nothing raises."""
    serve_member(fake_discord, ALICE, Reply(body=member(ALICE, "ali")))
    unreachable = Redis.from_url(closed_port_url().replace("http", "redis", 1).split("/api")[0])

    for cache in (BrokenCache(), RedisCache(unreachable, prefix="gamesched:name:")):
        assert await DisplayNames(rest, cache=cache).resolve(GUILD, [ALICE]) == {ALICE: "ali"}
    await unreachable.aclose()


@pytest.mark.redis
async def test_redis_cache_shares_names_with_a_ttl(
    rest: DiscordRest,
    fake_discord: FakeDiscord,
    redis_cache: tuple[Redis, str],
) -> None:
    """Names resolved by one process are reused by another through Redis, and expire there."""
    redis, prefix = redis_cache
    serve_member(fake_discord, ALICE, Reply(body=member(ALICE, "ali", nick="Al")))
    serve_member(fake_discord, BOB, Reply(404, {"code": 10007, "message": "Unknown Member"}))

    first = DisplayNames(rest, cache=RedisCache(redis, prefix=prefix), ttl=300)
    assert await first.resolve(GUILD, [ALICE, BOB]) == {ALICE: "Al", BOB: UNKNOWN_USER}
    second = DisplayNames(rest, cache=RedisCache(redis, prefix=prefix), ttl=300)
    assert await second.resolve(GUILD, [ALICE]) == {ALICE: "Al"}

    assert lookups(fake_discord) == 2
    assert 0 < await redis.ttl(f"{prefix}{GUILD}:{ALICE}") <= 300
    assert await redis.exists(f"{prefix}{GUILD}:{BOB}") == 0
