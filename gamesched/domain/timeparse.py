"""Reading a typed start time ("tomorrow 8pm", "2026-12-05 19:00") in an IANA time zone.

Every text is read as a wall-clock time in one explicit zone and only then turned into an
instant; DST gaps and folds are refused with an explanation instead of being guessed.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

from dateparser.date import DateDataParser

from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.numbers import read_whole_number

MAX_AHEAD: Final = timedelta(days=366)
MAX_WHEN_LENGTH: Final = 100
MAX_ZONE_LENGTH: Final = 64
"""The longest zone name read (the longest IANA name has 32 characters); a longer one is
refused at once, as looking for close names to it takes time that grows with its length."""
"""The longest start time read (spaces collapsed): every way of writing one fits, and the
natural-language reader is never handed pages of text."""
"""How far ahead a start time may lie; further is almost always a typo in the year."""
_OFFSET_SLACK: Final = timedelta(days=2)
"""More than any two UTC offsets differ by (they span UTC-12 to UTC+14)."""

_WHEN: Final = "when"
_TIMEZONE: Final = "timezone"
_EXAMPLES: Final = "`tomorrow 8pm`, `friday 19:30` or `2026-12-05 19:00`"
_ZONE_LIST_URL: Final = "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones"

WEEKDAY_ABBREVIATIONS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBREVIATIONS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_MONTHS: Final = {
    **{name.lower(): number for number, name in enumerate(MONTH_ABBREVIATIONS, start=1)},
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
    "august": 8, "sept": 9, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
WEEKDAY_NUMBERS: Final = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_IANA_AREAS: Final = frozenset(
    ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
     "Indian", "Pacific")
)  # fmt: skip
_NOT_ZONES: Final = frozenset({"localtime", "factory"})
"""Names zoneinfo lists that are no user zone (the server's own zone, tzdata's placeholder)."""


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """A start time as typed by a user, read in a zone."""

    utc: datetime
    """The instant, aware with ``tzinfo=UTC`` and whole seconds: what gets stored."""
    local: datetime
    """The same instant as a wall-clock time in ``zone``: what the user meant."""
    zone: str
    """The canonical IANA name of the zone the text was read in."""

    def describe(self) -> str:
        """Say how the text was read, e.g. ``Sat 5 Dec 2026, 19:00 Europe/Berlin (UTC+01:00)``."""
        local = self.local
        offset = offset_text(_utcoffset(local))
        return f"{day_text(local.date())}, {clock_text(local)} {self.zone} (UTC{offset})"


def resolve_zone(text: str) -> str:
    """Canonical IANA zone name for user input.

    Case and spaces do not matter (``europe/berlin`` and ``america/new york`` work);
    ``UTC``, ``utc`` and ``Z`` mean UTC. An unknown name is refused with up to 5 close
    names (``Berlin`` suggests ``Europe/Berlin``) and where to look one up.
    """
    if len(text.strip()) > MAX_ZONE_LENGTH:
        message = (
            f"A time zone name is at most {MAX_ZONE_LENGTH} characters (this one has "
            f"{len(text.strip())}); use an IANA name like `Europe/Berlin` or `America/New_York`."
        )
        raise ValidationFailed([Problem(field=_TIMEZONE, message=message)])
    key = _zone_key(text)
    if key == "z":
        return "UTC"
    index = _zone_index()
    if key in index:
        return index[key]
    if not key:
        message = (
            "Enter a time zone as an IANA name like `Europe/Berlin` or `America/New_York`; "
            f"the full list is at {_ZONE_LIST_URL}."
        )
    else:
        suggestions = _suggest_zones(key)
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        message = (
            f"`{text.strip()}` is not a time zone I know.{hint} Use an IANA name of the form "
            f"Area/City, like `Europe/Berlin` or `America/New_York`; the full list is at "
            f"{_ZONE_LIST_URL}."
        )
    raise ValidationFailed([Problem(field=_TIMEZONE, message=message)])


def parse_when(text: str, *, zone: str, now: datetime) -> ParsedTime:
    """Read a typed start time in ``zone`` (an IANA name), relative to ``now`` (aware).

    Reading order (the first rule that matches wins):

    1. ISO 8601 date and time, optionally with seconds and an explicit offset or ``Z``/``UTC``
       (``2026-12-05T19:00``, ``2026-12-05 19:00:30+01:00``). An explicit offset names the
       instant exactly and wins over ``zone``.
    2. Elapsed durations: ``in 2 hours``, ``in 90 minutes``, ``in 1h 30m``,
       ``45 minutes from now``. They are real elapsed time, so right across DST changes.
    3. A date and/or a clock time written with numbers, month names or a weekday, in either
       order: ``2026-12-05 7pm``, ``12/05 7pm``, ``12/05/2026 19:00``, ``05.12.2026 19:00``,
       ``Dec 5 19:00``, ``5 December 2026 7:30pm``, ``friday 19:30``, ``19:00``, ``7pm``.

       - Slash dates are month/day (US order): ``12/05`` is 5 December.
       - Dotted dates are day.month: ``05.12.2026`` and ``5.12.`` are 5 December.
       - A date without a year is the next time that day comes round. Today counts, so a
         time earlier today is refused as past rather than moved a year ahead.
       - A weekday is its next occurrence; today counts only while the time is still ahead.
       - A clock time alone is today while it is still ahead, else tomorrow.
    4. Anything else goes to dateparser (English): ``tomorrow 8pm``, ``tomorrow at 20:00``,
       ``next friday 7pm``, ``in 3 days at 18:00``, ``tonight 9pm``, ``tonight`` (20:00) and
       the other parts of the day at dateparser's hours (morning 09:00, afternoon 15:00,
       evening 18:00, night 20:00). It reads against ``now`` as naive local wall time and
       never applies zones itself; a zone name or offset in such text is refused.

    Then a date without a time of day is refused (a game needs a start time), and so are
    times in the past (at or before ``now``), more than 366 days ahead, in a DST gap or in a
    DST fold. Every user error is :class:`ValidationFailed` on field ``when`` (``timezone``
    for an unknown zone). The result has whole seconds.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    name = resolve_zone(zone)
    tz = zoneinfo.ZoneInfo(name)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise _when_error("Enter a start time, e.g. `tomorrow 8pm` or `2026-12-05 19:00`.")
    if len(cleaned) > MAX_WHEN_LENGTH:
        raise _when_error(
            f"A start time is at most {MAX_WHEN_LENGTH} characters, e.g. `tomorrow 8pm` or "
            "`2026-12-05 19:00`."
        )
    wall_now = now.astimezone(tz).replace(tzinfo=None)
    reading = (
        _read_iso(cleaned)
        or _read_duration(cleaned, now=now)
        or _read_numeric(cleaned, today=wall_now)
        or _read_natural(cleaned, zone=name, wall_now=wall_now)
    )
    # Far-off readings are refused on their wall time: moving year 1 or 9999 across a UTC
    # offset overflows datetime. Offsets differ by less than two days, so nothing else is.
    wall = reading.replace(tzinfo=None)
    if wall < wall_now - _OFFSET_SLACK:
        raise _in_the_past(cleaned)
    if wall - wall_now > MAX_AHEAD + _OFFSET_SLACK:
        raise _too_far(cleaned)
    instant = reading if reading.tzinfo is not None else _localize(reading, tz=tz, zone=name)
    utc = instant.astimezone(UTC).replace(microsecond=0)
    parsed = ParsedTime(utc=utc, local=utc.astimezone(tz), zone=name)
    if utc <= now:
        raise _in_the_past(cleaned, reading=parsed)
    if utc - now > MAX_AHEAD:
        raise _too_far(cleaned, reading=parsed)
    return parsed


