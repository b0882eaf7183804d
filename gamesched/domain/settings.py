"""Settings inheritance: game -> channel -> guild -> built-in defaults.

Each level may leave a setting unset (``None``) to inherit it. Host roles and the on/off
settings of a place (:data:`PLACE_FLAGS`: the channel fallback for reminders, the public
calendar feed, mirroring as Discord scheduled events) are resolved channel -> guild only: they
belong to the place, so a game cannot choose who may host it or where it is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.numbers import read_whole_number

T = TypeVar("T")

MIN_PLAYERS_LIMIT = 1
"""Smallest player cap: a game has at least one seat."""
MAX_PLAYERS_LIMIT = 500
"""Largest player cap a game may have; the announcement summarises long lists."""
MAX_REMINDERS = 5
"""How many reminder offsets one level may set."""
MAX_REMINDER_MINUTES = 7 * 24 * 60
"""Reminders may be set up to a week before the start."""
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 7 * 24 * 60
MAX_RULES_LENGTH = 1000
"""Rules are shown in one embed field (Discord allows 1024 characters there)."""
MAX_CATEGORY_LENGTH = 50
MAX_HOST_ROLES = 25
"""A Discord role select offers at most 25 values."""


class Source(StrEnum):
    """Which level a resolved setting came from."""

    GAME = "game"
    CHANNEL = "channel"
    GUILD = "guild"
    DEFAULT = "default"


class Keep(Enum):
    """Marks a field of a patch that should stay as it is (``None`` means: clear it, inherit)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True)
class SettingsLayer:
    """The settings one level sets; ``None`` inherits from the level above."""

    max_players: int | None = None
    """Players who can join before the waitlist starts."""
    reminder_minutes: tuple[int, ...] | None = None
    """Minutes before the start at which players are reminded; ``()`` means no reminders."""
    rules: str | None = None
    """House rules shown on the announcement."""
    duration_minutes: int | None = None
    """Expected length; the game completes this long after its start."""
    category: str | None = None
    """A label for browsing games, e.g. ``Board games``."""
    host_role_ids: tuple[int, ...] | None = None
    """Roles allowed to create games (channel and guild levels only)."""
    remind_in_channel: bool | None = None
    """Also post a reminder in the game's channel for players whose DMs are closed (channel
    and guild levels only)."""
    public_feed: bool | None = None
    """Publish the place's games as a calendar feed anyone with its link can read (channel and
    guild levels only)."""
    mirror_events: bool | None = None
    """Mirror each game as a Discord scheduled event (channel and guild levels only)."""


@dataclass(frozen=True, slots=True)
class SettingsPatch:
    """A change to one level: each field is a new value, ``None`` to inherit, or KEEP."""

    max_players: int | Keep | None = KEEP
    reminder_minutes: tuple[int, ...] | Keep | None = KEEP
    rules: str | Keep | None = KEEP
    duration_minutes: int | Keep | None = KEEP
    category: str | Keep | None = KEEP
    host_role_ids: tuple[int, ...] | Keep | None = KEEP
    remind_in_channel: bool | Keep | None = KEEP
    public_feed: bool | Keep | None = KEEP
    mirror_events: bool | Keep | None = KEEP


DEFAULTS = SettingsLayer(
    max_players=10,
    reminder_minutes=(60, 15),
    rules="",
    duration_minutes=120,
    category="",
    host_role_ids=(),
    remind_in_channel=False,
    public_feed=False,
    mirror_events=False,
)
"""Built-in values used when no level sets a setting."""

PLACE_FLAGS: Mapping[str, str] = {
    "remind_in_channel": "Reminders in the channel for closed DMs",
    "public_feed": "Public calendar feed",
    "mirror_events": "Discord scheduled events",
}
"""The on/off settings of a server or a channel (a game cannot set them): field -> label."""


@dataclass(frozen=True, slots=True)
class Resolved(Generic[T]):
    """A setting's effective value and the level it came from."""

    value: T
    source: Source

    @property
    def inherited(self) -> bool:
        """True when the value was not set on the level being looked at."""
        return self.source is not Source.GAME


@dataclass(frozen=True, slots=True)
class EffectiveSettings:
    """Every setting of one game (or channel) after inheritance."""

    max_players: Resolved[int]
    reminder_minutes: Resolved[tuple[int, ...]]
    rules: Resolved[str]
    duration_minutes: Resolved[int]
    category: Resolved[str]
    host_role_ids: Resolved[tuple[int, ...]]
    remind_in_channel: Resolved[bool]
    public_feed: Resolved[bool]
    mirror_events: Resolved[bool]


def _first(name: str, levels: Sequence[tuple[Source, SettingsLayer]]) -> Resolved[Any]:
    for source, layer in levels:
        value = getattr(layer, name)
        if value is not None:
            return Resolved(value, source)
    return Resolved(getattr(DEFAULTS, name), Source.DEFAULT)


