"""Recurrence patterns: typed text read into a pattern, described back, and their dates at a
local wall time across daylight-saving changes in both hemispheres."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.domain.errors import ValidationFailed
from gamesched.domain.recurrence import (
    EXAMPLES,
    Frequency,
    Occurrence,
    Recurrence,
    dates_before,
    describe,
    falls_on,
    occurrence_on,
    occurrences,
    read_recurrence,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
SYDNEY = "Australia/Sydney"
WEEKLY_SUNDAY = Recurrence(Frequency.WEEKLY, weekdays=(6,))


def local(occurrence: Occurrence, zone: str) -> datetime:
    return occurrence.start_at.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def offset(moment: datetime) -> timedelta:
    """The UTC offset of an aware datetime."""
    found = moment.utcoffset()
    assert found is not None
    return found


def sundays(zone: str, wall: time, first: date, n: int) -> list[Occurrence]:
    return occurrences(
        WEEKLY_SUNDAY,
        wall_time=wall,
        zone=zone,
        starts_on=first,
        after=datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=1),
        limit=n,
    )


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly on Mon, Thu", Recurrence(Frequency.WEEKLY, weekdays=(0, 3))),
        ("Weekly on Thursday and monday", Recurrence(Frequency.WEEKLY, weekdays=(0, 3))),
        ("every 2 weeks on Friday", Recurrence(Frequency.WEEKLY, interval=2, weekdays=(4,))),
        ("every other week on sat", Recurrence(Frequency.WEEKLY, interval=2, weekdays=(5,))),
        (
            "monthly on the last Friday",
            Recurrence(Frequency.MONTHLY_WEEKDAY, nth=-1, weekday=4),
        ),
        (
            "monthly on the 2nd Tuesday",
            Recurrence(Frequency.MONTHLY_WEEKDAY, nth=2, weekday=1),
        ),
        ("monthly on day 15", Recurrence(Frequency.MONTHLY_DATE, day=15)),
        ("every 3 months on the 1st", Recurrence(Frequency.MONTHLY_DATE, interval=3, day=1)),
        (
            "weekly on Mon until 2027-03-01",
            Recurrence(Frequency.WEEKLY, weekdays=(0,), until=date(2027, 3, 1)),
        ),
        (
            "monthly on the first sunday for 10 times",
            Recurrence(Frequency.MONTHLY_WEEKDAY, nth=1, weekday=6, count=10),
        ),
    ],
)
def test_typed_patterns_are_read(text: str, expected: Recurrence) -> None:
    """Each documented way of typing a pattern gives that pattern."""
    assert read_recurrence(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "daily", "weekly", "weekly on funday", "monthly on the 5th friday", "every week"],
)
def test_other_text_is_refused_with_examples(text: str) -> None:
    """Text that is no pattern is refused on the repeat field, showing accepted examples."""
    with pytest.raises(ValidationFailed) as caught:
        read_recurrence(text)
    (problem,) = caught.value.problems
    assert problem.field == "repeat"
    assert EXAMPLES in problem.message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("every 60 weeks on Mon", "every 1 to 52 weeks"),
        ("every 13 months on day 1", "every 1 to 12 months"),
        ("weekly on Mon for 501 times", "1 to 500 games"),
        ("monthly on day 32", "day from 1 to 31"),
        ("weekly on Mon until 2027-02-30", "not a real date"),
    ],
)
def test_limits_are_explained(text: str, says: str) -> None:
    """A pattern beyond a limit is refused saying the limit."""
    with pytest.raises(ValidationFailed, match=says):
        read_recurrence(text)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("every 2 weeks on Mon, Thu", "Every 2 weeks on Monday and Thursday"),
        ("monthly on the last Friday", "Every month on the last Friday"),
        (
            "monthly on day 31 for 3 times",
            "Every month on day 31 (months without it are skipped), 3 times",
        ),
        ("weekly on sun until 2027-03-01", "Every week on Sunday, until Mon 1 Mar 2027"),
    ],
)
def test_patterns_are_described_in_words(text: str, description: str) -> None:
    """describe() says the pattern the way a host reads it."""
    assert describe(read_recurrence(text)) == description


def test_stored_form_reads_back() -> None:
    """A pattern survives the JSON column and its bound columns unchanged."""
    rec = Recurrence(
        Frequency.MONTHLY_WEEKDAY,
        interval=2,
        nth=-1,
        weekday=4,
        until=date(2027, 6, 1),
        skipped=frozenset({date(2027, 1, 29)}),
    )
    again = Recurrence.from_stored(
        rec.to_stored(), until=rec.until, count=rec.count, skipped=rec.stored_skipped()
    )
    assert again == rec


# --- dates ---------------------------------------------------------------------------------


def test_monthly_patterns_pick_the_right_days() -> None:
    """Last Friday, 2nd Tuesday and day 31 (short months skipped) follow RFC 5545."""
    after = datetime(2026, 12, 1, tzinfo=UTC)

    def days(text: str) -> list[date]:
        found = occurrences(
            read_recurrence(text),
            wall_time=time(19),
            zone=BERLIN,
            starts_on=date(2026, 12, 1),
            after=after,
            limit=4,
        )
        return [o.on for o in found]

    assert days("monthly on the last Friday") == [
        date(2026, 12, 25),
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
    ]
    assert days("monthly on the 2nd Tuesday")[:2] == [date(2026, 12, 8), date(2027, 1, 12)]
    assert days("monthly on day 31") == [
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
    ]


def test_count_until_and_skipped_dates_bound_the_series() -> None:
    """A count counts skipped dates too; until is inclusive; skipped dates are left out."""
    rec = Recurrence(
        Frequency.WEEKLY, weekdays=(3,), count=3, skipped=frozenset({date(2026, 12, 10)})
    )
    found = occurrences(
        rec,
        wall_time=time(19),
        zone=BERLIN,
        starts_on=date(2026, 12, 3),
        after=datetime(2026, 12, 1, tzinfo=UTC),
        limit=10,
    )
    assert [o.on for o in found] == [date(2026, 12, 3), date(2026, 12, 17)]
    until = Recurrence(Frequency.WEEKLY, weekdays=(3,), until=date(2026, 12, 17))
    assert falls_on(until, starts_on=date(2026, 12, 3), on=date(2026, 12, 17))
    assert not falls_on(until, starts_on=date(2026, 12, 3), on=date(2026, 12, 24))
    assert dates_before(rec, starts_on=date(2026, 12, 3), before=date(2026, 12, 17)) == 2


def test_every_second_week_counts_from_the_first_date() -> None:
    """Every 2 weeks on Mon and Thu keeps the first date's week and skips the next one."""
    found = occurrences(
        read_recurrence("every 2 weeks on Mon, Thu"),
        wall_time=time(19),
        zone=BERLIN,
        starts_on=date(2026, 12, 3),
        after=datetime(2026, 12, 1, tzinfo=UTC),
        limit=4,
    )
    assert [o.on for o in found] == [
        date(2026, 12, 3),
        date(2026, 12, 14),
        date(2026, 12, 17),
        date(2026, 12, 28),
    ]


