"""Calendars on the web: a feed by its secret address (no login: the address is the secret),
one game's ``.ics`` file, and a member's new feed address.

A feed's address is shown on the start page (``home``); the Rotate button posts here and comes
back there with the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gamesched.calendar.addresses import FEED_PATH, GAME_FILE_PATH, CalendarSite
from gamesched.calendar.ics import MEDIA_TYPE, CalendarGame, calendar_bytes
from gamesched.discord.render import announcement_link
from gamesched.services.calendars import (
    FeedAddress,
    FeedEntry,
    FeedKind,
    public_feed_address,
    read_feed,
    rotate_feed,
)
from webauth.access import game_of, require_viewer
from webauth.flash import flash
from webauth.routes.games import title_of
from webauth.state import web_of

if TYPE_CHECKING:  # gamesched.app imports webauth to serve the web
    from gamesched.app import Core

FEED_NAMES = {
    FeedKind.MEMBER: "Your game nights",
    FeedKind.GUILD: "Game nights",
    FeedKind.CHANNEL: "Game nights",
}
FEED_CACHE = "private, max-age=300"
"""Calendar apps may keep a feed five minutes; shared caches never (its address is secret)."""


def calendar_games(site: CalendarSite, entries: Iterable[FeedEntry]) -> list[CalendarGame]:
    """Feed entries as the calendar shows them, with their announcement and page links."""
    return [
        CalendarGame(
            game=entry.game,
            role=entry.role,
            announcement=announcement_link(entry.game),
            page=site.game_page_url(entry.game.id),
        )
        for entry in entries
    ]


def _calendar(body: bytes, *, cache: str) -> Response:
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": cache})


async def feed(request: Request) -> Response:
    """The feed whose address ends in the token; 404 for one unknown or rotated away."""
    core = web_of(request).core
    found = await read_feed(core.services, token=request.path_params["token"])
    if found is None:
        raise HTTPException(404)
    games = calendar_games(core.calendars, found.entries)
    body = calendar_bytes(name=FEED_NAMES[found.kind], games=games, now=core.services.now())
    return _calendar(body, cache=FEED_CACHE)


async def game_file(request: Request) -> Response:
    """One game as an ``.ics`` file, for whoever may see its page."""
    seen = await game_of(request, request.path_params["game_id"])
    core = web_of(request).core
    (entry,) = calendar_games(core.calendars, [FeedEntry(seen.game)])
    body = calendar_bytes(name=title_of(seen.game), games=[entry], now=core.services.now())
    response = _calendar(body, cache="private, no-cache")
    response.headers["Content-Disposition"] = f'attachment; filename="game-{seen.game.id}.ics"'
    return response


async def rotate(request: Request) -> Response:
    """A new address for the member's feed; the old one stops working."""
    viewer = require_viewer(request)
    core = web_of(request).core
    await rotate_feed(core.services, core.calendars.key, user_id=viewer.user_id)
    flash(request, "Your calendar feed has a new address; the old one no longer works.")
    return RedirectResponse("/#calendar", status_code=303)


def feed_url(site: CalendarSite, address: FeedAddress) -> str | None:
    """The address to show, when it can be shown."""
    return None if address.token is None else site.feed_url(address.token)


async def public_feed_url(core: Core, guild_id: int) -> str | None:
    """The server's public feed address while it shares its games (and it can be shown)."""
    site = core.calendars
    address = await public_feed_address(
        core.services, site.key, kind=FeedKind.GUILD, place_id=guild_id
    )
    return None if address is None else feed_url(site, address)


ROUTES = [
    Route(FEED_PATH.replace("{token}", "{token:str}"), feed, methods=["GET"]),
    Route(GAME_FILE_PATH.replace("{game_id}", "{game_id:int}"), game_file, methods=["GET"]),
    Route("/calendar/rotate", rotate, methods=["POST"]),
]
