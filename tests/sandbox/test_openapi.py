"""Request bodies checked against Discord's own OpenAPI description."""

from __future__ import annotations

from typing import Any

import disnake
from disnake import ui

from gamesched.sandbox.limits import check_interaction_callback, check_message
from gamesched.sandbox.openapi import DiscordSpec

MESSAGES = "/api/v10/channels/123/messages"
CALLBACK = "/api/v10/interactions/456/a-token/callback"


def announcement(custom_id: str = "game:join:v1:1") -> dict[str, Any]:
    return {
        "content": "A new game is up!",
        "embeds": [{"title": "Catan", "description": "Bring snacks", "color": 0x2F3136}],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 3, "label": "Join", "custom_id": custom_id},
                    {"type": 2, "style": 2, "label": "Leave", "custom_id": "game:leave:v1:1"},
                ],
            }
        ],
        "allowed_mentions": {"parse": []},
    }


def test_valid_message_create_passes(spec: DiscordSpec) -> None:
    """An announcement with embed, buttons and silenced mentions is a valid Create Message."""
    assert spec.validate_request("POST", MESSAGES, announcement()) == []


def test_custom_id_over_100_characters_fails(spec: DiscordSpec) -> None:
    """A 101-character custom_id is rejected with its path; 100 characters pass."""
    assert spec.validate_request("POST", MESSAGES, announcement("a" * 100)) == []
    assert spec.validate_request("POST", MESSAGES, announcement("a" * 101)) == [
        "components[0].components[0].custom_id: is 101 characters long; Discord allows at most 100"
    ]


def test_wrong_type_fails(spec: DiscordSpec) -> None:
    """A field of the wrong JSON type is rejected, naming the field and the expected type."""
    [problem] = spec.validate_request("POST", MESSAGES, {"content": 42})
    assert problem.startswith("content: 42 has the wrong type")


def test_message_callback_validates(spec: DiscordSpec) -> None:
    """An ephemeral type 4 callback is valid; its data obeys the 2000-character content limit."""
    body = {"type": 4, "data": {"content": "You joined Catan.", "flags": 64}}
    assert spec.validate_request("POST", CALLBACK, body) == []
    too_long = {"type": 4, "data": {"content": "a" * 2001}}
    assert spec.validate_request("POST", CALLBACK, too_long) == [
        "data.content: is 2001 characters long; Discord allows at most 2000"
    ]


def test_modal_callback_validates(spec: DiscordSpec) -> None:
    """Type 9 with label-wrapped and legacy row-wrapped text inputs is valid."""
    body = {
        "type": 9,
        "data": {
            "custom_id": "game:create:v1",
            "title": "Create a game",
            "components": [
                {
                    "type": 18,
                    "label": "Title",
                    "component": {"type": 4, "custom_id": "t", "style": 1},
                },
                {
                    "type": 1,
                    "components": [{"type": 4, "custom_id": "w", "style": 2, "label": "When"}],
                },
            ],
        },
    }
    assert spec.validate_request("POST", CALLBACK, body) == []


def test_bad_modal_field_is_reported_inside_its_branch(spec: DiscordSpec) -> None:
    """A bad text input style is reported at its own path, not as 'no union branch matched'."""
    body = {
        "type": 9,
        "data": {
            "custom_id": "m",
            "title": "Create a game",
            "components": [
                {
                    "type": 18,
                    "label": "Title",
                    "component": {"type": 4, "custom_id": "t", "style": 3},
                }
            ],
        },
    }
    assert spec.validate_request("POST", CALLBACK, body) == [
        "data.components[0].component.style: 3 is not one of [1, 2]"
    ]


def test_unknown_callback_type_lists_the_known_ones(spec: DiscordSpec) -> None:
    """A callback type no request kind accepts is reported with the accepted types."""
    [problem] = spec.validate_request("POST", CALLBACK, {"type": 99})
    assert problem.startswith("type: 99 is not allowed here; use one of [1, 4, 5, 6, 7, 8, 9")


def test_webhook_followup_and_original_edit_validate(spec: DiscordSpec) -> None:
    """Interaction follow-ups and @original edits are checked with the webhook body schemas."""
    followup = "/api/v10/webhooks/789/a-token?wait=true"
    assert spec.validate_request("POST", followup, {"content": "Reminder sent"}) == []
    assert spec.validate_request("POST", followup, {"content": "a" * 2001}) == [
        "content: is 2001 characters long; Discord allows at most 2000"
    ]
    original = "/api/v10/webhooks/789/a-token/messages/@original"
    assert spec.validate_request("PATCH", original, {"components": []}) == []
    [problem] = spec.validate_request("PATCH", original, {"embeds": [{}] * 11})
    assert problem.startswith("embeds: has 11 items")


