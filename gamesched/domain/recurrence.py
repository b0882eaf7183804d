"""Recurring games: the pattern a series follows, read from typed text, and its dates.

A series is stored as a **local wall time in an IANA zone** plus a pattern of local dates,
never as a UTC rule: 19:00 Europe/Berlin stays 19:00 Berlin on both sides of a
daylight-saving change. The dates come from dateutil's ``rrule`` (RFC 5545), never from
hand-rolled date stepping.

API (the front ends use only these):

- :class:`Recurrence` (with :class:`Frequency`): the pattern, frozen. ``to_stored()`` gives
  the JSON of the ``series.rule`` column (the pattern only: until, count and skipped dates
  have their own columns), :meth:`Recurrence.from_stored` reads it back with them.
- :func:`read_recurrence`: the one parser for typed patterns, e.g. ``weekly on Mon, Thu``,
  ``every 2 weeks on Friday``, ``monthly on the last Friday``, ``monthly on the 2nd
  Tuesday``, ``monthly on day 15``, each optionally followed by ``until 2027-03-01`` or
  ``for 10 times``. Anything else is a :class:`ValidationFailed` (field ``repeat``) whose
  text shows accepted examples.
- :func:`describe`: the pattern in words, e.g. ``Every 2 weeks on Monday and Thursday``;
  :func:`local_text`: a start in the series' zone, e.g. ``Thu 3 Dec 2026, 19:00 Europe/Berlin``.
- :func:`occurrences`: the next dates of a series as :class:`Occurrence` values (local date,
  UTC start, and a note when the wall time had to be shifted on that date).
- :func:`occurrence_on`: one date's start (the same DST rules); :func:`falls_on`: whether a
  date is one of the series'; :func:`dates_before`: how many of the pattern's dates fall
  before a date (to re-anchor a series with a count).

Rules, as stated to hosts:

- **Spring-forward gap**: a wall time that does not exist on a date (02:30 on the day clocks
  jump from 02:00 to 03:00) moves forward by the length of the gap (to 03:30 that day) and
  the occurrence's ``shift`` says so. Other dates keep the wall time.
- **Fall-back fold**: a wall time that happens twice on a date (02:30 on the day clocks go
  back from 03:00 to 02:00) is the **first** of the two (still summer time); ``shift`` says so.
- **Day 29-31 in shorter months**: a month without that day is skipped (as RFC 5545 does), so
  ``monthly on day 31`` has no game in April.
- **Count** counts the pattern's dates from the series' first date; a skipped date still
  counts (RFC 5545's EXDATE does the same), so ``for 10 times`` with one date skipped gives
  nine games.
- Limits: every 1 to :data:`MAX_WEEKS` weeks or 1 to :data:`MAX_MONTHS` months, at most
  :data:`MAX_COUNT` times, nth weekday 1st to 4th or last.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final, Literal

from dateutil import rrule

from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.timeparse import (  # the time reader's names and formats, shared
    WEEKDAY_NUMBERS,
    clock_text,
    day_text,
    offset_text,
)

MAX_WEEKS: Final = 52
MAX_MONTHS: Final = 12
MAX_COUNT: Final = 500
MAX_SKIPPED: Final = 500
"""Skipped dates a series keeps at most."""
MAX_REPEAT_LENGTH: Final = 120
"""The longest typed pattern read."""
FIELD: Final = "repeat"
"""The form field recurrence problems are reported on."""
EXAMPLES: Final = (
    "`weekly on Mon, Thu`, `every 2 weeks on Friday`, `monthly on the last Friday`, "
    "`monthly on the 2nd Tuesday` or `monthly on day 15`, optionally followed by "
    "`until 2027-03-01` or `for 10 times`"
)

WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_NTH: Final = {
    "1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
    "last": -1,
}  # fmt: skip
_NTH_WORDS: Final = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}
_RRULE_DAYS: Final = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class Frequency(StrEnum):
    """How the dates of a series repeat."""

    WEEKLY = "weekly"
    """Every ``interval`` weeks on ``weekdays``."""
    MONTHLY_WEEKDAY = "monthly_weekday"
    """Every ``interval`` months on the ``nth`` ``weekday`` (nth -1: the last)."""
    MONTHLY_DATE = "monthly_date"
    """Every ``interval`` months on day ``day`` (months without that day are skipped)."""


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The pattern of a series' local dates. Built invalid, it raises ValidationFailed."""

    frequency: Frequency
    interval: int = 1
    """Every this many weeks (1 to MAX_WEEKS) or months (1 to MAX_MONTHS)."""
    weekdays: tuple[int, ...] = ()
    """WEEKLY: the weekdays (0 = Monday), sorted, at least one."""
    nth: int | None = None
    """MONTHLY_WEEKDAY: 1 to 4, or -1 for the last."""
    weekday: int | None = None
    """MONTHLY_WEEKDAY: the weekday (0 = Monday)."""
    day: int | None = None
    """MONTHLY_DATE: the day of the month, 1 to 31."""
    until: date | None = None
    """The last local date a game may fall on (inclusive)."""
    count: int | None = None
    """How many of the pattern's dates the series has at most (skipped ones count)."""
    skipped: frozenset[date] = frozenset()
    """Local dates left out."""

    def __post_init__(self) -> None:
        problems = _shape_problems(self)
        if problems:
            raise ValidationFailed(problems)

    def to_stored(self) -> dict[str, Any]:
        """The pattern as the ``series.rule`` JSON (until, count, skipped are stored apart)."""
        stored: dict[str, Any] = {"frequency": self.frequency.value, "interval": self.interval}
        if self.frequency is Frequency.WEEKLY:
            stored["weekdays"] = list(self.weekdays)
        elif self.frequency is Frequency.MONTHLY_WEEKDAY:
            stored["nth"], stored["weekday"] = self.nth, self.weekday
        else:
            stored["day"] = self.day
        return stored

    @classmethod
    def from_stored(
        cls,
        rule: Mapping[str, Any],
        *,
        until: date | None = None,
        count: int | None = None,
        skipped: tuple[str, ...] | list[str] = (),
    ) -> Recurrence:
        """Read back :meth:`to_stored`'s JSON with the series' until, count and skipped
        dates (ISO text)."""
        return cls(
            frequency=Frequency(rule["frequency"]),
            interval=int(rule.get("interval", 1)),
            weekdays=tuple(int(d) for d in rule.get("weekdays", ())),
            nth=rule.get("nth"),
            weekday=rule.get("weekday"),
            day=rule.get("day"),
            until=until,
            count=count,
            skipped=frozenset(date.fromisoformat(d) for d in skipped),
        )

    def stored_skipped(self) -> list[str]:
        """The skipped dates as the ``series.skipped`` JSON (sorted ISO dates)."""
        return sorted(d.isoformat() for d in self.skipped)

    def same_pattern(self, other: Recurrence) -> bool:
        """Whether both give the same dates (frequency, interval and days; not the bounds)."""
        return self.to_stored() == other.to_stored()


