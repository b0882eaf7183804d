"""The dashboard's cancel: a confirmation naming the game and who will be told, then cancelled
as the operator's change from the TUI."""

from __future__ import annotations

from textual.widgets import Static

from gamesched.domain.status import GameStatus
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import cancel_game, get_game
from gamesched.services.history import Action, game_history
from tests.support.factories import ADMIN, P1, P2, P3, make_game
from tests.support.tui_actions import driving, history_count, operating
from tui.actions import CancelGameScreen


async def test_the_question_names_the_game_and_how_many_are_told(ctx: Context) -> None:
    """Seated and waitlisted players are counted among those to be told."""
    game = await make_game(ctx, title="Poker", max_players=2, joiners=(P1, P2, P3))
    async with driving(CancelGameScreen(operating(ctx), game_id=game.id)) as ui:
        question = str(ui.screen.query_one("#question", Static).render())
        assert f"game #{game.id} (Poker)" in question
        assert "tell its 3 players" in question


async def test_confirming_cancels_the_game(ctx: Context) -> None:
    """The game is cancelled, the closing line says so, and the history names the operator
    and the TUI."""
    game = await make_game(ctx, title="Poker", joiners=(P1,))
    async with driving(CancelGameScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.submit()
        result = ui.result
    assert result is not None
    assert result.startswith(f"Game #{game.id} (Poker) is cancelled.")
    assert (await get_game(ctx, game.id)).status is GameStatus.CANCELLED
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.CANCELLED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_a_game_cancelled_meanwhile_is_said_in_place(ctx: Context) -> None:
    """When the game was cancelled elsewhere after the screen opened, the refusal is shown in
    the screen, which stays open."""
    game = await make_game(ctx)
    async with driving(CancelGameScreen(operating(ctx), game_id=game.id)) as ui:
        await cancel_game(ctx, actor=ADMIN, game_id=game.id)
        entries = await history_count(ctx)
        await ui.submit()
        assert not ui.dismissed
        assert "cancelled" in ui.screen.summary_text
    assert await history_count(ctx) == entries


async def test_keeping_it_or_escape_changes_nothing(ctx: Context) -> None:
    """Escape, or the button that keeps the game, dismisses with None and cancels nothing."""
    game = await make_game(ctx)
    async with driving(CancelGameScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.escape()
        assert ui.result is None
    async with driving(CancelGameScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.pilot.click("#back")
        await ui.pilot.pause()
        assert ui.result is None
    assert (await get_game(ctx, game.id)).status is GameStatus.SCHEDULED
