"""The dashboard's action keys: each opens its screen on what is selected, says what to select
when nothing is, and the table shows the change as soon as the screen closes."""

from __future__ import annotations

import pytest
from textual.widgets import Tree

from gamesched.domain.status import GameStatus
from gamesched.services.context import Context
from gamesched.services.games import get_game
from tests.support.factories import CHANNEL, GUILD, P1, make_game
from tests.tui.conftest import DashboardFactory, rows_of, settle
from tests.tui.test_dashboard import games
from tui.actions import (
    AssignPlaceholderScreen,
    CancelGameScreen,
    CreateGameScreen,
    EditGameScreen,
    MoveGameScreen,
    RemovePlayerScreen,
    RetryScreen,
    SettingsScreen,
)

GAME_KEYS = {
    "e": EditGameScreen,
    "c": CancelGameScreen,
    "m": MoveGameScreen,
    "x": RemovePlayerScreen,
    "p": AssignPlaceholderScreen,
    "t": RetryScreen,
}


@pytest.mark.parametrize(("key", "screen"), GAME_KEYS.items())
async def test_a_game_key_opens_its_screen_on_the_selected_game(
    ctx: Context, dashboard: DashboardFactory, key: str, screen: type
) -> None:
    """With a game under the cursor, the key opens that action's screen for that game."""
    game = await make_game(ctx, title="Poker", participants="Guest", joiners=(P1,))
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        games(app).focus()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen)
        assert app.screen.game_id == game.id  # type: ignore[attr-defined]


async def test_keys_say_what_to_select_first(ctx: Context, dashboard: DashboardFactory) -> None:
    """With no game listed, a game key opens nothing and says to select a game; `n` and `s`
    without a channel or server chosen say to pick one in the tree."""
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        for key, hint in (("e", "Select a game"), ("n", "Pick a channel"), ("s", "Pick a server")):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
            assert any(hint in str(n.message) for n in app._notifications)


async def test_new_game_and_settings_open_on_the_chosen_channel(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """After choosing a channel in the tree, `n` opens the game form and `s` the settings,
    both for that channel of that server."""
    await make_game(ctx, title="Poker")
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.query_one("#places", Tree).focus()
        await pilot.press("down", "down")  # the server, then its channel
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CreateGameScreen)
        assert (form.guild_id, form.channel_id) == (GUILD, CHANNEL)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        assert (settings.guild_id, settings.channel_id) == (GUILD, CHANNEL)


async def test_a_cancel_from_the_dashboard_shows_in_its_table_at_once(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """`c`, then confirming: the game is cancelled, the dashboard says so, and its row shows it
    cancelled without waiting for the next poll."""
    game = await make_game(ctx, title="Poker")
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        games(app).focus()
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#submit").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert (await get_game(ctx, game.id)).status is GameStatus.CANCELLED
        (row,) = rows_of(games(app))
        assert row[1:2] + row[4:5] == ["Poker", "cancelled"]
        assert any("is cancelled" in str(n.message) for n in app._notifications)
