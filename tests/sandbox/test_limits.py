"""Discord's documented payload limits, each pinned at the limit and just past it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gamesched.discord import limits
from gamesched.sandbox.limits import (
    Violation,
    check_application_commands,
    check_interaction_callback,
    check_message,
    check_modal,
)

# --- payload builders -------------------------------------------------------------------------


def button(custom_id: str = "game:join:v1:1", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Join", "custom_id": custom_id, **extra}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def string_select(options: int | list[dict[str, Any]] = 2, **extra: Any) -> dict[str, Any]:
    """A string select with ``options`` generated options, or exactly the ones given."""
    if isinstance(options, int):
        options = [{"label": f"Option {i}", "value": f"v{i}"} for i in range(options)]
    return {"type": 3, "custom_id": "pick", "options": options, **extra}


def user_select(**extra: Any) -> dict[str, Any]:
    return {"type": 5, "custom_id": "who", **extra}


def text_input(custom_id: str = "title", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Title", **extra}


def label(component: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": 18, "label": "Title", "component": component, **extra}


def modal(components: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    inputs = [label(text_input())] if components is None else components
    return {"title": "Create a game", "custom_id": "game:create:v1", "components": inputs, **extra}


def command(name: str = "game", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Schedule a game session", **extra}


def option(name: str = "when", kind: int = 3, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": name, "description": "When it starts", **extra}


def message(**fields: Any) -> list[Violation]:
    return check_message(fields, creating=True)


def paths(violations: list[Violation]) -> set[str]:
    return {v.path for v in violations}


def sized_command(total: int) -> dict[str, Any]:
    """A chat-input command whose counted characters add up to exactly ``total``."""
    rest = total - 4  # "g" + "d" for the command, "o" + "d" for its option
    choices = []
    while rest > 0:
        name_length = min(100, rest)
        value_length = min(100, rest - name_length)
        rest -= name_length + value_length
        choices.append({"name": "n" * name_length, "value": "v" * value_length})
    return {
        "name": "g",
        "description": "d",
        "options": [{"type": 3, "name": "o", "description": "d", "choices": choices}],
    }


# --- boundaries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    """A numeric limit: the payload built at ``limit`` passes, one step past it fails."""

    check: Callable[[Any], list[Violation]]
    """The check under test."""
    build: Callable[[int], Any]
    """Builds a payload with the measured quantity set to the given number."""
    path: str
    """Where the violation is reported."""
    limit: int
    """The largest (``upper``) or smallest (not ``upper``) accepted value."""
    upper: bool = True
    """Whether ``limit`` is a maximum (else a minimum)."""


def new_message(payload: Any) -> list[Violation]:
    return check_message(payload, creating=True)


BOUNDARIES = {
    "content": Boundary(new_message, lambda n: {"content": "a" * n}, "content", 2000),
    "embed count": Boundary(new_message, lambda n: {"embeds": [{"title": "t"}] * n}, "embeds", 10),
    "embed title": Boundary(
        new_message, lambda n: {"embeds": [{"title": "a" * n}]}, "embeds[0].title", 256
    ),
    "embed description": Boundary(
        new_message,
        lambda n: {"embeds": [{"description": "a" * n}]},
        "embeds[0].description",
        4096,
    ),
    "embed field count": Boundary(
        new_message,
        lambda n: {"embeds": [{"fields": [{"name": "n", "value": "v"}] * n}]},
        "embeds[0].fields",
        25,
    ),
    "embed field name": Boundary(
        new_message,
        lambda n: {"embeds": [{"fields": [{"name": "a" * n, "value": "v"}]}]},
        "embeds[0].fields[0].name",
        256,
    ),
    "embed field value": Boundary(
        new_message,
        lambda n: {"embeds": [{"fields": [{"name": "n", "value": "a" * n}]}]},
        "embeds[0].fields[0].value",
        1024,
    ),
    "embed footer text": Boundary(
        new_message,
        lambda n: {"embeds": [{"footer": {"text": "a" * n}}]},
        "embeds[0].footer.text",
        2048,
    ),
    "embed author name": Boundary(
        new_message,
        lambda n: {"embeds": [{"author": {"name": "a" * n}}]},
        "embeds[0].author.name",
        256,
    ),
    "embed total": Boundary(
        new_message,
        lambda n: {"embeds": [{"description": "a" * 4096}, {"description": "b" * (n - 4096)}]},
        "embeds",
        6000,
    ),
    "action rows": Boundary(
        new_message,
        lambda n: {"components": [row(button(f"b{i}")) for i in range(n)]},
        "components",
        5,
    ),
    "buttons per row": Boundary(
        new_message,
        lambda n: {"components": [row(*(button(f"b{i}") for i in range(n)))]},
        "components[0].components",
        5,
    ),
    "custom_id longest": Boundary(
        new_message,
        lambda n: {"components": [row(button("a" * n))]},
        "components[0].components[0].custom_id",
        100,
    ),
    "custom_id shortest": Boundary(
        new_message,
        lambda n: {"components": [row(button("a" * n))]},
        "components[0].components[0].custom_id",
        1,
        upper=False,
    ),
    "button label": Boundary(
        new_message,
        lambda n: {"components": [row(button(label="a" * n))]},
        "components[0].components[0].label",
        80,
    ),
    "most select options": Boundary(
        new_message,
        lambda n: {"components": [row(string_select(n))]},
        "components[0].components[0].options",
        25,
    ),
    "fewest select options": Boundary(
        new_message,
        lambda n: {"components": [row(string_select(n))]},
        "components[0].components[0].options",
        1,
        upper=False,
    ),
    "select option label": Boundary(
        new_message,
        lambda n: {"components": [row(string_select([{"label": "a" * n, "value": "v"}]))]},
        "components[0].components[0].options[0].label",
        100,
    ),
    "select option value": Boundary(
        new_message,
        lambda n: {"components": [row(string_select([{"label": "l", "value": "a" * n}]))]},
        "components[0].components[0].options[0].value",
        100,
    ),
    "select option description": Boundary(
        new_message,
        lambda n: {
            "components": [
                row(string_select([{"label": "l", "value": "v", "description": "a" * n}]))
            ]
        },
        "components[0].components[0].options[0].description",
        100,
    ),
    "select placeholder": Boundary(
        new_message,
        lambda n: {"components": [row(string_select(placeholder="a" * n))]},
        "components[0].components[0].placeholder",
        150,
    ),
    "select min_values highest": Boundary(
        new_message,
        lambda n: {"components": [row(user_select(min_values=n, max_values=25))]},
        "components[0].components[0].min_values",
        25,
    ),
    "select min_values lowest": Boundary(
        new_message,
        lambda n: {"components": [row(user_select(min_values=n))]},
        "components[0].components[0].min_values",
        0,
        upper=False,
    ),
    "select max_values highest": Boundary(
        new_message,
        lambda n: {"components": [row(user_select(max_values=n))]},
        "components[0].components[0].max_values",
        25,
    ),
    "select max_values lowest": Boundary(
        new_message,
        lambda n: {"components": [row(user_select(min_values=0, max_values=n))]},
        "components[0].components[0].max_values",
        1,
        upper=False,
    ),
    "allowed user ids": Boundary(
        new_message,
        lambda n: {"content": "hi", "allowed_mentions": {"users": [str(i) for i in range(n)]}},
        "allowed_mentions.users",
        100,
    ),
    "allowed role ids": Boundary(
        new_message,
        lambda n: {"content": "hi", "allowed_mentions": {"roles": [str(i) for i in range(n)]}},
        "allowed_mentions.roles",
        100,
    ),
    "modal title longest": Boundary(check_modal, lambda n: modal(title="a" * n), "title", 45),
    "modal title shortest": Boundary(
        check_modal, lambda n: modal(title="a" * n), "title", 1, upper=False
    ),
    "modal custom_id": Boundary(check_modal, lambda n: modal(custom_id="a" * n), "custom_id", 100),
    "most modal components": Boundary(
        check_modal,
        lambda n: modal([label(text_input(f"t{i}")) for i in range(n)]),
        "components",
        5,
    ),
    "fewest modal components": Boundary(
        check_modal,
        lambda n: modal([label(text_input(f"t{i}")) for i in range(n)]),
        "components",
        1,
        upper=False,
    ),
    "text input label": Boundary(
        check_modal,
        lambda n: modal([row(text_input(label="a" * n))]),
        "components[0].components[0].label",
        45,
    ),
    "text input custom_id": Boundary(
        check_modal,
        lambda n: modal([label(text_input("a" * n))]),
        "components[0].component.custom_id",
        100,
    ),
    "text input min_length highest": Boundary(
        check_modal,
        lambda n: modal([label(text_input(min_length=n))]),
        "components[0].component.min_length",
        4000,
    ),
    "text input min_length lowest": Boundary(
        check_modal,
        lambda n: modal([label(text_input(min_length=n))]),
        "components[0].component.min_length",
        0,
        upper=False,
    ),
    "text input max_length highest": Boundary(
        check_modal,
        lambda n: modal([label(text_input(max_length=n))]),
        "components[0].component.max_length",
        4000,
    ),
    "text input max_length lowest": Boundary(
        check_modal,
        lambda n: modal([label(text_input(max_length=n))]),
        "components[0].component.max_length",
        1,
        upper=False,
    ),
    "text input value": Boundary(
        check_modal,
        lambda n: modal([label(text_input(value="a" * n))]),
        "components[0].component.value",
        4000,
    ),
    "text input placeholder": Boundary(
        check_modal,
        lambda n: modal([label(text_input(placeholder="a" * n))]),
        "components[0].component.placeholder",
        100,
    ),
    "label text": Boundary(
        check_modal,
        lambda n: modal([label(text_input(), label="a" * n)]),
        "components[0].label",
        45,
    ),
    "label description": Boundary(
        check_modal,
        lambda n: modal([label(text_input(), description="a" * n)]),
        "components[0].description",
        100,
    ),
    "text display": Boundary(
        check_modal,
        lambda n: modal([{"type": 10, "content": "a" * n}]),
        "components[0].content",
        4000,
    ),
    "autocomplete choice count": Boundary(
        check_interaction_callback,
        lambda n: {"type": 8, "data": {"choices": [{"name": "n", "value": "v"}] * n}},
        "data.choices",
        25,
    ),
    "autocomplete choice name": Boundary(
        check_interaction_callback,
        lambda n: {"type": 8, "data": {"choices": [{"name": "a" * n, "value": "v"}]}},
        "data.choices[0].name",
        100,
    ),
    "autocomplete choice value": Boundary(
        check_interaction_callback,
        lambda n: {"type": 8, "data": {"choices": [{"name": "n", "value": "a" * n}]}},
        "data.choices[0].value",
        100,
    ),
    "chat-input command count": Boundary(
        check_application_commands, lambda n: [command(f"c{i}") for i in range(n)], "", 100
    ),
    "user command count": Boundary(
        check_application_commands,
        lambda n: [{"type": 2, "name": f"U {i}"} for i in range(n)],
        "",
        15,
    ),
    "message command count": Boundary(
        check_application_commands,
        lambda n: [{"type": 3, "name": f"M {i}"} for i in range(n)],
        "",
        15,
    ),
    "command name": Boundary(
        check_application_commands, lambda n: [command("a" * n)], "[0].name", 32
    ),
    "command description longest": Boundary(
        check_application_commands,
        lambda n: [command(description="a" * n)],
        "[0].description",
        100,
    ),
    "command description shortest": Boundary(
        check_application_commands,
        lambda n: [command(description="a" * n)],
        "[0].description",
        1,
        upper=False,
    ),
    "option count": Boundary(
        check_application_commands,
        lambda n: [command(options=[option(f"o{i}") for i in range(n)])],
        "[0].options",
        25,
    ),
    "option name": Boundary(
        check_application_commands,
        lambda n: [command(options=[option("a" * n)])],
        "[0].options[0].name",
        32,
    ),
    "option description": Boundary(
        check_application_commands,
        lambda n: [command(options=[option(description="a" * n)])],
        "[0].options[0].description",
        100,
    ),
    "option choice count": Boundary(
        check_application_commands,
        lambda n: [command(options=[option(choices=[{"name": "n", "value": "v"}] * n)])],
        "[0].options[0].choices",
        25,
    ),
    "option choice name": Boundary(
        check_application_commands,
        lambda n: [command(options=[option(choices=[{"name": "a" * n, "value": "v"}])])],
        "[0].options[0].choices[0].name",
        100,
    ),
    "command total characters": Boundary(
        check_application_commands, lambda n: [sized_command(n)], "[0]", 4000
    ),
}


@pytest.mark.parametrize("boundary", BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_payload_at_limit_passes_and_one_past_it_fails(boundary: Boundary) -> None:
    """Discord accepts a payload exactly at each documented limit and rejects it one step past."""
    assert boundary.check(boundary.build(boundary.limit)) == []
    beyond = boundary.limit + 1 if boundary.upper else boundary.limit - 1
    assert boundary.path in paths(boundary.check(boundary.build(beyond)))


def test_limit_constants_are_the_documented_numbers() -> None:
    """The published constants carry Discord's numbers, so callers can size their output."""
    assert (limits.MAX_CONTENT_LENGTH, limits.MAX_EMBED_TOTAL_CHARACTERS) == (2000, 6000)
    assert (limits.MAX_CUSTOM_ID, limits.MAX_BUTTON_LABEL, limits.MAX_ACTION_ROWS) == (100, 80, 5)


