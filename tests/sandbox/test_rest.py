"""The REST API answers in Discord's shapes, codes and headers."""

from __future__ import annotations

import aiohttp

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World

GUILD = 1170000000000000001
GENERAL = 1190000000000000002
ANNOUNCEMENTS = 1190000000000000003
LFG = 1190000000000000007
SAM = 1160000000000000002
CLEO = 1160000000000000012


async def test_requests_without_the_bot_token_get_401(sandbox: RunningSandbox) -> None:
    """A request with a wrong or missing token is refused with 401 like Discord."""
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bot wrong"}):
            response = await session.get(sandbox.base_url + "/users/@me", headers=headers)
            assert response.status == 401
            assert (await response.json())["message"] == "401: Unauthorized"


async def test_json_answers_carry_exactly_application_json(http: aiohttp.ClientSession) -> None:
    """Content-Type is exactly application/json (disnake ignores bodies with a charset)."""
    response = await http.get("users/@me")
    assert response.headers["Content-Type"] == "application/json"
    me = await response.json()
    assert (me["username"], me["bot"]) == ("gamesched", True)


async def test_gateway_bot_points_at_the_sandbox_gateway(
    http: aiohttp.ClientSession, sandbox: RunningSandbox
) -> None:
    """GET /gateway/bot gives a ws:// URL of this sandbox and a session start budget."""
    data = await (await http.get("gateway/bot")).json()
    assert data["url"] == f"ws://{sandbox.host}:{sandbox.port}/gateway"
    assert data["shards"] == 1
    assert data["session_start_limit"]["remaining"] > 0


async def test_unknown_objects_use_discords_codes(http: aiohttp.ClientSession) -> None:
    """Unknown channel, message and member answer 404 with codes 10003, 10008 and 10007."""
    cases = [
        ("channels/1/messages", 10003),
        (f"channels/{GENERAL}/messages/123", 10008),
        (f"guilds/{GUILD}/members/123", 10007),
    ]
    for path, code in cases:
        response = await http.get(path)
        assert response.status == 404
        assert (await response.json())["code"] == code


async def test_posting_where_the_bot_lacks_send_messages_is_403_50013(
    http: aiohttp.ClientSession,
) -> None:
    """The world's channel overwrite denying SEND_MESSAGES makes a post fail with 50013."""
    response = await http.post(f"channels/{ANNOUNCEMENTS}/messages", json={"content": "hi"})
    assert response.status == 403
    assert await response.json() == {"code": 50013, "message": "Missing Permissions"}


