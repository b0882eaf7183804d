"""The "add to Google Calendar" link: Google's template filled in, never over Discord's 512
characters for a link button."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from gamesched.calendar.google import MAX_LINK_LENGTH, google_link
from gamesched.calendar.ics import CalendarGame
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, edit_game
from tests.support.factories import ADMIN, make_game

LINK = "https://discord.com/channels/1/2/3"


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://calendar.google.com/calendar/render"
    )
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


async def test_the_link_fills_in_title_times_and_details(ctx: Context) -> None:
    """Title, start/end in UTC as Google's ``dates`` wants them, and the announcement link."""
    game = await make_game(ctx, title="Catan night", duration_minutes=90)
    url = google_link(CalendarGame(game, announcement=LINK))
    fields = query(url)
    assert fields["action"] == "TEMPLATE"
    assert fields["text"] == "Catan night"
    assert fields["dates"] == "20261205T190000Z/20261205T203000Z"
    assert f"Announcement: {LINK}" in fields["details"]
    assert len(url) <= MAX_LINK_LENGTH


@pytest.mark.parametrize("character", ["x", "é", "🎲"])
async def test_a_long_game_is_cut_to_fit_a_link_button(ctx: Context, character: str) -> None:
    """The longest title and description (any script) still give a link within 512
    characters: the description, then the title, are cut with an ellipsis; the dates stay."""
    game = await make_game(ctx, title="Game")
    edit = GameEdit(
        title=character * MAX_TITLE_LENGTH, description=character * MAX_DESCRIPTION_LENGTH
    )
    game = (await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=edit)).game
    url = google_link(CalendarGame(game, announcement=LINK))
    assert len(url) <= MAX_LINK_LENGTH
    fields = query(url)
    assert fields["dates"] == "20261205T190000Z/20261205T210000Z"
    cut = fields.get("details") or fields["text"]
    assert cut.endswith("…")


async def test_a_longer_limit_keeps_everything(ctx: Context) -> None:
    """Given room (a web page has no 512-character limit), nothing is cut."""
    game = await make_game(ctx, title="Catan night")
    url = google_link(CalendarGame(game, announcement=LINK), max_length=4000)
    assert "…" not in query(url)["details"]
    assert query(url)["details"].endswith(LINK)
