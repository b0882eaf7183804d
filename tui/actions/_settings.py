"""A server's or a channel's settings: each with its value and where it comes from, changed or
made to inherit again, read and checked as ``/config-guild`` and ``config set`` read them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from gamesched.app import Operating
from gamesched.discord.render import SOURCE_LABELS, duration_text, reminders_text, switch_text
from gamesched.domain.errors import NotFound, Problem, ValidationFailed
from gamesched.domain.setting_keys import HOST_ROLES, KEYS, TIMEZONE, SettingKey, role_id_of
from gamesched.domain.settings import (
    PLACE_FLAGS,
    EffectiveSettings,
    Resolved,
    SettingsPatch,
    Source,
    resolve,
)
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.people import set_guild_time_zone
from tui.actions._common import ActionScreen, label_of

INHERIT = "inherit"
EMPTY_TEXT = '""'
"""Typed for rules or a category: none, even where the level above has some."""


def value_text(field: str, value: Any) -> str:
    """A setting's value as people read it (as ``config show`` says it)."""
    if field == "reminder_minutes":
        return str(reminders_text(value))
    if field == "duration_minutes":
        return str(duration_text(value))
    if field in ("rules", "category"):
        return str(value) or "none"
    if field == "host_role_ids":
        return ", ".join(map(str, value)) or "none (Manage Server hosts)"
    if field in PLACE_FLAGS:
        return switch_text(value)
    return str(value)


def typed_text(field: str, value: Any) -> str:
    """A stored value as it is typed back."""
    if field in ("reminder_minutes", "host_role_ids"):
        return ", ".join(map(str, value)) or "none"
    if field in ("rules", "category"):
        return str(value) or EMPTY_TEXT
    if field in PLACE_FLAGS:
        return switch_text(value)
    return str(value)


def _name(key: SettingKey) -> str:
    return key.field or TIMEZONE


class SettingsScreen(ActionScreen):
    """Every setting of a server (``channel_id`` None) or of a channel."""

    def __init__(self, op: Operating, *, guild_id: int, channel_id: int | None) -> None:
        super().__init__(op)
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.keys = [k for k in KEYS.values() if channel_id is None or not k.server_only]
        self.level = Source.GUILD if channel_id is None else Source.CHANNEL
        self.place = (
            f"server {guild_id}"
            if channel_id is None
            else f"channel {channel_id} (server {guild_id})"
        )
        self.heading = f"Settings of {self.place}"
        self.initial: dict[str, str] = {}

    def body(self) -> ComposeResult:
        yield Static(
            "Empty (or `inherit`) makes a setting inherit again: a channel's from its server, "
            "a server's from the built-in default.",
            classes="hint",
            markup=False,
        )
        for key in self.keys:
            yield from self.field(_name(key), Input(id=_name(key)), hint=key.accepts)

    async def _settings(self) -> tuple[EffectiveSettings, EffectiveSettings, str | None]:
        """This level's settings, the ones it would inherit, and the server's zone."""
        server = await guild_settings(self.op.services, guild_id=self.guild_id)
        if self.channel_id is None:
            return server.settings, resolve(), server.timezone
        here = await channel_settings(
            self.op.services, guild_id=self.guild_id, channel_id=self.channel_id
        )
        return here.settings, server.settings, server.timezone

    async def load(self) -> None:
        current, inherited, timezone = await self._settings()
        initial: dict[str, str] = {}
        for key in self.keys:
            name = _name(key)
            widget = self.query_one(f"#{name}", Input)
            label = self.query_one(f"#{name}-label", Label)
            if key.field is None:
                initial[name] = timezone or ""
                label.update(f"{label_of(name)} — now {timezone or 'UTC (not set)'}")
                widget.placeholder = "Empty: UTC"
            else:
                now: Resolved[Any] = getattr(current, key.field)
                parent: Resolved[Any] = getattr(inherited, key.field)
                initial[name] = typed_text(key.field, now.value) if now.source is self.level else ""
                label.update(
                    f"{label_of(name)} — now {value_text(key.field, now.value)} "
                    f"({SOURCE_LABELS[now.source]})"
                )
                widget.placeholder = (
                    f"Empty: {value_text(key.field, parent.value)} ({SOURCE_LABELS[parent.source]})"
                )
            widget.value = initial[name]
        self.initial = initial

    async def act(self) -> str | None:
        if not self.initial:
            await self.load()
        changed: dict[SettingKey, Any] = {}
        problems: list[Problem] = []
        for key in self.keys:
            text = self.query_one(f"#{_name(key)}", Input).value
            if text.strip() == self.initial[_name(key)].strip():
                continue
            try:
                changed[key] = await self._read(key, text)
            except ValidationFailed as error:
                problems += error.problems
        if problems:
            raise ValidationFailed(problems)
        if not changed:
            self.show_summary("Nothing was changed: edit a setting first, or press Escape.")
            return None
        patch = SettingsPatch()
        for key, value in changed.items():
            if key.field is not None:
                patch = replace(patch, **{key.field: value})
        op = self.op
        if patch != SettingsPatch():
            if self.channel_id is None:
                await configure_guild(
                    op.services, actor=op.actor, guild_id=self.guild_id, patch=patch
                )
            else:
                await configure_channel(
                    op.services,
                    actor=op.actor,
                    guild_id=self.guild_id,
                    channel_id=self.channel_id,
                    patch=patch,
                )
        for key, value in changed.items():
            if key.field is None:
                await set_guild_time_zone(
                    op.services, actor=op.actor, guild_id=self.guild_id, zone=value
                )
        current, _, timezone = await self._settings()
        said = []
        for key in changed:
            if key.field is None:
                said.append(f"time zone {timezone or 'UTC (not set)'}")
                continue
            now: Resolved[Any] = getattr(current, key.field)
            said.append(
                f"{label_of(key.field).lower()} {value_text(key.field, now.value)} "
                f"({SOURCE_LABELS[now.source]})"
            )
        return f"Saved the settings of {self.place}: {'; '.join(said)}."

    async def _read(self, key: SettingKey, text: str) -> Any:
        """The typed text as the value to store (None: inherit), as ``config set`` reads it."""
        stripped = text.strip()
        if not stripped or stripped.casefold() == INHERIT:
            return None
        if key.field in ("rules", "category") and stripped == EMPTY_TEXT:
            return ""
        value = key.value_of(text)
        if key.name == HOST_ROLES and value:
            return await self._host_role_ids(value)
        return value

    async def _host_role_ids(self, entries: tuple[str, ...]) -> tuple[int, ...]:
        """Typed role ids and names as the server's role ids: checked against its roles and
        names looked up when Discord is at hand, ids taken as they are without it."""
        role_names = None
        if self.op.core is not None:
            facts = await self.op.core.rights.guild(self.guild_id, fresh=True)
            if facts is None:
                raise NotFound(
                    f"The bot is not in server {self.guild_id}, so its roles cannot be read."
                )
            role_names = facts.role_names
        return tuple(
            dict.fromkeys(
                role_id_of(entry, guild_id=self.guild_id, role_names=role_names)
                for entry in entries
            )
        )
