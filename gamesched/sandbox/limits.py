"""Discord's documented limits on what a bot may send, checked the way Discord's API checks them.

Each ``check_*`` function takes a decoded JSON payload and returns every broken rule as a
:class:`Violation`; an empty list means Discord would accept the payload. The checks never
raise on malformed input: a value of the wrong shape is itself reported as a violation.

The numbers themselves, each with its source, live in :mod:`gamesched.discord.limits`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gamesched.discord.limits import (
    ACTION_ROW,
    ALLOWED_MENTION_TYPES,
    AUTOCOMPLETE_RESULT,
    BUTTON,
    BUTTON_STYLES,
    CHANNEL_MESSAGE,
    CHAT_INPUT,
    CHAT_INPUT_NAME,
    CHOICE_NAME_RANGE,
    COMMAND_NAME_RANGE,
    COMMAND_TYPE_NAMES,
    DEFAULT_SELECT_VALUES,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    DESCRIPTION_RANGE,
    LABEL,
    LABEL_TEXT_RANGE,
    LINK_STYLE,
    MAX_ACTION_ROWS,
    MAX_ALLOWED_MENTION_IDS,
    MAX_BUTTON_LABEL,
    MAX_BUTTON_URL,
    MAX_BUTTONS_PER_ROW,
    MAX_CHOICE_STRING_VALUE,
    MAX_COMMAND_OPTIONS,
    MAX_COMMAND_TOTAL_CHARACTERS,
    MAX_COMMANDS_PER_TYPE,
    MAX_CONTENT_LENGTH,
    MAX_CUSTOM_ID,
    MAX_EMBED_AUTHOR_NAME,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_FIELD_NAME,
    MAX_EMBED_FIELD_VALUE,
    MAX_EMBED_FIELDS,
    MAX_EMBED_FOOTER_TEXT,
    MAX_EMBED_TITLE,
    MAX_EMBED_TOTAL_CHARACTERS,
    MAX_EMBEDS,
    MAX_LABEL_DESCRIPTION,
    MAX_MODAL_COMPONENTS,
    MAX_OPTION_CHOICES,
    MAX_SELECT_OPTION_TEXT,
    MAX_SELECT_OPTIONS,
    MAX_SELECT_PLACEHOLDER,
    MAX_TEXT_INPUT_PLACEHOLDER,
    MAX_TEXT_INPUT_VALUE,
    MAX_VALUES_RANGE,
    MIN_CUSTOM_ID,
    MIN_SELECT_OPTIONS,
    MIN_VALUES_RANGE,
    MODAL,
    MODAL_TITLE_RANGE,
    OPTION_TYPES,
    OPTION_TYPES_WITH_CHOICES,
    PONG,
    PREMIUM_STYLE,
    SELECT_TYPES,
    STRING_SELECT,
    SUBCOMMAND,
    SUBCOMMAND_GROUP,
    TEXT_DISPLAY,
    TEXT_DISPLAY_RANGE,
    TEXT_INPUT,
    TEXT_INPUT_MAX_LENGTH_RANGE,
    TEXT_INPUT_MIN_LENGTH_RANGE,
    TEXT_INPUT_STYLES,
    UPDATE_MESSAGE,
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in a payload."""

    path: str
    """Where in the payload, e.g. ``embeds[0].fields[3].value``; empty for the whole payload."""
    message: str
    """What is wrong and how to fix it."""
    code: str = "BASE_TYPE_INVALID"
    """Discord's code for the kind of problem, as its error body names it."""


# --- Public checks ------------------------------------------------------------------------------


def check_message(payload: Mapping[str, Any], *, creating: bool) -> list[Violation]:
    """Check a message body: create/edit, webhook follow-ups, interaction callback 4/7 data.

    ``creating`` demands something to show (content, embeds, components, attachments, stickers
    or a poll), as Discord does for new messages; edits may change a single field.
    """
    out = _Collector()
    _check_message(out, "", payload, creating=creating)
    return out.violations


def check_modal(data: Mapping[str, Any]) -> list[Violation]:
    """Check the ``data`` of a MODAL (type 9) interaction callback."""
    out = _Collector()
    _check_modal(out, "", data)
    return out.violations


