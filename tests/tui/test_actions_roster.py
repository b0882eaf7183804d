"""The dashboard's roster actions: taking a player off a game, and giving a placeholder's
slot to a member."""

from __future__ import annotations

from textual.widgets import Select, Static

from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from tests.support.factories import P1, P2, P3, make_game
from tests.support.tui_actions import driving, history_count, operating
from tui.actions import AssignPlaceholderScreen, RemovePlayerScreen


async def test_removing_a_seated_player_seats_the_first_in_line(ctx: Context) -> None:
    """The player picked is asked about, then taken off; the first on the waitlist gets the
    seat; the history entry is the operator's from the TUI."""
    game = await make_game(ctx, title="Poker", max_players=1, joiners=(P1, P2))
    async with driving(RemovePlayerScreen(operating(ctx), game_id=game.id)) as ui:
        picker = ui.screen.query_one("#member", Select)
        picker.focus()
        await ui.pilot.press("enter", "down", "enter")  # the first option: the seated one
        await ui.pilot.pause()
        assert picker.value == P1
        question = str(ui.screen.query_one("#question", Static).render())
        assert f"Remove {P1} from game #{game.id} (Poker)?" in question
        assert "first on the waitlist gets the seat" in question
        await ui.submit()
        result = ui.result
    assert result is not None
    assert f"{P1} is off game #{game.id}" in result
    assert f"{P2} moved from the waitlist into a seat" in result
    stored = await get_game(ctx, game.id)
    assert (stored.joined, stored.waitlist) == ((P2,), ())
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.REMOVED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_removing_without_picking_is_said_beside_the_field(ctx: Context) -> None:
    """Submitting before picking a player says so beside the picker and writes nothing."""
    game = await make_game(ctx, joiners=(P1,))
    entries = await history_count(ctx)
    async with driving(RemovePlayerScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.submit()
        assert not ui.dismissed
        assert ui.screen.problems_shown() == {"member": "Pick a player first."}
    assert await history_count(ctx) == entries


async def test_escape_removes_nobody(ctx: Context) -> None:
    """A player picked, then Escape: nobody is taken off."""
    game = await make_game(ctx, joiners=(P1,))
    async with driving(RemovePlayerScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#member", Select).value = P1
        await ui.escape()
        assert ui.result is None
    assert (await get_game(ctx, game.id)).joined == (P1,)


async def test_a_placeholder_goes_to_the_member_typed(ctx: Context) -> None:
    """The placeholder picked is replaced by the member whose id is typed, who takes a free
    seat; the history entry is the operator's from the TUI."""
    game = await make_game(ctx, participants="Sam's friend, Alex's cousin", joiners=(P1,))
    async with driving(AssignPlaceholderScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#placeholder", Select).value = 1
        await ui.type("#member", str(P3))
        await ui.submit()
        result = ui.result
    assert result is not None
    assert "took the place of `Alex's cousin`" in result
    stored = await get_game(ctx, game.id)
    assert stored.placeholders == ("Sam's friend",)
    assert stored.joined == (P1, P3)
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.PLACEHOLDER_ASSIGNED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_a_member_that_is_not_an_id_is_said_beside_the_field(ctx: Context) -> None:
    """A member typed as a name is refused beside the field, with the text kept; nothing is
    written."""
    game = await make_game(ctx, participants="Sam's friend")
    entries = await history_count(ctx)
    async with driving(AssignPlaceholderScreen(operating(ctx), game_id=game.id)) as ui:
        ui.screen.query_one("#placeholder", Select).value = 0
        await ui.type("#member", "sam")
        await ui.submit()
        assert not ui.dismissed
        assert "not a Discord id" in ui.screen.problems_shown()["member"]
        assert ui.value("#member") == "sam"
    assert (await get_game(ctx, game.id)).placeholders == ("Sam's friend",)
    assert await history_count(ctx) == entries


async def test_escape_assigns_nothing(ctx: Context) -> None:
    """Escape after typing leaves the placeholder in place."""
    game = await make_game(ctx, participants="Sam's friend")
    async with driving(AssignPlaceholderScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.type("#member", str(P2))
        await ui.escape()
        assert ui.result is None
    assert (await get_game(ctx, game.id)).placeholders == ("Sam's friend",)
