"""The start of a game as the game form sends it, read as the modal reads typed times.

The form has two ways to give it: the "or type it" field, read like the modal's text in the
member's own zone (by the use case), and the browser's date picker, whose wall time is read
in the browser's zone (``tz``, filled in by a small script) or, lacking one, at the browser's
UTC offset (``tz_offset``). An edit sends the start it showed (``start_shown``), so an
untouched picker keeps the game's start to the second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.settings import KEEP, Keep
from gamesched.domain.timeparse import parse_when, resolve_zone
from webauth.forms import form_text

NO_TIME = "Pick a date and time, or type one like `tomorrow 8pm`."
LOCAL_INPUT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?")
"""What a ``datetime-local`` control sends."""
MAX_OFFSET_MINUTES = 18 * 60
"""The furthest from UTC a browser's offset can be."""


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_name(text: str) -> str | None:
    try:
        return resolve_zone(text) if text.strip() else None
    except ValidationFailed:
        return None


def picked_zone(form: FormData) -> str | None:
    """The browser's zone the date picker's value is read in (None when it sent none, or
    the start is typed text, read in the member's own zone)."""
    if form_text(form, "when").strip():
        return None
    return _zone_name(form_text(form, "tz"))


def _offset_minutes(text: str) -> int | None:
    try:
        minutes = int(text.strip())
    except ValueError:
        return None
    return minutes if abs(minutes) <= MAX_OFFSET_MINUTES else None


@dataclass(frozen=True, slots=True)
class LocalStart:
    """A date picker's value read as an instant, and how it was read."""

    utc: datetime
    read_as: str
    """E.g. ``Sun 20 Dec 2026, 19:00 America/New_York (UTC-05:00)``."""


def read_local_start(
    local: str, *, zone: str, offset: str, now: datetime
) -> tuple[LocalStart | None, list[Problem]]:
    """A date picker's wall time, read in the browser's zone (else its UTC offset), with the
    modal's rules: not in the past, at most a year ahead, not in a clock change's gap."""
    local = local.strip()
    if not LOCAL_INPUT.fullmatch(local):
        return None, [
            Problem("when", "Pick a date and a time of day (like 2026-12-05 19:00), or type one.")
        ]
    wall = local.replace("T", " ")
    name = _zone_name(zone)
    if name is not None:
        text, offset_shown = wall, None
    else:
        minutes = _offset_minutes(offset)
        if minutes is None:
            return None, [
                Problem(
                    "when",
                    "Your browser did not say which time zone the date is in; type the time "
                    "in the field below instead (it is read in your own zone).",
                )
            ]
        offset_shown = _offset_text(minutes)
        text, name = wall + offset_shown, "UTC"
    try:
        parsed = parse_when(text, zone=name, now=now)
    except ValidationFailed as error:
        return None, list(error.problems)
    if offset_shown is None:
        return LocalStart(parsed.utc, parsed.describe()), []
    moment = datetime.fromisoformat(local)
    read_as = f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} (UTC{offset_shown})"
    return LocalStart(parsed.utc, read_as), []


def instant_of(local: str, *, zone: str, offset: str) -> datetime | None:
    """The instant a date picker's value names, without any checks (None if unreadable, or
    beyond the calendar's ends once moved to UTC)."""
    if not LOCAL_INPUT.fullmatch(local.strip()):
        return None
    wall = datetime.fromisoformat(local.strip())
    name = _zone_name(zone)
    try:
        if name is not None:
            return wall.replace(tzinfo=ZoneInfo(name)).astimezone(UTC)
        minutes = _offset_minutes(offset)
        if minutes is None:
            return None
        return (wall - timedelta(minutes=minutes)).replace(tzinfo=UTC)
    except OverflowError:  # year 1 or 9999 moved across its offset
        return None


def local_value(moment: datetime, zone: str) -> str:
    """``moment`` as a date picker shows it in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True, slots=True)
class StartTime:
    """What the form says about the start: a value for the use case, and how it was read."""

    when: str | datetime | Keep
    read_as: str | None
    """How the date picker's value was read (None: typed text, read by the use case)."""
    problems: list[Problem]


def start_from(
    form: FormData, *, now: datetime, zone: str, shown: datetime | None = None
) -> StartTime:
    """The typed text when there is some (read in the member's ``zone``, as the use case reads
    it), else the date picker's value; an edit whose picker still shows ``shown`` keeps it."""
    typed = form_text(form, "when")
    if typed.strip():
        try:
            parse_when(typed, zone=zone, now=now)
        except ValidationFailed as error:
            return StartTime("", None, list(error.problems))
        return StartTime(typed, None, [])
    local, browser_zone, offset = (form_text(form, k) for k in ("start_local", "tz", "tz_offset"))
    if not local.strip():
        return StartTime("", None, [Problem("when", NO_TIME)])
    if shown is not None:
        instant = instant_of(local, zone=browser_zone, offset=offset)
        if instant is not None and instant == shown.replace(second=0, microsecond=0):
            return StartTime(KEEP, None, [])
    reading, problems = read_local_start(local, zone=browser_zone, offset=offset, now=now)
    if reading is None:
        return StartTime("", None, problems)
    return StartTime(reading.utc, reading.read_as, problems)


def shown_start(text: str) -> datetime | None:
    """The start an edit form showed (``start_shown``), or None when it is not one."""
    try:
        shown = datetime.fromisoformat(text)
        return shown.astimezone(UTC) if shown.tzinfo is not None else None
    except (ValueError, OverflowError):  # not a time, or beyond the calendar's ends in UTC
        return None
