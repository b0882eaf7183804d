"""The API keeps to what Discord lets the member see, as the pages do: games of a hosts-only
channel do not exist for plain members; and a member without nickname or global name is
named by username."""

from __future__ import annotations

import dataclasses

import pytest

from gamesched.domain.permission_bits import Permission
from gamesched.sandbox.world import Member, Overwrite, User, World
from gamesched.services.games import get_game
from tests.support.api import BOARD_GAMES, GUILD, RPG, allow_game_hosts, api_as, new_game
from tests.support.sandbox import load_demo_world
from tests.support.web import Site

QUIET = User(id=1160000000000000099, username="quietfox")
"""A member with no global name (and, in the guild, no nickname)."""


@pytest.fixture(scope="module")
def demo_world() -> World:
    """The demo world where #rpg is for game hosts only (plain members cannot see it), with
    one more member who set no names."""
    world = load_demo_world()
    (guild,) = world.guilds
    roles = {role.name: role.id for role in guild.roles}
    view = int(Permission.VIEW_CHANNEL)
    hosts_only = (
        Overwrite(id=roles["Member"], type=0, allow=0, deny=view),
        Overwrite(id=roles["Game Host"], type=0, allow=view, deny=0),
    )
    channels = tuple(
        dataclasses.replace(c, overwrites=hosts_only) if c.name == "rpg" else c
        for c in guild.channels
    )
    quiet = Member(user_id=QUIET.id, role_ids=(roles["Member"],))
    guild = dataclasses.replace(guild, channels=channels, members=(*guild.members, quiet))
    return dataclasses.replace(world, users=(*world.users, QUIET), guilds=(guild,))


async def test_a_game_in_a_channel_the_member_cannot_see_does_not_exist_for_them(
    site: Site,
) -> None:
    """samantha cannot see #rpg: its game is not listed, filtering by #rpg or asking for
    the game is 404, joining it is 404 and writes nothing, and #rpg is not among her
    channels; sam (a host) sees all of it."""
    await allow_game_hosts(site)
    sam = await api_as(site, "sam")
    secret = (await sam.post("/games", new_game(title="Secret", channel_id=str(RPG)))).json()
    await sam.post("/games", new_game(title="Open table"))
    assert (await sam.get(f"/games/{secret['id']}")).status_code == 200

    samantha = await api_as(site, "samantha")
    listed = (await samantha.get("/games")).json()
    assert [g["title"] for g in listed["games"]] == ["Open table"]
    assert (await samantha.get("/games", channel_id=str(RPG))).status_code == 404
    for response in (
        await samantha.get(f"/games/{secret['id']}"),
        await samantha.get(f"/games/{secret['id']}/participants"),
        await samantha.post(f"/games/{secret['id']}/join"),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == "game_not_found"
    assert (await get_game(site.core.services, int(secret["id"]))).joined == ()
    channels = {int(c["id"]) for c in (await samantha.get(f"/guilds/{GUILD}/channels")).json()}
    assert BOARD_GAMES in channels
    assert RPG not in channels
    assert (await samantha.get(f"/channels/{RPG}/config")).status_code == 404


async def test_a_member_without_nickname_or_global_name_is_named_by_username(
    site: Site,
) -> None:
    """With no nickname and no global name, a participant's displayName is their username."""
    await allow_game_hosts(site)
    sam = await api_as(site, "sam")
    game = (await sam.post("/games", new_game())).json()
    quiet = await api_as(site, "quietfox")
    joined = await quiet.post(f"/games/{game['id']}/join")
    assert joined.status_code == 200
    (person,) = [p for p in joined.json()["participants"] if p["discordId"] == str(QUIET.id)]
    assert person["displayName"] == "quietfox"
