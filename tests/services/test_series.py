"""Recurring series: created with its first game, previewed, edited, skipped, cancelled, and
making its next game by the clock (both engines)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from gamesched.db import repositories as repo
from gamesched.db.tables import HistoryRow
from gamesched.domain.errors import PermissionDenied, ValidationFailed
from gamesched.domain.recurrence import read_recurrence
from gamesched.domain.status import GameStatus
from gamesched.services import outbox, series
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, NewGame, cancel_game, get_game
from gamesched.services.history import Action
from gamesched.services.participation import join_game
from gamesched.services.series import EditScope, SeriesStatus
from gamesched.services.views import GameView
from tests.support.factories import ADMIN, CHANNEL, GUILD, P1, P2, P3, PLAYER
from tests.support.fakes import FakeClock, NoMembers

BERLIN = "Europe/Berlin"
THU_DEC_3 = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
"""19:00 Berlin on Thursday 3 December 2026 (winter time, UTC+1)."""


def new_game(
    when: str = "2026-12-03 19:00", *, zone: str = BERLIN, participants: str = ""
) -> NewGame:
    return NewGame(
        guild_id=GUILD,
        channel_id=CHANNEL,
        title="Weekly",
        when=when,
        zone=zone,
        participants=participants,
        max_players=2,
    )


async def make_series(
    ctx: Context,
    repeat: str = "weekly on Thu",
    *,
    when: str = "2026-12-03 19:00",
    ahead_days: int | None = None,
    carry_roster: bool = False,
    participants: str = "",
) -> series.CreatedSeries:
    return await series.create_series(
        ctx,
        actor=ADMIN,
        game=new_game(when, participants=participants),
        recurrence=read_recurrence(repeat),
        ahead_days=ahead_days,
        carry_roster=carry_roster,
        directory=NoMembers(),
    )


async def run_worker(ctx: Context, worker: str = "w1") -> tuple[GameView, ...]:
    """One worker pass over the series: claim what is due and make its games."""
    claimed = await outbox.claim_due(ctx, worker=worker)
    made: list[GameView] = []
    for series_id in claimed.series_ids:
        made += await series.advance_series(ctx, series_id=series_id, claim=claimed.claim)
    return tuple(made)


async def games_of(ctx: Context, series_id: int) -> list[GameView]:
    view = await series.get_series(ctx, series_id)
    return [await get_game(ctx, game_id) for game_id in view.game_ids]


async def notices(ctx: Context, game_id: int) -> list[tuple[int, str]]:
    async with ctx.transaction() as session:
        return [(n.user_id, n.kind) for n in await repo.notifications_of(session, game_id)]


async def test_create_series_makes_its_first_game_at_the_local_wall_time(ctx: Context) -> None:
    """The first game is made at once; the series keeps 19:00 Berlin as its wall time."""
    created = await make_series(ctx)
    assert [g.start_at for g in created.games] == [THU_DEC_3]
    view = created.series
    assert (view.zone, view.wall_time, view.pattern) == (BERLIN, time(19), "Every week on Thursday")
    assert view.status is SeriesStatus.ACTIVE
    assert view.next_due_at == THU_DEC_3
    assert [d.on for d in view.next_dates][:2] == [date(2026, 12, 3), date(2026, 12, 10)]
    assert view.next_dates[0].local == "Thu 3 Dec 2026, 19:00 Europe/Berlin"
    assert created.read_as.startswith("Thu 3 Dec 2026, 19:00 Europe/Berlin")


async def test_preview_shows_dates_in_the_host_zone_with_the_spring_gap_noted(
    ctx: Context,
) -> None:
    """A 02:30 Sunday series across the EU spring change previews 03:30 that day, noted."""
    preview = await series.preview_series(
        ctx,
        actor=ADMIN,
        guild_id=GUILD,
        channel_id=CHANNEL,
        start_text="2027-03-14 02:30",
        recurrence=read_recurrence("weekly on Sun"),
        zone=BERLIN,
        directory=NoMembers(),
    )
    assert [d.local for d in preview.dates] == [
        "Sun 14 Mar 2027, 02:30 Europe/Berlin",
        "Sun 21 Mar 2027, 02:30 Europe/Berlin",
        "Sun 28 Mar 2027, 03:30 Europe/Berlin",
        "Sun 4 Apr 2027, 02:30 Europe/Berlin",
        "Sun 11 Apr 2027, 02:30 Europe/Berlin",
    ]
    notes = [d.shift for d in preview.dates]
    assert notes[2] is not None
    assert "does not exist" in notes[2]
    assert notes.count(None) == 4
    assert await series.list_series(ctx, guild_id=GUILD) == []  # nothing written


async def test_created_series_reports_shift_notes_to_the_host(ctx: Context) -> None:
    """Creating a series whose next dates cross the fold tells the host which 02:30 it is."""
    created = await make_series(ctx, "weekly on Sun", when="2027-10-17 02:30")
    assert any("happens twice" in note for note in created.shifts)


async def test_first_game_off_the_pattern_is_refused(ctx: Context) -> None:
    """A first start that is not on one of the pattern's dates is refused, nothing written."""
    with pytest.raises(ValidationFailed, match="not on one of the series' dates") as caught:
        await make_series(ctx, "weekly on Fri")
    assert caught.value.problems[0].field == "repeat"
    assert await series.list_series(ctx, guild_id=GUILD) == []


