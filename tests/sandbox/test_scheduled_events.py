"""Guild scheduled events in the sandbox follow Discord's rules, codes and shapes."""

from __future__ import annotations

import asyncio
import dataclasses
import tomllib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import aiohttp
import disnake
import pytest

from gamesched.discord.rest import DiscordError
from gamesched.sandbox.driver import SandboxDriver, SandboxUsageError
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import (
    CREATE_EVENTS,
    MANAGE_EVENTS,
    STAGE_CHANNEL,
    VOICE_CHANNEL,
    Limits,
    World,
    parse_world,
)
from tests.support.sandbox import FAST_WINDOW, RawGateway, connect_gateway, paced_rest

GUILD = 1170000000000000001
BOT = "1150000000000000001"
LFG = 1190000000000000007
VOICE = 1190000000000000101
STAGE = 1190000000000000102
EVENTS = f"guilds/{GUILD}/scheduled-events"
DAY = timedelta(days=1)
WIDE_BUCKETS = 1000
"""Requests per rate-limit window in these tests' world: none of them meets a 429."""
GUILD_SCHEDULED_EVENTS = 1 << 16

ROOMS = """
[[guilds.channels]]
id = "1190000000000000101"
name = "game-room"
type = "voice"
parent = "Games"

[[guilds.channels]]
id = "1190000000000000102"
name = "town-hall"
type = "stage"
"""
"""A voice and a stage channel for the demo guild, written as a world file writes them."""

INVALID_CHANNEL = ["GUILD_SCHEDULED_EVENT_INVALID_CHANNEL"]
INVALID_TRANSITION = ["GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION"]
ALREADY_ENDED = ["GUILD_SCHEDULED_EVENT_ALREADY_ENDED"]
REQUIRED = ["BASE_TYPE_REQUIRED"]
BAD_LENGTH = ["BASE_TYPE_BAD_LENGTH"]


@pytest.fixture(scope="module")
def demo_world() -> World:
    """The demo world plus a voice and a stage channel, with wide rate-limit buckets."""
    world = parse_world(tomllib.loads(DEMO_WORLD.read_text(encoding="utf-8") + ROOMS))
    limits = Limits(channel_messages=WIDE_BUCKETS, channel_window_seconds=FAST_WINDOW)
    return dataclasses.replace(world, limits=limits)


def at(clock: Clock, delta: timedelta) -> str:
    """The sandbox's time plus ``delta``, as an ISO 8601 timestamp."""
    return (datetime.fromtimestamp(clock.now(), UTC) + delta).isoformat()


def external_event(clock: Clock, **fields: Any) -> dict[str, Any]:
    """An EXTERNAL event tomorrow evening, with ``fields`` replaced."""
    return {
        "name": "Catan night",
        "description": "Bring snacks",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": at(clock, DAY),
        "scheduled_end_time": at(clock, DAY + timedelta(hours=3)),
        "entity_metadata": {"location": "#board-games"},
        **fields,
    }


def voice_event(clock: Clock, **fields: Any) -> dict[str, Any]:
    """A VOICE event in the game room tomorrow, with ``fields`` replaced."""
    return {
        "name": "Among Us",
        "privacy_level": 2,
        "entity_type": 2,
        "channel_id": str(VOICE),
        "scheduled_start_time": at(clock, DAY),
        **fields,
    }


async def created(http: aiohttp.ClientSession, body: Mapping[str, Any]) -> dict[str, Any]:
    """The event a create with ``body`` made (the create must succeed)."""
    response = await http.post(EVENTS, json=body)
    assert response.status == 200, await response.text()
    event: dict[str, Any] = await response.json()
    return event


async def patched(http: aiohttp.ClientSession, event_id: str, body: Any) -> dict[str, Any]:
    """The event after a modify with ``body`` (the modify must succeed)."""
    response = await http.patch(f"{EVENTS}/{event_id}", json=body)
    assert response.status == 200, await response.text()
    event: dict[str, Any] = await response.json()
    return event