@pytest.mark.parametrize(
    ("zone", "first", "change", "before", "after"),
    [
        (BERLIN, date(2026, 3, 22), date(2026, 3, 29), timedelta(hours=1), timedelta(hours=2)),
        (BERLIN, date(2026, 10, 18), date(2026, 10, 25), timedelta(hours=2), timedelta(hours=1)),
        (NEW_YORK, date(2026, 3, 1), date(2026, 3, 8), timedelta(hours=-5), timedelta(hours=-4)),
        (NEW_YORK, date(2026, 10, 25), date(2026, 11, 1), timedelta(hours=-4), timedelta(hours=-5)),
        (SYDNEY, date(2026, 9, 27), date(2026, 10, 4), timedelta(hours=10), timedelta(hours=11)),
        (SYDNEY, date(2026, 3, 29), date(2026, 4, 5), timedelta(hours=11), timedelta(hours=10)),
    ],
)
def test_evening_games_keep_their_local_time_across_each_change(
    zone: str, first: date, change: date, before: timedelta, after: timedelta
) -> None:
    """19:00 stays 19:00 local on both sides of both changes in Europe, the US and Sydney."""
    one, two, three = sundays(zone, time(19), first, 3)
    assert [o.on for o in (one, two)] == [first, change]
    assert all(local(o, zone).time() == time(19) and o.shift is None for o in (one, two, three))
    assert one.start_at == datetime.combine(first, time(19), tzinfo=UTC) - before
    assert two.start_at == datetime.combine(change, time(19), tzinfo=UTC) - after


@pytest.mark.parametrize(
    ("zone", "day", "wall", "moved_to"),
    [
        (BERLIN, date(2026, 3, 29), time(2, 30), time(3, 30)),
        (NEW_YORK, date(2026, 3, 8), time(2, 15), time(3, 15)),
        (SYDNEY, date(2026, 10, 4), time(2, 0), time(3, 0)),
    ],
)
def test_a_time_in_the_spring_gap_moves_forward_and_says_so(
    zone: str, day: date, wall: time, moved_to: time
) -> None:
    """A wall time that does not exist that day moves forward by the gap, with a note."""
    occurrence = occurrence_on(day, wall_time=wall, zone=zone)
    assert local(occurrence, zone) == datetime.combine(day, moved_to)
    assert occurrence.shift is not None
    assert "does not exist" in occurrence.shift
    assert f"starts at {moved_to:%H:%M} instead" in occurrence.shift
    week_later = occurrence_on(day + timedelta(days=7), wall_time=wall, zone=zone)
    assert local(week_later, zone).time() == wall
    assert week_later.shift is None


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first_offset"),
    [
        (BERLIN, date(2026, 10, 25), time(2, 30), timedelta(hours=2)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), timedelta(hours=-4)),
        (SYDNEY, date(2026, 4, 5), time(2, 30), timedelta(hours=11)),
    ],
)
def test_a_time_in_the_autumn_fold_takes_the_first(
    zone: str, day: date, wall: time, first_offset: timedelta
) -> None:
    """A wall time that happens twice is the first (summer-time) one, with a note."""
    occurrence = occurrence_on(day, wall_time=wall, zone=zone)
    assert occurrence.start_at == datetime.combine(day, wall, tzinfo=UTC) - first_offset
    assert local(occurrence, zone) == datetime.combine(day, wall)
    assert occurrence.shift is not None
    assert "happens twice" in occurrence.shift


