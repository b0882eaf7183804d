"""The start page: for a member, who they are, their servers with the bot, their games and
their calendar feed's address."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gamesched.services.calendars import feed_address
from gamesched.services.games import my_games
from webauth.access import member_guilds, visible_channel_ids
from webauth.listing import game_line
from webauth.login import access_token
from webauth.render import viewer_of
from webauth.routes.calendars import feed_url
from webauth.state import web_of


async def home(request: Request) -> Response:
    """The start page; for a member, only once their login still holds (renewed if due)."""
    viewer = viewer_of(request)
    context: dict[str, Any] = {}
    if viewer is not None:
        await access_token(request)
        core = web_of(request).core
        guilds = await member_guilds(request)
        visible = {g.facts.guild_id: (g.facts, visible_channel_ids(g)) for g in guilds}
        now = core.services.now()
        games = []
        for mine in await my_games(core.services, user_id=viewer.user_id):
            facts, channels = visible.get(mine.game.guild_id, (None, frozenset[int]()))
            if facts is not None and mine.game.channel_id in channels:
                games.append(game_line(mine.game, facts, now=now, role=mine.role))
        address = await feed_address(core.services, core.calendars.key, user_id=viewer.user_id)
        context = {"guilds": guilds, "games": games, "feed": feed_url(core.calendars, address)}
    return web_of(request).pages.page(request, "home.html", context)


ROUTES = [Route("/", home, methods=["GET"])]
