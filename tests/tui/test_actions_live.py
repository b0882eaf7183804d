"""End to end: the dashboard's actions with Discord at hand (the sandbox) while gamesched's
worker runs: the announcement follows an edit, and a move posts it in the new channel and
deletes the old one, telling nobody twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Select

from gamesched.db import repositories as repo
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.games import get_game
from tests.support.live import PLAYERS, START, Live, live_game, message_in, shows
from tests.support.sandbox import channel_id_of, user_id_of
from tests.support.tui_actions import driving, operating
from tui.actions import EditGameScreen, MoveGameScreen


@pytest.fixture
async def live(
    sandbox: RunningSandbox, demo_world: World, discord: SandboxDriver, database_url: str
) -> AsyncIterator[Live]:
    """`gamesched run`'s core and worker on a fresh database, talking to the sandbox."""
    async with live_game(database_url, sandbox, demo_world, discord) as live:
        yield live


async def dm_counts(live: Live) -> dict[str, int]:
    return {n: len(await live.discord.dms(user_id_of(live.world, n))) for n in PLAYERS}


async def test_a_new_time_typed_in_the_edit_form_reaches_the_announcement(live: Live) -> None:
    """The edit form's new start (typed in the operator's zone) is in the announcement soon
    after, and the players are told, as after `/edit-game`."""
    new_start = START + timedelta(days=1, hours=2)
    stamp = f"<t:{int(new_start.timestamp())}:"
    berlin = ZoneInfo("Europe/Berlin")
    op = operating(live.core.services, live.core)
    async with driving(EditGameScreen(op, berlin, game_id=live.game.id)) as ui:
        await ui.type("#when", new_start.astimezone(berlin).strftime("%Y-%m-%d %H:%M"))
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text

    await shows(live, lambda message: stamp in json.dumps(message))
    for player in PLAYERS:
        dms = await live.discord.dms(user_id_of(live.world, player), at_least=1)
        assert "was moved: it now starts" in json.dumps(dms[-1])


async def test_a_move_posts_in_the_new_channel_and_deletes_the_old_post(live: Live) -> None:
    """The move screen offers Discord's channels by name; after the move the announcement is
    in the new channel (once), the old message is gone, and nobody got a DM about it."""
    rpg = channel_id_of(live.world, "rpg")
    before = await dm_counts(live)
    op = operating(live.core.services, live.core)
    async with driving(MoveGameScreen(op, game_id=live.game.id)) as ui:
        assert isinstance(ui.screen, MoveGameScreen)
        assert ui.screen.channel_names[rpg] == f"#rpg ({rpg})"
        ui.screen.query_one("#channel", Select).value = rpg
        await ui.submit()
        result = ui.result
    assert result is not None
    assert f"moved to channel #rpg ({rpg})" in result
    assert "It is announced there." in result
    assert "The old announcement was deleted." in result

    moved = await get_game(live.core.services, live.game.id)
    assert moved.message_id is not None
    assert await message_in(live, live.game.channel_id, live.game.message_id) is None
    posted = [m for m in await live.discord.messages(rpg) if "Catan night" in json.dumps(m)]
    assert [m["id"] for m in posted] == [str(moved.message_id)]
    assert not moved.needs_sync
    async with live.core.services.transaction() as session:
        assert await repo.notifications_of(session, live.game.id) == []
    assert await dm_counts(live) == before
