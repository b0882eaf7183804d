"""The dashboard's "edit game" form: prefilled from the game, settings with their inherited
value, only what changed is sent, refusals shown in place."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Input, Label

from gamesched.domain.settings import Source
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from tests.support.factories import P1, P2, make_game
from tests.support.tui_actions import BERLIN, driving, history_count, operating
from tui.actions import EditGameScreen


def screen(ctx: Context, game_id: int) -> EditGameScreen:
    return EditGameScreen(operating(ctx), BERLIN, game_id=game_id)


async def test_the_form_is_prefilled_from_the_game(ctx: Context) -> None:
    """Title and start (in the operator's zone) are filled in; a setting the game sets itself
    is filled in, an inherited one is empty with its value and source said."""
    game = await make_game(ctx, title="Poker", max_players=4)
    async with driving(screen(ctx, game.id)) as ui:
        assert ui.value("#title") == "Poker"
        assert ui.value("#when") == "2026-12-05 20:00"  # 19:00 UTC in Berlin
        assert ui.value("#max_players") == "4"
        assert ui.value("#duration_minutes") == ""
        label = str(ui.screen.query_one("#duration_minutes-label", Label).render())
        assert "built-in default" in label
        assert "set on the game" in str(ui.screen.query_one("#max_players-label", Label).render())


async def test_a_new_time_and_cap_are_saved_and_only_they_change(ctx: Context) -> None:
    """Typing a new start and cap changes those two (the start read in the operator's zone),
    seats the waitlist, and the history entry is the operator's from the TUI with only them."""
    game = await make_game(ctx, title="Poker", max_players=1, joiners=(P1, P2))
    async with driving(screen(ctx, game.id)) as ui:
        await ui.type("#when", "2026-12-06 21:30")
        await ui.type("#max_players", "2")
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text
        result = ui.result
    assert result is not None
    assert result.startswith(f"Game #{game.id} (Poker) changed; it starts ")
    stored = await get_game(ctx, game.id)
    assert stored.start_at == datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
    assert stored.joined == (P1, P2)
    assert stored.title == "Poker"
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.EDITED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")
    assert set(entry.changes) == {"start_at", "max_players", "joined", "waitlist"}


async def test_emptying_a_setting_makes_it_inherit_again(ctx: Context) -> None:
    """A game's own cap, emptied, gives way to the channel's (here the built-in default)."""
    game = await make_game(ctx, max_players=3)
    async with driving(screen(ctx, game.id)) as ui:
        ui.screen.query_one("#max_players", Input).value = ""
        await ui.type("#reminder_minutes", "none")
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text
    stored = await get_game(ctx, game.id)
    assert stored.settings.max_players.source is Source.DEFAULT
    assert stored.settings.reminder_minutes.value == ()


async def test_invalid_values_are_shown_beside_their_fields_and_nothing_is_written(
    ctx: Context,
) -> None:
    """A start in the past and too many seats are shown beside their fields, the typed values
    stay, and the game and its history are as they were."""
    game = await make_game(ctx, title="Poker")
    entries = await history_count(ctx)
    async with driving(screen(ctx, game.id)) as ui:
        await ui.type("#when", "2020-01-01 10:00")
        await ui.type("#max_players", "1000")
        await ui.type("#title", "Poker night")
        await ui.submit()
        assert not ui.dismissed
        shown = ui.screen.problems_shown()
        assert set(shown) == {"when", "max_players"}
        assert "past" in shown["when"]
        assert ui.value("#title") == "Poker night"
        assert ui.value("#max_players") == "1000"
    assert (await get_game(ctx, game.id)).title == "Poker"
    assert await history_count(ctx) == entries


async def test_nothing_changed_is_said_in_place(ctx: Context) -> None:
    """Saving the form untouched changes nothing and says so; the screen stays open."""
    game = await make_game(ctx)
    entries = await history_count(ctx)
    async with driving(screen(ctx, game.id)) as ui:
        await ui.submit()
        assert not ui.dismissed
        assert "Nothing was changed" in ui.screen.summary_text
    assert await history_count(ctx) == entries


async def test_escape_changes_nothing(ctx: Context) -> None:
    """Escape after typing dismisses with None; the game is as it was."""
    game = await make_game(ctx, title="Poker")
    async with driving(screen(ctx, game.id)) as ui:
        await ui.type("#title", "Chess")
        await ui.escape()
        assert ui.result is None
    assert (await get_game(ctx, game.id)).title == "Poker"


async def test_an_unknown_game_is_said_in_place(ctx: Context) -> None:
    """A game that does not exist is said in the screen, not as a traceback."""
    async with driving(screen(ctx, 999)) as ui:
        assert not ui.screen.loaded
        assert "999" in ui.screen.summary_text
