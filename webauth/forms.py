"""What the site's forms share: problems shown beside their fields, and inheritable settings.

A form that fails is answered 422 with every typed value kept: :class:`FormProblems` groups
the use case's :class:`Problem` values by field (each shown beside its field, all of them in a
summary on top linking to the fields). :class:`SettingField` reads and shows one inheritable
setting (max players, reminders, duration, rules, category, host roles, the on/off settings):
its inherited value and where it comes from, and a choice between inheriting it and setting
it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from markupsafe import Markup, escape
from starlette.datastructures import FormData

from gamesched.discord.render import SOURCE_LABELS, duration_text, reminders_text, switch_text
from gamesched.domain.errors import Problem, Suggestion, ValidationFailed
from gamesched.domain.numbers import read_whole_number
from gamesched.domain.permission_bits import Permission
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_PLAYERS_LIMIT,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    MIN_PLAYERS_LIMIT,
    PLACE_FLAGS,
    EffectiveSettings,
    Resolved,
    Source,
    parse_reminder_minutes,
)
from webauth.inputs import NO_CONTROLS, has_controls, read_id

FIELD_LABELS = {
    "channel": "Channel",
    "title": "Title",
    "when": "Start time",
    "description": "Description",
    "participants": "Participants",
    "max_players": "Max players",
    "reminder_minutes": "Reminders",
    "duration_minutes": "Duration",
    "rules": "Rules",
    "category": "Category",
    "host_role_ids": "Host roles",
    **PLACE_FLAGS,
    "timezone": "Time zone",
}
"""Each field's name as the summary of problems names it."""

_CODE = re.compile(r"`([^`\n]+)`")


def inline_code(text: str) -> Markup:
    """A domain sentence for a page: escaped, with its `quoted` pieces as ``<code>``."""
    escaped = str(escape(text))
    return Markup(_CODE.sub(lambda found: f"<code>{found[1]}</code>", escaped))


def form_text(form: FormData, key: str) -> str:
    """The text of field ``key`` ("" when absent), with a browser's line breaks as ``\n``."""
    value = form.get(key)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else ""


def field_id(name: str) -> str:
    """The id of the control a problem of field ``name`` links to."""
    return f"field-{name.replace('_', '-')}"


def control_problems(values: Mapping[str, str], names: Iterable[str]) -> list[Problem]:
    """A problem for each field of ``names`` whose text holds control characters (the
    database could not keep a NUL, and no keyboard types them)."""
    return [
        Problem(name, f"{FIELD_LABELS[name]} may not hold {NO_CONTROLS}.")
        for name in names
        if has_controls(values[name])
    ]


@dataclass(frozen=True, slots=True)
class Shown:
    """One problem as a page shows it."""

    field: str
    label: str
    message: Markup
    entry: str | None
    suggestions: tuple[Suggestion, ...]
    index: int

    @property
    def anchor(self) -> str:
        return "#" + field_id(self.field)


@dataclass(frozen=True, slots=True)
class FormProblems:
    """The problems of one submission, in the order found."""

    problems: tuple[Problem, ...] = ()
    notice: str | None = None
    """A problem with the whole form rather than one field (Discord refused the post)."""

    @classmethod
    def of(cls, problems: Iterable[Problem], *, notice: str | None = None) -> FormProblems:
        unique = tuple(dict.fromkeys(problems))
        return cls(unique, notice)

    def __bool__(self) -> bool:
        return bool(self.problems) or self.notice is not None

    @property
    def shown(self) -> list[Shown]:
        return [
            Shown(
                field=p.field,
                label=FIELD_LABELS.get(p.field, p.field.replace("_", " ").capitalize()),
                message=inline_code(p.message),
                entry=p.entry,
                suggestions=p.suggestions,
                index=index,
            )
            for index, p in enumerate(self.problems)
        ]

    def on(self, name: str) -> list[Shown]:
        """The problems shown beside field ``name``."""
        return [shown for shown in self.shown if shown.field == name]


# --- inheritable settings ---------------------------------------------------------------------

Mode = Literal["inherit", "set"]
Kind = Literal["number", "text", "textarea", "roles", "switch"]


