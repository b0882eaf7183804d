"""Games as iCalendar (RFC 5545): a feed calendar apps subscribe to, or one game's file.

Each game is one VEVENT whose UID never changes (its number and its server's id), whose
SEQUENCE is the game's version (up with every change, so apps take the newest), with its
times in UTC. A cancelled game stays in the feed with ``STATUS:CANCELLED`` (apps then strike
it out or drop it); a game the member is only waitlisted for is ``STATUS:TENTATIVE`` and says
so in its title. Occurrences of a recurring series are games like any other: the feed lists
those that exist. Names are never in a feed: the host and players are counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from gamesched.domain.status import GameStatus
from gamesched.services.games import GameRole
from gamesched.services.views import GameView

PRODUCT_ID = "-//gamesched//Game nights//EN"
REFRESH = timedelta(hours=1)
"""How often calendar apps are asked to read a feed again (``REFRESH-INTERVAL`` and the older
``X-PUBLISHED-TTL``); most apps read it on their own schedule, at most this often."""
MEDIA_TYPE = "text/calendar; charset=utf-8"
ROLE_LINES = {
    GameRole.HOST: "You host this game.",
    GameRole.JOINED: "You have a seat.",
    GameRole.WAITLIST: "You are on the waitlist: you get a DM if a seat frees up.",
}


@dataclass(frozen=True, slots=True)
class CalendarGame:
    """A game as a calendar shows it."""

    game: GameView
    role: GameRole | None = None
    """The reader's part in it (a member's own feed); None for a public feed or a file."""
    announcement: str | None = None
    """The link to its announcement in Discord, while it is posted."""
    page: str | None = None
    """The link to its page on the web, when the web is reachable."""


def uid_of(game: GameView) -> str:
    """The game's UID: the same in every feed and file, whatever changes."""
    return f"game-{game.id}-{game.guild_id}@gamesched"


def title_of(game: GameView) -> str:
    """The game's title (its number when blank)."""
    return game.title.strip() or f"Game #{game.id}"


def summary_of(entry: CalendarGame) -> str:
    """The event's title: marked when cancelled or waitlisted, as apps may not show STATUS."""
    title = title_of(entry.game)
    if entry.game.status is GameStatus.CANCELLED:
        return f"Cancelled: {title}"
    if entry.role is GameRole.WAITLIST:
        return f"{title} (waitlist)"
    return title


def details_of(entry: CalendarGame) -> str:
    """The event's description: the game's own, the reader's part, the seats, the links."""
    game = entry.game
    lines = [game.description.strip()] if game.description.strip() else []
    if entry.role is not None:
        lines.append(ROLE_LINES[entry.role])
    seats = f"Players: {len(game.joined)}/{game.max_players}"
    if game.waitlist:
        seats += f", {len(game.waitlist)} waitlisted"
    lines.append(seats)
    if game.status is not GameStatus.SCHEDULED:
        lines.append(f"Status: {game.status.label}")
    if entry.announcement:
        lines.append(f"Announcement: {entry.announcement}")
    if entry.page:
        lines.append(f"On the web: {entry.page}")
    return "\n".join(lines)


def _status(entry: CalendarGame) -> str:
    if entry.game.status is GameStatus.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if entry.role is GameRole.WAITLIST else "CONFIRMED"


def _event(entry: CalendarGame, *, now: datetime) -> Event:
    game = entry.game
    event = Event()
    event.add("uid", uid_of(game))
    event.add("sequence", game.version)
    event.add("dtstamp", now)
    event.add("dtstart", game.start_at)
    event.add("dtend", game.end_at)
    event.add("summary", summary_of(entry))
    event.add("description", details_of(entry))
    event.add("status", _status(entry))
    if entry.announcement:
        event.add("url", entry.announcement)
    if game.settings.category.value:
        event.add("categories", [game.settings.category.value])
    return event


def calendar_bytes(*, name: str, games: Iterable[CalendarGame], now: datetime) -> bytes:
    """An iCalendar document named ``name`` holding ``games`` (times in UTC), as served."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for entry in games:
        calendar.add_component(_event(entry, now=now))
    document: bytes = calendar.to_ical()
    return document