def _shape_problems(rec: Recurrence) -> list[Problem]:
    problems: list[str] = []
    limit = MAX_WEEKS if rec.frequency is Frequency.WEEKLY else MAX_MONTHS
    unit = "weeks" if rec.frequency is Frequency.WEEKLY else "months"
    if not 1 <= rec.interval <= limit:
        problems.append(f"A series repeats every 1 to {limit} {unit}, not every {rec.interval}.")
    if rec.frequency is Frequency.WEEKLY:
        if not rec.weekdays:
            problems.append("Say on which weekdays the series repeats, e.g. `weekly on Mon`.")
        elif rec.weekdays != tuple(sorted(set(rec.weekdays))) or not all(
            0 <= d <= 6 for d in rec.weekdays
        ):
            problems.append("Weekdays are 0 (Monday) to 6 (Sunday), each once, in order.")
    elif rec.frequency is Frequency.MONTHLY_WEEKDAY:
        if rec.nth not in _NTH_WORDS or rec.weekday is None or not 0 <= rec.weekday <= 6:
            problems.append(
                "A monthly weekday is the 1st, 2nd, 3rd, 4th or last of a weekday, "
                "e.g. `monthly on the last Friday`."
            )
    elif rec.day is None or not 1 <= rec.day <= 31:
        problems.append("A monthly date is a day from 1 to 31, e.g. `monthly on day 15`.")
    if rec.count is not None and not 1 <= rec.count <= MAX_COUNT:
        problems.append(f"A series has 1 to {MAX_COUNT} games, not {rec.count}.")
    if len(rec.skipped) > MAX_SKIPPED:
        problems.append(f"A series skips at most {MAX_SKIPPED} dates.")
    return [Problem(FIELD, message) for message in problems]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of a series and when its game starts."""

    on: date
    """The series' local date this occurrence stands for."""
    start_at: datetime
    """The start, aware UTC."""
    shift: str | None = None
    """Why the start is not plainly the wall time on that date (a DST gap moved it forward,
    or a DST fold made it the first of two), in a sentence for the host; None otherwise."""


