"""The settings an operator changes by name (the CLI's ``config set`` and ``config unset``, the
dashboard's settings screen), and how their typed values are read: the options of the bot's
``/config-guild`` and ``/config-channel`` with the same parsing, limits and messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.numbers import read_whole_number
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_PLAYERS_LIMIT,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    MIN_PLAYERS_LIMIT,
    PLACE_FLAGS,
    parse_reminder_minutes,
)
from gamesched.domain.timeparse import resolve_zone

NONE_WORDS = frozenset({"", "none"})
"""What clears a list (reminders, host roles) to empty: no reminders, no host roles."""
SWITCH_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}


@dataclass(frozen=True, slots=True)
class SettingKey:
    """One setting as the operator names it."""

    name: str
    """As typed: ``max-players``."""
    field: str | None
    """The setting it changes (a field of SettingsPatch); None for the server's time zone."""
    accepts: str
    """What a value looks like, for ``--help`` and for errors."""
    read: Callable[[str], Any]
    """The typed text as the value to store; a ValueError when it is not one."""

    def value_of(self, text: str) -> Any:
        """The value to store, or a ValidationFailed saying what is accepted (the use case's
        own checks, e.g. a range, answer in the bot's words)."""
        try:
            return self.read(text)
        except ValueError:
            message = f"{self.name}: `{text[:40]}` is not {self.accepts}."
            raise ValidationFailed([Problem(self.field or self.name, message)]) from None

    @property
    def server_only(self) -> bool:
        return self.field is None


def _whole_number(text: str) -> int:
    number = read_whole_number(text.strip())
    if number is None:
        raise ValueError(text)
    return number


def _reminders(text: str) -> tuple[int, ...]:
    if text.strip().casefold() in NONE_WORDS:
        return ()
    return parse_reminder_minutes(text) or ()


def _text(text: str) -> str:
    return text.strip()


def _switch(text: str) -> bool:
    switch = SWITCH_WORDS.get(text.strip().casefold())
    if switch is None:
        raise ValueError(text)
    return switch


def _role_entries(text: str) -> tuple[str, ...]:
    """Role ids or names as typed; resolved against the server once it is known."""
    if text.strip().casefold() in NONE_WORDS:
        return ()
    return tuple(dict.fromkeys(entry.strip() for entry in text.split(",") if entry.strip()))


HOST_ROLES = "host-roles"
TIMEZONE = "timezone"

KEYS: Mapping[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey(
            "max-players",
            "max_players",
            f"a whole number from {MIN_PLAYERS_LIMIT} to {MAX_PLAYERS_LIMIT}",
            _whole_number,
        ),
        SettingKey(
            "reminders",
            "reminder_minutes",
            "minutes before the start, e.g. `60, 15`, or `none`",
            _reminders,
        ),
        SettingKey(
            "duration",
            "duration_minutes",
            f"a whole number of minutes from {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES}",
            _whole_number,
        ),
        SettingKey(
            "category",
            "category",
            f'a label of up to {MAX_CATEGORY_LENGTH} characters, or `""` for none',
            _text,
        ),
        SettingKey(
            "rules",
            "rules",
            f'text of up to {MAX_RULES_LENGTH} characters, or `""` for none',
            _text,
        ),
        SettingKey(
            HOST_ROLES,
            "host_role_ids",
            "role ids or names, comma-separated, or `none`",
            _role_entries,
        ),
        *(
            SettingKey(flag.replace("_", "-"), flag, "`on` or `off`", _switch)
            for flag in PLACE_FLAGS
        ),
        SettingKey(
            TIMEZONE, None, "an IANA zone like `Europe/Berlin` (servers only)", resolve_zone
        ),
    )
}
"""Every key, in the order ``--help`` lists them."""


def key_named(name: str) -> SettingKey | None:
    return KEYS.get(name.strip().casefold().replace("_", "-"))


SNOWFLAKE_DIGITS = 20
"""Digits of the largest Discord id (ids are 64-bit numbers)."""
ROLES_LISTED = 10
"""Roles an error names at most when a typed role is not the server's."""


def role_id_of(entry: str, *, guild_id: int, role_names: Mapping[int, str] | None) -> int:
    """The role a typed host-role entry (an id or a name, ``@`` allowed) means: checked
    against the server's roles when they are known (``role_names``), an id taken as it is
    when they are not. A ValidationFailed on ``host_role_ids`` saying why otherwise."""
    number = snowflake(entry)
    if role_names is None:
        if number is None:
            raise roles_problem(
                f"`{entry}` is not a role id; role names are looked up on Discord, which needs "
                "a bot token (discord.token)."
            )
        return number
    roles = {i: n for i, n in role_names.items() if i != guild_id}  # not @everyone
    if number is not None and number in roles:
        return number
    wanted = {entry.casefold(), entry.removeprefix("@").casefold()}
    matches = [i for i, n in roles.items() if n.casefold() in wanted]
    if len(matches) > 1:
        raise roles_problem(
            f"several roles are named `{entry}`; give the id of the one you mean: "
            f"{', '.join(map(str, matches))}."
        )
    if not matches:
        listed = ", ".join(f"{n} ({i})" for i, n in list(roles.items())[:ROLES_LISTED])
        more = f" and {len(roles) - ROLES_LISTED} more" if len(roles) > ROLES_LISTED else ""
        raise roles_problem(
            f"server {guild_id} has no role `{entry}`; its roles: {listed or 'none'}{more}."
        )
    return matches[0]


def snowflake(text: str) -> int | None:
    """A Discord id as typed (ASCII digits, up to 64 bits), else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > SNOWFLAKE_DIGITS:
        return None
    return int(text)


def roles_problem(message: str) -> ValidationFailed:
    return ValidationFailed([Problem("host_role_ids", f"{HOST_ROLES}: {message}")])
