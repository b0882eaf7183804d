"""The API's guilds and channels: what a member sees there and may do, and their settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import api_as, code_of
from tests.support.demo import (
    ANNOUNCEMENTS,
    BOARD_GAMES,
    GAME_HOST,
    GUILD,
    add_role,
    allow_game_hosts,
)
from tests.support.factories import PLACE_FLAG_FIELDS
from tests.support.web import Site

GUILD_CONFIG = f"/guilds/{GUILD}/config"
CHANNEL_CONFIG = f"/channels/{BOARD_GAMES}/config"


def by_id(channels: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(c["id"]): c for c in channels}


async def test_a_member_sees_their_guilds_with_the_bot(site: Site) -> None:
    """GET /guilds lists Game Night with its id as a string, and whether the member may change
    its settings (the owner may, a host may not)."""
    sam = await api_as(site, "sam")
    assert (await sam.get("/guilds")).json() == [
        {"id": str(GUILD), "name": "Game Night", "icon": None, "can_configure": False}
    ]
    olivia = await api_as(site, "olivia")
    assert (await olivia.get("/guilds")).json()[0]["can_configure"] is True


async def test_channels_say_who_may_host_and_where_the_bot_posts(site: Site) -> None:
    """GET /guilds/{id}/channels lists the text channels with their settings and sources,
    whether the bot may post, whether the member may host (and why not)."""
    await allow_game_hosts(site)
    sam = await api_as(site, "sam")
    channels = by_id((await sam.get(f"/guilds/{GUILD}/channels")).json())
    board = channels[BOARD_GAMES]
    assert board["name"] == "board-games"
    assert (board["can_host"], board["bot_can_post"], board["can_configure"]) == (
        True,
        True,
        False,
    )
    assert board["settings"]["host_role_ids"] == {"value": [str(GAME_HOST)], "source": "guild"}
    assert board["settings"]["max_players"] == {"value": 10, "source": "default"}
    assert channels[ANNOUNCEMENTS]["bot_can_post"] is False
    assert 1190000000000000001 not in channels  # the Lobby category is no text channel
    samantha = await api_as(site, "samantha")
    refused = by_id((await samantha.get(f"/guilds/{GUILD}/channels")).json())[BOARD_GAMES]
    assert refused["can_host"] is False
    assert "Host roles here: Game Host." in refused["host_refusal"]
    keeper = await api_as(site, "kai_keeper")
    kept = by_id((await keeper.get(f"/guilds/{GUILD}/channels")).json())[BOARD_GAMES]
    assert kept["can_configure"] is True


async def test_a_guild_that_is_not_yours_is_404(site: Site) -> None:
    """A server the member does not share with the bot (or no id at all) answers 404."""
    sam = await api_as(site, "sam")
    for path in ("/guilds/1170000000000000099/channels", "/guilds/nope/config"):
        response = await sam.get(path)
        assert code_of(response) == (404, "not_found"), path


async def test_manage_server_changes_the_guilds_settings_and_null_resets(site: Site) -> None:
    """olivia (owner) sets the server's cap, host roles and time zone; the answer shows each
    from 'guild'; null makes the cap inherit the default again and keeps the rest."""
    olivia = await api_as(site, "olivia")
    body = {"max_players": 6, "host_role_ids": [str(GAME_HOST)], "timezone": "europe/berlin"}
    response = await olivia.post(GUILD_CONFIG, body)
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["timezone"] == "Europe/Berlin"
    assert config["settings"]["max_players"] == {"value": 6, "source": "guild"}
    assert config["settings"]["host_role_ids"] == {"value": [str(GAME_HOST)], "source": "guild"}
    reset = (await olivia.post(GUILD_CONFIG, {"max_players": None})).json()
    assert reset["settings"]["max_players"] == {"value": 10, "source": "default"}
    assert reset["settings"]["host_role_ids"]["source"] == "guild"
    assert reset["timezone"] == "Europe/Berlin"
    assert (await olivia.get(GUILD_CONFIG)).json() == reset


async def test_a_role_made_in_discord_a_moment_ago_may_be_a_host_role(site: Site) -> None:
    """A role created in Discord after the site last looked at the server is known when
    the settings are changed (asked afresh), not refused as 'not a role of this server'."""
    olivia = await api_as(site, "olivia")
    assert (await olivia.get(f"/guilds/{GUILD}/channels")).status_code == 200
    add_role(site, 1180000000000000099, "Dungeon Master")
    response = await olivia.post(GUILD_CONFIG, {"host_role_ids": ["1180000000000000099"]})
    assert response.status_code == 200, response.text
    host_roles = response.json()["settings"]["host_role_ids"]
    assert host_roles == {"value": ["1180000000000000099"], "source": "guild"}


async def test_without_manage_server_the_guilds_settings_stay(site: Site) -> None:
    """sam (a host, not a server manager) gets 403 settings_permission; nothing changes."""
    sam = await api_as(site, "sam")
    before = (await sam.get(GUILD_CONFIG)).json()
    response = await sam.post(GUILD_CONFIG, {"max_players": 3})
    assert code_of(response) == (403, "settings_permission")
    assert "Manage Server" in response.json()["message"]
    assert (await sam.get(GUILD_CONFIG)).json() == before


async def test_bad_settings_answer_422_and_nothing_is_saved(site: Site) -> None:
    """An unknown role, a cap out of range, a mistyped zone or a wrong type answer 422 with
    a problem per field; the settings stay as they were."""
    olivia = await api_as(site, "olivia")
    before = (await olivia.get(GUILD_CONFIG)).json()
    cases = [
        ({"host_role_ids": ["1180000000000000099"]}, "host_role_ids", "not a role"),
        ({"max_players": 0}, "max_players", "between 1 and 500"),
        ({"timezone": "Mars/Olympus"}, "timezone", "IANA"),
        ({"max_players": "six"}, "max_players", "valid integer"),
        ({"rules": "a\x00b"}, "rules", "control characters"),
    ]
    for body, field, words in cases:
        response = await olivia.post(GUILD_CONFIG, body)
        assert response.status_code == 422, body
        (problem,) = response.json()["problems"]
        assert problem["field"] == field
        assert words in problem["message"], problem
    assert (await olivia.get(GUILD_CONFIG)).json() == before


async def test_manage_channels_changes_a_channels_settings(site: Site) -> None:
    """kai_keeper (Manage Channels) sets the channel's category; it shows from 'channel',
    and a member without the permission is refused with 403."""
    keeper = await api_as(site, "kai_keeper")
    response = await keeper.post(CHANNEL_CONFIG, {"category": "Board games"})
    assert response.status_code == 200, response.text
    config = response.json()
    assert (config["guild_id"], config["channel_id"]) == (str(GUILD), str(BOARD_GAMES))
    assert config["settings"]["category"] == {"value": "Board games", "source": "channel"}
    sam = await api_as(site, "sam")
    refused = await sam.post(CHANNEL_CONFIG, {"category": "Mine"})
    assert code_of(refused) == (403, "settings_permission")
    shown = (await sam.get(CHANNEL_CONFIG)).json()
    assert shown["settings"]["category"]["value"] == "Board games"


@pytest.mark.parametrize("flag", PLACE_FLAG_FIELDS)
async def test_an_on_off_setting_is_set_per_level_and_null_inherits(site: Site, flag: str) -> None:
    """An on/off setting (channel reminders, public feed, scheduled events) set `true` on the
    server shows from 'guild' there and in its channels; a channel's `false` shows from
    'channel'; `null` on each gives the server's value, then the default `false`, back."""
    olivia = await api_as(site, "olivia")
    assert (await olivia.get(GUILD_CONFIG)).json()["settings"][flag] == {
        "value": False,
        "source": "default",
    }
    server = await olivia.post(GUILD_CONFIG, {flag: True})
    assert server.status_code == 200, server.text
    assert server.json()["settings"][flag] == {"value": True, "source": "guild"}
    assert (await olivia.get(CHANNEL_CONFIG)).json()["settings"][flag] == {
        "value": True,
        "source": "guild",
    }
    here = (await olivia.post(CHANNEL_CONFIG, {flag: False})).json()
    assert here["settings"][flag] == {"value": False, "source": "channel"}
    here = (await olivia.post(CHANNEL_CONFIG, {flag: None})).json()
    assert here["settings"][flag] == {"value": True, "source": "guild"}
    reset = (await olivia.post(GUILD_CONFIG, {flag: None})).json()
    assert reset["settings"][flag] == {"value": False, "source": "default"}


async def test_an_unknown_channel_is_404(site: Site) -> None:
    """A channel that is in none of the member's servers (or is a category) answers 404."""
    olivia = await api_as(site, "olivia")
    for path in ("/channels/1190000000000000099/config", "/channels/1190000000000000001/config"):
        response = await olivia.get(path)
        assert response.status_code == 404, path
        assert "GET /api/v1/guilds/{guild_id}/channels" in response.json()["message"]