# --- dates ---------------------------------------------------------------------------------


def _rule(rec: Recurrence, starts_on: date) -> rrule.rrule:
    """The dateutil rule over naive local midnights from ``starts_on``."""
    freq: Literal[1, 2] = rrule.WEEKLY if rec.frequency is Frequency.WEEKLY else rrule.MONTHLY
    options: dict[str, Any] = {}
    if rec.frequency is Frequency.WEEKLY:
        options["byweekday"] = [_RRULE_DAYS[d] for d in rec.weekdays]
    elif rec.frequency is Frequency.MONTHLY_WEEKDAY:
        assert rec.weekday is not None
        assert rec.nth is not None
        options["byweekday"] = _RRULE_DAYS[rec.weekday](rec.nth)
    else:
        options["bymonthday"] = rec.day
    return rrule.rrule(
        freq,
        dtstart=datetime.combine(starts_on, time()),
        interval=rec.interval,
        wkst=rrule.MO,
        until=None if rec.until is None else datetime.combine(rec.until, time()),
        count=rec.count,
        **options,
    )


def _dates(rec: Recurrence, *, starts_on: date, from_on: date) -> Iterator[date]:
    """The pattern's dates on or after ``from_on``, skipped ones left out."""
    rule = _rule(rec, starts_on)
    start = datetime.combine(max(from_on, starts_on), time())
    for moment in rule.xafter(start, inc=True):
        if moment.date() not in rec.skipped:
            yield moment.date()


def falls_on(rec: Recurrence, *, starts_on: date, on: date) -> bool:
    """Whether ``on`` is one of the series' dates (not skipped, within its bounds)."""
    return next(_dates(rec, starts_on=starts_on, from_on=on), None) == on


def dates_before(rec: Recurrence, *, starts_on: date, before: date) -> int:
    """How many of the pattern's dates (skipped ones too) fall before ``before``."""
    counted = 0
    for moment in _rule(rec, starts_on):
        if moment.date() >= before:
            break
        counted += 1
    return counted