async def form_errors(response: aiohttp.ClientResponse) -> dict[str, list[str]]:
    """A 400 Invalid Form Body's error codes by field path (``entity_metadata.location``)."""
    body = await response.json()
    assert (response.status, body["code"], body["message"]) == (400, 50035, "Invalid Form Body")
    return dict(_codes(body["errors"]))


def _codes(errors: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for key, value in errors.items():
        if key == "_errors":
            yield prefix, [item["code"] for item in value]
        else:
            yield from _codes(value, f"{prefix}.{key}" if prefix else key)


async def discord_error(response: aiohttp.ClientResponse) -> tuple[int, int]:
    """The HTTP status and Discord code of a refusal."""
    return response.status, (await response.json())["code"]


async def test_an_external_event_is_created_read_listed_changed_and_deleted(
    http: aiohttp.ClientSession, sandbox_clock: Clock, spec: DiscordSpec
) -> None:
    """An EXTERNAL event round-trips in Discord's shape: created SCHEDULED by the bot, read,
    listed (with user_count when asked), renamed, deleted with 204, and then unknown."""
    event = await created(http, external_event(sandbox_clock))
    assert (event["status"], event["entity_type"], event["privacy_level"]) == (1, 3, 2)
    assert (event["channel_id"], event["entity_metadata"]) == (None, {"location": "#board-games"})
    assert (event["creator_id"], event["creator"]["username"]) == (BOT, "gamesched")
    assert spec.validate_schema("ExternalScheduledEventResponse", event) == []
    path = f"{EVENTS}/{event['id']}"

    assert await (await http.get(path)).json() == event
    listed = await (await http.get(EVENTS, params={"with_user_count": "true"})).json()
    assert listed == [{**event, "user_count": 0}]
    renamed = await patched(http, event["id"], {"name": "Catan & Azul"})
    assert {**renamed, "name": event["name"]} == event
    assert (await http.delete(path)).status == 204
    assert await discord_error(await http.get(path)) == (404, 10070)
    assert await (await http.get(EVENTS)).json() == []


async def test_name_description_and_location_lengths_are_discords(
    http: aiohttp.ClientSession, discord: SandboxDriver, sandbox_clock: Clock
) -> None:
    """A 100-character name and location and a 1000-character description are accepted; one
    more, or an empty name or location, is refused field by field and kept as a violation."""
    longest = {
        "name": "n" * 100,
        "description": "d" * 1000,
        "entity_metadata": {"location": "l" * 100},
    }
    await created(http, external_event(sandbox_clock, **longest))
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({"name": ""}, {"name": BAD_LENGTH}),
        ({"name": "n" * 101}, {"name": BAD_LENGTH}),
        ({"description": "d" * 1001}, {"description": ["BASE_TYPE_MAX_LENGTH"]}),
        ({"entity_metadata": {"location": "l" * 101}}, {"entity_metadata.location": BAD_LENGTH}),
        ({"entity_metadata": {"location": ""}}, {"entity_metadata.location": BAD_LENGTH}),
    ]
    for fields, expected in cases:
        response = await http.post(EVENTS, json=external_event(sandbox_clock, **fields))
        assert await form_errors(response) == expected, fields
    event = (await (await http.get(EVENTS)).json())[0]
    renamed = await http.patch(f"{EVENTS}/{event['id']}", json={"name": "n" * 101})
    assert await form_errors(renamed) == {"name": BAD_LENGTH}
    assert [v["code"] for v in await discord.violations()] == [50035] * (len(cases) + 1)


