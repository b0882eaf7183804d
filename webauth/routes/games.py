"""A game's page, and joining, leaving and cancelling from it.

Every change is a POST (the CSRF guard checks it), made through the same use cases as the
bot's buttons, followed by an announcement sync and a redirect back to the game's page with
a one-time message of what happened. A change that no longer fits the game (already in it,
started, cancelled) shows the game's page again with the bot's sentence, as 409.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gamesched.calendar.addresses import GAME_FILE_PATH
from gamesched.calendar.google import google_link
from gamesched.calendar.ics import CalendarGame
from gamesched.discord.render import (
    SOURCE_LABELS,
    announcement_link,
    duration_text,
    reminders_text,
)
from gamesched.domain.errors import AlreadyInStatus, Conflict, NotHostOrAdmin, PermissionDenied
from gamesched.domain.permissions import may_manage_game
from gamesched.domain.roster import SlotStatus
from gamesched.domain.status import GameStatus
from gamesched.services.games import cancel_game
from gamesched.services.participation import Joined, Left, join_game, leave_game
from gamesched.services.views import GameView
from webauth.access import MemberGame, game_of, require_viewer, web_text
from webauth.flash import flash
from webauth.listing import channel_label
from webauth.present import named_roster
from webauth.state import web_of
from webauth.times import moment

if TYPE_CHECKING:  # gamesched.app imports webauth to serve the web
    from gamesched.app import Core


def game_path(game_id: int) -> str:
    return f"/games/{game_id}"


def title_of(game: GameView) -> str:
    """The game's title as pages name it (its number when blank)."""
    return game.title.strip() or f"Game #{game.id}"


async def game_page(request: Request) -> Response:
    """Everything about a game, its people by name, and what the member may do with it."""
    return await _show(request, request.path_params["game_id"])


async def _show(
    request: Request, game_id: int, *, problem: str | None = None, status: int = 200
) -> Response:
    """The game's page; ``problem`` (a refused change) shown on top, answered with ``status``."""
    seen = await game_of(request, game_id)
    return web_of(request).pages.page(
        request, "game.html", await _context(request, seen, problem=problem), status=status
    )


async def _context(request: Request, seen: MemberGame, *, problem: str | None) -> dict[str, Any]:
    core = web_of(request).core
    game = seen.game
    viewer = require_viewer(request)
    settings = game.settings
    now = core.services.now()
    manages = may_manage_game(seen.actor, host_id=game.host_id)
    return {
        "game": game,
        "title": title_of(game),
        "guild_name": seen.facts.name,
        "channel": channel_label(seen.facts, game.channel_id),
        "start": moment(game.start_at, now=now),
        "end": moment(game.end_at, now=now),
        "duration": duration_text(settings.duration_minutes.value),
        "reminders": reminders_text(settings.reminder_minutes.value),
        "sources": {
            name: SOURCE_LABELS[getattr(settings, name).source]
            for name in ("max_players", "reminder_minutes", "duration_minutes", "rules", "category")
        },
        "roster": await named_roster(core.names, game),
        "announcement": announcement_link(game),
        "google_link": google_link(CalendarGame(game, announcement=announcement_link(game))),
        "ics_path": GAME_FILE_PATH.format(game_id=game.id),
        "place": game.roster.status_of(viewer.user_id),
        "waitlist_position": game.roster.waitlist_position(viewer.user_id)
        if viewer.user_id in game.waitlist
        else None,
        "may_edit": manages and game.status is GameStatus.SCHEDULED,
        "may_cancel": manages and not game.status.is_final,
        "problem": problem,
    }


async def join(request: Request) -> Response:
    """Take a seat, or a place on the waitlist when the game is full."""

    async def take_place(core: Core, game_id: int, user_id: int) -> str:
        return joined_text(await join_game(core.services, game_id=game_id, user_id=user_id))

    return await _roster_change(request, take_place)


async def leave(request: Request) -> Response:
    """Give up a seat (the first on the waitlist gets it) or a waitlist place."""

    async def give_up_place(core: Core, game_id: int, user_id: int) -> str:
        return left_text(await leave_game(core.services, game_id=game_id, user_id=user_id))

    return await _roster_change(request, give_up_place)


async def _roster_change(
    request: Request, change: Callable[[Core, int, int], Awaitable[str]]
) -> Response:
    """The member joins or leaves the page's game: the announcement follows, and the page
    says what happened (or, as 409, why it could not)."""
    game_id: int = request.path_params["game_id"]
    await game_of(request, game_id)
    core = web_of(request).core
    try:
        text = await change(core, game_id, require_viewer(request).user_id)
    except Conflict as error:
        return await _show(request, game_id, problem=web_text(error), status=409)
    core.sync.request(game_id)
    flash(request, text)
    return RedirectResponse(game_path(game_id), status_code=303)


async def confirm_cancel(request: Request) -> Response:
    """Asks the host (or an admin) to confirm; nothing changes until they do."""
    game_id: int = request.path_params["game_id"]
    seen = await game_of(request, game_id)
    game = seen.game
    if not may_manage_game(seen.actor, host_id=game.host_id):
        raise PermissionDenied(NotHostOrAdmin(host_id=game.host_id))
    if game.status.is_final:
        problem = web_text(Conflict(AlreadyInStatus(game.status)))
        return await _show(request, game_id, problem=problem, status=409)
    now = web_of(request).core.services.now()
    context = {
        "game": game,
        "title": title_of(game),
        "start": moment(game.start_at, now=now),
        "told": len(game.joined) + len(game.waitlist),
    }
    return web_of(request).pages.page(request, "game_cancel.html", context)


async def cancel(request: Request) -> Response:
    """Cancel the game (host or admins, rights asked of Discord afresh); its players are told."""
    game_id: int = request.path_params["game_id"]
    seen = await game_of(request, game_id, fresh=True)
    core = web_of(request).core
    try:
        game = await cancel_game(core.services, actor=seen.actor, game_id=game_id)
    except Conflict as error:
        return await _show(request, game_id, problem=web_text(error), status=409)
    core.sync.request(game_id)
    told = len([u for u in (*game.joined, *game.waitlist) if u != seen.actor.user_id])
    flash(request, f"{title_of(game)} is cancelled. Its {told} player(s) will be told by DM.")
    return RedirectResponse(game_path(game_id), status_code=303)


def joined_text(joined: Joined) -> str:
    """A seat, or a place in line (the flash after Join)."""
    game = joined.game
    if joined.status is SlotStatus.WAITLIST:
        return (
            f"{title_of(game)} is full, so you're on the waitlist, position "
            f"{joined.waitlist_position}. You'll get a DM if a seat frees up."
        )
    reminded = " You'll be reminded before it starts." if joined.will_be_reminded else ""
    return f"You're in {title_of(game)} ({len(game.joined)}/{game.max_players} seats).{reminded}"


def left_text(left: Left) -> str:
    """The seat or waitlist place given up (the flash after Leave)."""
    where = "seat" if left.was is SlotStatus.JOINED else "waitlist place"
    return f"You left {title_of(left.game)}; your {where} is free again."


ROUTES = [
    Route("/games/{game_id:int}", game_page, methods=["GET"]),
    Route("/games/{game_id:int}/join", join, methods=["POST"]),
    Route("/games/{game_id:int}/leave", leave, methods=["POST"]),
    Route("/games/{game_id:int}/cancel", confirm_cancel, methods=["GET"]),
    Route("/games/{game_id:int}/cancel", cancel, methods=["POST"]),
]