def occurrence_on(on: date, *, wall_time: time, zone: str) -> Occurrence:
    """The start of the game on local date ``on`` at ``wall_time`` in ``zone``, with the gap
    and fold rules of this module."""
    tz = zoneinfo.ZoneInfo(zone)
    wall = datetime.combine(on, wall_time)
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    start = first.astimezone(UTC)
    if before == after:
        return Occurrence(on=on, start_at=start)
    assert before is not None
    assert after is not None
    shown = f"{clock_text(wall)} on {day_text(on)}"
    if start.astimezone(tz).replace(tzinfo=None) == wall:
        return Occurrence(
            on=on,
            start_at=start,
            shift=(
                f"{shown} happens twice in {zone} (clocks go back that night); that game "
                f"starts at the first {clock_text(wall)} (UTC{offset_text(before)})."
            ),
        )
    moved = start.astimezone(tz).replace(tzinfo=None)
    moved_text = clock_text(moved)
    if moved.date() != on:
        moved_text += f" on {day_text(moved.date())}"
    return Occurrence(
        on=on,
        start_at=start,
        shift=(
            f"{shown} does not exist in {zone} (clocks jump forward by {_length(after - before)} "
            f"that night); that game starts at {moved_text} instead."
        ),
    )


def occurrences(
    rec: Recurrence,
    *,
    wall_time: time,
    zone: str,
    starts_on: date,
    after: datetime,
    limit: int,
) -> list[Occurrence]:
    """The next ``limit`` occurrences starting strictly after ``after`` (aware), soonest first."""
    if after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    tz = zoneinfo.ZoneInfo(zone)
    # A day's margin: a shifted start may lie on another local date than its own.
    from_on = after.astimezone(tz).date() - timedelta(days=1)
    found: list[Occurrence] = []
    if limit <= 0:
        return found
    for on in _dates(rec, starts_on=starts_on, from_on=from_on):
        occurrence = occurrence_on(on, wall_time=wall_time, zone=zone)
        if occurrence.start_at > after:
            found.append(occurrence)
            if len(found) >= limit:
                break
    return found


# --- reading and describing ----------------------------------------------------------------

_UNTIL = re.compile(r"[,;]?\s*(?:until|till|through)\s+(\d{4}-\d{2}-\d{2})$")
_COUNT = re.compile(r"[,;]?\s*(?:for\s+)?(\d+)\s*(?:times|games|occurrences)$")
_EVERY = (
    r"(?:(?P<every>weekly|monthly)|every\s+(?:(?P<n>\d+)\s+|other\s+)?(?P<unit>weeks?|months?))"
)
_WEEKLY = re.compile(_EVERY + r"(?:\s+on)?\s+(?P<days>[a-z ,&/]+)$")
_MONTHLY_NTH = re.compile(
    _EVERY + r"\s+on\s+the\s+(?P<nth>1st|2nd|3rd|4th|first|second|third|fourth|last)"
    r"\s+(?P<day>[a-z]+)$"
)
_MONTHLY_DAY = re.compile(
    _EVERY + r"\s+on\s+(?:day\s+(?P<d1>\d{1,2})|the\s+(?P<d2>\d{1,2})(?:st|nd|rd|th))$"
)


def read_recurrence(text: str) -> Recurrence:
    """Read a typed pattern (see the module text for the forms); case and spaces do not
    matter. Any other text raises ValidationFailed (field ``repeat``) with examples."""
    cleaned = " ".join(text.split()).lower()
    if not cleaned:
        raise _error(f"Say how the game repeats, e.g. {EXAMPLES}.")
    if len(cleaned) > MAX_REPEAT_LENGTH:
        raise _error(
            f"A repeat pattern is at most {MAX_REPEAT_LENGTH} characters; write it like {EXAMPLES}."
        )
    until: date | None = None
    count: int | None = None
    while True:
        if (match := _UNTIL.search(cleaned)) and until is None:
            try:
                until = date.fromisoformat(match.group(1))
            except ValueError:
                raise _error(
                    f"`{match.group(1)}` is not a real date; write it as YYYY-MM-DD."
                ) from None
        elif (match := _COUNT.search(cleaned)) and count is None:
            count = int(match.group(1)) if len(match.group(1)) <= 6 else MAX_COUNT + 1
        else:
            break
        cleaned = cleaned[: match.start()].strip()
    return _read_pattern(cleaned, original=text.strip(), until=until, count=count)