def check_interaction_callback(body: Mapping[str, Any]) -> list[Violation]:
    """Check the body of POST /interactions/{id}/{token}/callback, dispatching on its type."""
    out = _Collector()
    callback = out.mapping("", body)
    if callback is None:
        return out.violations
    kind = callback.get("type")
    data = callback.get("data")
    if kind in (PONG, DEFERRED_UPDATE_MESSAGE):
        return out.violations
    if kind == CHANNEL_MESSAGE:
        _check_message(out, "data", data, creating=True)
    elif kind in (DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE):
        if data is not None:
            _check_message(out, "data", data, creating=False)
    elif kind == AUTOCOMPLETE_RESULT:
        _check_autocomplete(out, "data", data)
    elif kind == MODAL:
        _check_modal(out, "data", data)
    else:
        out.add(
            "type",
            f"{kind!r} is not an interaction callback type this server accepts; "
            "use 1 (pong), 4, 5, 6, 7 (messages), 8 (autocomplete) or 9 (modal)",
        )
    return out.violations


def check_application_commands(commands: Sequence[Any]) -> list[Violation]:
    """Check the body of a bulk overwrite of global or guild application commands."""
    out = _Collector()
    items = out.sequence("", commands, what="the command list")
    if items is None:
        return out.violations
    names_by_type: dict[int, set[str]] = {}
    counts: Counter[int] = Counter()
    for index, command in enumerate(items):
        path = f"[{index}]"
        fields = out.mapping(path, command)
        if fields is None:
            continue
        kind = fields.get("type", CHAT_INPUT)
        if kind not in COMMAND_TYPE_NAMES:
            out.add(f"{path}.type", f"{kind!r} is not a command type; use 1, 2 or 3")
            continue
        counts[kind] += 1
        _check_command(out, path, fields, kind=kind)
        name = fields.get("name")
        seen = names_by_type.setdefault(kind, set())
        if isinstance(name, str):
            if name in seen:
                out.add(
                    f"{path}.name",
                    f"another {COMMAND_TYPE_NAMES[kind]} command is already named {name!r}; "
                    "names must be unique per command type",
                )
            seen.add(name)
    for kind, limit in MAX_COMMANDS_PER_TYPE.items():
        count = counts[kind]
        if count > limit:
            out.add(
                "",
                f"{count} {COMMAND_TYPE_NAMES[kind]} commands; Discord allows at most "
                f"{limit} — remove {count - limit}",
            )
    return out.violations


# --- Collector and generic rules ----------------------------------------------------------------


class _Collector:
    """Accumulates violations; the generic shape and size rules live here, once."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def add(self, path: str, message: str) -> None:
        self.violations.append(Violation(path, message))

    def mapping(self, path: str, value: Any) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be a JSON object, not {_kind(value)}")
        return None

    def sequence(
        self,
        path: str,
        value: Any,
        *,
        what: str,
        low: int = 0,
        high: int | None = None,
    ) -> Sequence[Any] | None:
        """Return ``value`` if it is a list; report its size outside ``low..high``."""
        if not isinstance(value, list | tuple):
            self.add(path, f"{what} must be a list, not {_kind(value)}")
            return None
        if len(value) < low:
            self.add(path, f"{what} needs at least {low} item(s) but has {len(value)}")
        if high is not None and len(value) > high:
            self.add(
                path,
                f"{what} has {len(value)} items; Discord allows at most {high} — "
                f"remove {len(value) - high}",
            )
        return value

    def text(
        self,
        path: str,
        value: Any,
        *,
        high: int,
        low: int = 0,
        required: bool = False,
        trim: bool = False,
    ) -> int:
        """Check an optional string's length; return the length counted (0 when absent)."""
        if value is None:
            if required:
                self.add(path, f"is required: give it {low} to {high} characters")
            return 0
        if not isinstance(value, str):
            self.add(path, f"must be a string, not {_kind(value)}")
            return 0
        length = len(value.strip() if trim else value)
        if length > high:
            self.add(
                path,
                f"is {length} characters long; Discord allows at most {high} — shorten it "
                f"by {length - high}",
            )
        elif length < low:
            self.add(path, f"is {length} characters long; it needs at least {low}")
        return length

    def integer(self, path: str, value: Any, *, low: int, high: int) -> int | None:
        """Check an optional integer against ``low..high``; return it when it is an integer."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be an integer, not {_kind(value)}")
            return None
        if not low <= value <= high:
            self.add(path, f"is {value}; it must be between {low} and {high}")
        return value

    def custom_id(self, path: str, value: Any, seen: dict[str, str]) -> None:
        """A required custom id, unique among the ids recorded in ``seen`` (id -> path)."""
        self.text(path, value, low=MIN_CUSTOM_ID, high=MAX_CUSTOM_ID, required=True)
        if not isinstance(value, str):
            return
        if value in seen:
            self.add(
                path,
                f"custom_id {value!r} is already used by {seen[value]}; every component "
                "needs its own custom_id",
            )
        else:
            seen[value] = path

    def forbid(self, path: str, fields: Mapping[str, Any], keys: Iterable[str], why: str) -> None:
        for key in keys:
            if fields.get(key) is not None:
                self.add(f"{_join(path, key)}", f"must not be set: {why}")


def _kind(value: Any) -> str:
    """A short JSON-ish name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- Messages -----------------------------------------------------------------------------------