async def test_next_game_is_made_when_the_current_one_starts(
    ctx: Context, clock: FakeClock
) -> None:
    """Nothing is due before the first game starts; at its start the worker makes the next."""
    created = await make_series(ctx)
    assert await run_worker(ctx) == ()
    assert await outbox.next_due_at(ctx) == min(THU_DEC_3, THU_DEC_3 - timedelta(minutes=60))
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert made.start_at == THU_DEC_3 + timedelta(days=7)
    assert made.message_id is None  # announced by the worker's sync
    assert await run_worker(ctx) == ()
    view = await series.get_series(ctx, created.series.id)
    assert view.next_due_at == made.start_at
    assert len(view.game_ids) == 2


async def test_games_made_by_the_clock_keep_local_time_across_the_spring_change(
    ctx: Context, clock: FakeClock
) -> None:
    """Thursday 19:00 Berlin made week by week across 28 March 2027 stays 19:00 Berlin."""
    created = await make_series(ctx, when="2027-03-18 19:00")
    starts = [created.games[0].start_at]
    for _ in range(2):
        clock.now = starts[-1]
        (made,) = await run_worker(ctx)
        starts.append(made.start_at)
    assert starts == [
        datetime(2027, 3, 18, 18, 0, tzinfo=UTC),
        datetime(2027, 3, 25, 18, 0, tzinfo=UTC),
        datetime(2027, 4, 1, 17, 0, tzinfo=UTC),
    ]


async def test_ahead_days_makes_each_game_that_many_days_before(
    ctx: Context, clock: FakeClock
) -> None:
    """With 14 days ahead the games within 14 days exist at once, the next on its day."""
    created = await make_series(ctx, ahead_days=14)
    assert [g.start_at for g in created.games] == [
        THU_DEC_3,
        THU_DEC_3 + timedelta(days=7),
    ]
    assert created.series.next_due_at == THU_DEC_3  # 17 December, 14 days before
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert made.start_at == THU_DEC_3 + timedelta(days=14)


async def test_a_worker_down_for_weeks_makes_no_game_in_the_past(
    ctx: Context, clock: FakeClock
) -> None:
    """After a long outage only the next game still ahead is made, none in the past."""
    created = await make_series(ctx)
    clock.now = THU_DEC_3 + timedelta(days=20)
    (made,) = await run_worker(ctx)
    assert made.start_at == THU_DEC_3 + timedelta(days=21)
    assert len((await series.get_series(ctx, created.series.id)).game_ids) == 2