# --- readers: each returns None when the text is not its form ------------------------------

_ISO_DATETIME: Final = re.compile(
    r"(?P<wall>\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?:\s*(?P<offset>z|utc|[+-]\d{2}(?::?\d{2})?))?",
    re.IGNORECASE,
)


def _read_iso(text: str) -> datetime | None:
    """ISO 8601 date and time; aware when it carries an offset, else naive wall time."""
    match = _ISO_DATETIME.fullmatch(text)
    if match is None:
        return None
    offset = (match["offset"] or "").upper()
    iso = match["wall"] + ("+00:00" if offset in {"Z", "UTC"} else offset)
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        raise _not_real(text) from None


_AMOUNT: Final = r"\d+|an?"
_UNIT: Final = r"hours?|hrs?|h|minutes?|mins?|m"
_DURATION_TERM: Final = re.compile(
    rf"(?P<amount>{_AMOUNT})\s*(?P<unit>{_UNIT})(?![a-z])", re.IGNORECASE
)
_TERMS: Final = rf"(?:{_AMOUNT})\s*(?:{_UNIT})(?:\s*(?:and\s+)?(?:{_AMOUNT})\s*(?:{_UNIT}))*"
_DURATION: Final = re.compile(
    rf"in\s+(?P<ahead>{_TERMS})|(?P<from_now>{_TERMS})\s+from\s+now", re.IGNORECASE
)