def test_templated_path_matches_concrete_path(spec: DiscordSpec) -> None:
    """A concrete URL, with or without /api/v10 and a query, finds its templated operation."""
    for path in (MESSAGES, "/channels/123/messages", "/channels/123/messages/?limit=5"):
        operation = spec.find_operation("post", path)
        assert operation is not None
        assert (operation.method, operation.path_template) == (
            "POST",
            "/channels/{channel_id}/messages",
        )
        assert operation.operation_id == "create_message"


def template(spec: DiscordSpec, method: str, path: str) -> str | None:
    operation = spec.find_operation(method, path)
    return None if operation is None else operation.path_template


def test_literal_segments_beat_parameters(spec: DiscordSpec) -> None:
    """/messages/@original and /messages/pins resolve to their own operations, not {message_id}."""
    webhook = "/webhooks/{webhook_id}/{webhook_token}/messages"
    assert template(spec, "PATCH", "/webhooks/1/t/messages/@original") == f"{webhook}/@original"
    assert template(spec, "PATCH", "/webhooks/1/t/messages/555") == f"{webhook}/{{message_id}}"
    pins = "/channels/{channel_id}/messages/pins"
    assert template(spec, "GET", "/channels/1/messages/pins") == pins


def test_unknown_path_or_method_is_one_message(spec: DiscordSpec) -> None:
    """A request to no known operation yields a single message saying so."""
    assert spec.find_operation("POST", "/nowhere/1") is None
    assert spec.find_operation("PUT", MESSAGES) is None
    [problem] = spec.validate_request("PUT", MESSAGES, {})
    assert "is not an operation in Discord's API description" in problem


def test_operations_without_json_body(spec: DiscordSpec) -> None:
    """A bodiless operation accepts no body and rejects one; a body-taking one needs it."""
    assert spec.validate_request("GET", "/api/v10/channels/123", None) == []
    assert spec.validate_request("GET", "/api/v10/channels/123", {"x": 1}) != []
    assert spec.validate_request("POST", MESSAGES, None) == [
        "POST /channels/{channel_id}/messages needs a JSON body"
    ]


def test_ids_may_be_integers_but_not_words(spec: DiscordSpec) -> None:
    """Snowflakes are accepted as digit strings or integers (as disnake sends), never as words."""
    for users in (["123"], [123]):
        body = {"content": "hi", "allowed_mentions": {"users": users}}
        assert spec.validate_request("POST", MESSAGES, body) == []
    bad = {"content": "hi", "allowed_mentions": {"users": ["alice"]}}
    assert spec.validate_request("POST", MESSAGES, bad) != []


def test_bulk_command_overwrite_validates(spec: DiscordSpec) -> None:
    """A bulk overwrite of slash commands validates; an over-long name is rejected."""
    commands = [{"name": "game", "description": "Schedule games", "type": 1}]
    path = "/api/v10/applications/1/commands"
    assert spec.validate_request("PUT", path, commands) == []
    [problem] = spec.validate_request("PUT", path, [{"name": "a" * 33}])
    assert problem == "[0].name: is 33 characters long; Discord allows at most 32"


def test_disnake_payloads_pass_spec_and_limits(spec: DiscordSpec) -> None:
    """What disnake sends for our modal, buttons, embed and mentions passes both checkers."""
    modal = ui.Modal(
        title="Create a game",
        custom_id="game:create:v1",
        components=[
            ui.Label("Title", ui.TextInput(custom_id="title", max_length=100)),
            ui.Label("When", ui.TextInput(custom_id="when", value="tomorrow 8pm")),
        ],
    )
    modal_body = {"type": 9, "data": modal.to_components()}
    buttons = ui.ActionRow(
        ui.Button(label="Join", custom_id="game:join:v1:1", style=disnake.ButtonStyle.success),
        ui.Button(label="Leave", custom_id="game:leave:v1:1"),
    )
    embed = disnake.Embed(title="Catan", description="Bring snacks").add_field("Players", "1/4")
    mentions = disnake.AllowedMentions(everyone=False, roles=False, users=[disnake.Object(5)])
    message = {
        "content": "<@5> is hosting",
        "embeds": [embed.to_dict()],
        "components": [buttons.to_component_dict()],
        "allowed_mentions": mentions.to_dict(),
    }
    assert spec.validate_request("POST", CALLBACK, modal_body) == []
    assert check_interaction_callback(modal_body) == []
    assert spec.validate_request("POST", MESSAGES, message) == []
    assert check_message(message, creating=True) == []
