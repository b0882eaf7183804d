"""Settings as a person reads them: each value with where it comes from."""

from __future__ import annotations

from gamesched.discord.render import (
    SOURCE_LABELS,
    duration_text,
    flag_settings,
    reminders_text,
)
from gamesched.domain.permission_bits import Permission
from gamesched.domain.settings import EffectiveSettings, Source

NO_HOST_ROLES = f"none ({Permission.MANAGE_GUILD.label} may host)"
"""Host roles when none are set anywhere: who may create games then."""


def _line(name: str, value: str, source: Source) -> str:
    return f"**{name}:** {value} · _{SOURCE_LABELS[source]}_"


def describe_settings(settings: EffectiveSettings, *, timezone: str | None = None) -> str:
    """One line per setting: value and source."""
    roles = settings.host_role_ids.value
    lines = [
        _line("Max players", str(settings.max_players.value), settings.max_players.source),
        _line(
            "Reminders",
            reminders_text(settings.reminder_minutes.value),
            settings.reminder_minutes.source,
        ),
        _line(
            "Duration",
            duration_text(settings.duration_minutes.value),
            settings.duration_minutes.source,
        ),
        _line("Rules", settings.rules.value or "none", settings.rules.source),
        _line("Category", settings.category.value or "none", settings.category.source),
        _line(
            "Host roles",
            " ".join(f"<@&{r}>" for r in roles)
            if roles
            else f"none ({Permission.MANAGE_GUILD.label} may host)",
            settings.host_role_ids.source,
        ),
        *(_line(*shown) for shown in flag_settings(settings).values()),
    ]
    if timezone is not None:
        lines.append(f"**Time zone:** {timezone or 'UTC (not set)'}")
    return "\n".join(lines)