def _read_duration(text: str, *, now: datetime) -> datetime | None:
    """``in 2 hours``, ``in 1h 30m``, ``90 minutes from now``: real elapsed time from now."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    minutes = 0
    for term in _DURATION_TERM.finditer(match["ahead"] or match["from_now"]):
        amount = term["amount"].lower()
        count = 1 if amount in {"a", "an"} else read_whole_number(amount)
        if count is not None:
            minutes += count * (60 if term["unit"].lower().startswith("h") else 1)
        # Checked as plain integers: huge amounts would overflow timedelta and datetime.
        if count is None or minutes > MAX_AHEAD // timedelta(minutes=1):
            raise _too_far(text)
    return now + timedelta(minutes=minutes)


_CLOCK: Final = (
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?)?"
)
_DATES: Final = (
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})",
    r"(?P<us_m>\d{1,2})/(?P<us_d>\d{1,2})(?:/(?P<us_y>\d{4}|\d{2}))?",
    r"(?P<eu_d>\d{1,2})\.(?P<eu_m>\d{1,2})\.(?P<eu_y>\d{4}|\d{2})?",
    r"(?P<md_mon>[a-z]+)\.?\s+(?P<md_d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<md_y>\d{4}))?",
    r"(?P<dm_d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_mon>[a-z]+)\.?(?:,?\s+(?P<dm_y>\d{4}))?",
    r"(?P<weekday>[a-z]+)",
)
_DATE: Final = "(?:on\\s+)?(?:" + "|".join(_DATES) + ")"
_CLOCK_ONLY: Final = re.compile(rf"(?:at\s+)?{_CLOCK}", re.IGNORECASE)
_DATED_FORMS: Final = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"{_DATE}(?:\s*,\s*|\s+)(?:at\s+)?{_CLOCK}",
        rf"(?:at\s+)?{_CLOCK}(?:\s*,\s*|\s+){_DATE}",
        _DATE,
    )
)


def _read_numeric(text: str, *, today: datetime) -> datetime | None:
    """Dates and clock times written with numbers, month names or weekdays (naive wall time).

    ``today`` is the current local wall time; it decides the year of year-less dates, the
    week of weekdays and the day of bare clock times.
    """
    match = _CLOCK_ONLY.fullmatch(text)
    if match is not None and _is_clock(match):
        wall = datetime.combine(today.date(), _clock_time(match, text=text))
        return wall if wall > today else wall + timedelta(days=1)
    for form in _DATED_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        day = _calendar_day(match, text=text, today=today.date())
        if day is None:
            continue  # a word that is no month or weekday: for the natural-language reader
        if not _is_clock(match):
            raise _date_only(text)
        wall = datetime.combine(day, _clock_time(match, text=text))
        if wall <= today and match["weekday"] is not None:
            wall += timedelta(days=7)
        return wall
    return None


def _is_clock(match: re.Match[str]) -> bool:
    """Whether a match holds a time of day: a bare number like ``8`` is none."""
    groups = match.groupdict()
    return groups.get("hour") is not None and (
        groups["minute"] is not None or groups["ampm"] is not None
    )


def _calendar_day(match: re.Match[str], *, text: str, today: date) -> date | None:
    """The day a matched date names, or None for a word that is no month or weekday."""
    groups = match.groupdict()
    if groups["weekday"] is not None:
        weekday = WEEKDAY_NUMBERS.get(groups["weekday"].lower())
        if weekday is None:
            return None
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    for prefix in ("iso", "us", "eu", "md", "dm"):
        day = groups.get(f"{prefix}_d")
        if day is None:
            continue
        month = groups.get(f"{prefix}_m") or groups.get(f"{prefix}_mon")
        assert month is not None  # every date pattern has a month
        number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        if number is None:
            return None
        return _pick_year(int(day), number, groups[f"{prefix}_y"], text=text, today=today)
    return None


def _pick_year(day: int, month: int, year: str | None, *, text: str, today: date) -> date:
    """The date itself, or for a year-less date its next occurrence from today on."""
    if year is not None:
        try:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        except ValueError:
            raise _not_real(text) from None
    for candidate in (today.year, today.year + 1):
        try:
            found = date(candidate, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise _not_real(text)


def _clock_time(match: re.Match[str], *, text: str) -> time:
    """The time of day of a matched clock, checking its ranges."""
    hour, minute, second = (int(match[key] or 0) for key in ("hour", "minute", "second"))
    ampm = (match["ampm"] or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise _not_real(text)
        hour = hour % 12 + (12 if ampm == "p" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise _not_real(text) from None


# dateparser's timestamp and no-spaces parsers read bare digit strings as dates: keep them out.
_DATEPARSER_SETTINGS: Final = {
    "PREFER_DATES_FROM": "future",
    "RETURN_TIME_AS_PERIOD": True,
    "DATE_ORDER": "MDY",
    "TIMEZONE": "UTC",
    "PARSERS": ["relative-time", "absolute-time"],
}


def _read_natural(text: str, *, zone: str, wall_now: datetime) -> datetime:
    """Natural language via dateparser, read against the local wall time (naive result)."""
    parser = DateDataParser(
        languages=["en"], settings={**_DATEPARSER_SETTINGS, "RELATIVE_BASE": wall_now}
    )
    found = parser.get_date_data(text)
    if found.date_obj is None:
        raise _unreadable(text)
    if found.date_obj.tzinfo is not None:
        raise _when_error(
            f"`{text}` names a time zone or offset, but times are read in {zone}; leave it out, "
            "or give an exact offset in the form `2026-12-05 19:00+01:00`."
        )
    if found.period == "day":
        raise _date_only(text)
    if found.period not in {"time", "part_of_day"}:
        raise _unreadable(text)
    return found.date_obj


# --- DST -----------------------------------------------------------------------------------


def _localize(wall: datetime, *, tz: tzinfo, zone: str) -> datetime:
    """Attach ``tz`` to a naive wall time, refusing times that do not exist or happen twice."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    before, after = _utcoffset(first), _utcoffset(second)
    if before == after:
        return first
    switch = _transition(first.astimezone(UTC), second.astimezone(UTC), tz=tz)
    jump_from = clock_text((switch + before).replace(tzinfo=None))
    jump_to = clock_text((switch + after).replace(tzinfo=None))
    shown = f"{wall:%Y-%m-%d} {clock_text(wall)}"
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        raise _when_error(
            f"{shown} happens twice in {zone}: on that day clocks go back from {jump_from} to "
            f"{jump_to}, so it comes first at UTC{offset_text(before)} and again at "
            f"UTC{offset_text(after)}; add the offset you mean, e.g. "
            f"`{shown}{offset_text(before)}` "
            f"for the first or `{shown}{offset_text(after)}` for the second."
        )
    shift = after - before
    raise _when_error(
        f"{shown} does not exist in {zone}: on that day clocks jump forward from {jump_from} "
        f"to {jump_to} (UTC{offset_text(before)} to UTC{offset_text(after)}); pick a time before "
        f"{jump_from} or from {jump_to} on, e.g. `{wall - shift:%Y-%m-%d %H:%M}` or "
        f"`{wall + shift:%Y-%m-%d %H:%M}`."
    )


