"""Reading typed start times: forms, rolling rules, refusals and DST edges."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.domain.errors import ValidationFailed
from gamesched.domain.timeparse import MAX_WHEN_LENGTH, ParsedTime, parse_when, resolve_zone

BERLIN = "Europe/Berlin"
NOW = datetime(2026, 12, 4, 14, 30, tzinfo=UTC)
"""Friday 4 December 2026, 15:30 in Berlin (UTC+01:00)."""

PROPERTY_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
PROPERTY_NOW = datetime(2026, 1, 1, tzinfo=UTC)
"""Start of the property window; the year after it holds every zone's DST changes of 2026."""
FAST = settings(max_examples=150, deadline=None)


def when(text: str, *, zone: str = BERLIN, now: datetime = NOW) -> ParsedTime:
    return parse_when(text, zone=zone, now=now)


def refusal(text: str, *, zone: str = BERLIN, now: datetime = NOW, field: str = "when") -> str:
    """The single problem message parse_when gives for ``text``, checked to be on ``field``."""
    with pytest.raises(ValidationFailed) as caught:
        parse_when(text, zone=zone, now=now)
    (problem,) = caught.value.problems
    assert problem.field == field
    return problem.message


def zone_refusal(text: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        resolve_zone(text)
    (problem,) = caught.value.problems
    assert problem.field == "timezone"
    return problem.message


def wall(
    year: int, month: int, day: int, hour: int, minute: int, *, zone: str = BERLIN
) -> datetime:
    """An unambiguous wall time in ``zone`` as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# --- absolute forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05T19:00",
        "2026-12-05 19:00",
        "2026-12-05t19:00",
        "2026-12-05 7pm",
        "2026-12-5 at 7 p.m.",
        "12/05 7pm",
        "12/05/2026 19:00",
        "12/05/26 19:00",
        "Dec 5 19:00",
        "Dec 5, 2026, 7pm",
        "December 5th at 7pm",
        "5 December 2026 7pm",
        "5th of Dec 19:00",
        "7pm Dec 5",
        "05.12.2026 19:00",
        "5.12. 19:00",
        "  2026-12-05   19:00 ",
    ],
)
def test_absolute_forms_read_as_wall_time_in_zone(text: str) -> None:
    """Every absolute form names Sat 5 Dec 2026 19:00 Berlin time, stored as 18:00 UTC."""
    parsed = when(text)
    assert parsed.utc == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    assert parsed.utc.tzinfo is UTC
    assert parsed.local == datetime(2026, 12, 5, 19, 0, tzinfo=ZoneInfo(BERLIN))
    assert parsed.zone == BERLIN


def test_minutes_and_am_pm_are_read() -> None:
    """`5 December 2026 7:30pm` is 19:30, `12am`/`12pm` are midnight and noon."""
    assert when("5 December 2026 7:30pm").utc == wall(2026, 12, 5, 19, 30)
    assert when("Dec 6 12am").utc == wall(2026, 12, 6, 0, 0)
    assert when("Dec 6 12pm").utc == wall(2026, 12, 6, 12, 0)


def test_seconds_are_kept_and_microseconds_dropped() -> None:
    """Stored instants have whole seconds: `19:00:30.999` is stored as 19:00:30."""
    parsed = when("2026-12-05 19:00:30.999")
    assert parsed.utc == datetime(2026, 12, 5, 18, 0, 30, tzinfo=UTC)
    later = when("in 2 hours", now=NOW.replace(second=5, microsecond=700_000))
    assert later.utc == datetime(2026, 12, 4, 16, 30, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05T19:00+02:00", datetime(2026, 12, 5, 17, 0, tzinfo=UTC)),
        ("2026-12-05 19:00 -05:00", datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),
        ("2026-12-05T19:00+0530", datetime(2026, 12, 5, 13, 30, tzinfo=UTC)),
        ("2026-12-05T19:00Z", datetime(2026, 12, 5, 19, 0, tzinfo=UTC)),
        ("2026-12-05 19:00 UTC", datetime(2026, 12, 5, 19, 0, tzinfo=UTC)),
    ],
)
def test_explicit_offset_wins_over_zone(text: str, expected: datetime) -> None:
    """An ISO time with an offset or Z names that instant, shown in the user's zone."""
    parsed = when(text)
    assert parsed.utc == expected
    assert parsed.local == expected.astimezone(ZoneInfo(BERLIN))


def test_slash_dates_are_month_first() -> None:
    """`01/02` is 2 January (US order), and a month above 12 is refused with that rule."""
    assert when("01/02 19:00").utc == wall(2027, 1, 2, 19, 0)
    message = refusal("13/05 7pm")
    assert "`13/05 7pm`" in message
    assert "month/day" in message


def test_dotted_dates_are_day_first() -> None:
    """`01.02.2027` is 1 February."""
    assert when("01.02.2027 19:00").utc == wall(2027, 2, 1, 19, 0)


def test_clock_alone_is_today_while_ahead() -> None:
    """`19:00` and `7pm` at 15:30 mean today."""
    assert when("19:00").utc == wall(2026, 12, 4, 19, 0)
    assert when("at 7pm").utc == wall(2026, 12, 4, 19, 0)


@pytest.mark.parametrize("text", ["12:00", "15:30", "3:30pm"])
def test_clock_alone_is_tomorrow_once_passed(text: str) -> None:
    """A clock time that is not ahead any more today (now included) means tomorrow."""
    parsed = when(text)
    assert parsed.local.date() == datetime(2026, 12, 5).date()
    assert parsed.local.strftime("%H:%M") == when(f"2026-12-05 {text}").local.strftime("%H:%M")


def test_year_less_date_is_its_next_occurrence() -> None:
    """A date without a year that has passed this year means next year."""
    assert when("Jan 5 19:00").utc == wall(2027, 1, 5, 19, 0)
    assert when("12/03 19:00").utc == wall(2027, 12, 3, 19, 0)


def test_year_less_date_today_with_passed_time_is_refused() -> None:
    """`Dec 4 15:00` typed at 15:30 on Dec 4 is in the past, not moved a year ahead."""
    assert "in the past" in refusal("Dec 4 15:00")


def test_spaces_do_not_count_toward_the_length_limit() -> None:
    """Runs of spaces collapse before the limit is measured, so padded text still reads."""
    padded = "tomorrow" + " " * 300 + "8pm"
    assert when(padded).utc == when("tomorrow 8pm").utc


@pytest.mark.parametrize(
    "text",
    ["tomorrow at 8pm " + "please " * 20, "in " + "9" * 5000 + " hours"],
    ids=["chatty", "int-digit-limit"],
)
def test_a_start_time_longer_than_the_limit_is_refused_with_the_limit_named(text: str) -> None:
    """Pages of text (or a 5,000-digit number) in "When" get a clear answer naming the limit."""
    assert len(text.strip()) > MAX_WHEN_LENGTH
    assert f"at most {MAX_WHEN_LENGTH} characters" in refusal(text)


# --- natural language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 8pm", (2026, 12, 5, 20, 0)),
        ("Tomorrow 8PM", (2026, 12, 5, 20, 0)),
        ("tomorrow at 20:00", (2026, 12, 5, 20, 0)),
        ("7pm tomorrow", (2026, 12, 5, 19, 0)),
        ("next friday 7pm", (2026, 12, 11, 19, 0)),
        ("in 3 days at 18:00", (2026, 12, 7, 18, 0)),
        ("in 2 weeks 19:00", (2026, 12, 18, 19, 0)),
        ("tonight 9pm", (2026, 12, 4, 21, 0)),
        ("tonight", (2026, 12, 4, 20, 0)),
        ("tomorrow morning", (2026, 12, 5, 9, 0)),
        ("sat 7pm", (2026, 12, 5, 19, 0)),
        ("on saturday at 7pm", (2026, 12, 5, 19, 0)),
        ("sunday 3pm", (2026, 12, 6, 15, 0)),
    ],
)
def test_natural_language(text: str, expected: tuple[int, int, int, int, int]) -> None:
    """Natural-language times are read against now in the user's zone."""
    assert when(text).utc == wall(*expected)