# --- messages -----------------------------------------------------------------------------------


def test_violation_messages_say_how_much_to_shorten() -> None:
    """A too-long field is reported with its length, the limit and what to do."""
    [violation] = message(content="a" * 2001)
    assert violation == Violation(
        "content", "is 2001 characters long; Discord allows at most 2000 — shorten it by 1"
    )


def test_embed_limits_ignore_surrounding_whitespace() -> None:
    """Discord trims embed text before measuring it, so padding does not count."""
    assert message(embeds=[{"title": "  " + "a" * 256 + "\n"}]) == []


def test_new_message_needs_something_to_show() -> None:
    """Creating an empty message is rejected; any one of content/embeds/components suffices."""
    assert paths(message(content="", embeds=[])) == {""}
    assert message(embeds=[{"title": "Game night"}]) == []
    assert message(components=[row(button())]) == []


def test_edit_may_change_a_single_field() -> None:
    """An edit needs no content: disabling buttons alone is a valid edit."""
    assert check_message({"components": []}, creating=False) == []


def test_select_must_be_alone_in_its_row() -> None:
    """A select menu sharing an action row with a button is rejected."""
    violations = message(components=[row(string_select(), button())])
    assert "components[0].components" in paths(violations)


def test_custom_ids_must_be_unique_within_a_message() -> None:
    """Two components with the same custom_id are rejected, naming the first use."""
    violations = message(components=[row(button("same")), row(button("same"))])
    assert [v.path for v in violations] == ["components[1].components[0].custom_id"]
    assert "components[0].components[0].custom_id" in violations[0].message


