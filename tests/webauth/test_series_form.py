"""The web's game form making a recurring game: the Repeat section read as the bot reads
``repeat``, its problems beside its fields with everything typed kept, the preview of the
next dates, and the series created with its first game announced."""

from __future__ import annotations

import html

from gamesched.services.games import list_games
from gamesched.services.series import series_of_game
from tests.support.demo import GUILD
from tests.support.web import Site
from tests.webauth.test_game_form import (
    announcement_of,
    create,
    created,
    host,
    in_two_weeks,
    nothing_written,
)


def weekday() -> str:
    """The weekday of the form's start (two weeks ahead), e.g. ``Friday``."""
    return f"{in_two_weeks():%A}"


async def test_a_repeat_makes_a_series_and_announces_its_first_game(site: Site) -> None:
    """Create with a repeat: the first game is a series' occurrence, announced, and the
    page it lands on says a recurring game was made."""
    token = await host(site)
    response = await create(site, token, repeat=f"weekly on {weekday()}", carry_roster="on")
    game = await created(site, response)
    series = await series_of_game(site.core.services, game.id)
    assert series is not None
    assert series.carry_roster
    await site.core.sync.wait_idle()
    assert "Catan night" in announcement_of(site, game)
    landing = await site.browser.get(response.headers["location"])
    assert f"Recurring game created (Every week on {weekday()})" in landing.text


async def test_preview_lists_the_next_dates_and_saves_nothing(site: Site) -> None:
    """ "Preview the dates" answers the form as typed with five dates as <time> elements (the
    script shows them in the browser's zone), and writes nothing."""
    token = await host(site)
    response = await create(site, token, repeat=f"weekly on {weekday()}", preview="on")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f"Every week on {weekday()}: the next dates" in page
    first = in_two_weeks()
    assert page.count('<li><time datetime="') == 5
    assert f'<time datetime="{first.isoformat()}T19:00:00+00:00">' in page
    assert f'value="weekly on {weekday()}"' in page
    assert 'value="Catan night"' in page
    assert await nothing_written(site)


async def test_a_repeat_it_cannot_read_is_said_beside_the_field_with_everything_kept(
    site: Site,
) -> None:
    """An unreadable repeat or ahead days answer 422 beside their fields, with examples, the
    typed values kept and nothing written, on create and on preview."""
    token = await host(site)
    for extra in ({}, {"preview": "on"}):
        response = await create(
            site, token, repeat="every full moon", ahead_days="soon", description="Moonlit", **extra
        )
        assert response.status_code == 422
        page = html.unescape(response.text)
        assert 'id="field-repeat-errors"' in page
        assert "weekly on Mon, Thu" in page
        assert 'id="field-ahead-days-errors"' in page
        assert 'value="every full moon"' in page
        assert 'name="ahead_days" value="soon"' in page
        assert "Moonlit</textarea>" in page
        assert 'href="#field-repeat"' in page
    assert await nothing_written(site)


async def test_series_options_without_a_repeat_are_refused(site: Site) -> None:
    """Carrying the players over with no repeat is refused beside the repeat, not ignored."""
    token = await host(site)
    response = await create(site, token, carry_roster="on")
    assert response.status_code == 422
    assert "for a recurring game" in response.text
    assert (await list_games(site.core.services, guild_id=GUILD)).total == 0