def _transition(one: datetime, other: datetime, *, tz: tzinfo) -> datetime:
    """The UTC instant, to the second, where the offset changes between two instants."""
    low, high = sorted((one, other))
    target = _utcoffset(high.astimezone(tz))
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        if _utcoffset(middle.astimezone(tz)) == target:
            high = middle
        else:
            low = middle
    return high


# --- zones ---------------------------------------------------------------------------------


def _zone_key(text: str) -> str:
    return "_".join(text.split()).lower()


@functools.cache
def _zone_index() -> dict[str, str]:
    """Lower-cased zone name -> its canonical spelling."""
    return {
        name.lower(): name
        for name in zoneinfo.available_timezones()
        if name.lower() not in _NOT_ZONES
    }


def _suggest_zones(key: str) -> list[str]:
    """Up to 5 zone names close to ``key`` by city or full name; Area/City names rank first."""
    ranked = []
    for lowered, name in _zone_index().items():
        city = lowered.rsplit("/", 1)[-1]
        score = max(_similarity(key, city), _similarity(key, lowered))
        if score >= 0.6:
            ranked.append((-score, name.split("/", 1)[0] not in _IANA_AREAS, name))
    return [name for *_, name in sorted(ranked)[:5]]


def _similarity(one: str, other: str) -> float:
    return difflib.SequenceMatcher(None, one, other).ratio()