def test_link_button_needs_url_and_no_custom_id() -> None:
    """Link buttons carry a url and no custom_id; a custom_id on one is rejected."""
    link = {"type": 2, "style": 5, "label": "Rules", "url": "https://example.org/rules"}
    assert message(components=[row(link)]) == []
    assert paths(message(components=[row({**link, "custom_id": "x"})])) == {
        "components[0].components[0].custom_id"
    }
    missing_url = {"type": 2, "style": 5, "label": "Rules"}
    assert paths(message(components=[row(missing_url)])) == {"components[0].components[0].url"}


def test_non_link_button_needs_custom_id_and_no_url() -> None:
    """An ordinary button without custom_id, or with a url, is rejected."""
    no_id = {"type": 2, "style": 1, "label": "Join"}
    assert paths(message(components=[row(no_id)])) == {"components[0].components[0].custom_id"}
    with_url = button(url="https://example.org")
    assert paths(message(components=[row(with_url)])) == {"components[0].components[0].url"}


def test_unknown_button_style_is_rejected() -> None:
    """A button style outside 1..6 is rejected."""
    assert paths(message(components=[row(button(style=7))])) == {
        "components[0].components[0].style"
    }


def test_top_level_components_must_be_action_rows() -> None:
    """A bare button at the top of a message is rejected with a hint to wrap it."""
    violations = message(components=[button()])
    assert paths(violations) == {"components[0].type"}
    assert "action row" in violations[0].message


