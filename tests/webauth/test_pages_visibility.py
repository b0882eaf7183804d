"""Pages keep to what Discord lets the member see: games of a hosts-only channel are hidden
from plain members everywhere, as the bot's lists hide them; and names fall back to the
username when a member has neither nickname nor global name."""

from __future__ import annotations

import dataclasses

import pytest

from gamesched.domain.permission_bits import Permission
from gamesched.sandbox.world import Member, Overwrite, User, World
from gamesched.services.games import get_game
from tests.support.pages import GUILD, channel, host_game, post_form
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


async def test_games_of_a_channel_the_member_cannot_see_are_hidden_everywhere(
    site: Site,
) -> None:
    """A plain member does not see #rpg: its games are missing from the guild page (and its
    channel filter), the start page and the game page (404), and Join is refused as 404."""
    secret = await host_game(site, title="Secret campaign", channel_name="rpg")
    await host_game(site, title="Open table", channel_name="board-games")
    rpg = channel(site, "rpg")

    await site.login(as_user="samantha")
    listed = (await site.browser.get(f"/guilds/{GUILD}")).text
    assert "Open table" in listed
    assert "Secret campaign" not in listed
    assert f'value="{rpg}"' not in listed
    filtered = await site.browser.get(f"/guilds/{GUILD}", params={"channel": str(rpg)})
    assert filtered.status_code == 400
    assert "Secret campaign" not in filtered.text
    page = await site.browser.get(f"/games/{secret.id}")
    assert page.status_code == 404
    assert "Secret campaign" not in page.text
    joined = await post_form(site, f"/games/{secret.id}/join", await site.csrf())
    assert joined.status_code == 404
    assert (await get_game(site.core.services, secret.id)).joined == ()

    await site.login(as_user="sam")
    assert "Secret campaign" in (await site.browser.get(f"/guilds/{GUILD}")).text
    assert "Secret campaign" in (await site.browser.get("/")).text
    assert (await site.browser.get(f"/games/{secret.id}")).status_code == 200


async def test_a_game_the_member_is_in_leaves_their_start_page_when_its_channel_is_hidden(
    site: Site,
) -> None:
    """A game in a channel the member cannot see is not on their start page, even if they
    are on its list."""
    await host_game(site, title="Secret campaign", channel_name="rpg", joiners=("samantha",))
    await site.login(as_user="samantha")
    assert "Secret campaign" not in (await site.browser.get("/")).text


async def test_a_member_without_nickname_or_global_name_is_shown_by_username(
    site: Site,
) -> None:
    """With no nickname and no global name, the game page names a member by username."""
    game = await host_game(site, title="Open table")
    await site.login(as_user="quietfox")
    await post_form(site, f"/games/{game.id}/join", await site.csrf())
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert "<li>quietfox</li>" in page
