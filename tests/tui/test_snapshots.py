"""Pictures of the dashboard, compared with the accepted ones in ``__snapshots__`` (update them
on purpose with ``pytest tests/tui --snapshot-update`` and look at the report).

Deterministic: a fixed SQLite database, the test clock, no Discord and no worker; the app
runs on its own event loop, so the data is written before it starts and the database is
closed on the app's loop when it ends.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot

from gamesched.config import Config
from gamesched.db.engine import create_database
from gamesched.db.tables import DeliveryRow
from gamesched.services import announcements
from gamesched.services.context import Context
from gamesched.services.games import cancel_game, get_game
from tests.support.factories import ADMIN, OTHER_CHANNEL, P1, P2, P3, make_game
from tests.support.fakes import FakeClock
from tests.tui.conftest import NEVER, ZONE, operating_on, refused_reminder, settle
from tui.app import Dashboard, create_dashboard

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
REMINDED = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
"""When Poker's reminder DMs were tried (an hour before it starts)."""

SnapCompare = Callable[..., bool]


async def _seed(url: str) -> None:
    database = create_database(url)
    ctx = Context(database=database, clock=FakeClock(NOW))
    try:
        poker = await make_game(
            ctx, title="Poker", max_players=3, joiners=(P1, P2), participants="Guest"
        )
        await refused_reminder(ctx, ctx.clock, poker)  # type: ignore[arg-type]
        await make_game(ctx, title="Board games", when="2026-12-03 18:00", joiners=(P3,))
        await make_game(
            ctx,
            title="Dungeon night",
            channel_id=OTHER_CHANNEL,
            when="2026-12-02 20:00",
            max_players=1,
            joiners=(P1, P2),
            reminder_minutes=(120,),
        )
        cancelled = await make_game(ctx, title="Cancelled one", when="2026-12-04 18:00")
        await cancel_game(ctx, actor=ADMIN, game_id=cancelled.id)
        for game_id in range(1, 5):  # every announcement posted and up to date
            version = (await get_game(ctx, game_id)).version
            await announcements.record_rendered(
                ctx, game_id=game_id, message_id=1000 + game_id, version=version
            )
        async with ctx.transaction() as session:  # the DMs were tried by the test clock
            await session.execute(update(DeliveryRow).values(created_at=REMINDED))
    finally:
        await database.dispose()


@pytest.fixture
def seeded_dashboard(sqlite_template: Path, tmp_path: Path) -> Callable[[], Dashboard]:
    """A dashboard on a fresh SQLite database holding four games (one cancelled) and a
    reminder DM refused because a player's DMs are closed."""
    path = tmp_path / "gamesched.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_seed(url))

    def build() -> Dashboard:
        database = create_database(url)
        ctx = Context(database=database, clock=FakeClock(NOW))
        return create_dashboard(
            operating_on(ctx),
            config=Config(),
            zone=ZONE,
            poll_seconds=NEVER,
            health_seconds=NEVER,
            on_close=database.dispose,
        )

    return build


def _pressing(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(100, 30), (160, 50)])
def test_main_screen(
    snap_compare: SnapCompare,
    seeded_dashboard: Callable[[], Dashboard],
    size: tuple[int, int],
) -> None:
    """The main screen: health header, servers and channels, games, and the detail of the
    game under the cursor (at 100x30 and 160x50)."""
    assert snap_compare(seeded_dashboard(), terminal_size=size, run_before=_pressing("down"))


def test_upcoming_view(
    snap_compare: SnapCompare, seeded_dashboard: Callable[[], Dashboard]
) -> None:
    """The Upcoming tab: reminders and status changes of every server, soonest first."""
    assert snap_compare(seeded_dashboard(), terminal_size=(160, 50), run_before=_pressing("2"))


def test_problems_view(
    snap_compare: SnapCompare, seeded_dashboard: Callable[[], Dashboard]
) -> None:
    """The Problems tab: the reminder DM refused because the player's DMs are closed."""
    assert snap_compare(seeded_dashboard(), terminal_size=(160, 50), run_before=_pressing("3"))


def test_key_help(snap_compare: SnapCompare, seeded_dashboard: Callable[[], Dashboard]) -> None:
    """The key help over the dashboard."""
    assert snap_compare(seeded_dashboard(), terminal_size=(100, 30), run_before=_pressing("?"))
