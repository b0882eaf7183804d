"""Text typed on the site pings nobody in the announcement, as the modal's text does: only
the seated participants are notified, and only when the host asks for it."""

from __future__ import annotations

import dataclasses
import re

import pytest

from gamesched.domain.gamefields import MAX_TITLE_LENGTH
from gamesched.sandbox.mentions import Pings
from gamesched.sandbox.world import MENTION_EVERYONE, World
from gamesched.services.games import get_game
from tests.support.api import api_as, new_game
from tests.support.demo import ALEX_R, BOARD_GAMES, GUILD, MODERATOR, allow_game_hosts
from tests.support.pages import post_form
from tests.support.sandbox import load_demo_world
from tests.support.web import Site

NOISY = f"@everyone @here <@&{MODERATOR}> <@1160000000000000008>"
"""Every kind of mention, as someone might type it."""


@pytest.fixture(scope="module")
def demo_world() -> World:
    """The demo world where gamesched itself may mention everyone, so only its
    ``allowed_mentions`` stand between typed text and a ping."""
    world = load_demo_world()
    (guild,) = world.guilds
    roles = tuple(
        dataclasses.replace(role, permissions=role.permissions | MENTION_EVERYONE)
        if role.name == "Gamesched"
        else role
        for role in guild.roles
    )
    return dataclasses.replace(world, guilds=(dataclasses.replace(guild, roles=roles),))


def pings_of(site: Site, message_id: int | None) -> Pings:
    assert message_id is not None
    return site.sandbox.state.messages[message_id].pings


async def test_mentions_typed_into_the_form_ping_only_the_participants_asked_for(
    site: Site,
) -> None:
    """@everyone, @here, a role and a member typed into the title, description and rules of
    a game created on the site notify nobody; with "ping participants" on, exactly the
    seated member is notified."""
    await allow_game_hosts(site)
    token = await site.logged_in("sam")
    form = {
        "channel": str(BOARD_GAMES),
        "title": f"Catan {NOISY}"[:MAX_TITLE_LENGTH],
        "when": "tomorrow 8pm",
        "description": f"Come along {NOISY}",
        "rules_mode": "set",
        "rules": f"Rules {NOISY}",
        "participants": "@alex_r\nGuest",
        "ping": "on",
    }
    response = await post_form(site, f"/guilds/{GUILD}/games/new", token, form)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/games/(\d+)", response.headers["location"])
    assert found is not None
    game = await get_game(site.core.services, int(found[1]))
    assert pings_of(site, game.message_id) == Pings(
        users=frozenset({ALEX_R}), roles=frozenset(), everyone=False
    )
    payload = site.sandbox.state.messages[game.message_id or 0].payload
    assert payload["content"] == f"<@{ALEX_R}>"
    assert NOISY in payload["embeds"][0]["description"]


async def test_mentions_sent_through_the_api_ping_nobody(site: Site) -> None:
    """The same text sent to POST /api/v1/games, without "ping participants", notifies
    nobody at all."""
    await allow_game_hosts(site)
    api = await api_as(site, "sam")
    body = new_game(
        title=f"Catan {NOISY}"[:MAX_TITLE_LENGTH],
        description=f"Come along {NOISY}",
        rules=f"Rules {NOISY}",
        initial_participants=["@alex_r", "Guest"],
    )
    response = await api.post("/games", body)
    assert response.status_code == 201, response.text
    game = await get_game(site.core.services, int(response.json()["id"]))
    assert pings_of(site, game.message_id).nobody
    assert site.sandbox.state.messages[game.message_id or 0].payload["content"] == ""
