"""Creating and editing a game: one form, with the validation and messages of the bot's modal
and the web form (the same use cases answer), every setting shown with the value it would
inherit and where that comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from gamesched.app import Operating
from gamesched.discord.render import SOURCE_LABELS, duration_text, reminders_text
from gamesched.discord.rest import DiscordError
from gamesched.discord.sync import why_not_announced
from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.setting_keys import KEYS
from gamesched.domain.settings import KEEP, EffectiveSettings, Resolved
from gamesched.services.configuration import channel_settings
from gamesched.services.games import GameEdit, NewGame, create_game, edit_game, get_game
from gamesched.services.views import GameView
from tui.actions._common import (
    ActionScreen,
    member_id,
    shown_time,
    typed_time,
    zone_for_typing,
    zone_name,
)

INHERIT = "inherit"
"""Typed for a setting (as an empty field), makes the game take its channel's value again."""
EMPTY_TEXT = '""'
"""Typed for rules or a category: none, even where the channel has some."""


@dataclass(frozen=True, slots=True)
class GameSetting:
    """One of a game's inheritable settings as the form shows and reads it."""

    field: str
    key: str
    """Its name in :data:`KEYS` (how ``config set`` reads it)."""
    hint: str
    area: bool = False

    def shown(self, value: Any) -> str:
        """The value as people read it."""
        if self.field == "reminder_minutes":
            return str(reminders_text(value))
        if self.field == "duration_minutes":
            return str(duration_text(value))
        if self.field in ("rules", "category"):
            return str(value) or "none"
        return str(value)

    def typed(self, value: Any) -> str:
        """The value as it is typed back into the form."""
        if self.field == "reminder_minutes":
            return ", ".join(map(str, value)) or "none"
        if self.field in ("rules", "category"):
            return str(value) or EMPTY_TEXT
        return str(value)

    def read(self, text: str) -> Any:
        """The typed text as the value to store: None inherits; a ValidationFailed on the
        field when it is not a value (the use case checks ranges, in the bot's words)."""
        stripped = text.strip()
        if not stripped or stripped.casefold() == INHERIT:
            return None
        if self.field == "max_players":
            return stripped
        if self.field in ("rules", "category") and stripped == EMPTY_TEXT:
            return ""
        return KEYS[self.key].value_of(text)


SETTINGS = (
    GameSetting("max_players", "max-players", "Seats, a whole number."),
    GameSetting("duration_minutes", "duration", "Minutes the game lasts."),
    GameSetting(
        "reminder_minutes", "reminders", "Minutes before the start, e.g. `60, 15`; `none`."
    ),
    GameSetting("category", "category", 'A label; `""` for none.'),
    GameSetting("rules", "rules", 'Text shown with the game; `""` for none.', area=True),
)


def _text_of(screen: ActionScreen, name: str) -> str:
    widget = screen.query_one(f"#{name}")
    if isinstance(widget, TextArea):
        return widget.text
    assert isinstance(widget, Input)
    return widget.value


def _set_text(screen: ActionScreen, name: str, text: str) -> None:
    widget = screen.query_one(f"#{name}")
    if isinstance(widget, TextArea):
        widget.load_text(text)
    else:
        assert isinstance(widget, Input)
        widget.value = text


class _GameForm(ActionScreen):
    """The fields both screens show."""

    def __init__(self, op: Operating, zone: tzinfo) -> None:
        super().__init__(op)
        self.zone = zone

    def body(self) -> ComposeResult:
        yield from self.field("title", Input(id="title", max_length=100), hint="Up to 100.")
        yield from self.field(
            "when",
            Input(id="when"),
            hint=f"As typed in Discord (`tomorrow 8pm`, `2026-12-05 19:00`), read in "
            f"{zone_name(self.zone)}.",
        )
        yield from self.own_fields()
        yield from self.field("description", TextArea(id="description"), hint="Up to 1000.")
        for setting in SETTINGS:
            widget: Input | TextArea = (
                TextArea(id=setting.field) if setting.area else Input(id=setting.field)
            )
            yield from self.field(setting.field, widget, hint=setting.hint)
        yield Checkbox("Ping the participants the announcement names", id="ping")

    def own_fields(self) -> ComposeResult:
        return iter(())

    def show_inherited(self, inherited: EffectiveSettings, current: EffectiveSettings) -> None:
        """Each setting's label says its value now and where that comes from; its empty field
        says what it would inherit."""
        for setting in SETTINGS:
            now: Resolved[Any] = getattr(current, setting.field)
            parent: Resolved[Any] = getattr(inherited, setting.field)
            label = self.query_one(f"#{setting.field}-label", Label)
            base = str(label.render()).split(" — ")[0]
            label.update(f"{base} — now {setting.shown(now.value)} ({SOURCE_LABELS[now.source]})")
            empty = (
                f"Empty or `{INHERIT}`: {setting.shown(parent.value)} "
                f"({SOURCE_LABELS[parent.source]})"
            )
            widget = self.query_one(f"#{setting.field}")
            if isinstance(widget, Input):
                widget.placeholder = empty
            else:
                hint = self.query_one(f"#{setting.field}-hint", Static)
                hint.update(f"{setting.hint} {empty}.")

    def read_settings(self, *, unchanged: dict[str, str] | None = None) -> dict[str, Any]:
        """The settings typed, by field (left out when as prefilled), or a ValidationFailed
        naming every one that is not a value."""
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for setting in SETTINGS:
            text = _text_of(self, setting.field)
            if unchanged is not None and text.strip() == unchanged[setting.field].strip():
                continue
            try:
                values[setting.field] = setting.read(text)
            except ValidationFailed as error:
                problems += error.problems
        if problems:
            raise ValidationFailed(problems)
        return values


