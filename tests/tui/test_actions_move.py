"""The dashboard's move: pick another channel of the game's server, and the game is announced
there with that channel's settings; recorded as the operator's from the TUI."""

from __future__ import annotations

from datetime import UTC

from textual.widgets import Select

from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.services.announcements import record_rendered
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from tests.support.factories import CHANNEL, GUILD, OTHER_CHANNEL, P1, make_game
from tests.support.tui_actions import driving, history_count, operating
from tui._format import history_line
from tui.actions import MoveGameScreen

OTHER_GUILD = 100_000_000_000_000_009
FOREIGN_CHANNEL = 100_000_000_000_000_909
OLD_MESSAGE = 700_000_000_000_000_001


async def known_channels(ctx: Context) -> None:
    """gamesched knows another channel of the server (with a cap of 8), and one elsewhere."""
    operator = Actor.operator()
    await configure_channel(
        ctx,
        actor=operator,
        guild_id=GUILD,
        channel_id=OTHER_CHANNEL,
        patch=SettingsPatch(max_players=8),
    )
    await configure_channel(
        ctx, actor=operator, guild_id=OTHER_GUILD, channel_id=FOREIGN_CHANNEL, patch=SettingsPatch()
    )


async def test_the_choices_are_the_servers_other_channels(ctx: Context) -> None:
    """The channel the game is in and channels of other servers are not offered."""
    await known_channels(ctx)
    game = await make_game(ctx)
    async with driving(MoveGameScreen(operating(ctx), game_id=game.id)) as ui:
        assert isinstance(ui.screen, MoveGameScreen)
        assert list(ui.screen.channel_names) == [OTHER_CHANNEL]


async def test_a_moved_game_is_in_the_new_channel_with_its_settings(ctx: Context) -> None:
    """The game is in the channel picked and takes its cap; without Discord the line says the
    old announcement stays; the history entry is the operator's from the TUI."""
    await known_channels(ctx)
    game = await make_game(ctx, title="Poker", joiners=(P1,))
    await record_rendered(ctx, game_id=game.id, message_id=OLD_MESSAGE, version=game.version)
    async with driving(MoveGameScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#channel", Select).value = OTHER_CHANNEL
        await ui.submit()
        result = ui.result
    assert result is not None
    assert result.startswith(f"Game #{game.id} (Poker) moved to channel {OTHER_CHANNEL}.")
    assert f"The old announcement in channel {CHANNEL} stays" in result
    stored = await get_game(ctx, game.id)
    assert (stored.channel_id, stored.max_players, stored.message_id) == (OTHER_CHANNEL, 8, None)
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.MOVED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_moving_without_picking_is_said_beside_the_field(ctx: Context) -> None:
    """Submitting before picking a channel says so beside the picker; nothing is written."""
    await known_channels(ctx)
    game = await make_game(ctx)
    entries = await history_count(ctx)
    async with driving(MoveGameScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.submit()
        assert not ui.dismissed
        assert ui.screen.problems_shown() == {"channel": "Pick a channel first."}
    assert await history_count(ctx) == entries
    assert (await get_game(ctx, game.id)).channel_id == CHANNEL


async def test_escape_moves_nothing(ctx: Context) -> None:
    """A channel picked, then Escape: the game stays where it is."""
    await known_channels(ctx)
    game = await make_game(ctx)
    async with driving(MoveGameScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#channel", Select).value = OTHER_CHANNEL
        await ui.escape()
        assert ui.result is None
    assert (await get_game(ctx, game.id)).channel_id == CHANNEL


async def test_a_moved_games_history_reads_as_a_move(ctx: Context) -> None:
    """The game's history in the dashboard says it was moved (it used to stop the detail pane
    with an unlabelled entry)."""
    await known_channels(ctx)
    game = await make_game(ctx)
    async with driving(MoveGameScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#channel", Select).value = OTHER_CHANNEL
        await ui.submit()
    entry = (await game_history(ctx, game.id))[-1]
    line = history_line(entry, {}, UTC)
    assert "moved to another channel (tui)" in line