def resolve(
    *,
    game: SettingsLayer | None = None,
    channel: SettingsLayer | None = None,
    guild: SettingsLayer | None = None,
) -> EffectiveSettings:
    """Resolve every setting through the levels given (missing levels set nothing)."""
    levels = [
        (source, layer)
        for source, layer in (
            (Source.GAME, game),
            (Source.CHANNEL, channel),
            (Source.GUILD, guild),
        )
        if layer is not None
    ]
    place_levels = [(s, layer) for s, layer in levels if s is not Source.GAME]
    return EffectiveSettings(
        max_players=_first("max_players", levels),
        reminder_minutes=_first("reminder_minutes", levels),
        rules=_first("rules", levels),
        duration_minutes=_first("duration_minutes", levels),
        category=_first("category", levels),
        host_role_ids=_first("host_role_ids", place_levels),
        remind_in_channel=_first("remind_in_channel", place_levels),
        public_feed=_first("public_feed", place_levels),
        mirror_events=_first("mirror_events", place_levels),
    )


def normalise_reminders(minutes: tuple[int, ...]) -> tuple[int, ...]:
    """Offsets without duplicates, latest-before-start last (e.g. ``(60, 15)``)."""
    return tuple(sorted(set(minutes), reverse=True))


def reminder_ahead(*, start_at: datetime, reminder_minutes: Iterable[int], now: datetime) -> bool:
    """Whether one of the reminders (minutes before ``start_at``) is still to come at ``now``."""
    return any(start_at - timedelta(minutes=minutes) > now for minutes in reminder_minutes)


def parse_reminder_minutes(text: str) -> tuple[int, ...] | None:
    """Typed offsets like ``60, 15`` (minutes before the start); empty text means inherit."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts:
        return None
    minutes = [read_whole_number(part) for part in parts]
    unreadable = [part for part, number in zip(parts, minutes, strict=True) if number is None]
    if unreadable:
        raise ValidationFailed(
            [
                Problem(
                    "reminder_minutes",
                    "Reminders are whole minutes before the start separated by commas, "
                    f"e.g. `60, 15` (`{unreadable[0][:20]}` is not one).",
                )
            ]
        )
    return normalise_reminders(tuple(m for m in minutes if m is not None))


def setting_problems(patch: SettingsPatch | SettingsLayer) -> list[Problem]:
    """Every out-of-range value in a patch or layer, as user-facing problems."""
    problems: list[Problem] = []

    def value(name: str) -> object:
        v = getattr(patch, name)
        return None if v is KEEP else v

    max_players = value("max_players")
    if isinstance(max_players, int) and not MIN_PLAYERS_LIMIT <= max_players <= MAX_PLAYERS_LIMIT:
        problems.append(
            Problem(
                "max_players",
                f"Max players must be between {MIN_PLAYERS_LIMIT} and {MAX_PLAYERS_LIMIT}.",
            )
        )
    reminders = value("reminder_minutes")
    if isinstance(reminders, tuple):
        if len(set(reminders)) > MAX_REMINDERS:
            problems.append(
                Problem("reminder_minutes", f"Set at most {MAX_REMINDERS} reminder times.")
            )
        if any(not 1 <= m <= MAX_REMINDER_MINUTES for m in reminders):
            problems.append(
                Problem(
                    "reminder_minutes",
                    f"Each reminder must be 1 to {MAX_REMINDER_MINUTES} minutes before the start "
                    "(a week at most).",
                )
            )
    duration = value("duration_minutes")
    if isinstance(duration, int) and not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        problems.append(
            Problem(
                "duration_minutes",
                f"Duration must be {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes "
                "(a week at most).",
            )
        )
    rules = value("rules")
    if isinstance(rules, str) and len(rules) > MAX_RULES_LENGTH:
        problems.append(
            Problem(
                "rules",
                f"Rules can be at most {MAX_RULES_LENGTH} characters (this has {len(rules)}).",
            )
        )
    category = value("category")
    if isinstance(category, str) and len(category) > MAX_CATEGORY_LENGTH:
        problems.append(
            Problem("category", f"A category can be at most {MAX_CATEGORY_LENGTH} characters.")
        )
    roles = value("host_role_ids")
    if isinstance(roles, tuple) and len(set(roles)) > MAX_HOST_ROLES:
        problems.append(Problem("host_role_ids", f"Choose at most {MAX_HOST_ROLES} host roles."))
    return problems


def check_patch(patch: SettingsPatch | SettingsLayer) -> None:
    """Raise :class:`ValidationFailed` with every problem of the patch."""
    problems = setting_problems(patch)
    if problems:
        raise ValidationFailed(problems)