def _check_message(out: _Collector, path: str, payload: Any, *, creating: bool) -> None:
    message = out.mapping(path, payload)
    if message is None:
        return
    out.text(_join(path, "content"), message.get("content"), high=MAX_CONTENT_LENGTH)
    embeds = message.get("embeds")
    if embeds is not None:
        _check_embeds(out, _join(path, "embeds"), embeds)
    components = message.get("components")
    if components is not None:
        _check_message_components(out, _join(path, "components"), components)
    allowed = message.get("allowed_mentions")
    if allowed is not None:
        _check_allowed_mentions(out, _join(path, "allowed_mentions"), allowed)
    if creating and not any(
        message.get(key)
        for key in ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    ):
        out.add(
            path,
            "a new message must have content, embeds, components, attachments, stickers "
            "or a poll; Discord rejects an empty message",
        )


def _check_embeds(out: _Collector, path: str, value: Any) -> None:
    embeds = out.sequence(path, value, what="embeds", high=MAX_EMBEDS)
    if embeds is None:
        return
    total = 0
    for index, item in enumerate(embeds):
        epath = f"{path}[{index}]"
        embed = out.mapping(epath, item)
        if embed is None:
            continue
        total += out.text(f"{epath}.title", embed.get("title"), high=MAX_EMBED_TITLE, trim=True)
        total += out.text(
            f"{epath}.description",
            embed.get("description"),
            high=MAX_EMBED_DESCRIPTION,
            trim=True,
        )
        fields = embed.get("fields")
        if fields is not None:
            total += _check_embed_fields(out, f"{epath}.fields", fields)
        for key, sub, high in (
            ("footer", "text", MAX_EMBED_FOOTER_TEXT),
            ("author", "name", MAX_EMBED_AUTHOR_NAME),
        ):
            part = embed.get(key)
            if part is None:
                continue
            part_fields = out.mapping(f"{epath}.{key}", part)
            if part_fields is not None:
                total += out.text(
                    f"{epath}.{key}.{sub}", part_fields.get(sub), high=high, trim=True
                )
    if total > MAX_EMBED_TOTAL_CHARACTERS:
        out.add(
            path,
            f"the embeds hold {total} characters in titles, descriptions, fields, footers and "
            f"authors; Discord allows at most {MAX_EMBED_TOTAL_CHARACTERS} across all embeds "
            f"of a message — shorten them by {total - MAX_EMBED_TOTAL_CHARACTERS}",
        )


def _check_embed_fields(out: _Collector, path: str, value: Any) -> int:
    fields = out.sequence(path, value, what="embed fields", high=MAX_EMBED_FIELDS)
    total = 0
    for index, item in enumerate(fields or ()):
        fpath = f"{path}[{index}]"
        field = out.mapping(fpath, item)
        if field is None:
            continue
        total += out.text(
            f"{fpath}.name", field.get("name"), high=MAX_EMBED_FIELD_NAME, required=True, trim=True
        )
        total += out.text(
            f"{fpath}.value",
            field.get("value"),
            high=MAX_EMBED_FIELD_VALUE,
            required=True,
            trim=True,
        )
    return total


