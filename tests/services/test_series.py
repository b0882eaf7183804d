"""Recurring series: created with its first game, previewed, edited, skipped, cancelled, and
making its next game by the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from gamesched.domain.recurrence import read_recurrence
from gamesched.services import series
from gamesched.services.context import Context
from gamesched.services.games import NewGame
from tests.support.factories import ADMIN, CHANNEL, GUILD
from tests.support.fakes import FakeClock, NoMembers


def new_game(when: str = "2026-12-03 19:00", *, zone: str = "Europe/Berlin") -> NewGame:
    return NewGame(guild_id=GUILD, channel_id=CHANNEL, title="Weekly", when=when, zone=zone)


async def test_create_series_makes_its_first_game_at_the_local_wall_time(ctx: Context) -> None:
    """The first game is made at once; the series keeps 19:00 Berlin as its wall time."""
    created = await series.create_series(
        ctx,
        actor=ADMIN,
        game=new_game(),
        recurrence=read_recurrence("weekly on Thu"),
        directory=NoMembers(),
    )
    assert [g.start_at for g in created.games] == [datetime(2026, 12, 3, 18, 0, tzinfo=UTC)]
    view = created.series
    assert view.zone == "Europe/Berlin"
    assert view.wall_time == time(19, 0)
    assert view.pattern == "Every week on Thursday"
    assert view.next_due_at == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert [d.on for d in view.next_dates][:2] == [date(2026, 12, 3), date(2026, 12, 10)]
