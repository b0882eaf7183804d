"""An "add to Google Calendar" link for one game, for people who do not subscribe to a feed.

Google's event template takes the title, the times and a description in the URL. Discord
allows a link button at most 512 characters, so the description (then, if need be, the
title) is shortened to fit ``max_length``; the times always stay whole.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from gamesched.calendar.ics import CalendarGame, details_of, summary_of

TEMPLATE = "https://calendar.google.com/calendar/render?action=TEMPLATE"
MAX_LINK_LENGTH = 512
"""Discord's limit on a link button's URL, the tightest place the link goes."""
ELLIPSIS = "…"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _encoded(text: str) -> str:
    return quote(text, safe="")


def _fitted(text: str, room: int) -> str:
    """``text`` URL-encoded in at most ``room`` characters: cut, with an ellipsis, if needed."""
    if len(_encoded(text)) <= room:
        return _encoded(text)
    low, high = 0, len(text)  # the longest cut that fits, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if len(_encoded(text[:middle].rstrip() + ELLIPSIS)) <= room:
            low = middle
        else:
            high = middle - 1
    return _encoded(text[:low].rstrip() + ELLIPSIS) if low else ""


def google_link(entry: CalendarGame, *, max_length: int = MAX_LINK_LENGTH) -> str:
    """The URL that opens Google Calendar's "new event" page filled in with the game, at
    most ``max_length`` characters."""
    game = entry.game
    dates = f"&dates={_stamp(game.start_at)}/{_stamp(game.end_at)}"
    text, details = summary_of(entry), details_of(entry)
    fixed = len(TEMPLATE) + len(dates) + len("&text=") + len("&details=")
    title = _fitted(text, max(0, max_length - fixed))
    body = _fitted(details, max(0, max_length - fixed - len(title)))
    return f"{TEMPLATE}&text={title}{dates}&details={body}"
