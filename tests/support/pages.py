"""Helpers for the page tests: the demo members and channels by name, games created through
the use cases, forms posted as a browser posts them, and the announcement the sandbox holds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.games import NewGame, create_game, get_game
from gamesched.services.participation import join_game
from gamesched.services.views import GameView
from tests.support.demo import GUILD
from tests.support.sandbox import channel_id_of, user_id_of
from tests.support.web import SITE, Site


def user(site: Site, username: str) -> int:
    """The id of the demo member called ``username``."""
    return user_id_of(site.world, username)


def channel(site: Site, name: str) -> int:
    """The id of the demo channel called ``name``."""
    return channel_id_of(site.world, name)


async def host_game(
    site: Site,
    *,
    title: str = "Catan night",
    host: str = "sam",
    channel_name: str = "board-games",
    guild_id: int = GUILD,
    channel_id: int | None = None,
    in_days: float = 2,
    max_players: int | None = None,
    participants: str = "",
    category: str | None = None,
    rules: str | None = None,
    joiners: tuple[str, ...] = (),
    announce: bool = True,
) -> GameView:
    """A game hosted by ``host`` through the use case in ``channel_name`` of the demo guild
    (or in ``channel_id`` of ``guild_id``), announced in the sandbox unless ``announce`` is
    false, then joined by ``joiners`` in order; as it stands afterwards."""
    ctx = site.core.services
    if channel_id is None:
        channel_id = channel(site, channel_name)
    actor = Actor(
        user_id=user(site, host), permissions=int(Permission.ADMINISTRATOR), guild_id=guild_id
    )
    new = NewGame(
        guild_id=guild_id,
        channel_id=channel_id,
        title=title,
        when=datetime.now(UTC) + timedelta(days=in_days),
        max_players=max_players,
        participants=participants,
        category=category,
        rules=rules,
    )
    created = await create_game(ctx, actor=actor, new=new, directory=site.core.directory)
    if announce:
        await site.core.sync.publish(created.game.id)
    for username in joiners:
        await join_game(ctx, game_id=created.game.id, user_id=user(site, username))
    if joiners:
        site.core.sync.request(created.game.id)
        await site.core.sync.wait_idle()
    return await get_game(ctx, created.game.id)


async def post_form(
    site: Site,
    path: str,
    token: str,
    data: Mapping[str, str | list[str]] | None = None,
    **fields: str | list[str],
) -> httpx.Response:
    """A form POST from this site's pages carrying ``token`` (the session's, from
    :meth:`Site.csrf`, unless a test sends a wrong one) and ``data`` and ``fields``; a list is
    a field sent once per value (ticked checkboxes)."""
    sent = {**(data or {}), **fields, "csrf_token": token}
    return await site.browser.post(path, data=sent, headers={"Origin": SITE})


def inherited(page: str, key: str) -> tuple[str, str]:
    """The value a form's setting ``key`` inherits on ``page``, and where from."""
    found = re.search(
        rf'data-inherited-value="{key}">([^<]*)</strong> <span class="source">'
        rf'\(<span data-inherited-source="{key}">([^<]*)</span>',
        page,
    )
    assert found is not None, key
    return found[1], found[2]


def announcement(site: Site, game: GameView) -> dict[str, Any]:
    """The embed of the game's announcement as the sandbox holds it now."""
    assert game.message_id is not None
    message = site.sandbox.state.messages[game.message_id]
    embed: dict[str, Any] = message.payload["embeds"][0]
    return embed


def field_of(embed: dict[str, Any], name: str) -> str:
    """The value of the embed's field called ``name``."""
    value: str = next(f["value"] for f in embed["fields"] if f["name"] == name)
    return value