def test_weekday_is_today_while_its_time_is_ahead() -> None:
    """`friday 19:30` typed on Friday at 15:30 means today."""
    assert when("friday 19:30").utc == wall(2026, 12, 4, 19, 30)


def test_weekday_is_next_week_once_its_time_passed() -> None:
    """`friday 15:00` typed on Friday at 15:30 means the Friday after."""
    assert when("fri 15:00").utc == wall(2026, 12, 11, 15, 0)


@pytest.mark.parametrize(
    ("text", "elapsed"),
    [
        ("in 2 hours", timedelta(hours=2)),
        ("in 90 minutes", timedelta(minutes=90)),
        ("in 1h 30m", timedelta(minutes=90)),
        ("in an hour and 15 mins", timedelta(minutes=75)),
        ("45 minutes from now", timedelta(minutes=45)),
    ],
)
def test_durations_count_from_now(text: str, elapsed: timedelta) -> None:
    """`in 2 hours` and friends are that much time after now."""
    assert when(text).utc == NOW + elapsed


@pytest.mark.parametrize(
    "text",
    [
        "in 527041 minutes",
        "in 8785 hours",
        "in 99999999999999 hours",
        "in " + "9" * 80 + " hours",
        "in " + " ".join(["999999999 hours"] * 5),
    ],
    ids=["366d+1min", "366d+1h", "timedelta-overflow", "huge-number", "many-terms"],
)
def test_durations_beyond_a_year_are_refused(text: str) -> None:
    """Elapsed durations over 366 days, however huge the numbers, get the too-far answer."""
    message = refusal(text)
    assert "more than a year ahead" in message
    assert "366 days" in message