async def test_a_create_names_what_every_event_needs(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """An empty body lacks name, privacy level, start and entity type; an EXTERNAL event also
    needs a location and an end; the privacy level can only be GUILD_ONLY (2)."""
    needed = ("name", "privacy_level", "scheduled_start_time", "entity_type")
    assert await form_errors(await http.post(EVENTS, json={})) == dict.fromkeys(needed, REQUIRED)
    bare = external_event(sandbox_clock)
    del bare["entity_metadata"], bare["scheduled_end_time"]
    assert await form_errors(await http.post(EVENTS, json=bare)) == {
        "entity_metadata.location": REQUIRED,
        "scheduled_end_time": REQUIRED,
    }
    public = external_event(sandbox_clock, privacy_level=1)
    assert await form_errors(await http.post(EVENTS, json=public)) == {
        "privacy_level": ["BASE_TYPE_CHOICES"]
    }


async def test_the_start_lies_ahead_and_the_end_after_it(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """A start in the past is GUILD_SCHEDULED_EVENT_SCHEDULE_PAST (also when the sandbox's
    clock has passed it since), an end not after the start is refused, and so is a start that
    is no timestamp; a start in another offset is kept in UTC."""
    past = external_event(
        sandbox_clock, scheduled_start_time=at(sandbox_clock, -timedelta(minutes=1))
    )
    assert await form_errors(await http.post(EVENTS, json=past)) == {
        "scheduled_start_time": ["GUILD_SCHEDULED_EVENT_SCHEDULE_PAST"]
    }
    ends_at_start = external_event(sandbox_clock)
    ends_at_start["scheduled_end_time"] = ends_at_start["scheduled_start_time"]
    assert await form_errors(await http.post(EVENTS, json=ends_at_start)) == {
        "scheduled_end_time": ["GUILD_SCHEDULED_EVENT_END_BEFORE_START"]
    }
    garbled = external_event(sandbox_clock, scheduled_start_time="tomorrow at eight")
    assert await form_errors(await http.post(EVENTS, json=garbled)) == {
        "scheduled_start_time": ["BASE_TYPE_INVALID"]
    }

    start = datetime.fromtimestamp(sandbox_clock.now(), UTC).replace(microsecond=0) + DAY
    berlin = start.astimezone(timezone(timedelta(hours=2))).isoformat()
    event = await created(http, voice_event(sandbox_clock, scheduled_start_time=berlin))
    assert event["scheduled_start_time"] == start.isoformat()
    sandbox_clock.advance(2 * DAY.total_seconds())
    again = await http.patch(f"{EVENTS}/{event['id']}", json={"scheduled_start_time": berlin})
    assert await form_errors(again) == {
        "scheduled_start_time": ["GUILD_SCHEDULED_EVENT_SCHEDULE_PAST"]
    }


async def test_voice_and_stage_events_need_a_channel_of_their_kind(
    http: aiohttp.ClientSession, sandbox_clock: Clock, spec: DiscordSpec, demo_world: World
) -> None:
    """A VOICE event is held in a voice channel and a STAGE_INSTANCE event in a stage channel,
    neither with entity metadata; an EXTERNAL event has no channel at all."""
    rooms = [demo_world.find_channel(name) for name in ("game-room", "town-hall")]
    assert [(r.id, r.type) for r in rooms if r] == [(VOICE, VOICE_CHANNEL), (STAGE, STAGE_CHANNEL)]
    voice = await created(http, voice_event(sandbox_clock))
    assert (voice["channel_id"], voice["entity_metadata"], voice["scheduled_end_time"]) == (
        str(VOICE),
        None,
        None,
    )
    assert spec.validate_schema("VoiceScheduledEventResponse", voice) == []
    stage = await created(http, voice_event(sandbox_clock, entity_type=1, channel_id=str(STAGE)))
    assert spec.validate_schema("StageScheduledEventResponse", stage) == []

    cases = [
        (voice_event(sandbox_clock, channel_id=str(LFG)), {"channel_id": INVALID_CHANNEL}),
        (voice_event(sandbox_clock, channel_id=str(STAGE)), {"channel_id": INVALID_CHANNEL}),
        (voice_event(sandbox_clock, channel_id="123"), {"channel_id": INVALID_CHANNEL}),
        (voice_event(sandbox_clock, entity_type=1), {"channel_id": INVALID_CHANNEL}),
        (voice_event(sandbox_clock, channel_id=None), {"channel_id": REQUIRED}),
        (
            voice_event(sandbox_clock, entity_metadata={"location": "Discord"}),
            {"entity_metadata": ["GUILD_SCHEDULED_EVENT_ENTITY_METADATA_UNSUPPORTED"]},
        ),
        (external_event(sandbox_clock, channel_id=str(VOICE)), {"channel_id": INVALID_CHANNEL}),
    ]
    for body, expected in cases:
        assert await form_errors(await http.post(EVENTS, json=body)) == expected, body


async def test_an_event_moves_between_a_location_and_a_channel_as_documented(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """Made a VOICE event with its channel, an EXTERNAL event drops its location; made
    EXTERNAL again it needs channel_id set to null and a location."""
    event = await created(http, external_event(sandbox_clock))
    moved = await patched(http, event["id"], {"entity_type": 2, "channel_id": str(VOICE)})
    assert (moved["entity_type"], moved["channel_id"], moved["entity_metadata"]) == (
        2,
        str(VOICE),
        None,
    )
    outside = {"entity_type": 3, "entity_metadata": {"location": "The Dice Bar"}}
    kept_channel = await http.patch(f"{EVENTS}/{event['id']}", json=outside)
    assert await form_errors(kept_channel) == {"channel_id": INVALID_CHANNEL}
    back = await patched(http, event["id"], {**outside, "channel_id": None})
    assert (back["entity_type"], back["channel_id"], back["entity_metadata"]) == (
        3,
        None,
        {"location": "The Dice Bar"},
    )


async def test_the_status_moves_only_as_discord_documents(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """SCHEDULED may become ACTIVE or CANCELED and ACTIVE only COMPLETED; a started event's
    start cannot be set, and an ended event cannot be changed at all."""
    event = await created(http, external_event(sandbox_clock))
    path = f"{EVENTS}/{event['id']}"
    assert await form_errors(await http.patch(path, json={"status": 3})) == {
        "status": INVALID_TRANSITION
    }
    assert (await patched(http, event["id"], {"status": 2}))["status"] == 2
    assert await form_errors(await http.patch(path, json={"status": 4})) == {
        "status": INVALID_TRANSITION
    }
    same_start = {"scheduled_start_time": event["scheduled_start_time"]}
    assert await form_errors(await http.patch(path, json=same_start)) == {
        "scheduled_start_time": ["GUILD_SCHEDULED_EVENT_SCHEDULE_INVALID_START_BY_STATUS"]
    }
    assert (await patched(http, event["id"], {"status": 3}))["status"] == 3
    assert await form_errors(await http.patch(path, json={"name": "Rematch"})) == {
        "status": ALREADY_ENDED
    }

    called_off = await created(http, external_event(sandbox_clock))
    assert (await patched(http, called_off["id"], {"status": 4}))["status"] == 4
    revived = await http.patch(f"{EVENTS}/{called_off['id']}", json={"status": 2})
    assert await form_errors(revived) == {"status": ALREADY_ENDED}


async def test_a_guild_holds_at_most_100_scheduled_or_active_events(
    sandbox: RunningSandbox, demo_world: World, sandbox_clock: Clock
) -> None:
    """Through the REST client the 101st open event is refused with 400 / 30038 (not a broken
    rule); once one is canceled, another fits, since ended events do not count."""
    rest = paced_rest(sandbox, demo_world, sandbox_clock)
    try:
        events = [
            await rest.create_scheduled_event(GUILD, external_event(sandbox_clock, name=f"G{n}"))
            for n in range(100)
        ]
        with pytest.raises(DiscordError) as full:
            await rest.create_scheduled_event(GUILD, external_event(sandbox_clock))
        assert (full.value.status, full.value.code) == (400, 30038)

        await rest.edit_scheduled_event(GUILD, int(events[0]["id"]), {"status": 4})
        await rest.create_scheduled_event(GUILD, external_event(sandbox_clock, name="G100"))
        listed = await rest.list_scheduled_events(GUILD)
        assert [e["status"] for e in listed] == [4] + [1] * 100
        assert sandbox.state.violations == []
    finally:
        await rest.aclose()


async def test_without_manage_or_create_events_the_bot_is_refused_403_50013(
    http: aiohttp.ClientSession, discord: SandboxDriver, sandbox_clock: Clock
) -> None:
    """With both event permissions revoked from its role, the bot may not create, change or
    delete events (403 / 50013, not a broken rule); Create Events alone lets it create and
    change its own events again."""
    event = await created(http, external_event(sandbox_clock))
    path = f"{EVENTS}/{event['id']}"
    await discord.change_role(GUILD, "Gamesched", revoke=["MANAGE_EVENTS", "CREATE_EVENTS"])
    refused = [
        await http.post(EVENTS, json=external_event(sandbox_clock)),
        await http.patch(path, json={"name": "Mine"}),
        await http.delete(path),
    ]
    for response in refused:
        assert (response.status, await response.json()) == (
            403,
            {"code": 50013, "message": "Missing Permissions"},
        )
    assert await discord.violations() == []

    await discord.change_role("Game Night", "Gamesched", grant=["CREATE_EVENTS"])
    own = await created(http, external_event(sandbox_clock))
    assert (await patched(http, own["id"], {"name": "Mine"}))["name"] == "Mine"
    assert (await http.delete(path)).status == 204


async def test_unknown_guilds_and_events_are_404_with_discords_codes(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """An unknown guild answers 10004; an unknown or malformed event id 10070, to every verb."""
    assert await discord_error(await http.get("guilds/1/scheduled-events")) == (404, 10004)
    elsewhere = await http.post("guilds/1/scheduled-events", json=external_event(sandbox_clock))
    assert await discord_error(elsewhere) == (404, 10004)
    for event_id in ("123", "abc"):
        path = f"{EVENTS}/{event_id}"
        for response in (
            await http.get(path),
            await http.patch(path, json={"name": "Catan"}),
            await http.delete(path),
        ):
            assert await discord_error(response) == (404, 10070), (response.method, path)


async def test_event_changes_answer_with_one_rate_limit_bucket_per_guild(
    http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """Creating, changing and deleting an event carry Discord's rate-limit headers, all of the
    guild's one scheduled-event bucket."""
    create = await http.post(EVENTS, json=external_event(sandbox_clock))
    event = await create.json()
    change = await http.patch(f"{EVENTS}/{event['id']}", json={"name": "Azul"})
    delete = await http.delete(f"{EVENTS}/{event['id']}")
    answers = (create, change, delete)
    assert {r.headers["X-RateLimit-Limit"] for r in answers} == {str(WIDE_BUCKETS)}
    assert len({r.headers["X-RateLimit-Bucket"] for r in answers}) == 1
    assert all(int(r.headers["X-RateLimit-Remaining"]) < WIDE_BUCKETS for r in answers)


async def test_a_gateway_client_with_the_intent_hears_of_every_event_change(
    sandbox: RunningSandbox, demo_world: World, http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """A gateway client identified with GUILD_SCHEDULED_EVENTS gets the create, update and
    delete dispatches; a client identifying later finds the guild's events in GUILD_CREATE."""
    async with aiohttp.ClientSession() as client:
        first = await identified(client, sandbox, demo_world, intents=1 | GUILD_SCHEDULED_EVENTS)
        event = await created(http, external_event(sandbox_clock))
        assert (await first.next_dispatch("GUILD_SCHEDULED_EVENT_CREATE"))["d"] == event
        renamed = await patched(http, event["id"], {"name": "Azul"})
        assert (await first.next_dispatch("GUILD_SCHEDULED_EVENT_UPDATE"))["d"] == renamed
        assert (await http.delete(f"{EVENTS}/{event['id']}")).status == 204
        assert (await first.next_dispatch("GUILD_SCHEDULED_EVENT_DELETE"))["d"] == renamed
        await first.socket.close()

        kept = await created(http, voice_event(sandbox_clock))
        later = await identified(client, sandbox, demo_world, intents=1)
        guild = (await later.next_dispatch("GUILD_CREATE"))["d"]
        assert guild["guild_scheduled_events"] == [kept]
        await later.socket.close()


async def test_a_bot_without_the_intent_is_sent_no_event_dispatches(
    raw_bot: RawGateway, sandbox: RunningSandbox, http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """Like gamesched's bot, a gateway client identified without GUILD_SCHEDULED_EVENTS is not sent
    the events' dispatches."""
    event = await created(http, external_event(sandbox_clock))
    await patched(http, event["id"], {"status": 2})
    bot = sandbox.sandbox.gateway.current
    assert bot is not None
    assert [f["t"] for f in bot.buffer if "SCHEDULED_EVENT" in str(f["t"])] == []


async def identified(
    client: aiohttp.ClientSession, sandbox: RunningSandbox, world: World, *, intents: int
) -> RawGateway:
    """A bare gateway client that identified with ``intents`` (GUILD_CREATE not yet read)."""
    gateway = await connect_gateway(client, sandbox)
    await gateway.receive()
    await gateway.send(2, {"token": world.token, "intents": intents})
    return gateway


async def test_the_control_api_lists_a_guilds_events_and_waits_for_them(
    http: aiohttp.ClientSession, discord: SandboxDriver, sandbox_clock: Clock
) -> None:
    """Tests read the events the sandbox holds, by guild name or id, ended ones included; asked
    for at least one, the driver waits for an event still to come."""
    waiting = asyncio.create_task(discord.scheduled_events("Game Night", at_least=1))
    event = await created(http, external_event(sandbox_clock))
    assert await waiting == [event]
    canceled = await patched(http, event["id"], {"status": 4})
    assert await discord.scheduled_events(GUILD) == [canceled]
    with pytest.raises(SandboxUsageError, match="no guild"):
        await discord.scheduled_events("Nowhere")


async def test_a_roles_permissions_change_for_rest_and_for_the_bot(
    raw_bot: RawGateway, http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """Revoking Manage Events from the bot's role shows in GET /guilds/{id}/roles and reaches
    the bot as GUILD_ROLE_UPDATE; an unknown permission or role is a usage error."""
    role = await discord.change_role(GUILD, "Gamesched", revoke=["MANAGE_EVENTS"])
    update = await raw_bot.next_dispatch("GUILD_ROLE_UPDATE")
    assert update["d"] == {"guild_id": str(GUILD), "role": role}
    roles = await (await http.get(f"guilds/{GUILD}/roles")).json()
    bits = int(next(r["permissions"] for r in roles if r["name"] == "Gamesched"))
    assert (bits & MANAGE_EVENTS, bits & CREATE_EVENTS) == (0, CREATE_EVENTS)
    with pytest.raises(SandboxUsageError, match="unknown permission 'MANAGE_EVENT'"):
        await discord.change_role(GUILD, "Gamesched", revoke=["MANAGE_EVENT"])
    with pytest.raises(SandboxUsageError, match="no role 'Nobody'"):
        await discord.change_role(GUILD, "Nobody", grant=["MANAGE_EVENTS"])


async def test_disnake_reads_makes_and_hears_events_through_the_sandbox(
    sandbox: RunningSandbox,
    demo_world: World,
    http: aiohttp.ClientSession,
    sandbox_clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A disnake client finds the voice and stage channels and the guild's events in
    GUILD_CREATE, creates an EXTERNAL event of its own (a body the sandbox and Discord's
    description accept), and hears of it through the gateway."""
    existing = await created(http, voice_event(sandbox_clock))
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    client = disnake.Client(intents=disnake.Intents(guilds=True, guild_scheduled_events=True))
    heard: asyncio.Queue[disnake.GuildScheduledEvent] = asyncio.Queue()
    client.add_listener(heard.put, "on_guild_scheduled_event_create")
    running = asyncio.create_task(client.start(demo_world.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), timeout=10)
        guild = client.get_guild(GUILD)
        assert guild is not None
        assert isinstance(guild.get_channel(VOICE), disnake.VoiceChannel)
        assert isinstance(guild.get_channel(STAGE), disnake.StageChannel)
        assert [e.id for e in guild.scheduled_events] == [int(existing["id"])]

        start = datetime.fromtimestamp(sandbox_clock.now(), UTC) + DAY
        made = await guild.create_scheduled_event(
            name="Catan night",
            entity_type=disnake.GuildScheduledEventEntityType.external,
            entity_metadata=disnake.GuildScheduledEventMetadata(location="#board-games"),
            scheduled_start_time=start,
            scheduled_end_time=start + timedelta(hours=3),
        )
        assert made.entity_metadata is not None
        assert made.entity_metadata.location == "#board-games"
        assert (await asyncio.wait_for(heard.get(), timeout=10)).id == made.id
    finally:
        await client.close()
        await asyncio.wait_for(running, timeout=10)