@dataclass(frozen=True, slots=True)
class SettingField:
    """One inheritable setting as a form shows and reads it."""

    key: str
    """The setting's name (a :class:`SettingsLayer` field) and its form field."""
    label: str
    kind: Kind
    hint: str
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None

    @property
    def mode_key(self) -> str:
        return f"{self.key}_mode"

    def describe(self, value: object, role_names: Mapping[int, str]) -> str:
        """A value of this setting as a person reads it."""
        if self.key == "reminder_minutes":
            assert isinstance(value, tuple)
            return reminders_text(value)
        if self.key == "duration_minutes":
            assert isinstance(value, int)
            return duration_text(value)
        if self.key == "host_role_ids":
            assert isinstance(value, tuple)
            if not value:
                return f"none ({Permission.MANAGE_GUILD.label} may host)"
            return ", ".join(role_names.get(r, f"role {r}") for r in value)
        if self.kind == "switch":
            assert isinstance(value, bool)
            return switch_text(value)
        return str(value) if value not in ("", None) else "none"

    def typed(self, value: object) -> str:
        """A stored value as the form's control holds it."""
        if self.key == "reminder_minutes":
            assert isinstance(value, tuple)
            return ", ".join(str(m) for m in value)
        if self.kind == "switch":
            assert isinstance(value, bool)
            return switch_text(value)
        if self.key == "host_role_ids":
            return ""
        return "" if value is None else str(value)

    def read(
        self, form: FormData, *, role_ids: Iterable[int] = ()
    ) -> tuple[Mode, object | None, list[Problem]]:
        """The choice sent for this setting: inherit (None), or the value to set here."""
        raw = form_text(form, self.key)
        chosen = form.getlist(self.key) if self.kind == "roles" else []
        sent_mode = form.get(self.mode_key)
        if sent_mode in ("inherit", "set"):
            mode: Mode = "set" if sent_mode == "set" else "inherit"
        else:  # no choice sent: a value means set, nothing means inherit
            mode = "set" if (raw.strip() or chosen) else "inherit"
        if mode == "inherit":
            return mode, None, []
        value, problems = self._value(raw, [str(c) for c in chosen], set(role_ids))
        return mode, value, problems

    def _value(
        self, raw: str, chosen: Sequence[str], role_ids: set[int]
    ) -> tuple[object | None, list[Problem]]:
        text = raw.strip()
        if self.kind == "number":
            number = read_whole_number(text)
            if number is None:
                return None, [
                    Problem(
                        self.key,
                        f"{self.label} must be a whole number from {self.minimum} to "
                        f"{self.maximum}"
                        + (f" (got `{text[:20]}`)" if text else "")
                        + "; or choose to inherit it.",
                    )
                ]
            return number, []
        if self.key == "reminder_minutes":
            try:
                return parse_reminder_minutes(text) or (), []
            except ValidationFailed as error:
                return None, list(error.problems)
        if self.kind == "roles":
            picked = [read_id(c) for c in chosen]
            known = [r for r in picked if r is not None and r in role_ids]
            if len(known) != len(picked):
                return None, [
                    Problem(
                        self.key,
                        "Pick host roles from the list; one of those sent is not a role of "
                        "this server (reload the page to see its roles now).",
                    )
                ]
            return tuple(dict.fromkeys(known)), []
        if self.kind in ("text", "textarea") and has_controls(raw):
            return None, [Problem(self.key, f"{self.label} may not hold {NO_CONTROLS}.")]
        if self.kind == "switch":
            if text not in ("on", "off"):
                return None, [Problem(self.key, f"Choose on or off for {self.label.lower()}.")]
            return text == "on", []
        if self.kind == "textarea":
            return "\n".join(line.rstrip() for line in raw.strip().splitlines()), []
        return text, []


