"""How the read commands answer: rich tables for people, or ``--json`` for scripts.

JSON keeps one shape per kind of thing (documented in the README): ids are strings (Discord's
ids do not fit a JavaScript number), times ISO 8601 in UTC, members ``{"id", "name"}`` with
``name`` null when names were not looked up. Nothing but the JSON goes to stdout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from cli._state import ExitCode, fail
from gamesched.config import Config
from gamesched.discord.render import SOURCE_LABELS, plain_settings
from gamesched.domain.errors import ValidationFailed
from gamesched.domain.settings import EffectiveSettings
from gamesched.domain.timeparse import resolve_zone

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON (shape in the README) and nothing else.")
]
IdsFlag = Annotated[
    bool, typer.Option("--ids", help="Show ids only; do not ask Discord for names.")
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Show times in this IANA zone (default: operator.timezone, else this machine's).",
    ),
]


def zone_of(tz: str | None, config: Config) -> tzinfo:
    """The zone times are shown (and typed times read) in: ``--tz``, else the configuration's
    ``operator.timezone``, else this machine's."""
    if tz is None and config.operator.timezone:
        return ZoneInfo(config.operator.timezone)
    if tz is None:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(resolve_zone(tz))
    except ValidationFailed as error:
        raise fail(f"--tz: {error.message}", ExitCode.USAGE) from None


def zone_name(zone: tzinfo) -> str:
    return str(zone) if isinstance(zone, ZoneInfo) else (zone.tzname(None) or "local time")


def read_time(text: str | None, option: str, zone: tzinfo) -> datetime | None:
    """A ``--from``/``--to`` value: an ISO 8601 date or date and time, read in ``zone`` when
    it carries no offset; anything else is a usage error (exit 2)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise fail(
            f"{option}: `{text}` is not a date or time; use e.g. 2026-12-05 or "
            "2026-12-05T19:00 (read in the --tz zone) or 2026-12-05T19:00+01:00.",
            ExitCode.USAGE,
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def shown_time(moment: datetime | None, zone: tzinfo) -> str:
    """A time as a table shows it, in the operator's zone."""
    return "" if moment is None else moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def iso(moment: datetime | None) -> str | None:
    """A time as JSON carries it: ISO 8601 in UTC."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def person(user_id: int, names: Mapping[int, str | None]) -> dict[str, str | None]:
    return {"id": str(user_id), "name": names.get(user_id)}


def named(user_id: int, names: Mapping[int, str | None]) -> str:
    """A member as a table shows them: display name and id, or the id alone."""
    name = names.get(user_id)
    return f"{name} ({user_id})" if name else str(user_id)


def settings_json(settings: EffectiveSettings) -> dict[str, dict[str, Any]]:
    """Every effective setting as ``{"value", "source"}`` (role ids as strings)."""
    shaped: dict[str, dict[str, Any]] = {}
    for f in fields(settings):
        resolved = getattr(settings, f.name)
        value = resolved.value
        if f.name == "host_role_ids":
            value = [str(role) for role in value]
        elif isinstance(value, tuple):
            value = list(value)
        shaped[f.name] = {"value": value, "source": resolved.source.value}
    return shaped


def settings_table(settings: EffectiveSettings, *, title: str) -> Table:
    """Every effective setting with where it comes from, in the bot's words."""
    table = Table("Setting", "Value", "Source", title=title, title_justify="left")
    for name, value, source in plain_settings(settings).values():
        table.add_row(name, value, SOURCE_LABELS[source])
    return table


def table(*columns: str, title: str | None = None) -> Table:
    return Table(*columns, title=title, title_justify="left")


def show(*renderables: Table | str) -> None:
    """Print tables and lines on stdout (rich's console: no colours when piped)."""
    console = Console(highlight=False, markup=False)  # titles are shown as typed
    for renderable in renderables:
        console.print(renderable)


def print_json(value: Mapping[str, Any] | Sequence[Any]) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