class CreateGameScreen(_GameForm):
    """A new game in a channel, for a host, announced as from the web."""

    submit_label = "Create"

    def __init__(self, op: Operating, zone: tzinfo, *, guild_id: int, channel_id: int) -> None:
        super().__init__(op, zone)
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.heading = f"New game in channel {channel_id} (server {guild_id})"

    def own_fields(self) -> ComposeResult:
        yield from self.field(
            "host", Input(id="host"), hint="The member who hosts it: their id or <@id>."
        )
        yield from self.field(
            "participants",
            Input(id="participants"),
            hint="Members (<@id>) and placeholders, comma-separated; seats in typed order.",
        )

    async def load(self) -> None:
        here = await channel_settings(
            self.op.services, guild_id=self.guild_id, channel_id=self.channel_id
        )
        self.show_inherited(here.settings, here.settings)

    async def act(self) -> str | None:
        problems: list[Problem] = []
        host_id = 0
        try:
            host_id = member_id(_text_of(self, "host"), field="host")
        except ValidationFailed as error:
            problems += error.problems
        settings: dict[str, Any] = {}
        try:
            settings = self.read_settings()
        except ValidationFailed as error:
            problems += error.problems
        if problems:
            raise ValidationFailed(problems)
        new = NewGame(
            guild_id=self.guild_id,
            channel_id=self.channel_id,
            title=_text_of(self, "title"),
            when=_text_of(self, "when"),
            description=_text_of(self, "description"),
            max_players=settings["max_players"],
            participants=_text_of(self, "participants"),
            reminder_minutes=settings["reminder_minutes"],
            rules=settings["rules"],
            duration_minutes=settings["duration_minutes"],
            category=settings["category"],
            ping_participants=self.query_one("#ping", Checkbox).value,
            host_id=host_id,
            zone=zone_for_typing(self.zone),
        )
        op = self.op
        created = await create_game(op.services, actor=op.actor, new=new, directory=op.directory)
        refused = await self._announce(created.game)
        if refused is not None:
            self.show_summary(refused)
            return None
        game = created.game
        return (
            f"Game #{game.id} ({game.title}) created; it starts {created.read_as}. "
            f"{await op.what_follows()}"
        )

    async def _announce(self, game: GameView) -> str | None:
        """Post the announcement when Discord is at hand; if Discord refuses it the game is
        removed again (as when the bot or the web cannot post) and the reason is returned."""
        core = self.op.core
        if core is None:
            return None
        try:
            await core.sync.announce_new(game.id)
        except DiscordError as error:
            return (
                "Discord did not accept the announcement, so the game was not created: "
                f"{why_not_announced(error)}."
            )
        return None


class EditGameScreen(_GameForm):
    """A scheduled game's fields and settings, prefilled; only what changed is sent."""

    def __init__(self, op: Operating, zone: tzinfo, *, game_id: int) -> None:
        super().__init__(op, zone)
        self.game_id = game_id
        self.heading = f"Edit game #{game_id}"
        self.initial: dict[str, str] = {}
        self.initial_ping = False

    async def load(self) -> None:
        game = await get_game(self.op.services, self.game_id)
        here = await channel_settings(
            self.op.services, guild_id=game.guild_id, channel_id=game.channel_id
        )
        self.query_one("#heading", Static).update(
            f"Edit game #{game.id} ({game.title}), starting {shown_time(game.start_at, self.zone)} "
            f"({zone_name(self.zone)}), in channel {game.channel_id}"
        )
        initial = {
            "title": game.title,
            "when": typed_time(game.start_at, self.zone),
            "description": game.description,
        }
        for setting in SETTINGS:
            own: Resolved[Any] = getattr(game.settings, setting.field)
            initial[setting.field] = "" if own.inherited else setting.typed(own.value)
        for name, text in initial.items():
            _set_text(self, name, text)
        self.initial = initial
        self.initial_ping = game.ping_participants
        self.query_one("#ping", Checkbox).value = game.ping_participants
        self.show_inherited(here.settings, game.settings)

    def _typed(self, name: str) -> Any:
        text = _text_of(self, name)
        return KEEP if text == self.initial.get(name) else text

    async def act(self) -> str | None:
        if not self.initial:  # the game could not be read: nothing to compare with
            await self.load()
        settings = self.read_settings(unchanged=self.initial)
        ping = self.query_one("#ping", Checkbox).value
        change = GameEdit(
            title=self._typed("title"),
            description=self._typed("description"),
            when=self._typed("when"),
            max_players=settings.get("max_players", KEEP),
            reminder_minutes=settings.get("reminder_minutes", KEEP),
            rules=settings.get("rules", KEEP),
            duration_minutes=settings.get("duration_minutes", KEEP),
            category=settings.get("category", KEEP),
            ping_participants=KEEP if ping == self.initial_ping else ping,
            zone=zone_for_typing(self.zone),
        )
        if change == GameEdit(zone=change.zone):
            self.show_summary("Nothing was changed: edit a field first, or press Escape.")
            return None
        edited = await edit_game(
            self.op.services, actor=self.op.actor, game_id=self.game_id, edit=change
        )
        game = edited.game
        starts = (
            edited.read_as or f"{shown_time(game.start_at, self.zone)} ({zone_name(self.zone)})"
        )
        return (
            f"Game #{game.id} ({game.title}) changed; it starts {starts}. "
            f"{await self.op.what_follows()}"
        )