def _check_message_components(out: _Collector, path: str, value: Any) -> None:
    rows = out.sequence(path, value, what="components", high=MAX_ACTION_ROWS)
    seen: dict[str, str] = {}
    for index, item in enumerate(rows or ()):
        rpath = f"{path}[{index}]"
        row = out.mapping(rpath, item)
        if row is None:
            continue
        if row.get("type") != ACTION_ROW:
            out.add(
                f"{rpath}.type",
                f"top-level message components must be action rows (type 1), not "
                f"{row.get('type')!r}; put buttons and selects inside an action row",
            )
            continue
        children = out.sequence(
            f"{rpath}.components", row.get("components"), what="an action row's components", low=1
        )
        if children is None:
            continue
        kinds = [c.get("type") for c in children if isinstance(c, Mapping)]
        if any(kind in SELECT_TYPES for kind in kinds) and len(children) > 1:
            out.add(
                f"{rpath}.components",
                "a select menu must be alone in its action row; move the other components "
                "to another row",
            )
        elif len(children) > MAX_BUTTONS_PER_ROW:
            out.add(
                f"{rpath}.components",
                f"an action row holds at most {MAX_BUTTONS_PER_ROW} buttons but this one has "
                f"{len(children)}; move the rest to another row",
            )
        for position, child in enumerate(children):
            _check_row_child(out, f"{rpath}.components[{position}]", child, seen)


def _check_row_child(out: _Collector, path: str, value: Any, seen: dict[str, str]) -> None:
    component = out.mapping(path, value)
    if component is None:
        return
    kind = component.get("type")
    if kind == BUTTON:
        _check_button(out, path, component, seen)
    elif kind in SELECT_TYPES:
        _check_select(out, path, component, seen)
    else:
        out.add(
            f"{path}.type",
            f"component type {kind!r} cannot go in a message's action row; use buttons (2) "
            "or one select menu (3, 5, 6, 7, 8)",
        )


def _check_button(
    out: _Collector, path: str, button: Mapping[str, Any], seen: dict[str, str]
) -> None:
    style = button.get("style")
    if style not in BUTTON_STYLES:
        out.add(f"{path}.style", f"{style!r} is not a button style; use 1 to 6")
        return
    out.text(f"{path}.label", button.get("label"), high=MAX_BUTTON_LABEL)
    if style == LINK_STYLE:
        out.text(f"{path}.url", button.get("url"), low=1, high=MAX_BUTTON_URL, required=True)
        out.forbid(
            path,
            button,
            ("custom_id", "sku_id"),
            "link buttons open their url and send no interaction",
        )
    elif style == PREMIUM_STYLE:
        if button.get("sku_id") is None:
            out.add(f"{path}.sku_id", "is required on premium buttons")
        out.forbid(
            path,
            button,
            ("custom_id", "label", "url", "emoji"),
            "premium buttons show only their SKU",
        )
    else:
        out.custom_id(f"{path}.custom_id", button.get("custom_id"), seen)
        out.forbid(
            path,
            button,
            ("url", "sku_id"),
            "only link and premium buttons take a url or sku_id; use style 5 for a link",
        )


def _check_select(
    out: _Collector, path: str, select: Mapping[str, Any], seen: dict[str, str]
) -> None:
    out.custom_id(f"{path}.custom_id", select.get("custom_id"), seen)
    out.text(f"{path}.placeholder", select.get("placeholder"), high=MAX_SELECT_PLACEHOLDER)
    low = out.integer(
        f"{path}.min_values",
        select.get("min_values"),
        low=MIN_VALUES_RANGE[0],
        high=MIN_VALUES_RANGE[1],
    )
    high = out.integer(
        f"{path}.max_values",
        select.get("max_values"),
        low=MAX_VALUES_RANGE[0],
        high=MAX_VALUES_RANGE[1],
    )
    lowest = DEFAULT_SELECT_VALUES if low is None else low
    highest = DEFAULT_SELECT_VALUES if high is None else high
    if lowest > highest:
        out.add(
            f"{path}.min_values",
            f"min_values {lowest} is greater than max_values {highest}; lower min_values",
        )
    if select.get("type") != STRING_SELECT:
        return
    options = out.sequence(
        f"{path}.options",
        select.get("options"),
        what="select options",
        low=MIN_SELECT_OPTIONS,
        high=MAX_SELECT_OPTIONS,
    )
    if options is None:
        return
    if options and highest > len(options):
        out.add(
            f"{path}.max_values",
            f"max_values {highest} exceeds the {len(options)} option(s) offered; lower it",
        )
    for index, item in enumerate(options):
        opath = f"{path}.options[{index}]"
        option = out.mapping(opath, item)
        if option is None:
            continue
        for key in ("label", "value"):
            out.text(
                f"{opath}.{key}", option.get(key), low=1, high=MAX_SELECT_OPTION_TEXT, required=True
            )
        out.text(f"{opath}.description", option.get("description"), high=MAX_SELECT_OPTION_TEXT)


