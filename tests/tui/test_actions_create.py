"""The dashboard's "new game" form: the modal's and the web's validation and messages, typed
times read in the operator's zone, recorded as the operator's from the TUI."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Input

from gamesched.domain.settings import Source
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import list_games
from gamesched.services.history import Action, game_history
from tests.support.factories import CHANNEL, GUILD
from tests.support.tui_actions import BERLIN, driving, history_count, operating
from tui.actions import CreateGameScreen

HOST_ID = 300_000_000_000_000_077


def screen(ctx: Context) -> CreateGameScreen:
    return CreateGameScreen(operating(ctx), BERLIN, guild_id=GUILD, channel_id=CHANNEL)


async def test_a_game_typed_into_the_form_is_created_for_its_host(ctx: Context) -> None:
    """Title, time (read in the operator's zone), host, seats, placeholders, reminders and
    rules typed in are the new game's; the line it closes with names it and its start; the
    history says the operator created it from the TUI."""
    async with driving(screen(ctx)) as ui:
        await ui.type("#title", "Catan night")
        await ui.type("#when", "2026-12-05 19:00")
        await ui.type("#host", f"<@{HOST_ID}>")
        await ui.type("#participants", "Sam's friend")
        await ui.type("#max_players", "5")
        await ui.type("#reminder_minutes", "30")
        await ui.type("#rules", "Bring snacks")
        await ui.submit()

        assert ui.dismissed, ui.screen.summary_text
        result = ui.result
    assert result is not None
    (game,) = (await list_games(ctx)).items
    assert result.startswith(f"Game #{game.id} (Catan night) created; it starts ")
    assert "Europe/Berlin" in result
    assert game.title == "Catan night"
    assert game.host_id == HOST_ID
    assert game.start_at == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    assert game.placeholders == ("Sam's friend",)
    assert (game.max_players, game.settings.max_players.source) == (5, Source.GAME)
    assert game.settings.reminder_minutes.value == (30,)
    assert game.settings.rules.value == "Bring snacks"
    assert game.settings.duration_minutes.source is not Source.GAME  # left empty: inherited
    (entry,) = await game_history(ctx, game.id)
    assert entry.action is Action.CREATED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_the_form_shows_what_empty_settings_inherit(ctx: Context) -> None:
    """Each setting's empty field says the value it would inherit and where that comes from."""
    async with driving(screen(ctx)) as ui:
        placeholder = ui.screen.query_one("#max_players", Input).placeholder
        assert "built-in default" in placeholder


async def test_invalid_values_are_shown_beside_their_fields_and_nothing_is_written(
    ctx: Context,
) -> None:
    """An empty title, a time that is not one, a host that is not an id and a duration that
    is not a number are each shown beside their field and in the summary; every typed value
    stays; the database is untouched."""
    async with driving(screen(ctx)) as ui:
        await ui.type("#when", "someday maybe")
        await ui.type("#host", "bob")
        await ui.type("#duration_minutes", "long")
        await ui.submit()
        assert not ui.dismissed
        shown = ui.screen.problems_shown()
        assert set(shown) == {"host", "duration_minutes"}
        assert "not a Discord id" in shown["host"]
        assert "not a whole number of minutes" in shown["duration_minutes"]
        assert "Nothing was saved: please fix these 2 things." in ui.screen.summary_text

        await ui.type("#host", str(HOST_ID))
        await ui.type("#duration_minutes", "90")
        await ui.submit()
        assert not ui.dismissed
        shown = ui.screen.problems_shown()
        assert set(shown) == {"title", "when"}
        assert "Give the game a title." in shown["title"]
        assert (ui.value("#when"), ui.value("#host")) == ("someday maybe", str(HOST_ID))
        assert ui.value("#duration_minutes") == "90"
    assert (await list_games(ctx)).total == 0
    assert await history_count(ctx) == 0


async def test_escape_creates_nothing(ctx: Context) -> None:
    """Backing out with Escape after typing dismisses with None and writes nothing."""
    async with driving(screen(ctx)) as ui:
        await ui.type("#title", "Catan night")
        await ui.type("#when", "tomorrow 8pm")
        await ui.type("#host", str(HOST_ID))
        await ui.escape()
        assert ui.result is None
    assert (await list_games(ctx)).total == 0


async def test_an_unknown_mention_is_refused_without_discord(ctx: Context) -> None:
    """Without Discord no @name can be matched: the participants field says so."""
    async with driving(screen(ctx)) as ui:
        await ui.type("#title", "Chess")
        await ui.type("#when", "2026-12-05 19:00")
        await ui.type("#host", str(HOST_ID))
        await ui.type("#participants", "@sam")
        await ui.submit()
        assert not ui.dismissed
        assert "participants" in ui.screen.problems_shown()
    assert (await list_games(ctx)).total == 0