async def test_dm_to_a_user_with_closed_dms_is_403_50007(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """Opening the DM works, sending to a user with closed DMs fails with 50007."""
    closed = await (await http.post("users/@me/channels", json={"recipient_id": str(CLEO)})).json()
    response = await http.post(f"channels/{closed['id']}/messages", json={"content": "hi"})
    assert response.status == 403
    assert (await response.json())["code"] == 50007

    dm = await (await http.post("users/@me/channels", json={"recipient_id": str(SAM)})).json()
    assert dm["type"] == 1
    sent = await http.post(f"channels/{dm['id']}/messages", json={"content": "Reminder"})
    assert sent.status == 200
    assert [m["content"] for m in await discord.dms("sam")] == ["Reminder"]


async def test_a_lost_dm_channel_is_unknown_and_opening_a_dm_gives_a_new_one(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """Once the control API loses Sam's DM channel, posting to it is 404 10003 and nothing is
    stored; opening the DM gives a new channel, and Sam's DMs list both channels' messages."""
    old = await (await http.post("users/@me/channels", json={"recipient_id": str(SAM)})).json()
    await http.post(f"channels/{old['id']}/messages", json={"content": "first"})

    assert await discord.lose_dm_channel("sam") == int(old["id"])

    refused = await http.post(f"channels/{old['id']}/messages", json={"content": "lost"})
    assert refused.status == 404
    assert (await refused.json())["code"] == 10003
    new = await (await http.post("users/@me/channels", json={"recipient_id": str(SAM)})).json()
    assert new["id"] != old["id"]
    assert (await http.post(f"channels/{new['id']}/messages", json={"content": "second"})).ok
    assert [m["content"] for m in await discord.dms("sam")] == ["first", "second"]
    assert await discord.lose_dm_channel("zoe") is None


async def test_message_create_get_list_edit_delete(http: aiohttp.ClientSession) -> None:
    """Messages round-trip: create, get one, list newest first, edit, delete."""
    first = await (await http.post(f"channels/{LFG}/messages", json={"content": "one"})).json()
    second = await (await http.post(f"channels/{LFG}/messages", json={"content": "two"})).json()
    assert first["author"]["id"] == "1150000000000000001"
    got = await (await http.get(f"channels/{LFG}/messages/{first['id']}")).json()
    assert got["content"] == "one"
    listed = await (await http.get(f"channels/{LFG}/messages", params={"limit": "1"})).json()
    assert [m["id"] for m in listed] == [second["id"]]

    edited = await http.patch(f"channels/{LFG}/messages/{first['id']}", json={"content": "uno"})
    body = await edited.json()
    assert (body["content"], body["edited_timestamp"] is not None) == ("uno", True)

    deleted = await http.delete(f"channels/{LFG}/messages/{second['id']}")
    assert deleted.status == 204
    gone = await http.get(f"channels/{LFG}/messages/{second['id']}")
    assert (await gone.json())["code"] == 10008


async def test_invalid_message_body_is_50035_with_nested_errors_and_recorded(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """A message over Discord's limits is refused as Invalid Form Body and kept as a violation."""
    response = await http.post(f"channels/{LFG}/messages", json={"content": "x" * 2001})
    assert response.status == 400
    body = await response.json()
    assert (body["code"], body["message"]) == (50035, "Invalid Form Body")
    assert body["errors"]["content"]["_errors"]
    violations = await discord.violations()
    assert [v["code"] for v in violations] == [50035]
    assert (await discord.log())[-1]["status"] == 400


async def test_pings_are_recorded_per_message(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """Each stored message says whom it pinged, honouring allowed_mentions."""
    text = f"<@{SAM}> @everyone"
    await http.post(f"channels/{LFG}/messages", json={"content": text})
    await http.post(
        f"channels/{LFG}/messages", json={"content": text, "allowed_mentions": {"parse": []}}
    )
    loud, quiet = await discord.messages("lfg")
    assert loud["sandbox"]["pinged_users"] == [str(SAM)]
    assert not loud["sandbox"]["pinged_everyone"]  # the bot lacks MENTION_EVERYONE
    assert quiet["sandbox"]["pinged_nobody"]


async def test_member_list_and_prefix_search(http: aiohttp.ClientSession) -> None:
    """Members list by id with limit/after; search is a case-insensitive username/nick prefix."""
    page = await (await http.get(f"guilds/{GUILD}/members", params={"limit": "2"})).json()
    ids = [m["user"]["id"] for m in page]
    assert ids == sorted(ids)
    assert len(ids) == 2
    after = await (
        await http.get(f"guilds/{GUILD}/members", params={"limit": "1000", "after": ids[-1]})
    ).json()
    assert ids[-1] not in [m["user"]["id"] for m in after]

    found = await (
        await http.get(f"guilds/{GUILD}/members/search", params={"query": "SAM", "limit": "10"})
    ).json()
    names = sorted(m["user"]["username"] for m in found)
    assert names == ["sam", "samantha", "sammy_b", "taylor"]  # taylor's nick is "samantha"


async def test_guild_and_roles_have_the_shapes_disnake_needs(http: aiohttp.ClientSession) -> None:
    """Guild and role objects carry permissions as strings and the colors object."""
    guild = await (await http.get(f"guilds/{GUILD}")).json()
    assert guild["name"] == "Game Night"
    roles = await (await http.get(f"guilds/{GUILD}/roles")).json()
    admin = next(r for r in roles if r["name"] == "Admin")
    assert admin["permissions"] == str(8)
    assert "primary_color" in admin["colors"]


async def test_application_commands_bulk_put_keeps_ids_and_post_upserts(
    http: aiohttp.ClientSession, demo_world: World
) -> None:
    """Bulk overwrite keeps a command's id by name; POST answers 201 new and 200 replaced."""
    base = f"applications/{demo_world.application_id}/commands"
    command = {"name": "list-games", "description": "List games", "type": 1}
    first = await (await http.put(base, json=[command])).json()
    second = await (await http.put(base, json=[command])).json()
    assert first[0]["id"] == second[0]["id"]
    created = await http.post(base, json={**command, "name": "my-games"})
    replaced = await http.post(base, json={**command, "description": "Changed"})
    assert (created.status, replaced.status) == (201, 200)
    listed = await (await http.get(base)).json()
    assert sorted(c["name"] for c in listed) == ["list-games", "my-games"]

    bad = await http.put(base, json=[{**command, "name": "Bad Name"}])
    assert (await bad.json())["code"] == 50035


async def test_a_repeated_nonce_returns_the_first_message_instead_of_a_second(
    http: aiohttp.ClientSession, discord: SandboxDriver
) -> None:
    """With enforce_nonce a retried create shows once; without it, a repeat is a new message."""
    dm = await (await http.post("users/@me/channels", json={"recipient_id": str(SAM)})).json()
    path = f"channels/{dm['id']}/messages"
    body = {"content": "Reminder", "nonce": "d42", "enforce_nonce": True}
    first = await (await http.post(path, json=body)).json()
    again = await (await http.post(path, json=body)).json()
    assert again["id"] == first["id"]
    assert len(await discord.dms(SAM)) == 1
    await http.post(path, json={"content": "Reminder", "nonce": "d42"})
    assert len(await discord.dms(SAM)) == 2