async def test_a_count_ends_the_series(ctx: Context, clock: FakeClock) -> None:
    """A series of 2 games makes its second, then ends and is due no more."""
    created = await make_series(ctx, "weekly on Thu for 2 times")
    clock.now = THU_DEC_3
    assert len(await run_worker(ctx)) == 1
    clock.now = THU_DEC_3 + timedelta(days=7)
    assert await run_worker(ctx) == ()
    view = await series.get_series(ctx, created.series.id)
    assert view.status is SeriesStatus.ENDED
    assert view.next_due_at is None


async def test_carried_roster_keeps_players_and_placeholders_not_the_waitlist(
    ctx: Context, clock: FakeClock
) -> None:
    """With carry roster the next game starts with the joined players and placeholders."""
    created = await make_series(ctx, carry_roster=True, participants="Guest")
    first = created.games[0]
    for user_id in (P1, P2, P3):
        await join_game(ctx, game_id=first.id, user_id=user_id)
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert made.joined == (P1, P2)
    assert made.waitlist == ()
    assert made.placeholders == ("Guest",)


async def test_without_carry_the_next_game_starts_empty(ctx: Context, clock: FakeClock) -> None:
    """By default a new game starts with nobody in it."""
    created = await make_series(ctx, participants="Guest")
    await join_game(ctx, game_id=created.games[0].id, user_id=P1)
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert (made.joined, made.placeholders) == ((), ())


async def test_edit_this_changes_only_that_game(ctx: Context) -> None:
    """Editing one game leaves the series' template and its other games alone."""
    created = await make_series(ctx, ahead_days=14)
    first, second = created.games
    edited = await series.edit_series(
        ctx, actor=ADMIN, game_id=first.id, edit=GameEdit(title="Special"), scope=EditScope.THIS
    )
    assert [e.game.title for e in edited.games] == ["Special"]
    assert (await get_game(ctx, second.id)).title == "Weekly"
    assert edited.series is not None
    assert edited.series.title == "Weekly"


async def test_edit_future_moves_this_and_later_games_to_the_new_time(
    ctx: Context, clock: FakeClock
) -> None:
    """A new time for this and later games moves each on its own date; players are told;
    earlier games and the games made afterwards follow the series."""
    created = await make_series(ctx, ahead_days=14)
    first, second = created.games
    await join_game(ctx, game_id=second.id, user_id=P1)
    edited = await series.edit_series(
        ctx,
        actor=ADMIN,
        game_id=second.id,
        edit=GameEdit(when="2026-12-10 20:30", title="Late", zone=BERLIN),
        scope=EditScope.FUTURE,
    )
    assert [(e.game.id, e.game.start_at, e.game.title) for e in edited.games] == [
        (second.id, datetime(2026, 12, 10, 19, 30, tzinfo=UTC), "Late")
    ]
    assert (await get_game(ctx, first.id)).start_at == THU_DEC_3
    assert await notices(ctx, second.id) == [(P1, "rescheduled")]
    assert edited.series is not None
    assert edited.series.wall_time == time(20, 30)
    clock.now = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)  # 14 days before the next 20:30
    (made,) = await run_worker(ctx)
    assert (made.start_at, made.title) == (datetime(2026, 12, 17, 19, 30, tzinfo=UTC), "Late")


async def test_edit_future_with_a_new_pattern_cancels_dates_it_no_longer_has(
    ctx: Context,
) -> None:
    """Every 2 weeks from the second game cancels the third game and re-anchors the series."""
    created = await make_series(ctx, ahead_days=21)
    _, second, third = created.games
    await join_game(ctx, game_id=third.id, user_id=P1)
    edited = await series.edit_series(
        ctx,
        actor=ADMIN,
        game_id=second.id,
        edit=GameEdit(),
        recurrence=read_recurrence("every 2 weeks on Thu"),
        scope=EditScope.FUTURE,
    )
    assert [g.id for g in edited.cancelled] == [third.id]
    assert (await get_game(ctx, third.id)).status is GameStatus.CANCELLED
    assert await notices(ctx, third.id) == [(P1, "cancelled")]
    assert edited.series is not None
    assert edited.series.pattern == "Every 2 weeks on Thursday"
    assert edited.series.starts_on == date(2026, 12, 10)
    assert [d.on for d in edited.series.next_dates][:3] == [
        date(2026, 12, 10),
        date(2026, 12, 24),
        date(2027, 1, 7),
    ]


