"""The control API and driver: usage errors, timeouts, faults, the log, the world."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import disnake
import pytest

from gamesched.sandbox import control
from gamesched.sandbox.driver import InteractionTimeout, SandboxDriver, SandboxUsageError
from gamesched.sandbox.server import RunningSandbox, create_sandbox_app
from gamesched.sandbox.world import World
from tests.support.sandbox import RawGateway

LFG = 1190000000000000007


async def test_driver_times_out_when_the_bot_stays_silent(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """An unanswered command raises InteractionTimeout carrying the unanswered record."""
    with pytest.raises(InteractionTimeout) as caught:
        await discord.slash("sam", "create", channel="lfg", options={"title": "x"}, within=0.2)
    assert caught.value.partial is not None
    assert caught.value.partial["callback"] is None


async def test_acting_before_the_bot_connects_is_refused(discord: SandboxDriver) -> None:
    """Without a gateway session the control API says the bot must be started first."""
    with pytest.raises(SandboxUsageError, match="not connected"):
        await discord.drop_gateway()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "required option"),
        ({"title": "x", "size": 5}, "only offers"),
        ({"title": "x", "colour": "red"}, "no option"),
        ({"title": "x", "host": "nobody"}, "cannot resolve"),
        ({"title": "x", "size": "four"}, "takes an integer"),
        ({"title": "x", "public": "maybe"}, "takes true or false"),
    ],
)
async def test_command_usage_mistakes_are_explained(
    raw_bot: RawGateway, discord: SandboxDriver, options: dict[str, object], message: str
) -> None:
    """Options a Discord client would not send are refused with a message saying what is wrong."""
    with pytest.raises(SandboxUsageError, match=message):
        await discord.slash("sam", "create", channel="lfg", options=options, wait=False)


async def test_typed_option_text_is_sent_as_the_options_type(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """Options typed as text (as on the page) reach the bot as integers and booleans."""
    options = {"title": "x", "size": "6", "public": "false"}
    await discord.slash("sam", "create", channel="lfg", options=options, wait=False)
    data = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]["data"]
    assert {o["name"]: o["value"] for o in data["options"]} == {
        "title": "x",
        "size": 6,
        "public": False,
    }


async def test_subcommands_and_channel_options_are_built(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """A subcommand path nests the options and resolves a channel option by name."""
    await discord.slash(
        "kai_keeper", "config channel", channel="lfg", options={"target": "rpg"}, wait=False
    )
    data = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]["data"]
    sub = data["options"][0]
    assert (sub["name"], sub["type"]) == ("channel", 1)
    assert sub["options"][0]["value"] == "1190000000000000006"
    assert data["resolved"]["channels"]["1190000000000000006"]["name"] == "rpg"


async def test_unknown_member_command_and_button_are_usage_errors(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """Unknown members, commands and buttons, and modals never opened, are refused clearly."""
    with pytest.raises(SandboxUsageError, match="no member"):
        await discord.slash("ghost", "create", channel="lfg", options={"title": "x"})
    with pytest.raises(SandboxUsageError, match="no synced slash command"):
        await discord.slash("sam", "nope", channel="lfg")
    with pytest.raises(SandboxUsageError, match="no component"):
        await discord.click("sam", "join")
    with pytest.raises(SandboxUsageError, match="no open modal"):
        await discord.submit_modal("sam", {"title": "x"})


async def test_disabled_buttons_cannot_be_clicked(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """A disabled button is refused as a user could not click it."""
    row = {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "Join", "custom_id": "join", "disabled": True}
        ],
    }
    await http.post(f"channels/{LFG}/messages", json={"content": "Game", "components": [row]})
    with pytest.raises(SandboxUsageError, match="disabled"):
        await discord.click("sam", "join")


async def test_error_fault_answers_500_until_cleared(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """An error fault makes matching routes fail with its status; clearing it restores them."""
    await discord.add_fault("error", r"^POST /channels/\d+/messages$", status=503)
    assert (await http.post(f"channels/{LFG}/messages", json={"content": "a"})).status == 503
    assert (await http.get("users/@me")).status == 200
    await discord.clear_faults()
    assert (await http.post(f"channels/{LFG}/messages", json={"content": "a"})).status == 200
    assert await discord.violations() == []


async def test_error_rate_hits_some_requests_and_times_expires_a_fault(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """error_rate fails only a share of matching requests; a fault with times stops after N."""
    fault = await discord.add_fault("error", "GET /users/@me", error_rate=0.5)
    statuses = [(await http.get("users/@me")).status for _ in range(40)]
    assert set(statuses) == {200, 500}
    (listed,) = await discord.faults()
    assert (listed["id"], listed["hits"]) == (fault, statuses.count(500))
    await discord.clear_faults()

    await discord.add_fault("error", "GET /users/@me", status=502, times=2)
    statuses = [(await http.get("users/@me")).status for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert await discord.faults() == []


async def test_latency_fault_delays_matching_requests(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """A latency fault holds the answer back at least the configured time."""
    await discord.add_fault("latency", "GET /users/@me", seconds=0.2, times=1)
    started = time.monotonic()
    assert (await http.get("users/@me")).status == 200
    assert time.monotonic() - started >= 0.2


async def test_disnake_rides_out_a_429_storm(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Injected 429s carry Via and retry_after, so disnake waits and retries until it lands."""
    await discord.add_fault("rate_limit", "POST /channels/", seconds=0.05, times=3)
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    client = disnake.http.HTTPClient(loop=asyncio.get_running_loop())
    await client.static_login(demo_world.token)
    try:
        sent = await client.send_message(LFG, content="eventually")
    finally:
        await client.close()
    assert sent["content"] == "eventually"
    statuses = [e["status"] for e in await discord.log() if e["method"] == "POST"]
    assert statuses == [429, 429, 429, 200]
    assert await discord.violations() == []  # injected storms are not the bot's fault


async def test_log_since_returns_only_newer_requests(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """The request log records method, path, body and status, and pages by sequence number."""
    await http.get("users/@me")
    await http.post(f"channels/{LFG}/messages", json={"content": "logged"})
    first, second = await discord.log()
    assert (first["method"], first["path"], first["status"]) == ("GET", "/users/@me", 200)
    assert second["body"] == {"content": "logged"}
    assert await discord.log(since=first["seq"]) == [second]


async def test_world_lists_members_with_display_names(discord: SandboxDriver) -> None:
    """The world endpoint shows each member's display name by nick > global name > username."""
    world = await discord.world()
    names = {m["username"]: m["display_name"] for m in world["guilds"][0]["members"]}
    assert (names["sam"], names["samantha"], names["taylor"]) == ("Sammy", "Samantha", "samantha")


def test_every_control_endpoint_is_documented(demo_world: World) -> None:
    """Each method and path the control API serves is described in its documentation."""

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path)

    documented = {
        (method, shape(path))
        for methods, path in re.findall(r"``([A-Z|]+) (/_sandbox[^`?]*)", control.__doc__ or "")
        for method in methods.split("|")
    }
    served = {
        (route.method, shape(route.resource.canonical))
        for route in create_sandbox_app(demo_world).router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith(control.PREFIX)
        and route.method != "HEAD"
    }
    assert served - documented == set()
    assert documented - served == set()