def test_a_duration_of_exactly_366_days_is_accepted() -> None:
    """The duration limit matches the start-time limit: 366 days to the minute is fine."""
    assert when("in 527040 minutes").utc == NOW + timedelta(days=366)


def test_duration_across_spring_forward_is_real_elapsed_time() -> None:
    """`in 2 hours` at 01:30 on the night clocks jump is two real hours (04:30 local)."""
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    parsed = when("in 2 hours", now=now)
    assert parsed.utc == now + timedelta(hours=2)
    assert parsed.local.strftime("%H:%M") == "04:30"


def test_relative_days_count_from_the_local_date() -> None:
    """`tomorrow` is the day after the user's date, which may differ from the UTC date."""
    now = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # already 5 Dec, 01:30 in Kolkata
    assert when("tomorrow 8pm", zone="Asia/Kolkata", now=now).utc == wall(
        2026, 12, 6, 20, 0, zone="Asia/Kolkata"
    )


def test_natural_language_uses_the_offset_of_the_day_it_lands_on() -> None:
    """`tomorrow 8pm` typed before the DST change is 20:00 summer time, not winter time."""
    now = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    assert when("tomorrow 8pm", now=now).utc == datetime(2026, 3, 29, 18, 0, tzinfo=UTC)


@pytest.fixture
def far_away_server_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with the process's local zone set to UTC+14."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_away_server_zone")
def test_server_zone_does_not_matter() -> None:
    """Times read the same whatever zone the server itself runs in."""
    assert when("tomorrow 8pm").utc == wall(2026, 12, 5, 20, 0)
    assert when("19:00").utc == wall(2026, 12, 4, 19, 0)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_asks_for_a_start_time(text: str) -> None:
    """Nothing typed: the user is asked for a start time with examples."""
    assert refusal(text) == "Enter a start time, e.g. `tomorrow 8pm` or `2026-12-05 19:00`."


@pytest.mark.parametrize(
    "text", ["2026-12-05", "friday", "Dec 5", "12/05", "05.12.2026", "tomorrow", "in 3 days"]
)
def test_date_without_time_asks_for_a_time(text: str) -> None:
    """A day without a time of day is refused: a game needs a start time."""
    message = refusal(text)
    assert f"`{text}`" in message
    assert "no time of day" in message


@pytest.mark.parametrize("text", ["garbage", "7", "March", "1700000000", "tomorrow 8pm blah"])
def test_unreadable_text_is_named_with_three_examples(text: str) -> None:
    """Unreadable text is quoted back, with three example forms that do work."""
    message = refusal(text)
    assert f"`{text}`" in message
    examples = re.findall(r"`([^`]+)`", message)[1:]
    assert len(examples) == 3
    for example in examples:
        assert when(example).utc > NOW


@pytest.mark.parametrize(
    "text", ["25:00", "13pm", "0am", "19:60", "02/30 7pm", "2026-02-30 19:00", "2026-13-01T19:00"]
)
def test_impossible_numbers_are_refused(text: str) -> None:
    """Out-of-range hours, minutes, months and days are refused, naming the text."""
    message = refusal(text)
    assert f"`{text}`" in message
    assert "not a real date or time of day" in message