def _check_allowed_mentions(out: _Collector, path: str, value: Any) -> None:
    allowed = out.mapping(path, value)
    if allowed is None:
        return
    parse = allowed.get("parse")
    parsed: set[str] = set()
    if parse is not None:
        for index, kind in enumerate(out.sequence(f"{path}.parse", parse, what="parse") or ()):
            if kind in ALLOWED_MENTION_TYPES:
                parsed.add(kind)
            else:
                out.add(
                    f"{path}.parse[{index}]",
                    f"{kind!r} is not a mention type; use 'users', 'roles' or 'everyone'",
                )
    for key in ("users", "roles"):
        ids = allowed.get(key)
        if ids is None:
            continue
        kpath = f"{path}.{key}"
        listed = out.sequence(kpath, ids, what=key, high=MAX_ALLOWED_MENTION_IDS)
        for index, item in enumerate(listed or ()):
            if not is_snowflake(item):
                out.add(f"{kpath}[{index}]", f"{item!r} is not an id; give a snowflake")
        if listed and key in parsed:
            out.add(
                kpath,
                f"cannot list {key} while parse contains {key!r}; Discord rejects both — "
                f"either remove {key!r} from parse or drop the list",
            )
    replied = allowed.get("replied_user")
    if replied is not None and not isinstance(replied, bool):
        out.add(f"{path}.replied_user", f"must be true or false, not {_kind(replied)}")