def test_text_input_cannot_go_in_a_message() -> None:
    """A text input (modal-only component) inside a message's row is rejected."""
    assert paths(message(components=[row(text_input())])) == {"components[0].components[0].type"}


def test_min_values_cannot_exceed_max_values() -> None:
    """A select whose min_values is above its max_values is rejected."""
    violations = message(components=[row(user_select(min_values=3, max_values=2))])
    assert paths(violations) == {"components[0].components[0].min_values"}


def test_max_values_cannot_exceed_the_option_count() -> None:
    """A string select cannot let users pick more options than it offers."""
    violations = message(components=[row(string_select(2, max_values=3))])
    assert paths(violations) == {"components[0].components[0].max_values"}
    assert message(components=[row(string_select(3, max_values=3))]) == []


def test_allowed_mentions_parse_values_are_restricted() -> None:
    """parse accepts only users, roles and everyone."""
    violations = message(content="hi", allowed_mentions={"parse": ["users", "here"]})
    assert paths(violations) == {"allowed_mentions.parse[1]"}


@pytest.mark.parametrize("kind", ["users", "roles"])
def test_parse_and_id_list_of_the_same_kind_conflict(kind: str) -> None:
    """Listing ids while parse also names that kind is rejected; an empty list is allowed."""
    clash = {"parse": [kind], kind: ["1"]}
    assert paths(message(content="hi", allowed_mentions=clash)) == {f"allowed_mentions.{kind}"}
    assert message(content="hi", allowed_mentions={"parse": [kind], kind: []}) == []


