"""The options /config-guild and /config-channel share, declared once as one injection."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TypeVar

import disnake
from disnake.ext import commands

from gamesched.domain.settings import (
    KEEP,
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_PLAYERS_LIMIT,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    MIN_PLAYERS_LIMIT,
    Keep,
    SettingsPatch,
    parse_reminder_minutes,
)

CLEARABLE = {
    "max players": "max_players",
    "reminders": "reminder_minutes",
    "duration": "duration_minutes",
    "rules": "rules",
    "category": "category",
    "host roles": "host_role_ids",
    "channel reminders": "remind_in_channel",
    "public feed": "public_feed",
    "scheduled events": "mirror_events",
}
"""The ``clear`` option's choices -> the setting each one resets."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SettingsChanges:
    """What the shared options ask for; each option left out (None) keeps its setting."""

    max_players: int | None = None
    reminders: str | None = None
    """Minutes before the start as typed, e.g. ``60, 15``; empty text means no reminders."""
    duration: int | None = None
    rules: str | None = None
    category: str | None = None
    add_host_role: disnake.Role | None = None
    remove_host_role: disnake.Role | None = None
    remind_in_channel: bool | None = None
    public_feed: bool | None = None
    mirror_events: bool | None = None
    clear: str | None = None
    """A :data:`CLEARABLE` choice: that setting inherits again."""

    @property
    def requested(self) -> bool:
        """Whether any option was given."""
        return any(getattr(self, option.name) is not None for option in fields(self))

    def patch(self, *, current_roles: tuple[int, ...], inherited_roles: bool) -> SettingsPatch:
        """The change to one level whose host roles are ``current_roles`` (its own, unless
        ``inherited_roles``): a role added or removed starts from its own list."""
        roles: tuple[int, ...] | Keep = KEEP
        if self.add_host_role is not None or self.remove_host_role is not None:
            base = () if inherited_roles else current_roles
            removed = self.remove_host_role
            chosen = [r for r in base if removed is None or r != removed.id]
            if self.add_host_role is not None and self.add_host_role.id not in chosen:
                chosen.append(self.add_host_role.id)
            roles = tuple(chosen)
        reminders = self.reminders
        patch = SettingsPatch(
            max_players=_given(self.max_players),
            reminder_minutes=KEEP if reminders is None else parse_reminder_minutes(reminders) or (),
            duration_minutes=_given(self.duration),
            rules=_given(self.rules),
            category=_given(self.category),
            host_role_ids=roles,
            remind_in_channel=_given(self.remind_in_channel),
            public_feed=_given(self.public_feed),
            mirror_events=_given(self.mirror_events),
        )
        return patch if self.clear is None else replace(patch, **{CLEARABLE[self.clear]: None})


def _given(value: T | None) -> T | Keep:
    return KEEP if value is None else value


@commands.injection()
def settings_changes(
    max_players: int | None = commands.Param(
        None, ge=MIN_PLAYERS_LIMIT, le=MAX_PLAYERS_LIMIT, description="Seats per game"
    ),
    reminders: str | None = commands.Param(
        None, description="Minutes before the start, e.g. 60, 15 (empty text: none)"
    ),
    duration: int | None = commands.Param(
        None, ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES, description="Minutes"
    ),
    rules: str | None = commands.Param(
        None, max_length=MAX_RULES_LENGTH, description="House rules"
    ),
    category: str | None = commands.Param(
        None, max_length=MAX_CATEGORY_LENGTH, description="Default label, e.g. Board games"
    ),
    add_host_role: disnake.Role | None = commands.Param(None, description="May create games"),
    remove_host_role: disnake.Role | None = commands.Param(None, description="No longer"),
    remind_in_channel: bool | None = commands.Param(
        None, description="Also post reminders in the channel for players whose DMs are closed"
    ),
    public_feed: bool | None = commands.Param(
        None,
        description="Publish this server's games as a calendar feed anyone with its link can read",
    ),
    mirror_events: bool | None = commands.Param(
        None,
        description="Mirror games as Discord scheduled events (needs the bot's Manage Events "
        "permission)",
    ),
    clear: str | None = commands.Param(
        None,
        choices=list(CLEARABLE),
        description=(
            "Reset one setting: a channel's to the server's value, the server's to the default"
        ),
    ),
) -> SettingsChanges:
    """The shared options, as Discord shows them for both commands."""
    return SettingsChanges(
        max_players=max_players,
        reminders=reminders,
        duration=duration,
        rules=rules,
        category=category,
        add_host_role=add_host_role,
        remove_host_role=remove_host_role,
        remind_in_channel=remind_in_channel,
        public_feed=public_feed,
        mirror_events=mirror_events,
        clear=clear,
    )
