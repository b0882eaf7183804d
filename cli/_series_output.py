"""How the CLI shows a recurring series: as lines and a table, or as JSON (shape in the
README's "Recurring games")."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from cli._output import iso, shown_time, zone_name
from gamesched.services.series import SeriesDate, SeriesView


def date_json(found: SeriesDate) -> dict[str, Any]:
    return {
        "on": found.on.isoformat(),
        "start_at": iso(found.start_at),
        "local": found.local,
        "shift": found.shift,
    }


def series_json(view: SeriesView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "guild_id": str(view.guild_id),
        "channel_id": str(view.channel_id),
        "host_id": str(view.host_id),
        "title": view.title,
        "status": view.status.value,
        "zone": view.zone,
        "wall_time": view.wall_time.isoformat(timespec="minutes"),
        "pattern": view.pattern,
        "rule": view.recurrence.to_stored(),
        "starts_on": view.starts_on.isoformat(),
        "until": None if view.recurrence.until is None else view.recurrence.until.isoformat(),
        "count": view.recurrence.count,
        "skipped": view.recurrence.stored_skipped(),
        "ahead_days": view.ahead_days,
        "carry_roster": view.carry_roster,
        "next_due_at": iso(view.next_due_at),
        "next_dates": [date_json(d) for d in view.next_dates],
        "game_ids": [str(i) for i in view.game_ids],
    }


def dates_lines(dates: tuple[SeriesDate, ...]) -> list[str]:
    """The next dates in the series' zone, each with its DST note."""
    return [f"  {d.local}" + (f" - {d.shift}" if d.shift else "") for d in dates]


def series_lines(view: SeriesView, zone: tzinfo, *, made: int | None = None) -> list[str]:
    """A series in a few lines: pattern, time, when the next game is made, next dates."""
    ahead = (
        "the next game is made once the current one starts"
        if view.ahead_days is None
        else f"games are made {view.ahead_days} days ahead"
    )
    roster = "players carried over" if view.carry_roster else "each game starts empty"
    lines = [
        f"Series #{view.id} ({view.title}, {view.status.value}): {view.pattern}, at "
        f"{view.wall_time:%H:%M} {view.zone}; {ahead}; {roster}.",
    ]
    if made is not None:
        lines.append(f"{made} game{'s' if made != 1 else ''} made now.")
    if view.next_due_at is not None:
        lines.append(f"Next game made: {shown_time(view.next_due_at, zone)} ({zone_name(zone)}).")
    if view.next_dates:
        lines += ["Next dates:", *dates_lines(view.next_dates)]
    return lines
