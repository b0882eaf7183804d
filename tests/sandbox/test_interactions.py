"""Discord's rules for answering interactions, with the test playing the bot over raw HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from gamesched.sandbox.driver import InteractionResult, SandboxDriver, SandboxUsageError
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World
from tests.support.sandbox import RawGateway

SAM = "1160000000000000002"
BUTTON_ROW: list[dict[str, Any]] = [
    {"type": 1, "components": [{"type": 2, "style": 1, "label": "Join", "custom_id": "join"}]}
]
MODAL = {
    "custom_id": "create-modal",
    "title": "New game",
    "components": [
        {
            "type": 1,
            "components": [{"type": 4, "custom_id": "title", "label": "Title", "style": 1}],
        },
        {
            "type": 18,
            "label": "Notes",
            "component": {"type": 4, "custom_id": "notes", "style": 2, "required": False},
        },
    ],
}


async def callback(
    http: aiohttp.ClientSession, result: InteractionResult, body: dict[str, Any]
) -> tuple[int, Any]:
    """Answer an interaction as the bot; returns status and JSON body (None for 204)."""
    response = await http.post(f"interactions/{result.id}/{result.token}/callback", json=body)
    return response.status, (None if response.status == 204 else await response.json())


async def start_command(
    discord: SandboxDriver, raw_bot: RawGateway
) -> tuple[InteractionResult, dict[str, Any]]:
    """Sam runs /create in #lfg; returns the record and the dispatched payload."""
    result = await discord.slash(
        "sam",
        "create",
        channel="lfg",
        options={"title": "Catan", "host": "zoe", "size": 4},
        wait=False,
    )
    frame = await raw_bot.next_dispatch("INTERACTION_CREATE")
    return result, frame["d"]


async def test_command_payload_carries_member_permissions_and_resolved_options(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """The dispatched command has typed options, resolved users, member and app permissions."""
    _, payload = await start_command(discord, raw_bot)
    data = payload["data"]
    assert data["name"] == "create"
    assert data["guild_id"] == "1170000000000000001"
    assert {o["name"]: o["value"] for o in data["options"]} == {
        "title": "Catan",
        "host": "1160000000000000008",
        "size": 4,
    }
    assert data["resolved"]["users"]["1160000000000000008"]["username"] == "zoe"
    assert payload["member"]["user"]["id"] == SAM
    assert int(payload["member"]["permissions"]) & (1 << 11)
    assert not int(payload["member"]["permissions"]) & (1 << 5)  # no MANAGE_GUILD
    assert int(payload["app_permissions"]) & (1 << 11)
    for key in ("attachment_size_limit", "channel", "locale", "version", "token"):
        assert key in payload


async def test_admin_member_gets_every_permission(
    raw_bot: RawGateway, discord: SandboxDriver
) -> None:
    """A member with an ADMINISTRATOR role gets all permission bits in the interaction."""
    await discord.slash("olivia", "create", channel="lfg", options={"title": "x"}, wait=False)
    payload = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]
    mia = await discord.slash(
        "mia_mod", "create", channel="lfg", options={"title": "x"}, wait=False
    )
    mod = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]
    assert int(payload["member"]["permissions"]) & (1 << 3)
    assert int(mod["member"]["permissions"]) & (1 << 5)
    assert mia.id