async def test_edit_future_refuses_a_new_day_without_a_new_pattern(ctx: Context) -> None:
    """Moving this and later games to another day needs a pattern that has that day."""
    created = await make_series(ctx)
    with pytest.raises(ValidationFailed, match="time of day"):
        await series.edit_series(
            ctx,
            actor=ADMIN,
            game_id=created.games[0].id,
            edit=GameEdit(when="2026-12-04 19:00", zone=BERLIN),
            scope=EditScope.FUTURE,
        )


async def test_cancel_one_game_keeps_the_series(ctx: Context, clock: FakeClock) -> None:
    """Cancelling one game is the usual cancel; the series still makes the next one."""
    created = await make_series(ctx)
    await cancel_game(ctx, actor=ADMIN, game_id=created.games[0].id)
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert made.start_at == THU_DEC_3 + timedelta(days=7)


async def test_cancel_series_cancels_its_scheduled_games_and_tells_players(
    ctx: Context, clock: FakeClock
) -> None:
    """The series stops and each scheduled game is cancelled with its players told."""
    created = await make_series(ctx, ahead_days=14)
    await join_game(ctx, game_id=created.games[1].id, user_id=P1)
    cancelled = await series.cancel_series(ctx, actor=ADMIN, series_id=created.series.id)
    assert [g.status for g in cancelled.cancelled] == [GameStatus.CANCELLED] * 2
    assert cancelled.series.status is SeriesStatus.CANCELLED
    assert cancelled.series.next_due_at is None
    assert await notices(ctx, created.games[1].id) == [(P1, "cancelled")]
    clock.now = THU_DEC_3 + timedelta(days=30)
    assert await run_worker(ctx) == ()


async def test_only_the_host_or_an_admin_manages_a_series(ctx: Context) -> None:
    """A member who neither hosts nor administers cannot cancel or skip."""
    created = await make_series(ctx)
    with pytest.raises(PermissionDenied):
        await series.cancel_series(ctx, actor=PLAYER, series_id=created.series.id)
    with pytest.raises(PermissionDenied):
        await series.skip_date(
            ctx, actor=PLAYER, series_id=created.series.id, on=date(2026, 12, 10)
        )


async def test_skipped_date_gets_no_game(ctx: Context, clock: FakeClock) -> None:
    """A skipped date is left out: the worker makes the one after it instead."""
    created = await make_series(ctx)
    view = await series.skip_date(
        ctx, actor=ADMIN, series_id=created.series.id, on=date(2026, 12, 10)
    )
    assert date(2026, 12, 10) not in [d.on for d in view.next_dates]
    assert "except Thu 10 Dec 2026" in view.pattern
    clock.now = THU_DEC_3
    (made,) = await run_worker(ctx)
    assert made.start_at == THU_DEC_3 + timedelta(days=14)


@pytest.mark.parametrize(
    ("on", "says"),
    [
        (date(2026, 12, 3), "made already"),
        (date(2026, 12, 11), "not one of the series' dates"),
    ],
)
async def test_skip_refuses_made_and_foreign_dates(ctx: Context, on: date, says: str) -> None:
    """A date with a game already, or off the pattern, cannot be skipped."""
    created = await make_series(ctx)
    with pytest.raises(ValidationFailed, match=says):
        await series.skip_date(ctx, actor=ADMIN, series_id=created.series.id, on=on)