MAX_PLAYERS = SettingField(
    "max_players",
    "Max players",
    "number",
    "Players who get a seat; later joiners go on the waitlist.",
    minimum=MIN_PLAYERS_LIMIT,
    maximum=MAX_PLAYERS_LIMIT,
)
REMINDERS = SettingField(
    "reminder_minutes",
    "Reminders",
    "text",
    "Minutes before the start, separated by commas, e.g. 60, 15; empty for no reminders.",
)
DURATION = SettingField(
    "duration_minutes",
    "Duration",
    "number",
    "Expected length in minutes; the game completes this long after its start.",
    minimum=MIN_DURATION_MINUTES,
    maximum=MAX_DURATION_MINUTES,
)
RULES = SettingField(
    "rules",
    "Rules",
    "textarea",
    "House rules shown on the announcement; empty for none.",
    max_length=MAX_RULES_LENGTH,
)
CATEGORY = SettingField(
    "category",
    "Category",
    "text",
    "A label for browsing games, e.g. Board games; empty for none.",
    max_length=MAX_CATEGORY_LENGTH,
)
HOST_ROLES = SettingField(
    "host_role_ids",
    "Host roles",
    "roles",
    "Members with any of these roles may create games; with none, Manage Server may.",
)
SWITCH_HINTS = {
    "remind_in_channel": "Also post a reminder in the game's channel for players whose DMs "
    "are closed.",
    "public_feed": "Publish the games here as a calendar feed anyone with its link can read.",
    "mirror_events": "Mirror each game as a Discord scheduled event (the bot needs the Manage "
    "Events permission).",
}
"""What each on/off setting of a place does, shown beside its switch."""
SWITCHES = tuple(
    SettingField(flag, label, "switch", SWITCH_HINTS[flag]) for flag, label in PLACE_FLAGS.items()
)

GAME_SETTINGS = (MAX_PLAYERS, REMINDERS, DURATION, RULES, CATEGORY)
"""The settings a game may set for itself."""
PLACE_SETTINGS = (*GAME_SETTINGS, HOST_ROLES, *SWITCHES)
"""The settings a server or channel may set."""


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One setting as a form shows it: what it inherits, and what is chosen here."""

    spec: SettingField
    inherited: str
    """The value it takes when not set here, as a person reads it."""
    inherited_from: str
    """Where that value comes from (``from the server``, ``built-in default``)."""
    mode: Mode
    value: str
    """The control's text (or ``on``/``off``)."""
    chosen_roles: frozenset[str] = frozenset()
    problems: list[Shown] = field(default_factory=list)

    @property
    def id(self) -> str:
        return field_id(self.spec.key)


def setting_rows(
    specs: Sequence[SettingField],
    *,
    inherited: EffectiveSettings,
    own: Mapping[str, object | None],
    role_names: Mapping[int, str],
    form: FormData | None = None,
    problems: FormProblems | None = None,
) -> list[SettingRow]:
    """The rows of a form: each setting's inherited value, and either what this level sets
    (``own``, None where it inherits) or, after a failed submit, what was sent (``form``)."""
    rows = []
    for spec in specs:
        resolved: Resolved[Any] = getattr(inherited, spec.key)
        mode: Mode
        if form is not None:
            sent = form.get(spec.mode_key)
            value = form_text(form, spec.key)
            roles = frozenset(str(r) for r in form.getlist(spec.key) if spec.kind == "roles")
            if sent in ("inherit", "set"):
                mode = "set" if sent == "set" else "inherit"
            else:
                mode = "set" if (value.strip() or roles) else "inherit"
        else:
            current = own.get(spec.key)
            mode = "inherit" if current is None else "set"
            value = "" if current is None else spec.typed(current)
            roles = (
                frozenset(str(r) for r in current)
                if spec.kind == "roles" and isinstance(current, tuple)
                else frozenset()
            )
        rows.append(
            SettingRow(
                spec=spec,
                inherited=spec.describe(resolved.value, role_names),
                inherited_from=SOURCE_LABELS[resolved.source],
                mode=mode,
                value=value if spec.kind != "switch" or value in ("on", "off") else "off",
                chosen_roles=roles,
                problems=problems.on(spec.key) if problems else [],
            )
        )
    return rows


def own_values(settings: EffectiveSettings, level: Source) -> dict[str, object | None]:
    """What ``level`` itself sets (None where it inherits), read from resolved settings."""
    return {
        name: (resolved.value if resolved.source is level else None)
        for name in (spec.key for spec in PLACE_SETTINGS)
        if (resolved := getattr(settings, name, None)) is not None
    }
