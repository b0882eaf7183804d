"""Rights are asked of Discord afresh right before every change, pages and API alike: a
member who lost a role since the site last asked (it keeps what Discord said for five
minutes) is refused with what is missing, and nothing is written."""

from __future__ import annotations

import pytest

from gamesched.domain.settings import Source
from gamesched.domain.status import GameStatus
from gamesched.services.configuration import channel_settings, guild_settings
from gamesched.services.games import get_game, list_games
from tests.support.api import api_as, code_of, new_game
from tests.support.demo import BOARD_GAMES, GUILD, allow_game_hosts, demote
from tests.support.pages import host_game, post_form
from tests.support.web import Site

GAME = "/games/{id}"
"""A path of the test's one game (``{id}`` is filled in)."""
GAME_FIELDS = {"title": "Mine now", "when": "tomorrow 8pm", "channel": str(BOARD_GAMES)}
CAP = {"max_players_mode": "set", "max_players": "3"}


async def nothing_changed(site: Site, game_id: int, version: int) -> None:
    """Only the one game exists, as it was; the server and channel set nothing."""
    services = site.core.services
    assert (await list_games(services, guild_id=GUILD)).total == 1
    game = await get_game(services, game_id)
    assert (game.status, game.version) == (GameStatus.SCHEDULED, version)
    server = await guild_settings(services, guild_id=GUILD)
    channel = await channel_settings(services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert server.settings.max_players.source is Source.DEFAULT
    assert channel.settings.max_players.source is Source.DEFAULT


@pytest.mark.parametrize(
    ("member", "page", "fields", "missing"),
    [
        ("sam", f"/guilds/{GUILD}/games/new", GAME_FIELDS, "needs a host role"),
        ("mia_mod", GAME + "/edit", GAME_FIELDS, "Only the game&#39;s host"),
        ("mia_mod", GAME + "/cancel", {}, "Only the game&#39;s host"),
        ("mia_mod", f"/guilds/{GUILD}/settings", CAP, "needs the Manage Server permission"),
        ("kai_keeper", f"/channels/{BOARD_GAMES}/settings", CAP, "Manage Channels permission"),
    ],
    ids=["create", "edit", "cancel", "server-settings", "channel-settings"],
)
async def test_a_page_refuses_a_change_to_a_member_who_lost_the_right_since_it_was_shown(
    site: Site, member: str, page: str, fields: dict[str, str], missing: str
) -> None:
    """A Game Host, Manage Server or Manage Channels member opens a page to change
    something, then loses that role in Discord: the save is refused 403 saying what is
    missing, though the site's cache still holds the role."""
    await allow_game_hosts(site)
    game = await host_game(site, host="alex_r")
    path = page.format(id=game.id)
    token = await site.logged_in(member)
    assert (await site.browser.get(path)).status_code == 200
    demote(site, member)
    response = await post_form(site, path, token, fields)
    assert response.status_code == 403, response.text
    assert missing in response.text
    await nothing_changed(site, game.id, game.version)


SERVER_CONFIG = f"/guilds/{GUILD}/config"
CHANNEL_CONFIG = f"/channels/{BOARD_GAMES}/config"
CAP_JSON = {"max_players": 3}


@pytest.mark.parametrize(
    ("member", "look", "method", "path", "body", "code"),
    [
        ("sam", f"/guilds/{GUILD}/channels", "POST", "/games", new_game(), "host_role_required"),
        ("mia_mod", GAME, "PUT", GAME, {"title": "Mine now"}, "not_host_or_admin"),
        ("mia_mod", GAME, "DELETE", GAME, None, "not_host_or_admin"),
        ("mia_mod", SERVER_CONFIG, "POST", SERVER_CONFIG, CAP_JSON, "settings_permission"),
        ("kai_keeper", CHANNEL_CONFIG, "POST", CHANNEL_CONFIG, CAP_JSON, "settings_permission"),
    ],
    ids=["create", "edit", "cancel", "server-config", "channel-config"],
)
async def test_the_api_refuses_a_change_to_a_member_who_lost_the_right_since_it_last_asked(
    site: Site,
    member: str,
    look: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
    code: str,
) -> None:
    """The same through the API: after a read that let Discord's answer be cached, the
    change answers 403 with the refusal's code."""
    await allow_game_hosts(site)
    game = await host_game(site, host="alex_r")
    api = await api_as(site, member)
    assert (await api.get(look.format(id=game.id))).status_code == 200
    demote(site, member)
    target = path.format(id=game.id)
    if method == "DELETE":
        response = await api.delete(target)
    elif method == "PUT":
        response = await api.put(target, body)
    else:
        response = await api.post(target, body)
    assert code_of(response) == (403, code)
    await nothing_changed(site, game.id, game.version)
