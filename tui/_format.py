"""How the dashboard writes times, statuses, settings and history: plain functions of values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text

from gamesched.discord.render import SOURCE_LABELS, duration_text, plain_settings
from gamesched.domain.settings import EffectiveSettings
from gamesched.domain.status import GameStatus
from gamesched.services.context import FrontEnd
from gamesched.services.history import Action, HistoryEntry
from gamesched.services.planning import JobKind

STATUS_STYLES = {
    GameStatus.SCHEDULED: "green",
    GameStatus.IN_PROGRESS: "bold cyan",
    GameStatus.COMPLETED: "dim",
    GameStatus.CANCELLED: "red",
}
STATUS_LABELS = {
    GameStatus.SCHEDULED: "scheduled",
    GameStatus.IN_PROGRESS: "running",
    GameStatus.COMPLETED: "completed",
    GameStatus.CANCELLED: "cancelled",
}
ACTION_LABELS = {
    Action.CREATED: "created",
    Action.EDITED: "edited",
    Action.CANCELLED: "cancelled",
    Action.JOINED: "joined",
    Action.LEFT: "left",
    Action.REMOVED: "removed a player",
    Action.PLACEHOLDER_ASSIGNED: "assigned a placeholder",
    Action.STARTED: "started",
    Action.COMPLETED: "completed",
    Action.SETTINGS_CHANGED: "changed settings",
    Action.DMS_RETRIED: "retried DMs",
    Action.MOVED: "moved to another channel",
    Action.SERIES_CREATED: "created a recurring series",
    Action.SERIES_EDITED: "edited a recurring series",
    Action.SERIES_SKIPPED: "skipped a date of a series",
    Action.SERIES_CANCELLED: "cancelled a recurring series",
    Action.SERIES_ENDED: "a recurring series ended",
}


def zone_name(zone: tzinfo) -> str:
    """The zone as a column heading names it."""
    return str(zone) if isinstance(zone, ZoneInfo) else (zone.tzname(None) or "local time")


def when(moment: datetime | None, zone: tzinfo) -> str:
    """A time in the operator's zone, e.g. ``Sat 05 Dec 19:00``."""
    return "" if moment is None else moment.astimezone(zone).strftime("%a %d %b %H:%M")


def when_with_year(moment: datetime | None, zone: tzinfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")


def relative(moment: datetime | None, now: datetime) -> str:
    """How far a time is from now: ``in 3 h``, ``in 2 d 4 h``, ``15 min ago``, ``now``."""
    if moment is None:
        return ""
    delta = moment - now
    ahead = delta >= timedelta(0)
    seconds = abs(int(delta.total_seconds()))
    if seconds < 60:
        return "now"
    minutes = seconds // 60
    if minutes < 60:
        amount = f"{minutes} min"
    elif minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        amount = f"{hours} h {rest} min" if rest and hours < 10 else f"{hours} h"
    else:
        days, rest = divmod(minutes // 60, 24)
        amount = f"{days} d {rest} h" if rest and days < 10 else f"{days} d"
    return f"in {amount}" if ahead else f"{amount} ago"


def status_text(status: GameStatus) -> Text:
    return Text(STATUS_LABELS[status], style=STATUS_STYLES[status])


def seats_text(seated: int, max_players: int) -> Text:
    """``3/5``, bold when full."""
    return Text(f"{seated}/{max_players}", style="bold" if seated >= max_players else "")


def job_text(kind: JobKind, offset_minutes: int) -> str:
    """What a planned job does: ``Reminder 1 h before``, ``Start``, ``End``."""
    if kind is JobKind.REMINDER:
        return f"Reminder {duration_text(offset_minutes)} before"
    return "Start" if kind is JobKind.START else "End"


def member(user_id: int, names: Mapping[int, str]) -> str:
    """A member by display name and id, or by id alone (no names looked up)."""
    name = names.get(user_id)
    return f"{name} ({user_id})" if name else str(user_id)


def members(user_ids: Sequence[int], names: Mapping[int, str]) -> str:
    return ", ".join(member(user_id, names) for user_id in user_ids) or "none"


def setting_rows(settings: EffectiveSettings) -> list[tuple[str, str, str]]:
    """Each setting as label, value and where it comes from (the bot's words)."""
    return [
        (label, value, SOURCE_LABELS[source])
        for label, value, source in plain_settings(settings).values()
    ]


def who(entry: HistoryEntry, names: Mapping[int, str]) -> str:
    """Who made a recorded change: an operator, a member, or the worker."""
    if entry.operator:
        return f"operator {entry.operator}"
    if entry.member_id is not None:
        return member(entry.member_id, names)
    return "the worker" if entry.origin is FrontEnd.WORKER else "someone"


def _value(value: Any, names: Mapping[int, str], zone: tzinfo) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(item, names, zone) for item in value) + "]"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value if len(value) <= 40 else value[:39] + "…"
        return when(moment, zone) if moment.tzinfo else value
    if isinstance(value, int) and not isinstance(value, bool) and value in names:
        return names[value]
    return "none" if value is None else str(value)


def changes_text(
    changes: Mapping[str, Sequence[Any]], names: Mapping[int, str], zone: tzinfo
) -> str:
    """``title: Old -> New; max_players: 4 -> 6``."""
    parts = []
    for field, pair in changes.items():
        old, new = [*pair, None, None][:2]
        parts.append(f"{field}: {_value(old, names, zone)} -> {_value(new, names, zone)}")
    return "; ".join(parts)


def history_line(entry: HistoryEntry, names: Mapping[int, str], zone: tzinfo) -> str:
    """One recorded change: when, who, from where, what."""
    done = ACTION_LABELS[entry.action]
    line = f"{when(entry.at, zone)}  {who(entry, names)} {done} ({entry.origin.value})"
    details = changes_text(entry.changes, names, zone)
    return f"{line}: {details}" if details else line