def test_allowed_mention_ids_must_be_snowflakes() -> None:
    """Ids may be digit strings or integers; anything else is rejected."""
    allowed = {"users": ["12", 34, "abc", True]}
    assert paths(message(content="hi", allowed_mentions=allowed)) == {
        "allowed_mentions.users[2]",
        "allowed_mentions.users[3]",
    }


def test_malformed_shapes_are_reported_not_raised() -> None:
    """Wrong JSON types anywhere become violations instead of crashing the server."""
    violations = message(content=5, embeds={"title": "x"}, components=["row"])
    assert paths(violations) == {"content", "embeds", "components[0]"}
    not_an_object: Any = ["not", "an", "object"]
    assert paths(check_message(not_an_object, creating=True)) == {""}


# --- modals -------------------------------------------------------------------------------------


def test_legacy_modal_row_holds_exactly_one_text_input() -> None:
    """A modal action row with two text inputs, or with a select, is rejected."""
    two = modal([row(text_input("a"), text_input("b"))])
    assert paths(check_modal(two)) == {"components[0].components"}
    with_select = modal([row(string_select())])
    assert paths(check_modal(with_select)) == {"components[0].components[0].type"}
    assert check_modal(modal([row(text_input())])) == []


def test_text_input_label_is_required_only_outside_a_label() -> None:
    """A text input in an action row needs its own label; inside a label component it may not."""
    assert check_modal(modal([label(text_input(label=None))])) == []
    assert paths(check_modal(modal([row(text_input(label=None))]))) == {
        "components[0].components[0].label"
    }


