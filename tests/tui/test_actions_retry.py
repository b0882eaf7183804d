"""The dashboard's retry: a game's refused DMs, whether each can be sent again, and sending
those again (recorded as the operator's from the TUI)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Button, Static

from gamesched.services import outbox, reminders
from gamesched.services.context import Context, FrontEnd
from gamesched.services.history import Action, game_history
from gamesched.services.participation import leave_game
from gamesched.services.views import GameView
from tests.support.factories import P1, P2, P3, START, make_game
from tests.support.fakes import FakeClock
from tests.support.tui_actions import driving, history_count, operating
from tests.support.worker import claim_one
from tui.actions import RetryScreen


async def refused_reminder(ctx: Context, clock: FakeClock, game: GameView) -> None:
    """The hour-before reminder goes out as a worker sends it: every player's DM is refused."""
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    assert round_ is not None
    for user_id in round_.user_ids:
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure=outbox.DMS_CLOSED)
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)


async def test_refused_dms_are_listed_with_whether_they_can_be_retried(
    ctx: Context, clock: FakeClock
) -> None:
    """Each refused DM shows its id, whose it was, why, and whether a retry helps (not for a
    player who left); the button says how many would be sent again."""
    game = await make_game(ctx, max_players=3, joiners=(P1, P2, P3))
    await refused_reminder(ctx, clock, game)
    await leave_game(ctx, game_id=game.id, user_id=P3)
    async with driving(RetryScreen(operating(ctx), game_id=game.id)) as ui:
        listing = str(ui.screen.query_one("#failures", Static).render())
        lines = listing.splitlines()
        assert len(lines) == 3
        assert all("DMs closed" in line for line in lines)
        assert sum("can be sent again" in line for line in lines) == 2
        assert any(f"{P3}" in line and "no longer holds a seat" in line for line in lines)
        assert str(ui.screen.query_one("#submit", Button).label) == "Retry 2"


async def test_retrying_plans_the_retryable_dms_again(ctx: Context, clock: FakeClock) -> None:
    """The retryable DMs are planned again (the next worker pass owes them), the closing line
    says how many, and the history records the retry from the TUI."""
    game = await make_game(ctx, max_players=3, joiners=(P1, P2))
    await refused_reminder(ctx, clock, game)
    async with driving(RetryScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.submit()
        result = ui.result
    assert result is not None
    assert result.startswith(f"Game #{game.id}: 2 refused DMs are planned again.")
    assert (await reminders.failures(ctx, game_id=game.id)).items == ()
    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.DMS_RETRIED
    assert (entry.origin, entry.operator) == (FrontEnd.TUI, "test")


async def test_nothing_to_retry_is_said_and_the_button_is_off(ctx: Context) -> None:
    """A game with no refused DM says so; there is nothing to press."""
    game = await make_game(ctx)
    async with driving(RetryScreen(operating(ctx), game_id=game.id)) as ui:
        assert "refused no DM" in str(ui.screen.query_one("#failures", Static).render())
        assert ui.screen.query_one("#submit", Button).disabled


async def test_escape_retries_nothing(ctx: Context, clock: FakeClock) -> None:
    """Escape leaves the refused DMs as they are."""
    game = await make_game(ctx, joiners=(P1,))
    await refused_reminder(ctx, clock, game)
    entries = await history_count(ctx)
    async with driving(RetryScreen(operating(ctx), game_id=game.id)) as ui:
        await ui.escape()
        assert ui.result is None
    assert len((await reminders.failures(ctx, game_id=game.id)).items) == 1
    assert await history_count(ctx) == entries