async def test_answering_twice_is_40060(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """The second callback to one interaction is refused as already acknowledged."""
    result, _ = await start_command(discord, raw_bot)
    assert (await callback(http, result, {"type": 4, "data": {"content": "ok"}}))[0] == 204
    status, body = await callback(http, result, {"type": 4, "data": {"content": "again"}})
    assert (status, body["code"]) == (400, 40060)
    assert [v["code"] for v in await discord.violations()] == [40060]


async def test_answering_after_three_seconds_is_unknown_interaction(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession, sandbox_clock: Clock
) -> None:
    """A callback later than Discord's 3 s window gets 404 code 10062."""
    result, _ = await start_command(discord, raw_bot)
    sandbox_clock.advance(3.1)
    status, body = await callback(http, result, {"type": 4, "data": {"content": "late"}})
    assert (status, body["code"]) == (404, 10062)
    record = await discord.interaction(result.id)
    assert record.rejected[0]["code"] == 10062
    assert record.callback_type is None


async def test_modal_opened_then_submitted_and_modal_answer_to_modal_refused(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """The bot opens a modal, the user submits it, and answering the submit with a modal fails."""
    result, _ = await start_command(discord, raw_bot)
    assert (await callback(http, result, {"type": 9, "data": MODAL}))[0] == 204
    assert (await discord.interaction(result.id)).modal == MODAL

    submitted = await discord.submit_modal("sam", {"title": "Catan night"}, wait=False)
    payload = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]
    assert payload["type"] == 5
    assert payload["data"]["custom_id"] == "create-modal"
    row, label = payload["data"]["components"]
    assert row["components"][0] == {"type": 4, "custom_id": "title", "value": "Catan night"}
    assert label["component"]["value"] == ""

    status, body = await callback(http, submitted, {"type": 9, "data": MODAL})
    assert (status, body["code"]) == (400, 50035)
    assert "modal" in body["errors"]["type"]["_errors"][0]["message"]
    assert await discord.open_modals("sam") == []


async def test_followups_need_an_ack_and_expire_after_15_minutes(
    raw_bot: RawGateway,
    discord: SandboxDriver,
    http: aiohttp.ClientSession,
    sandbox_clock: Clock,
    demo_world: World,
) -> None:
    """Follow-ups need an ack first (10015), settle a deferral, and expire at 15 min (50027)."""
    result, _ = await start_command(discord, raw_bot)
    hook = f"webhooks/{demo_world.application_id}/{result.token}"
    early = await http.post(hook, json={"content": "too early"})
    assert (await early.json())["code"] == 10015

    await callback(http, result, {"type": 5, "data": {"flags": 64}})
    edited = await http.patch(f"{hook}/messages/@original", json={"content": "Created"})
    assert (await edited.json())["flags"] & 64
    followup = await http.post(hook, params={"wait": "true"}, json={"content": "More"})
    assert (await followup.json())["content"] == "More"
    record = await discord.interaction(result.id, followups=1)
    assert record.settled
    assert record.content == "Created"
    assert record.ephemeral
    assert [m["content"] for m in record.followups] == ["More"]
    assert [m["content"] for m in await discord.messages("lfg")] == ["More"]
    assert [m["content"] for m in await discord.messages("lfg", member="sam")] == [
        "Created",
        "More",
    ]  # the ephemeral reply is Sam's alone

    sandbox_clock.advance(15 * 60 + 1)
    expired = await http.post(hook, json={"content": "stale"})
    assert (expired.status, (await expired.json())["code"]) == (401, 50027)


async def test_invalid_callback_body_is_invalid_form_body(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """A callback message breaking limits.py's rules is refused with 50035 and logged."""
    result, _ = await start_command(discord, raw_bot)
    status, body = await callback(http, result, {"type": 4, "data": {"content": "x" * 2001}})
    assert (status, body["code"]) == (400, 50035)
    assert (await discord.violations())[0]["path"].endswith("/callback")


async def test_click_update_and_select_on_a_bot_message(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """A click carries the full message; an UPDATE_MESSAGE answer edits it in place."""
    result, _ = await start_command(discord, raw_bot)
    await callback(http, result, {"type": 4, "data": {"content": "Game", "components": BUTTON_ROW}})

    click = await discord.click("zoe", "join", wait=False)
    payload = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]
    assert payload["data"] == {"custom_id": "join", "component_type": 2}
    assert payload["message"]["components"] == BUTTON_ROW
    disabled = [{"type": 1, "components": [{**BUTTON_ROW[0]["components"][0], "disabled": True}]}]
    await callback(
        http, click, {"type": 7, "data": {"content": "Game (1)", "components": disabled}}
    )
    record = await discord.interaction(click.id)
    assert record.content == "Game (1)"
    assert record.callback_type == 7
    assert [m["content"] for m in await discord.messages("lfg")] == ["Game (1)"]


async def test_autocomplete_returns_the_bots_choices(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """An autocomplete request marks the focused option; the type-8 answer's choices come back."""
    asking = asyncio.create_task(
        discord.autocomplete("sam", "create", channel="lfg", focused="game", options={"game": "ca"})
    )
    payload = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]
    assert payload["type"] == 4
    assert payload["data"]["options"] == [
        {"name": "game", "type": 3, "value": "ca", "focused": True}
    ]
    choices = [{"name": "Catan", "value": "catan"}]
    token = payload["token"]
    response = await http.post(
        f"interactions/{payload['id']}/{token}/callback",
        json={"type": 8, "data": {"choices": choices}},
    )
    assert response.status == 204
    assert await asking == choices


async def test_select_menu_choice_is_validated_and_dispatched(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession
) -> None:
    """Only offered values can be chosen; the choice arrives as the interaction's values."""
    menu = {
        "type": 3,
        "custom_id": "pick-game",
        "options": [{"label": "Catan", "value": "catan"}, {"label": "Azul", "value": "azul"}],
    }
    await http.post(
        "channels/1190000000000000007/messages",
        json={"content": "Pick", "components": [{"type": 1, "components": [menu]}]},
    )
    with pytest.raises(SandboxUsageError, match="does not offer"):
        await discord.select("sam", "pick-game", ["chess"])
    await discord.select("sam", "pick-game", ["azul"], wait=False)
    data = (await raw_bot.next_dispatch("INTERACTION_CREATE"))["d"]["data"]
    assert data == {"custom_id": "pick-game", "component_type": 3, "values": ["azul"]}


async def post_with_button(
    discord: SandboxDriver, raw_bot: RawGateway, http: aiohttp.ClientSession
) -> dict[str, Any]:
    """The bot answers Sam's /create with a message carrying the Join button; returns it."""
    result, _ = await start_command(discord, raw_bot)
    await callback(http, result, {"type": 4, "data": {"content": "Game", "components": BUTTON_ROW}})
    message = (await discord.interaction(result.id)).message
    assert message is not None
    return dict(message)


async def test_deferred_update_is_completed_by_editing_the_clicked_message(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession, demo_world: World
) -> None:
    """Type 6 acknowledges a click silently; editing @original then changes the clicked message."""
    await post_with_button(discord, raw_bot, http)
    click = await discord.click("zoe", "join", wait=False)
    await raw_bot.next_dispatch("INTERACTION_CREATE")
    assert (await callback(http, click, {"type": 6}))[0] == 204
    assert not (await discord.interaction(click.id)).settled

    hook = f"webhooks/{demo_world.application_id}/{click.token}/messages/@original"
    edited = await http.patch(hook, json={"content": "Game (1)"})
    assert edited.status == 200
    record = await discord.interaction(click.id)
    assert (record.settled, record.callback_type, record.content) == (True, 6, "Game (1)")
    assert [m["content"] for m in await discord.messages("lfg")] == ["Game (1)"]


async def test_deferred_reply_is_not_settled_by_edits_of_the_clicked_message(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession, demo_world: World
) -> None:
    """A type 5 click waits for its own reply; an edit of the clicked message settles nothing."""
    announcement = await post_with_button(discord, raw_bot, http)
    click = await discord.click("zoe", "join", wait=False)
    await raw_bot.next_dispatch("INTERACTION_CREATE")
    await callback(http, click, {"type": 5, "data": {"flags": 64}})
    await http.patch(
        f"channels/{announcement['channel_id']}/messages/{announcement['id']}",
        json={"content": "Game (1)"},
    )
    assert not (await discord.interaction(click.id)).settled

    hook = f"webhooks/{demo_world.application_id}/{click.token}/messages/@original"
    await http.patch(hook, json={"content": "You're in"})
    record = await discord.interaction(click.id)
    assert (record.settled, record.content, record.ephemeral) == (True, "You're in", True)


async def test_followups_are_read_edited_and_deleted_by_id(
    raw_bot: RawGateway, discord: SandboxDriver, http: aiohttp.ClientSession, demo_world: World
) -> None:
    """A follow-up's id addresses it through the webhook; other ids are Unknown Message."""
    result, _ = await start_command(discord, raw_bot)
    await callback(http, result, {"type": 4, "data": {"content": "Created"}})
    hook = f"webhooks/{demo_world.application_id}/{result.token}"
    sent = await (await http.post(hook, params={"wait": "true"}, json={"content": "v1"})).json()

    at = f"{hook}/messages/{sent['id']}"
    assert (await (await http.get(at)).json())["content"] == "v1"
    assert (await (await http.patch(at, json={"content": "v2"})).json())["content"] == "v2"
    assert (await (await http.get(f"{hook}/messages/@original")).json())["content"] == "Created"
    unknown = await http.get(f"{hook}/messages/123")
    assert (unknown.status, (await unknown.json())["code"]) == (404, 10008)
    assert (await http.delete(at)).status == 204
    assert [m["content"] for m in await discord.messages("lfg")] == ["Created"]