@pytest.mark.parametrize(
    "text", ["yesterday 8pm", "now", "in 0 minutes", "2026-12-04 15:00", "2026-12-04T14:30Z"]
)
def test_past_is_refused_showing_how_it_was_read(text: str) -> None:
    """A time at or before now is refused, and the message shows the reading in the zone."""
    message = refusal(text)
    assert "in the past" in message
    assert "Europe/Berlin (UTC+01:00)" in message


def test_past_message_shows_the_reading() -> None:
    """The past refusal says exactly which local time the text was read as."""
    assert "Fri 4 Dec 2026, 15:00 Europe/Berlin (UTC+01:00)" in refusal("15:00 Dec 4")


def test_more_than_366_days_ahead_is_refused() -> None:
    """Exactly 366 days ahead is accepted; a minute more is refused as a likely typo."""
    assert when("2027-12-05 15:30").utc == NOW + timedelta(days=366)
    message = refusal("2027-12-05 15:31")
    assert "366 days" in message
    assert "Sun 5 Dec 2027, 15:31" in message


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("9999-12-31 23:59", "America/New_York", "more than a year ahead"),
        ("12/31/9999 11pm", "America/New_York", "more than a year ahead"),
        ("9999-12-31 23:59-05:00", "UTC", "more than a year ahead"),
        ("0001-01-01 00:00", "Asia/Tokyo", "in the past"),
        ("0001-01-01 00:00+05:00", "UTC", "in the past"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(text: str, zone: str, expected: str) -> None:
    """Year 1 and year 9999, which cannot be moved across a UTC offset, are past or too far."""
    assert expected in refusal(text, zone=zone)


@pytest.mark.parametrize("text", ["tomorrow 8pm CET", "tomorrow 20:00 +01:00", "7pm EST"])
def test_zone_names_in_text_are_refused(text: str) -> None:
    """A zone in free text is refused instead of half-applied; the message shows the ISO way."""
    message = refusal(text)
    assert "read in Europe/Berlin" in message
    assert "`2026-12-05 19:00+01:00`" in message


def test_unknown_zone_argument_is_a_timezone_problem() -> None:
    """An unknown zone is reported on the timezone field."""
    assert "Mars/Olympus" in refusal("tomorrow 8pm", zone="Mars/Olympus", field="timezone")


def test_zone_argument_is_canonicalised() -> None:
    """The zone is matched case-insensitively and reported by its canonical name."""
    assert when("tomorrow 8pm", zone="europe/berlin").zone == BERLIN


def test_naive_now_is_a_programming_error() -> None:
    """Callers must pass an aware `now`; a naive one fails loudly, not as a user error."""
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow 8pm", zone=BERLIN, now=NOW.replace(tzinfo=None))


# --- DST -----------------------------------------------------------------------------------

EARLY_2026 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "text", "jump", "nearby"),
    [
        (BERLIN, "2026-03-29 02:30", "from 02:00 to 03:00", ("01:30", "03:30")),
        ("America/New_York", "2026-03-08 02:30", "from 02:00 to 03:00", ("01:30", "03:30")),
        ("Australia/Lord_Howe", "2026-10-04 02:15", "from 02:00 to 02:30", ("01:45", "02:45")),
        ("Pacific/Chatham", "2026-09-27 03:00", "from 02:45 to 03:45", ("02:00", "04:00")),
    ],
)
def test_time_in_a_dst_gap_is_refused(
    zone: str, text: str, jump: str, nearby: tuple[str, str]
) -> None:
    """A skipped local time is refused, saying clocks jump forward and which times exist."""
    message = refusal(text, zone=zone, now=EARLY_2026)
    assert f"{text} does not exist in {zone}" in message
    assert f"clocks jump forward {jump}" in message
    day = text.split()[0]
    for clock in nearby:
        assert f"`{day} {clock}`" in message
        when(f"{day} {clock}", zone=zone, now=EARLY_2026)  # the suggestions do exist


