"""What every action screen shares: the dialog's frame, problems shown beside their fields and
in a summary, and the use cases' errors turned into one clear line (never a traceback).

A screen is a :class:`ActionScreen`: it loads what it shows in :meth:`ActionScreen.load` and
acts in :meth:`ActionScreen.act`, which returns the one-line message the screen dismisses with
(None: stay open). Both run through :meth:`ActionScreen.guarded`, so a refused change leaves
the screen open with every typed value kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from gamesched.app import Operating, ServiceUnavailable, database_in_use
from gamesched.discord.rest import DiscordError
from gamesched.domain.errors import DomainError, Problem, ValidationFailed
from gamesched.domain.settings import PLACE_FLAGS

log = logging.getLogger(__name__)

T = TypeVar("T")

FIELD_LABELS = {
    "channel": "Channel",
    "title": "Title",
    "when": "Start time",
    "host": "Host",
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
    "member": "Member",
    "placeholder": "Placeholder",
}
"""Each field's name as the summary of problems names it (as the web form does)."""

SORRY = (
    "Sorry, that did not work for a reason gamesched did not expect; nothing more is known "
    "here (the details are in the log)."
)


def label_of(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def problem_line(problem: Problem) -> str:
    text = f"{problem.entry}: {problem.message}" if problem.entry else problem.message
    if problem.suggestions:
        text += " Did you mean: " + ", ".join(s.label for s in problem.suggestions) + "?"
    return text


def shown_time(moment: datetime, zone: tzinfo) -> str:
    """A time in the operator's zone, as the dashboard shows it."""
    return moment.astimezone(zone).strftime("%a %-d %b %Y, %H:%M")


def typed_time(moment: datetime, zone: tzinfo) -> str:
    """A time in the operator's zone as it is typed back (``2026-12-05 19:00``)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def zone_name(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else (zone.tzname(None) or str(zone))


def zone_for_typing(zone: tzinfo) -> str | None:
    """The IANA name typed times are read in, when the operator's zone has one (else the
    host's zone, as in Discord)."""
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else None


MEMBER = re.compile(r"\s*(?:<@!?(\d{1,20})>|(\d{1,20}))\s*")


def member_id(text: str, *, field: str) -> int:
    """A member typed as an id or a mention; a ValidationFailed on ``field`` otherwise."""
    found = MEMBER.fullmatch(text)
    if found is None:
        what = "nothing" if not text.strip() else f"`{text.strip()[:40]}`"
        raise ValidationFailed(
            [
                Problem(
                    field,
                    f"{label_of(field)}: {what} is not a Discord id; give the member's id "
                    "(a number) or a mention like <@123>.",
                )
            ]
        )
    return int(found.group(1) or found.group(2))


async def display_names(op: Operating, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
    """Members' display names when Discord is at hand; their ids otherwise."""
    ids = list(dict.fromkeys(user_ids))
    if op.core is None or not ids:
        return {user_id: str(user_id) for user_id in ids}
    try:
        names = await op.core.names.resolve(guild_id, ids)
    except DiscordError:  # names are a nicety: ids still say who
        return {user_id: str(user_id) for user_id in ids}
    return {user_id: f"{names.get(user_id, user_id)} ({user_id})" for user_id in ids}


class ActionScreen(ModalScreen[str | None]):
    """A dialog that loads, lets the operator act, and dismisses with what was done."""

    DEFAULT_CSS = """
    ActionScreen {
        align: center middle;
    }
    ActionScreen #dialog {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 95%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ActionScreen #heading {
        text-style: bold;
        margin-bottom: 1;
    }
    ActionScreen .summary {
        color: $error;
        border: round $error;
        padding: 0 1;
        display: none;
    }
    ActionScreen .summary.shown {
        display: block;
    }
    ActionScreen .field-label {
        margin-top: 1;
    }
    ActionScreen .hint {
        color: $text-muted;
    }
    ActionScreen .field-error {
        color: $error;
        display: none;
    }
    ActionScreen .field-error.shown {
        display: block;
    }
    ActionScreen #buttons {
        height: auto;
        margin-top: 1;
    }
    ActionScreen #buttons Button {
        margin-right: 2;
    }
    ActionScreen TextArea {
        height: 4;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    heading = "gamesched"
    submit_label = "Save"
    back_label = "Cancel"

    def __init__(self, op: Operating) -> None:
        super().__init__()
        self.op = op
        self._busy = False
        self.loaded = False
        """True once :meth:`load` succeeded."""
        self.mounted = False
        """True once :meth:`load` ran, successfully or not (tests wait for it)."""
        self.attempts = 0
        """How many submits have run to their end (tests wait for it)."""

    # --- frame --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(self.heading, id="heading")
            yield Static("", id="summary", classes="summary")
            yield from self.body()
            with Horizontal(id="buttons"):
                yield Button(self.submit_label, id="submit", variant="primary")
                yield Button(self.back_label, id="back")

    def body(self) -> ComposeResult:
        """The dialog's own widgets."""
        return iter(())

    @staticmethod
    def field(
        name: str, widget: Widget, *, label: str | None = None, hint: str = ""
    ) -> Iterable[Widget]:
        """A labelled widget with its hint and the place its problems are shown."""
        yield Label(label or label_of(name), classes="field-label", id=f"{name}-label")
        yield widget
        if hint:
            yield Static(hint, classes="hint", id=f"{name}-hint", markup=False)
        yield Static("", classes="field-error", id=f"{name}-error", markup=False)

    # --- life -----------------------------------------------------------------------------

    async def on_mount(self) -> None:
        loaded = await self.guarded(self._load)
        self.loaded = loaded is not None
        self.mounted = True

    async def _load(self) -> bool:
        await self.load()
        return True

    async def load(self) -> None:
        """Read what the screen shows (NotFound and the like are shown in place)."""

    async def act(self) -> str | None:
        """Do the change; the message to dismiss with, or None to stay open."""
        return None

    def action_back(self) -> None:
        self.dismiss(None)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.dismiss(None)
        elif event.button.id == "submit":
            await self.submit()

    async def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self.clear_problems()
            done = await self.guarded(self.act)
            if done is not None:
                self.dismiss(done)
        finally:
            self._busy = False
            self.attempts += 1

    async def guarded(self, action: Callable[[], Awaitable[T]]) -> T | None:
        """Run ``action``; a refusal or an outage is shown in place and gives None."""
        try:
            with database_in_use():
                return await action()
        except ValidationFailed as error:
            self.show_problems(error.problems)
        except DomainError as error:
            self.show_summary(error.message)
        except DiscordError as error:
            self.show_summary(f"Discord did not answer as expected: {error.message}")
        except ServiceUnavailable as error:
            self.show_summary(str(error))
        except Exception:
            log.exception("%s failed", type(self).__name__)
            self.show_summary(SORRY)
        return None

    # --- problems -----------------------------------------------------------------------

    def clear_problems(self) -> None:
        for shown in self.query(".field-error"):
            if isinstance(shown, Static):
                shown.update("")
            shown.remove_class("shown")
        summary = self.query_one("#summary", Static)
        summary.update("")
        summary.remove_class("shown")

    def show_summary(self, text: str) -> None:
        """The line (or lines) at the top of the dialog, scrolled into view."""
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.add_class("shown")
        self.query_one("#dialog", VerticalScroll).scroll_home(animate=False)

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Each problem beside its field, and all of them in the summary."""
        unique = list(dict.fromkeys(problems))
        by_field: dict[str, list[str]] = {}
        for problem in unique:
            by_field.setdefault(problem.field, []).append(problem_line(problem))
        first: Widget | None = None
        for name, lines in by_field.items():
            found = self.query(f"#{name}-error")
            if not found:
                continue
            shown = found.first(Static)
            shown.update("\n".join(lines))
            shown.add_class("shown")
            if first is None:
                widget = self.query(f"#{name}")
                first = widget.first() if widget else None
        count = "this" if len(unique) == 1 else f"these {len(unique)} things"
        lines = [f"Nothing was saved: please fix {count}."]
        lines += [f"{label_of(p.field)}: {problem_line(p)}" for p in unique]
        self.show_summary("\n".join(lines))
        if first is not None and first.focusable:
            first.focus(scroll_visible=False)
            self.call_after_refresh(first.scroll_visible, animate=False)

    def problems_shown(self) -> dict[str, str]:
        """The text shown beside each field with a problem (tests read it)."""
        shown: dict[str, str] = {}
        for widget in self.query(".field-error.shown"):
            if isinstance(widget, Static) and widget.id is not None:
                shown[widget.id.removesuffix("-error")] = str(widget.render())
        return shown

    @property
    def summary_text(self) -> str:
        return str(self.query_one("#summary", Static).render())


def option_label(parts: Sequence[Any]) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))