def is_snowflake(value: Any) -> bool:
    """Whether ``value`` is an id: a decimal string, or an integer (disnake sends those)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isascii() and value.isdigit()


# --- Modals and autocomplete --------------------------------------------------------------------


def _check_modal(out: _Collector, path: str, value: Any) -> None:
    modal = out.mapping(path, value)
    if modal is None:
        return
    out.text(
        _join(path, "title"),
        modal.get("title"),
        low=MODAL_TITLE_RANGE[0],
        high=MODAL_TITLE_RANGE[1],
        required=True,
    )
    out.text(
        _join(path, "custom_id"),
        modal.get("custom_id"),
        low=MIN_CUSTOM_ID,
        high=MAX_CUSTOM_ID,
        required=True,
    )
    cpath = _join(path, "components")
    components = out.sequence(
        cpath,
        modal.get("components"),
        what="a modal's components",
        low=1,
        high=MAX_MODAL_COMPONENTS,
    )
    seen: dict[str, str] = {}
    for index, item in enumerate(components or ()):
        _check_modal_component(out, f"{cpath}[{index}]", item, seen)


def _check_modal_component(out: _Collector, path: str, value: Any, seen: dict[str, str]) -> None:
    component = out.mapping(path, value)
    if component is None:
        return
    kind = component.get("type")
    if kind == ACTION_ROW:
        children = out.sequence(
            f"{path}.components",
            component.get("components"),
            what="a modal action row's components",
            low=1,
            high=1,
        )
        for index, child in enumerate(children or ()):
            cpath = f"{path}.components[{index}]"
            fields = out.mapping(cpath, child)
            if fields is None:
                continue
            if fields.get("type") != TEXT_INPUT:
                out.add(
                    f"{cpath}.type",
                    "a modal action row holds exactly one text input "
                    "(type 4); wrap selects in a label (type 18) instead",
                )
                continue
            _check_text_input(out, cpath, fields, seen, in_label=False)
    elif kind == LABEL:
        out.text(
            f"{path}.label",
            component.get("label"),
            low=LABEL_TEXT_RANGE[0],
            high=LABEL_TEXT_RANGE[1],
            required=True,
        )
        out.text(
            f"{path}.description", component.get("description"), low=1, high=MAX_LABEL_DESCRIPTION
        )
        inner_path = f"{path}.component"
        inner = out.mapping(inner_path, component.get("component"))
        if inner is None:
            return
        if inner.get("type") == TEXT_INPUT:
            _check_text_input(out, inner_path, inner, seen, in_label=True)
        elif inner.get("type") == STRING_SELECT:
            _check_select(out, inner_path, inner, seen)
        else:
            out.add(
                f"{inner_path}.type",
                f"component type {inner.get('type')!r} inside a label is not supported "
                "here; use a text input (4) or a string select (3)",
            )
    elif kind == TEXT_DISPLAY:
        out.text(
            f"{path}.content",
            component.get("content"),
            low=TEXT_DISPLAY_RANGE[0],
            high=TEXT_DISPLAY_RANGE[1],
            required=True,
        )
    else:
        out.add(
            f"{path}.type",
            f"component type {kind!r} is not supported at the top of a modal; use a label "
            "(18) around a text input or string select, a text display (10), or an action "
            "row (1) with one text input",
        )


def _check_text_input(
    out: _Collector,
    path: str,
    text_input: Mapping[str, Any],
    seen: dict[str, str],
    *,
    in_label: bool,
) -> None:
    """A text input; inside a label the label text comes from the label, so its own is optional."""
    out.custom_id(f"{path}.custom_id", text_input.get("custom_id"), seen)
    style = text_input.get("style")
    if style not in TEXT_INPUT_STYLES:
        out.add(
            f"{path}.style", f"{style!r} is not a text input style; use 1 (short) or 2 (paragraph)"
        )
    out.text(
        f"{path}.label",
        text_input.get("label"),
        low=LABEL_TEXT_RANGE[0],
        high=LABEL_TEXT_RANGE[1],
        required=not in_label,
    )
    low = out.integer(
        f"{path}.min_length",
        text_input.get("min_length"),
        low=TEXT_INPUT_MIN_LENGTH_RANGE[0],
        high=TEXT_INPUT_MIN_LENGTH_RANGE[1],
    )
    high = out.integer(
        f"{path}.max_length",
        text_input.get("max_length"),
        low=TEXT_INPUT_MAX_LENGTH_RANGE[0],
        high=TEXT_INPUT_MAX_LENGTH_RANGE[1],
    )
    if low is not None and high is not None and low > high:
        out.add(
            f"{path}.min_length",
            f"min_length {low} is greater than max_length {high}; lower min_length",
        )
    value_length = out.text(f"{path}.value", text_input.get("value"), high=MAX_TEXT_INPUT_VALUE)
    if high is not None and value_length > high:
        out.add(
            f"{path}.value",
            f"the pre-filled value is {value_length} characters but max_length is {high}; "
            "shorten the value or raise max_length",
        )
    out.text(f"{path}.placeholder", text_input.get("placeholder"), high=MAX_TEXT_INPUT_PLACEHOLDER)


def _check_autocomplete(out: _Collector, path: str, value: Any) -> None:
    data = out.mapping(path, value)
    if data is None:
        return
    choices = out.sequence(
        f"{path}.choices", data.get("choices"), what="choices", high=MAX_OPTION_CHOICES
    )
    for index, item in enumerate(choices or ()):
        _check_choice(out, f"{path}.choices[{index}]", item)


def _check_choice(out: _Collector, path: str, value: Any) -> None:
    choice = out.mapping(path, value)
    if choice is None:
        return
    out.text(
        f"{path}.name",
        choice.get("name"),
        low=CHOICE_NAME_RANGE[0],
        high=CHOICE_NAME_RANGE[1],
        required=True,
    )
    choice_value = choice.get("value")
    if isinstance(choice_value, str):
        out.text(f"{path}.value", choice_value, high=MAX_CHOICE_STRING_VALUE)
    elif isinstance(choice_value, bool) or not isinstance(choice_value, int | float):
        out.add(
            f"{path}.value", f"must be a string, an integer or a number, not {_kind(choice_value)}"
        )


# --- Application commands -----------------------------------------------------------------------


def _check_command(out: _Collector, path: str, command: Mapping[str, Any], *, kind: int) -> None:
    if kind != CHAT_INPUT:
        out.text(
            f"{path}.name",
            command.get("name"),
            low=COMMAND_NAME_RANGE[0],
            high=COMMAND_NAME_RANGE[1],
            required=True,
        )
        if command.get("description"):
            out.add(
                f"{path}.description",
                f"{COMMAND_TYPE_NAMES[kind]} commands take an empty description",
            )
        if command.get("options"):
            out.add(f"{path}.options", f"{COMMAND_TYPE_NAMES[kind]} commands take no options")
        return
    _check_named(out, path, command)
    options = command.get("options")
    if options is not None:
        _check_options(out, f"{path}.options", options, parent=None)
    total = _command_characters(command)
    if total > MAX_COMMAND_TOTAL_CHARACTERS:
        out.add(
            path,
            f"command {command.get('name')!r} has {total} characters in its names, "
            f"descriptions and choices; Discord allows at most "
            f"{MAX_COMMAND_TOTAL_CHARACTERS} — shorten them by "
            f"{total - MAX_COMMAND_TOTAL_CHARACTERS}",
        )


def _check_named(out: _Collector, path: str, item: Mapping[str, Any]) -> None:
    """Name and description rules shared by chat-input commands and all their options."""
    name = item.get("name")
    out.text(
        f"{path}.name", name, low=COMMAND_NAME_RANGE[0], high=COMMAND_NAME_RANGE[1], required=True
    )
    if isinstance(name, str) and name and len(name) <= COMMAND_NAME_RANGE[1]:
        if not CHAT_INPUT_NAME.match(name):
            out.add(f"{path}.name", f"{name!r} may only hold letters, digits, '-' and '_'")
        elif name != name.lower():
            out.add(f"{path}.name", f"{name!r} must be lowercase: use {name.lower()!r}")
    out.text(
        f"{path}.description",
        item.get("description"),
        low=DESCRIPTION_RANGE[0],
        high=DESCRIPTION_RANGE[1],
        required=True,
    )


def _check_options(out: _Collector, path: str, value: Any, *, parent: int | None) -> None:
    """Options of a command (``parent`` None), a subcommand group or a subcommand."""
    options = out.sequence(path, value, what="options", high=MAX_COMMAND_OPTIONS)
    names: set[str] = set()
    seen_optional = False
    for index, item in enumerate(options or ()):
        opath = f"{path}[{index}]"
        option = out.mapping(opath, item)
        if option is None:
            continue
        kind = option.get("type")
        if kind not in OPTION_TYPES:
            out.add(f"{opath}.type", f"{kind!r} is not an option type; use 1 to 11")
            continue
        _check_named(out, opath, option)
        name = option.get("name")
        if isinstance(name, str):
            if name in names:
                out.add(
                    f"{opath}.name",
                    f"another option is already named {name!r}; option names must be unique",
                )
            names.add(name)
        nested = kind in (SUBCOMMAND, SUBCOMMAND_GROUP)
        if parent == SUBCOMMAND_GROUP and kind != SUBCOMMAND:
            out.add(f"{opath}.type", "a subcommand group may only contain subcommands (type 1)")
        elif parent == SUBCOMMAND and nested:
            out.add(f"{opath}.type", "a subcommand cannot contain subcommands or groups")
        if nested:
            if option.get("options") is not None:
                _check_options(out, f"{opath}.options", option["options"], parent=kind)
            continue
        if option.get("required"):
            if seen_optional:
                out.add(
                    f"{opath}.required",
                    f"required option {name!r} comes after an "
                    "optional one; list required options first",
                )
        else:
            seen_optional = True
        choices = option.get("choices")
        if choices is None:
            continue
        if kind not in OPTION_TYPES_WITH_CHOICES:
            out.add(f"{opath}.choices", "only string, integer and number options take choices")
            continue
        listed = out.sequence(f"{opath}.choices", choices, what="choices", high=MAX_OPTION_CHOICES)
        for position, choice in enumerate(listed or ()):
            _check_choice(out, f"{opath}.choices[{position}]", choice)


def _command_characters(item: Mapping[str, Any]) -> int:
    """Characters Discord counts toward a command's 4000: names, descriptions, string values."""
    total = _longest(item, "name") + _longest(item, "description")
    value = item.get("value")
    if isinstance(value, str):
        total += len(value)
    for key in ("options", "choices"):
        children = item.get(key)
        if isinstance(children, list | tuple):
            total += sum(_command_characters(c) for c in children if isinstance(c, Mapping))
    return total


def _longest(item: Mapping[str, Any], key: str) -> int:
    """Length of a field, or of its longest localization when that is longer."""
    variants = [item.get(key)]
    localizations = item.get(f"{key}_localizations")
    if isinstance(localizations, Mapping):
        variants.extend(localizations.values())
    return max((len(v) for v in variants if isinstance(v, str)), default=0)
