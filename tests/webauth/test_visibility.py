"""The site keeps to what Discord lets the member see, pages and API alike: games of a
hosts-only channel are hidden from plain members everywhere (as the bot's lists hide them);
and a member with neither nickname nor global name is named by username."""

from __future__ import annotations

import pytest

from gamesched.sandbox.world import World
from gamesched.services.games import get_game
from tests.support.api import api_as, code_of, new_game
from tests.support.demo import BOARD_GAMES, GUILD, QUIET, RPG, allow_game_hosts, hosts_only_rpg
from tests.support.pages import channel, host_game, post_form
from tests.support.web import Site


@pytest.fixture(scope="module")
def demo_world() -> World:
    """The demo world where #rpg is for game hosts only, with a member who set no names."""
    return hosts_only_rpg()


# --- pages ------------------------------------------------------------------------------------


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


async def test_a_game_of_another_server_is_not_found_at_any_address(site: Site) -> None:
    """To the demo server's owner, a game of a server she is not in is 404 on every page
    and every API route that shows or changes a game; nothing is written."""
    elsewhere = await host_game(
        site, guild_id=1170000000000000999, channel_id=1190000000000000999, announce=False
    )
    api = await api_as(site, "olivia")
    token = await site.csrf()
    game = f"/games/{elsewhere.id}"
    answers = [
        *[await site.browser.get(game + end) for end in ("", "/edit", "/cancel")],
        *[await post_form(site, game + end, token) for end in ("/edit", "/cancel", "/join")],
        await post_form(site, game + "/leave", token),
        *[await api.get(game + end) for end in ("", "/participants")],
        await api.put(game, {"title": "Mine now"}),
        await api.delete(game),
        *[await api.post(game + end) for end in ("/join", "/leave")],
    ]
    assert [response.status_code for response in answers] == [404] * len(answers)
    assert await get_game(site.core.services, elsewhere.id) == elsewhere


# --- the API ----------------------------------------------------------------------------------


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
        assert code_of(response) == (404, "game_not_found")
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