def test_label_may_wrap_a_string_select() -> None:
    """A label around a string select is a valid modal field; its select rules apply."""
    assert check_modal(modal([label(string_select())])) == []
    assert paths(check_modal(modal([label(string_select(0))]))) == {
        "components[0].component.options"
    }


def test_unsupported_modal_components_are_named() -> None:
    """Components this server does not model in modals are rejected with what to use instead."""
    violations = check_modal(modal([label(user_select()), {"type": 19, "custom_id": "f"}]))
    assert paths(violations) == {"components[0].component.type", "components[1].type"}
    assert all("use" in v.message for v in violations)


def test_modal_custom_ids_must_be_unique() -> None:
    """Two fields of one modal with the same custom_id are rejected."""
    violations = check_modal(modal([label(text_input("x")), label(text_input("x"))]))
    assert paths(violations) == {"components[1].component.custom_id"}


def test_text_input_style_must_be_short_or_paragraph() -> None:
    """Text input styles other than 1 and 2 are rejected."""
    assert paths(check_modal(modal([label(text_input(style=3))]))) == {
        "components[0].component.style"
    }


def test_prefilled_value_must_fit_max_length() -> None:
    """A pre-filled value longer than the input's max_length is rejected."""
    violations = check_modal(modal([label(text_input(value="abcd", max_length=3))]))
    assert paths(violations) == {"components[0].component.value"}
    assert check_modal(modal([label(text_input(value="abc", max_length=3))])) == []


def test_min_length_cannot_exceed_max_length() -> None:
    """A text input with min_length above max_length is rejected."""
    violations = check_modal(modal([label(text_input(min_length=5, max_length=4))]))
    assert paths(violations) == {"components[0].component.min_length"}


# --- interaction callbacks ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [1, 5, 6])
def test_callbacks_without_data_are_valid(kind: int) -> None:
    """PONG and the deferred callbacks need no data."""
    assert check_interaction_callback({"type": kind}) == []


def test_message_callback_checks_its_data_as_a_new_message() -> None:
    """Type 4 must carry something to show, and its data obeys message limits."""
    assert paths(check_interaction_callback({"type": 4, "data": {"flags": 64}})) == {"data"}
    too_long = {"type": 4, "data": {"content": "a" * 2001}}
    assert paths(check_interaction_callback(too_long)) == {"data.content"}
    assert check_interaction_callback({"type": 4, "data": {"content": "Joined!"}}) == []


def test_update_callback_checks_its_data_as_an_edit() -> None:
    """Type 7 may change only the components, and component rules apply."""
    assert check_interaction_callback({"type": 7, "data": {"components": [row(button())]}}) == []
    duplicate = {"type": 7, "data": {"components": [row(button("a"), button("a"))]}}
    assert paths(check_interaction_callback(duplicate)) == {
        "data.components[0].components[1].custom_id"
    }


def test_modal_callback_checks_its_data_as_a_modal() -> None:
    """Type 9 data is checked with the modal rules."""
    assert check_interaction_callback({"type": 9, "data": modal()}) == []
    assert paths(check_interaction_callback({"type": 9, "data": modal(title="")})) == {"data.title"}


def test_autocomplete_choice_values_must_be_strings_or_numbers() -> None:
    """Autocomplete values may be strings or numbers, never booleans or objects."""
    good = [{"name": "a", "value": "x"}, {"name": "b", "value": 2}, {"name": "c", "value": 1.5}]
    assert check_interaction_callback({"type": 8, "data": {"choices": good}}) == []
    bad = {"type": 8, "data": {"choices": [{"name": "a", "value": True}]}}
    assert paths(check_interaction_callback(bad)) == {"data.choices[0].value"}