def _read_pattern(text: str, *, original: str, until: date | None, count: int | None) -> Recurrence:
    unreadable = _error(
        f"Could not read `{original}` as a repeat pattern; write it like {EXAMPLES}."
    )
    bounds: dict[str, Any] = {"until": until, "count": count}
    if match := _MONTHLY_DAY.fullmatch(text):
        frequency = Frequency.MONTHLY_DATE
        fields: dict[str, Any] = {"day": int(match.group("d1") or match.group("d2"))}
    elif match := _MONTHLY_NTH.fullmatch(text):
        weekday = _weekday(match.group("day"))
        if weekday is None:
            raise unreadable
        frequency = Frequency.MONTHLY_WEEKDAY
        fields = {"nth": _NTH[match.group("nth")], "weekday": weekday}
    elif match := _WEEKLY.fullmatch(text):
        words = [w for w in re.split(r"[\s,&/]+|\band\b", match.group("days")) if w]
        days = [_weekday(w) for w in words if w != "and"]
        if not days or None in days:
            raise unreadable
        frequency = Frequency.WEEKLY
        fields = {"weekdays": tuple(sorted({d for d in days if d is not None}))}
    else:
        raise unreadable
    unit = match.group("unit") or ""
    every = match.group("every")
    weekly_word = every == "weekly" or unit.startswith("week")
    if weekly_word != (frequency is Frequency.WEEKLY):
        raise unreadable
    interval = 2 if "other" in text.split(" ")[:2] else int(match.group("n") or 1)
    return Recurrence(frequency=frequency, interval=interval, **fields, **bounds)


def describe(rec: Recurrence) -> str:
    """The pattern in words, e.g. ``Every 2 weeks on Monday and Thursday, until 1 Mar 2027``."""
    if rec.frequency is Frequency.WEEKLY:
        every = "Every week" if rec.interval == 1 else f"Every {rec.interval} weeks"
        text = f"{every} on {_join([WEEKDAY_NAMES[d] for d in rec.weekdays])}"
    else:
        every = "Every month" if rec.interval == 1 else f"Every {rec.interval} months"
        if rec.frequency is Frequency.MONTHLY_WEEKDAY:
            assert rec.nth is not None
            assert rec.weekday is not None
            text = f"{every} on the {_NTH_WORDS[rec.nth]} {WEEKDAY_NAMES[rec.weekday]}"
        else:
            text = f"{every} on day {rec.day}"
            if rec.day is not None and rec.day > 28:
                text += " (months without it are skipped)"
    if rec.until is not None:
        text += f", until {day_text(rec.until)}"
    if rec.count is not None:
        text += f", {rec.count} time{'s' if rec.count != 1 else ''}"
    if rec.skipped:
        shown = ", ".join(day_text(d) for d in sorted(rec.skipped)[:5])
        more = f" and {len(rec.skipped) - 5} more" if len(rec.skipped) > 5 else ""
        text += f", except {shown}{more}"
    return text


def local_text(start_at: datetime, zone: str) -> str:
    """A start as the host reads it in the series' zone: ``Thu 3 Dec 2026, 19:00
    Europe/Berlin`` (English names, whatever the machine's locale)."""
    local = start_at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{day_text(local.date())}, {clock_text(local)} {zone}"


def _error(message: str) -> ValidationFailed:
    return ValidationFailed([Problem(FIELD, message)])


def _weekday(word: str) -> int | None:
    """A weekday name or abbreviation as the time reader knows it, also plural (``mondays``)."""
    return WEEKDAY_NUMBERS.get(word, WEEKDAY_NUMBERS.get(word.removesuffix("s")))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _length(gap: timedelta) -> str:
    """``1 hour``, ``30 minutes``, ``1:30``."""
    minutes = gap // timedelta(minutes=1)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if minutes < 60:
        return f"{minutes} minutes"
    return f"{minutes // 60}:{minutes % 60:02d} hours"