# --- messages and formatting ---------------------------------------------------------------


def _when_error(message: str) -> ValidationFailed:
    return ValidationFailed([Problem(field=_WHEN, message=message)])


def _in_the_past(text: str, *, reading: ParsedTime | None = None) -> ValidationFailed:
    shown = f": it was read as {reading.describe()}" if reading else ""
    return _when_error(
        f"`{text}` is in the past{shown}. Enter a time that is still ahead, e.g. `tomorrow 8pm`."
    )


def _too_far(text: str, *, reading: ParsedTime | None = None) -> ValidationFailed:
    shown = f"was read as {reading.describe()}," if reading else "is"
    return _when_error(
        f"`{text}` {shown} more than a year ahead; games can be scheduled at most "
        f"{MAX_AHEAD.days} days ahead, so check the date."
    )


def _unreadable(text: str) -> ValidationFailed:
    return _when_error(f"Could not read `{text}` as a start time; try a form like {_EXAMPLES}.")


def _not_real(text: str) -> ValidationFailed:
    return _when_error(
        f"`{text}` is not a real date or time of day; check the numbers (slash dates are "
        "month/day like `12/05`, dotted dates are day.month like `05.12.`)."
    )


def _date_only(text: str) -> ValidationFailed:
    return _when_error(
        f"`{text}` has no time of day I can read, and a game needs a start time; "
        "add one written like `19:00` or `7pm`."
    )


def day_text(on: date) -> str:
    """``Sun 29 Mar 2026``, in English whatever the locale."""
    month = MONTH_ABBREVIATIONS[on.month - 1]
    return f"{WEEKDAY_ABBREVIATIONS[on.weekday()]} {on.day} {month} {on.year}"


def clock_text(moment: datetime) -> str:
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def _utcoffset(moment: datetime) -> timedelta:
    """The offset of an aware datetime (typed: ``datetime.utcoffset`` may return None)."""
    offset = moment.utcoffset()
    assert offset is not None
    return offset


def offset_text(offset: timedelta) -> str:
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
