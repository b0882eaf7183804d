"""Where the web serves calendars: the paths its routes answer, and the full addresses the
bot and the pages hand out."""

from __future__ import annotations

from dataclasses import dataclass

from gamesched.services.calendars import FeedKey

FEED_PATH = "/calendar/{token}.ics"
"""A feed, by its secret token (no login: the address is the secret)."""
GAME_FILE_PATH = "/games/{game_id}.ics"
"""One game's file (for those who may see the game's page)."""
GAME_PAGE_PATH = "/games/{game_id}"


@dataclass(frozen=True, slots=True)
class CalendarSite:
    """The key feed tokens come from, and the web's address when people can reach it."""

    key: FeedKey
    base_url: str | None
    """The web's address (``web.public_url``, else its listening address when the web runs
    here); None when no web is set up, so there is no address to give."""

    def _url(self, path: str) -> str | None:
        return None if self.base_url is None else self.base_url.rstrip("/") + path

    def feed_url(self, token: str) -> str | None:
        return self._url(FEED_PATH.format(token=token))

    def game_file_url(self, game_id: int) -> str | None:
        return self._url(GAME_FILE_PATH.format(game_id=game_id))

    def game_page_url(self, game_id: int) -> str | None:
        return self._url(GAME_PAGE_PATH.format(game_id=game_id))
