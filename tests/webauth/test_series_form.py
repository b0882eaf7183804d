"""The web's game form making a recurring game: the Repeat section read as the bot reads
``repeat``, its problems beside its fields with everything typed kept, the preview of the
next dates, and the series created with its first game announced."""

from __future__ import annotations

import html
from datetime import timedelta

from gamesched.services.games import get_game, list_games
from gamesched.services.series import series_of_game
from gamesched.services.views import GameView
from tests.support.api import api_as, new_game, soon
from tests.support.demo import GUILD, allow_game_hosts
from tests.support.web import Site
from tests.webauth.test_game_form import (
    announcement_of,
    create,
    created,
    host,
    in_two_weeks,
    nothing_written,
    save,
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


async def test_announcing_too_far_ahead_is_refused_beside_its_field(site: Site) -> None:
    """More days ahead than the series allow answers 422 beside that field; nothing made."""
    token = await host(site)
    response = await create(site, token, repeat=f"weekly on {weekday()}", ahead_days="400")
    assert response.status_code == 422
    assert 'id="field-ahead-days-errors"' in response.text
    assert "not 400" in response.text
    assert await nothing_written(site)


async def test_series_options_without_a_repeat_are_refused(site: Site) -> None:
    """Carrying the players over with no repeat is refused beside the repeat, not ignored."""
    token = await host(site)
    response = await create(site, token, carry_roster="on")
    assert response.status_code == 422
    assert "for a recurring game" in response.text
    assert (await list_games(site.core.services, guild_id=GUILD)).total == 0


async def series_games(site: Site, token: str) -> list[GameView]:
    """A weekly series made through the form with each game announced 30 days ahead (so its
    first three are made at once); its games, soonest first."""
    response = await create(site, token, repeat=f"weekly on {weekday()}", ahead_days="30")
    first = await created(site, response)
    series = await series_of_game(site.core.services, first.id)
    assert series is not None
    return [await get_game(site.core.services, game_id) for game_id in series.game_ids]


async def test_the_edit_form_of_a_series_game_shows_the_series_and_its_next_dates(
    site: Site,
) -> None:
    """Editing a game of a series shows its pattern, time and zone, its next dates, and the
    choice between this game and the later ones too."""
    token = await host(site)
    first, *_ = await series_games(site, token)
    page = html.unescape((await site.browser.get(f"/games/{first.id}/edit")).text)
    assert f"This game is one of a series: Every week on {weekday()}, at 19:00 UTC." in page
    assert f'<time datetime="{first.start_at.isoformat()}">' in page
    assert "Change this and the later games" in page
    assert 'id="field-scope-this" value="this" checked' in page


async def test_saving_this_game_or_the_later_ones_too(site: Site) -> None:
    """ "Only this game" retitles one game; "this and the later games" retitles it and the
    later ones, and the flash says how many."""
    token = await host(site)
    first, second, third = await series_games(site, token)
    alone = await save(site, second, token, title="Azul night", scope="this")
    assert alone.status_code == 303, alone.text
    titles = [(await get_game(site.core.services, g.id)).title for g in (first, second, third)]
    assert titles == ["Catan night", "Azul night", "Catan night"]

    later = await save(site, second, token, title="Ticket night", scope="future")
    assert later.status_code == 303, later.text
    titles = [(await get_game(site.core.services, g.id)).title for g in (first, second, third)]
    assert titles == ["Catan night", "Ticket night", "Ticket night"]
    landing = await site.browser.get(later.headers["location"])
    assert "1 later game(s) changed too" in landing.text


async def test_a_new_pattern_is_previewed_and_needs_the_later_games(site: Site) -> None:
    """A new pattern for this game alone comes back beside the field with nothing changed;
    with the later games its dates are previewed before saving."""
    token = await host(site)
    first, *_ = await series_games(site, token)
    every_other = f"every 2 weeks on {weekday()}"
    refused = await save(site, first, token, repeat=every_other, scope="this")
    assert refused.status_code == 422
    assert 'id="field-repeat-errors"' in refused.text
    assert f'value="{every_other}"' in refused.text

    shown = await save(site, first, token, repeat=every_other, scope="future", preview="on")
    assert shown.status_code == 200, shown.text
    page = html.unescape(shown.text)
    assert f"Every 2 weeks on {weekday()}: the next dates" in page
    second = first.start_at + timedelta(weeks=2)
    assert f'<time datetime="{second.isoformat()}">' in page
    assert 'id="field-scope-future" value="future" checked' in page
    series = await series_of_game(site.core.services, first.id)
    assert series is not None
    assert series.pattern == f"Every week on {weekday()}"


async def test_the_api_creates_a_series_and_refuses_a_pattern_it_cannot_read(site: Site) -> None:
    """POST /api/v1/games with ``repeat`` answers 201 with the first game of a new series
    (announced); an unreadable ``repeat`` answers 422 naming that field, nothing made."""
    await allow_game_hosts(site)
    api = await api_as(site, "sam")
    refused = await api.post("/games", new_game(repeat="every full moon"))
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["repeat"]
    assert await nothing_written(site)

    start = soon()
    response = await api.post(
        "/games", new_game(repeat=f"weekly on {start:%A}", ahead_days=7, carry_roster=True)
    )
    assert response.status_code == 201, response.text
    series = await series_of_game(site.core.services, int(response.json()["id"]))
    assert series is not None
    assert (series.ahead_days, series.carry_roster) == (7, True)
    assert series.pattern == f"Every week on {start:%A}"