async def test_two_workers_make_each_game_once(ctx: Context, clock: FakeClock) -> None:
    """Two workers claiming at the same moment make the next game once between them."""
    created = await make_series(ctx)
    clock.now = THU_DEC_3
    one = await outbox.claim_due(ctx, worker="a")
    other = await outbox.claim_due(ctx, worker="b")
    assert sorted(one.series_ids + other.series_ids) == [created.series.id]
    made = [
        await series.advance_series(ctx, series_id=series_id, claim=claimed.claim)
        for claimed in (one, other)
        for series_id in claimed.series_ids
    ]
    assert sum(len(m) for m in made) == 1
    # A copy of the task under the first claim does nothing once it is released.
    for claimed in (one, other):
        for series_id in claimed.series_ids:
            assert await series.advance_series(ctx, series_id=series_id, claim=claimed.claim) == ()
    assert len(await games_of(ctx, created.series.id)) == 2


@pytest.mark.parametrize(
    ("zone", "first", "wall", "locals_"),
    [
        ("Europe/Berlin", "2027-03-21", "19:00", ["19:00"] * 3),
        ("Europe/Berlin", "2027-10-24", "19:00", ["19:00"] * 3),
        ("America/New_York", "2027-03-07", "19:00", ["19:00"] * 3),
        ("America/New_York", "2027-10-31", "19:00", ["19:00"] * 3),
        ("Australia/Sydney", "2027-03-28", "19:00", ["19:00"] * 3),
        ("Australia/Sydney", "2027-09-26", "02:30", ["02:30", "03:30", "02:30"]),
    ],
)
async def test_games_made_by_the_clock_keep_local_time_in_every_hemisphere(
    ctx: Context, clock: FakeClock, zone: str, first: str, wall: str, locals_: list[str]
) -> None:
    """Weekly Sunday games made one by one across each change in Europe, the US and Sydney
    start at the series' local time, or (a spring gap) the documented hour later."""
    created = await series.create_series(
        ctx,
        actor=ADMIN,
        game=new_game(f"{first} {wall}", zone=zone),
        recurrence=read_recurrence("weekly on Sun"),
        directory=NoMembers(),
    )
    made = [created.games[0]]
    for _ in range(2):
        clock.now = made[-1].start_at
        made += await run_worker(ctx)
    tz = ZoneInfo(zone)
    assert [f"{g.start_at.astimezone(tz):%H:%M}" for g in made] == locals_
    assert [g.start_at.astimezone(tz).date() for g in made] == [
        date.fromisoformat(first) + timedelta(weeks=k) for k in range(3)
    ]


async def test_zone_names_are_stored_canonically(ctx: Context) -> None:
    """A zone typed in any case is stored as its IANA name, so the worker can read it."""
    created = await series.create_series(
        ctx,
        actor=ADMIN,
        game=new_game(zone="europe/berlin"),
        recurrence=read_recurrence("weekly on Thu"),
        directory=NoMembers(),
    )
    assert created.series.zone == "Europe/Berlin"


async def test_series_changes_are_in_the_history(ctx: Context) -> None:
    """Creating, skipping and cancelling a series are recorded, naming the series and who."""
    created = await make_series(ctx)
    series_id = created.series.id
    await series.skip_date(ctx, actor=ADMIN, series_id=series_id, on=date(2026, 12, 10))
    await series.cancel_series(ctx, actor=ADMIN, series_id=series_id)
    async with ctx.transaction() as session:
        rows = (
            await session.scalars(
                select(HistoryRow).where(HistoryRow.game_id.is_(None)).order_by(HistoryRow.id)
            )
        ).all()
    assert [(r.action, r.member_id, r.changes["series"][1]) for r in rows] == [
        (Action.SERIES_CREATED, ADMIN.user_id, series_id),
        (Action.SERIES_SKIPPED, ADMIN.user_id, series_id),
        (Action.SERIES_CANCELLED, ADMIN.user_id, series_id),
    ]
    assert rows[1].changes["skipped"] == [None, "2026-12-10"]
