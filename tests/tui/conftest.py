"""Fixtures of the dashboard tests: the dashboard on a test database's services, a way to
wait until what it loads has landed, and reading what it shows."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from gamesched.app import Operating
from gamesched.config import Config
from gamesched.domain.permissions import Actor
from gamesched.services import outbox
from gamesched.services.context import Context, FrontEnd, Origin
from gamesched.services.views import GameView
from tests.support.factories import P2, START
from tests.support.fakes import FakeClock
from tests.support.worker import claim_one
from tui.app import SETTLE_SECONDS, Dashboard, create_dashboard

ZONE = ZoneInfo("Europe/Berlin")
"""The operator's zone in these tests (UTC+1 in December)."""
NEVER = 3600.0
"""Poll and health intervals that never fire during a test: tests poll by hand."""

DashboardFactory = Callable[..., Dashboard]


def operating_on(ctx: Context) -> Operating:
    """The operator's session on a test database, without Discord."""
    services = ctx.acting_from(Origin(FrontEnd.TUI, operator="test"))
    return Operating(services=services, actor=Actor.operator(), core=None)


@pytest.fixture
def dashboard(ctx: Context) -> DashboardFactory:
    """Builds the dashboard on ``ctx`` (times in Europe/Berlin); polls only when told."""

    def build(config: Config | None = None, **options: object) -> Dashboard:
        settings: dict[str, object] = {"poll_seconds": NEVER, "health_seconds": NEVER}
        settings |= options
        return create_dashboard(
            operating_on(ctx),
            config=config or Config(),
            zone=ZONE,
            **settings,  # type: ignore[arg-type]
        )

    return build


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the cursor has rested and what it asked for is read and shown."""
    for _ in range(3):
        await pilot.pause(SETTLE_SECONDS + 0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget: Static) -> str:
    """What a static widget shows, as plain text."""
    out = io.StringIO()
    Console(width=200, file=out, force_terminal=False, color_system=None).print(widget.content)
    return out.getvalue()


def rows_of(table: DataTable[Any]) -> list[list[str]]:
    """Every row of a table, cells as plain text, in the order shown."""
    return [
        [getattr(cell, "plain", str(cell)) for cell in table.get_row_at(index)]
        for index in range(table.row_count)
    ]


def column_of(table: DataTable[Any], column: str) -> list[str]:
    index = list(table.columns).index(column)  # type: ignore[arg-type]
    return [row[index] for row in rows_of(table)]


async def refused_reminder(ctx: Context, clock: FakeClock, game: GameView) -> None:
    """Run the game's 60-minute reminder as a worker does: P2's DMs are closed, the rest
    get it; then the clock goes back to where it was."""
    before = clock.now
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    assert round_ is not None
    for user_id in round_.user_ids:
        failure = outbox.DMS_CLOSED if user_id == P2 else None
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure=failure)
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)
    clock.now = before