def test_unknown_callback_type_is_rejected() -> None:
    """A callback type Discord does not define for bots is rejected at its type."""
    violations = check_interaction_callback({"type": 3})
    assert paths(violations) == {"type"}
    assert "use 1" in violations[0].message


def test_callback_body_must_be_an_object() -> None:
    """A callback body that is not a JSON object is reported, not raised."""
    not_an_object: Any = [4]
    assert paths(check_interaction_callback(not_an_object)) == {""}


# --- application commands -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Game", "new game", "game!"])
def test_chat_input_names_are_lowercase_words(name: str) -> None:
    """Chat-input command names reject capitals, spaces and punctuation other than - and _."""
    assert paths(check_application_commands([command(name)])) == {"[0].name"}


def test_chat_input_names_accept_dashes_underscores_and_non_latin_letters() -> None:
    """Names like my-games, new_game and ゲーム are valid chat-input names."""
    assert (
        check_application_commands([command(n) for n in ("my-games", "new_game", "ゲーム")]) == []
    )


def test_context_menu_commands_take_free_names_and_no_description() -> None:
    """User and message commands may use capitals and spaces but carry no description."""
    assert check_application_commands([{"type": 2, "name": "Invite To Game"}]) == []
    described = [{"type": 3, "name": "Pin", "description": "pins"}]
    assert paths(check_application_commands(described)) == {"[0].description"}


def test_command_names_are_unique_per_type() -> None:
    """Two chat-input commands with one name are rejected; a user command may share it."""
    clash = [command("game"), command("game")]
    assert paths(check_application_commands(clash)) == {"[1].name"}
    assert check_application_commands([command("game"), {"type": 2, "name": "game"}]) == []


def test_option_names_are_unique() -> None:
    """Two options of one command with the same name are rejected."""
    violations = check_application_commands([command(options=[option("a"), option("a")])])
    assert paths(violations) == {"[0].options[1].name"}


def test_required_options_come_first() -> None:
    """A required option after an optional one is rejected."""
    late = [command(options=[option("a"), option("b", required=True)])]
    assert paths(check_application_commands(late)) == {"[0].options[1].required"}
    early = [command(options=[option("a", required=True), option("b")])]
    assert check_application_commands(early) == []


def test_only_string_and_number_options_take_choices() -> None:
    """Choices on a boolean option are rejected."""
    boolean = [command(options=[option(kind=5, choices=[{"name": "yes", "value": "y"}])])]
    assert paths(check_application_commands(boolean)) == {"[0].options[0].choices"}


def test_subcommand_nesting_rules() -> None:
    """Groups hold only subcommands; subcommands hold plain options; both are checked inside."""
    nested = command(
        options=[
            option("settings", kind=2, options=[option("show", kind=1, options=[option("Bad")])]),
            option("plain", kind=2, options=[option("value")]),
        ]
    )
    assert paths(check_application_commands([nested])) == {
        "[0].options[0].options[0].options[0].name",
        "[0].options[1].options[0].type",
    }


def test_longest_localization_counts_toward_the_command_size() -> None:
    """A long localized description counts instead of the short default one."""
    base = sized_command(4000)
    assert check_application_commands([base]) == []
    localized = {**base, "description_localizations": {"de": "dd"}}
    assert paths(check_application_commands([localized])) == {"[0]"}


def test_unknown_command_and_option_types_are_rejected() -> None:
    """Command types beyond 1..3 and option types beyond 1..11 are rejected at their type."""
    violations = check_application_commands(
        [{"type": 9, "name": "x"}, command(options=[option(kind=12)])]
    )
    assert paths(violations) == {"[0].type", "[1].options[0].type"}