@pytest.mark.parametrize(
    ("zone", "text", "first", "second"),
    [
        (BERLIN, "2026-10-25 02:30", "+02:00", "+01:00"),
        ("America/New_York", "2026-11-01 01:30", "-04:00", "-05:00"),
        ("Australia/Lord_Howe", "2026-04-05 01:45", "+11:00", "+10:30"),
    ],
)
def test_time_in_a_dst_fold_is_refused_with_both_offsets(
    zone: str, text: str, first: str, second: str
) -> None:
    """A repeated local time is refused with both offsets; the suggested inputs pick each one."""
    message = refusal(text, zone=zone, now=EARLY_2026)
    assert f"{text} happens twice in {zone}" in message
    assert f"first at UTC{first} and again at UTC{second}" in message
    assert f"`{text}{first}`" in message
    assert f"`{text}{second}`" in message
    earlier = when(f"{text}{first}", zone=zone, now=EARLY_2026)
    later = when(f"{text}{second}", zone=zone, now=EARLY_2026)
    assert earlier.utc < later.utc
    assert earlier.describe().endswith(f"(UTC{first})")
    assert later.describe().endswith(f"(UTC{second})")
    assert earlier.local.replace(tzinfo=None) == later.local.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        (BERLIN, "2026-03-29 01:59", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        (BERLIN, "2026-03-29 03:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (BERLIN, "2026-10-25 01:59", datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),
        (BERLIN, "2026-10-25 03:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        ("America/New_York", "2026-03-08 01:59", datetime(2026, 3, 8, 6, 59, tzinfo=UTC)),
        ("America/New_York", "2026-03-08 03:00", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        ("America/New_York", "2026-11-01 00:59", datetime(2026, 11, 1, 4, 59, tzinfo=UTC)),
        ("America/New_York", "2026-11-01 02:00", datetime(2026, 11, 1, 7, 0, tzinfo=UTC)),
    ],
)
def test_times_next_to_dst_changes_are_read_normally(
    zone: str, text: str, expected: datetime
) -> None:
    """The minutes just outside a gap or fold exist once and get the right offset."""
    assert when(text, zone=zone, now=EARLY_2026).utc == expected


def test_natural_language_into_a_gap_is_refused() -> None:
    """`tomorrow 2:30am` on the eve of spring-forward is refused like the ISO form."""
    now = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    assert "does not exist in Europe/Berlin" in refusal("tomorrow 2:30am", now=now)


# --- describe ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-12-05 19:00", BERLIN, "Sat 5 Dec 2026, 19:00 Europe/Berlin (UTC+01:00)"),
        ("2026-12-05 19:00:30", BERLIN, "Sat 5 Dec 2026, 19:00:30 Europe/Berlin (UTC+01:00)"),
        (
            "2027-07-14 08:05",
            "America/New_York",
            "Wed 14 Jul 2027, 08:05 America/New_York (UTC-04:00)",
        ),
        (
            "2026-12-24 18:00",
            "Pacific/Chatham",
            "Thu 24 Dec 2026, 18:00 Pacific/Chatham (UTC+13:45)",
        ),
        ("2026-12-05 19:00", "utc", "Sat 5 Dec 2026, 19:00 UTC (UTC+00:00)"),
    ],
)
def test_describe_says_how_the_text_was_read(text: str, zone: str, expected: str) -> None:
    """The "read as" line shows weekday, date, time, zone and offset in English."""
    assert when(text, zone=zone).describe() == expected


# --- resolve_zone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        (" ASIA/KOLKATA ", "Asia/Kolkata"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Z", "UTC"),
        ("z", "UTC"),
    ],
)
def test_zone_names_resolve_case_insensitively(text: str, expected: str) -> None:
    """Zone input is matched ignoring case and spaces, and UTC/Z mean UTC."""
    assert resolve_zone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Berlin", "Europe/Berlin"), ("new york", "America/New_York"), ("Kolkatta", "Asia/Kolkata")],
)
def test_unknown_zone_suggests_close_names(text: str, expected: str) -> None:
    """An unknown zone suggests up to 5 real zone names, the likely one first."""
    message = zone_refusal(text)
    assert f"`{text}`" in message
    suggested = re.search(r"Did you mean (.*?)\?", message)
    assert suggested is not None
    names = suggested[1].split(", ")
    assert names[0] == expected
    assert len(names) <= 5
    assert all(resolve_zone(name) == name for name in names)


def test_unknown_zone_says_how_to_find_one() -> None:
    """With nothing close, the message still explains the name format and where the list is."""
    message = zone_refusal("Mars/Olympus")
    assert "Did you mean" not in message
    assert "Area/City" in message
    assert "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones" in message


def test_an_overlong_zone_name_is_refused_with_the_limit() -> None:
    """A zone name over 64 characters is refused saying the limit, without suggestions."""
    message = zone_refusal("Europe/Berlin" * 5)
    assert message.startswith("A time zone name is at most 64 characters (this one has 65)")
    assert "Did you mean" not in message