# --- properties ----------------------------------------------------------------------------

SAMPLED_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
ZONES = st.one_of(st.sampled_from([BERLIN, NEW_YORK, SYDNEY]), st.sampled_from(SAMPLED_ZONES))
PATTERNS = st.one_of(
    st.builds(
        Recurrence,
        st.just(Frequency.WEEKLY),
        interval=st.integers(1, 4),
        weekdays=st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
    ),
    st.builds(
        Recurrence,
        st.just(Frequency.MONTHLY_WEEKDAY),
        nth=st.sampled_from([1, 2, 3, 4, -1]),
        weekday=st.integers(0, 6),
    ),
    st.builds(Recurrence, st.just(Frequency.MONTHLY_DATE), day=st.integers(1, 31)),
)


@settings(max_examples=300, deadline=None)
@given(
    rec=PATTERNS,
    zone=ZONES,
    first=st.dates(date(2000, 1, 1), date(2037, 12, 31)),
    wall=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_every_occurrence_is_at_the_wall_time_or_the_documented_shift(
    rec: Recurrence, zone: str, first: date, wall: time
) -> None:
    """Each date's local start is the wall time (a fold noted), or the wall time moved
    forward by exactly the day's gap with a note; dates follow the pattern in order."""
    tz = zoneinfo.ZoneInfo(zone)
    found = occurrences(
        rec,
        wall_time=wall,
        zone=zone,
        starts_on=first,
        after=datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=2),
        limit=12,
    )
    assert found
    assert [o.on for o in found] == sorted({o.on for o in found})
    for occurrence in found:
        assert falls_on(rec, starts_on=first, on=occurrence.on)
        wall_then = datetime.combine(occurrence.on, wall)
        start_local = occurrence.start_at.astimezone(tz).replace(tzinfo=None)
        gap = offset(wall_then.replace(tzinfo=tz, fold=1)) - offset(
            wall_then.replace(tzinfo=tz, fold=0)
        )
        if start_local == wall_then:
            assert occurrence.shift is None or "happens twice" in occurrence.shift
        else:
            assert start_local == wall_then + gap
            assert occurrence.shift is not None
            assert "does not exist" in occurrence.shift


def change_days(zone: str, year: int) -> list[date]:
    """The days of ``year`` on which the zone's UTC offset changes."""
    tz = zoneinfo.ZoneInfo(zone)
    day = date(year, 1, 1)
    found = []
    while day.year == year:
        noon = datetime.combine(day, time(12), tzinfo=tz)
        if noon.utcoffset() != (noon - timedelta(days=1)).utcoffset():
            found.extend([day - timedelta(days=1), day])
        day += timedelta(days=1)
    return found


@settings(max_examples=200, deadline=None)
@given(
    zone=ZONES,
    year=st.integers(2000, 2037),
    pick=st.integers(0, 1000),
    wall=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_days_of_a_change_place_each_wall_time_as_documented(
    zone: str, year: int, pick: int, wall: time
) -> None:
    """On the days a zone changes its offset, each wall time lands on itself (the first of
    two in a fold) or moves forward by exactly the gap, and the note says which."""
    days = change_days(zone, year)
    if not days:
        return
    day = days[pick % len(days)]
    tz = zoneinfo.ZoneInfo(zone)
    occurrence = occurrence_on(day, wall_time=wall, zone=zone)
    wall_then = datetime.combine(day, wall)
    first, second = wall_then.replace(tzinfo=tz, fold=0), wall_then.replace(tzinfo=tz, fold=1)
    start_local = occurrence.start_at.astimezone(tz).replace(tzinfo=None)
    if first.utcoffset() == second.utcoffset():
        assert start_local == wall_then
        assert occurrence.shift is None
    elif start_local == wall_then:
        assert occurrence.start_at == min(first.astimezone(UTC), second.astimezone(UTC))
        assert occurrence.shift is not None
        assert "happens twice" in occurrence.shift
    else:
        gap = offset(second) - offset(first)
        assert start_local == wall_then + gap
        assert occurrence.shift is not None
        assert "does not exist" in occurrence.shift
