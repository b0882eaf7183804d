"""Driving the dashboard's action screens in tests: a tiny host app that opens one screen, and
helpers that type into its fields and submit it as an operator would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from gamesched.app import Core, Operating
from gamesched.db.tables import HistoryRow
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context, FrontEnd, Origin
from tui.actions._common import ActionScreen

BERLIN = ZoneInfo("Europe/Berlin")
"""The operator's zone in these tests (UTC+1 in December)."""
STEPS = 500
"""Event-loop turns a screen may take to load or to finish a submit before a test fails."""
SIZE = (120, 60)


def operating(ctx: Context, core: Core | None = None) -> Operating:
    """The use cases acting as the operator "test" from the TUI."""
    services = (ctx if core is None else core.services).acting_from(
        Origin(FrontEnd.TUI, operator="test")
    )
    return Operating(services=services, actor=Actor.operator(), core=core)


class Host(App[None]):
    """An app that opens the screen under test and keeps what it dismissed with."""

    def __init__(self, screen: ActionScreen) -> None:
        super().__init__()
        self.under_test = screen
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.under_test, self.results.append)


@dataclass
class Driven:
    pilot: Pilot[None]
    app: Host
    screen: ActionScreen

    @property
    def dismissed(self) -> bool:
        return bool(self.app.results)

    @property
    def result(self) -> str | None:
        assert self.app.results, "the screen is still open"
        return self.app.results[0]

    async def type(self, selector: str, text: str) -> None:
        """Empty the field, then type ``text`` into it key by key."""
        widget = self.screen.query_one(selector)
        widget.focus()
        if isinstance(widget, Input):
            widget.value = ""
        elif isinstance(widget, TextArea):
            widget.clear()
        await self.pilot.pause()
        await self.pilot.press(*text)

    def value(self, selector: str) -> str:
        widget = self.screen.query_one(selector)
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    async def submit(self) -> None:
        """Press the screen's main button and wait until what it does is done."""
        before = self.screen.attempts
        self.screen.query_one("#submit").focus()
        await self.pilot.press("enter")
        await until(self.pilot, lambda: self.screen.attempts > before)

    async def escape(self) -> None:
        await self.pilot.press("escape")
        await until(self.pilot, lambda: self.dismissed)


async def until(pilot: Pilot[None], done: object) -> None:
    assert callable(done)
    for _ in range(STEPS):
        if done():
            return
        await pilot.pause()
        await asyncio.sleep(0)
    raise AssertionError("the screen did not get there")


@asynccontextmanager
async def driving(screen: ActionScreen) -> AsyncIterator[Driven]:
    """The screen open in a host app, loaded."""
    app = Host(screen)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen.mounted)
        await pilot.pause()
        yield Driven(pilot, app, screen)


async def history_count(ctx: Context) -> int:
    async with ctx.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(HistoryRow)) or 0)