@pytest.mark.parametrize("text", ["localtime", "Factory", ""])
def test_non_zones_are_refused(text: str) -> None:
    """The server's `localtime`, tzdata's `Factory` and empty input are no user time zones."""
    assert "Europe/Berlin" in zone_refusal(text)


# --- properties ----------------------------------------------------------------------------


@functools.cache
def offsets_and_changes(zone: str) -> tuple[frozenset[timedelta], tuple[datetime, ...]]:
    """Every UTC offset the zone uses in the property window, and the instants it changes."""
    tz = ZoneInfo(zone)
    offsets: set[timedelta] = set()
    changes = []
    step = timedelta(minutes=15)
    moment = PROPERTY_NOW
    previous = moment.astimezone(tz).utcoffset()
    while moment < PROPERTY_NOW + timedelta(days=367):
        moment += step
        offset = moment.astimezone(tz).utcoffset()
        assert offset is not None
        offsets.add(offset)
        if offset != previous:
            changes.append(moment)
        previous = offset
    return frozenset(offsets), tuple(changes)


def instants_for(wall_time: datetime, zone: str) -> set[datetime]:
    """All instants that show ``wall_time`` on clocks in ``zone``: 0 in a gap, 2 in a fold."""
    tz = ZoneInfo(zone)
    candidates = (
        (wall_time - offset).replace(tzinfo=UTC) for offset in offsets_and_changes(zone)[0]
    )
    return {c for c in candidates if c.astimezone(tz).replace(tzinfo=None) == wall_time}


def check_wall_time(wall_time: datetime, zone: str, *, text: str, now: datetime) -> None:
    """``text`` means ``wall_time`` in ``zone``: read when it exists once, else refused."""
    instants = instants_for(wall_time, zone)
    if len(instants) == 1:
        parsed = parse_when(text, zone=zone, now=now)
        assert {parsed.utc} == instants
        assert parsed.local.replace(tzinfo=None) == wall_time
        return
    message = refusal(text, zone=zone, now=now)
    expected = "happens twice" if instants else "does not exist"
    assert expected in message


def check_iso_wall_time(wall_time: datetime, zone: str) -> None:
    check_wall_time(wall_time, zone, text=f"{wall_time:%Y-%m-%d %H:%M}", now=PROPERTY_NOW)


@FAST
@given(
    zone=st.sampled_from(PROPERTY_ZONES),
    minutes=st.integers(min_value=1, max_value=366 * 24 * 60),
)
def test_any_future_instant_round_trips_through_its_wall_time(zone: str, minutes: int) -> None:
    """Typing an instant's local wall time gives that instant back, or the fold refusal."""
    instant = PROPERTY_NOW + timedelta(minutes=minutes)
    check_iso_wall_time(instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None), zone)


@st.composite
def wall_times_near_changes(draw: st.DrawFn) -> tuple[str, datetime]:
    zone = draw(st.sampled_from([z for z in PROPERTY_ZONES if offsets_and_changes(z)[1]]))
    change = draw(st.sampled_from(offsets_and_changes(zone)[1]))
    shift = timedelta(minutes=draw(st.integers(min_value=-90, max_value=90)))
    return zone, change.astimezone(ZoneInfo(zone)).replace(tzinfo=None) + shift


@FAST
@given(case=wall_times_near_changes())
def test_wall_times_near_dst_changes_are_read_or_refused_exactly(
    case: tuple[str, datetime],
) -> None:
    """Around DST changes, a wall time is refused exactly when it is skipped or repeated."""
    zone, wall_time = case
    check_iso_wall_time(wall_time, zone)


@FAST
@given(
    zone=st.sampled_from(PROPERTY_ZONES),
    minutes=st.integers(min_value=0, max_value=364 * 24 * 60),
    hour=st.integers(min_value=0, max_value=23),
    minute=st.integers(min_value=0, max_value=59),
)
def test_clock_alone_is_the_next_time_it_shows(
    zone: str, minutes: int, hour: int, minute: int
) -> None:
    """`HH:MM` alone is today's HH:MM while ahead, else tomorrow's, or a DST refusal."""
    now = PROPERTY_NOW + timedelta(minutes=minutes, seconds=17)
    local_now = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    meant = datetime.combine(local_now.date(), dt_time(hour, minute))
    if meant <= local_now:
        meant += timedelta(days=1)
    check_wall_time(meant, zone, text=f"{hour:02d}:{minute:02d}", now=now)
