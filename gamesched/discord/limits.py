"""Discord's documented limits on what a bot may send: the numbers, in one place.

Render, the bot and the sandbox (which checks payloads the way Discord does, see
:mod:`gamesched.sandbox.limits`) all take them from here, so production code never depends on
the sandbox.

Numbers come from Discord's developer documentation and from its OpenAPI description
(discord/discord-api-spec, ``specs/openapi.json``), cited per constant as ``Schema.field``.
Where the two disagree, the comment says which one is enforced and why.
"""

from __future__ import annotations

import re
from typing import Final

# --- Message content, embeds ------------------------------------------------------------------

MAX_CONTENT_LENGTH: Final = 2000
"""Create Message ``content`` ("up to 2000 characters"); ``IncomingWebhookInteractionRequest``
and ``IncomingWebhookRequestPartial.content`` maxLength. The spec's ``MessageCreateRequest``
says 4000, which is the Nitro limit for user accounts, not for bots."""
MAX_EMBEDS: Final = 10
"""``MessageCreateRequest.embeds`` maxItems."""
MAX_EMBED_TITLE: Final = 256
"""``RichEmbed.title`` maxLength; docs "Embed Limits"."""
MAX_EMBED_DESCRIPTION: Final = 4096
"""``RichEmbed.description`` maxLength; docs "Embed Limits"."""
MAX_EMBED_FIELDS: Final = 25
"""``RichEmbed.fields`` maxItems."""
MAX_EMBED_FIELD_NAME: Final = 256
"""``RichEmbedField.name`` maxLength."""
MAX_EMBED_FIELD_VALUE: Final = 1024
"""``RichEmbedField.value`` maxLength."""
MAX_EMBED_FOOTER_TEXT: Final = 2048
"""``RichEmbedFooter.text`` maxLength."""
MAX_EMBED_AUTHOR_NAME: Final = 256
"""``RichEmbedAuthor.name`` maxLength."""
MAX_EMBED_TOTAL_CHARACTERS: Final = 6000
"""Docs "Embed Limits": title, description, field names and values, footer text and author name
summed over all embeds of one message (a cross-field rule the spec cannot express). The docs
also say leading and trailing whitespace is trimmed before any embed limit is measured."""

# --- Message components (classic action-row layout) -------------------------------------------

MAX_ACTION_ROWS: Final = 5
"""Docs "Action Row": a message holds up to 5 action rows. The spec's ``components`` maxItems
of 40 is the total for the newer layout components (flag IS_COMPONENTS_V2), not modelled here."""
MAX_BUTTONS_PER_ROW: Final = 5
"""``ActionRowComponentForMessageRequest.components`` maxItems."""
MIN_CUSTOM_ID: Final = 1
"""``ButtonComponentForMessageRequest.custom_id`` minLength (same for selects, text inputs)."""
MAX_CUSTOM_ID: Final = 100
"""``ButtonComponentForMessageRequest.custom_id`` maxLength (same for selects, text inputs,
modals)."""
MAX_BUTTON_LABEL: Final = 80
"""``ButtonComponentForMessageRequest.label`` maxLength."""
MAX_BUTTON_URL: Final = 512
"""``ButtonComponentForMessageRequest.url`` maxLength."""
MIN_SELECT_OPTIONS: Final = 1
"""``StringSelectComponentForMessageRequest.options`` minItems."""
MAX_SELECT_OPTIONS: Final = 25
"""``StringSelectComponentForMessageRequest.options`` maxItems."""
MAX_SELECT_OPTION_TEXT: Final = 100
"""``StringSelectOptionForRequest`` label, value and description maxLength."""
MAX_SELECT_PLACEHOLDER: Final = 150
"""``StringSelectComponentForMessageRequest.placeholder`` maxLength."""
MIN_VALUES_RANGE: Final = (0, 25)
"""``StringSelectComponentForMessageRequest.min_values`` minimum and maximum."""
MAX_VALUES_RANGE: Final = (1, 25)
"""``StringSelectComponentForMessageRequest.max_values`` minimum and maximum."""
DEFAULT_SELECT_VALUES: Final = 1
"""Docs "String Select": ``min_values`` and ``max_values`` both default to 1."""

ACTION_ROW: Final = 1
"""Component type of an action row (``MessageComponentTypes``)."""
BUTTON: Final = 2
"""Component type of a button."""
STRING_SELECT: Final = 3
"""Component type of a string select."""
TEXT_INPUT: Final = 4
"""Component type of a text input (modals only)."""
SELECT_TYPES: Final = frozenset({STRING_SELECT, 5, 6, 7, 8})
"""String, user, role, mentionable and channel selects."""
TEXT_DISPLAY: Final = 10
"""Component type of a text display."""
LABEL: Final = 18
"""Component type of a label (modals only)."""
BUTTON_STYLES: Final = frozenset({1, 2, 3, 4, 5, 6})
"""``ButtonStyleTypes``: primary, secondary, success, danger, link, premium."""
LINK_STYLE: Final = 5
"""``ButtonStyleTypes.LINK``: needs ``url``, takes no ``custom_id``."""
PREMIUM_STYLE: Final = 6
"""``ButtonStyleTypes.PREMIUM``: needs ``sku_id``; takes no custom_id, label, url or emoji."""

# --- Allowed mentions ---------------------------------------------------------------------------

ALLOWED_MENTION_TYPES: Final = ("users", "roles", "everyone")
"""``AllowedMentionTypes`` constants."""
MAX_ALLOWED_MENTION_IDS: Final = 100
"""``MessageAllowedMentionsRequest.users`` / ``.roles`` maxItems."""

# --- Modals -----------------------------------------------------------------------------------

MODAL_TITLE_RANGE: Final = (1, 45)
"""``ModalInteractionCallbackRequestData.title`` minLength/maxLength."""
MAX_MODAL_COMPONENTS: Final = 5
"""Docs "Interaction Response Object - Modal": "between 1 and 5 (inclusive) components". The
spec says maxItems 40; the documented 5 is enforced (disnake enforces it as well)."""
LABEL_TEXT_RANGE: Final = (1, 45)
"""``LabelComponentForModalRequest.label`` and ``TextInputComponentForModalRequest.label``."""
MAX_LABEL_DESCRIPTION: Final = 100
"""``LabelComponentForModalRequest.description`` maxLength."""
TEXT_INPUT_STYLES: Final = frozenset({1, 2})
"""``TextInputStyleTypes``: short, paragraph."""
TEXT_INPUT_MIN_LENGTH_RANGE: Final = (0, 4000)
"""``TextInputComponentForModalRequest.min_length`` minimum/maximum."""
TEXT_INPUT_MAX_LENGTH_RANGE: Final = (1, 4000)
"""``TextInputComponentForModalRequest.max_length`` minimum/maximum."""
MAX_TEXT_INPUT_VALUE: Final = 4000
"""``TextInputComponentForModalRequest.value`` maxLength."""
MAX_TEXT_INPUT_PLACEHOLDER: Final = 100
"""``TextInputComponentForModalRequest.placeholder`` maxLength."""
TEXT_DISPLAY_RANGE: Final = (1, 4000)
"""``TextDisplayComponentForModalRequest.content`` minLength/maxLength."""

# --- Interaction callbacks ----------------------------------------------------------------------

PONG: Final = 1
"""``InteractionCallbackTypes.PONG``."""
CHANNEL_MESSAGE: Final = 4
"""``InteractionCallbackTypes.CHANNEL_MESSAGE_WITH_SOURCE``."""
DEFERRED_CHANNEL_MESSAGE: Final = 5
"""``InteractionCallbackTypes.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE``."""
DEFERRED_UPDATE_MESSAGE: Final = 6
"""``InteractionCallbackTypes.DEFERRED_UPDATE_MESSAGE``."""
UPDATE_MESSAGE: Final = 7
"""``InteractionCallbackTypes.UPDATE_MESSAGE``."""
AUTOCOMPLETE_RESULT: Final = 8
"""``InteractionCallbackTypes.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT``."""
MODAL: Final = 9
"""``InteractionCallbackTypes.MODAL``."""

# --- Application commands -----------------------------------------------------------------------

CHAT_INPUT: Final = 1
"""``ApplicationCommandType.CHAT``, the default when a command has no ``type``."""
COMMAND_TYPE_NAMES: Final = {CHAT_INPUT: "chat-input", 2: "user", 3: "message"}
"""``ApplicationCommandType`` values this module knows, named for messages."""
MAX_COMMANDS_PER_TYPE: Final = {CHAT_INPUT: 100, 2: 15, 3: 15}
"""Docs "Registering a Command": 100 CHAT_INPUT, 15 USER and 15 MESSAGE commands (globally and
per guild); the spec's bulk-overwrite maxItems of 130 is their sum."""
COMMAND_NAME_RANGE: Final = (1, 32)
"""``ApplicationCommandUpdateRequest.name`` and every option's ``name`` minLength/maxLength."""
CHAT_INPUT_NAME: Final = re.compile(r"^[-_\w]{1,32}$")
"""Docs "Application Command Naming": chat-input command and option names; they must also be
the lowercase variant of their characters. (The docs' pattern also admits ``'`` and some Indic
marks; this narrower one is what our bot needs.)"""
DESCRIPTION_RANGE: Final = (1, 100)
"""Chat-input command and option ``description`` minLength/maxLength."""
MAX_COMMAND_OPTIONS: Final = 25
"""``ApplicationCommandUpdateRequest.options`` maxItems (and each subcommand's options)."""
MAX_OPTION_CHOICES: Final = 25
"""``ApplicationCommandStringOption.choices`` maxItems; also the autocomplete result's
``InteractionApplicationCommandAutocompleteCallbackStringData.choices`` maxItems."""
CHOICE_NAME_RANGE: Final = (1, 100)
"""``ApplicationCommandOptionStringChoice.name`` minLength/maxLength."""
MAX_CHOICE_STRING_VALUE: Final = 100
"""Docs "Application Command Option Choice": string values "up to 100 characters". The spec
allows 6000; the documented limit is enforced so the bot stays within what Discord promises."""
MAX_COMMAND_TOTAL_CHARACTERS: Final = 4000
"""Docs "Application Command Limits": names, descriptions and (string) values of a command, its
options (including subcommands and groups) and choices, at most 4000 characters together;
for a localized field only its longest variant counts."""
SUBCOMMAND: Final = 1
"""``ApplicationCommandOptionType.SUB_COMMAND``."""
SUBCOMMAND_GROUP: Final = 2
"""``ApplicationCommandOptionType.SUB_COMMAND_GROUP``."""
OPTION_TYPES: Final = frozenset(range(1, 12))
"""``ApplicationCommandOptionType`` values 1..11."""
OPTION_TYPES_WITH_CHOICES: Final = frozenset({3, 4, 10})
"""String, integer and number options may list choices."""

# --- Guild scheduled events -------------------------------------------------------------------

SCHEDULED_EVENT_NAME_RANGE: Final = (1, 100)
"""Docs "Guild Scheduled Event Structure": ``name`` 1-100 characters;
``ExternalScheduledEventCreateRequest.name`` maxLength (the spec has no minLength)."""
MAX_SCHEDULED_EVENT_DESCRIPTION: Final = 1000
"""``ExternalScheduledEventCreateRequest.description`` maxLength (docs: 1-1000 characters; an
empty description is accepted as none)."""
SCHEDULED_EVENT_LOCATION_RANGE: Final = (1, 100)
"""Docs "Guild Scheduled Event Entity Metadata": ``location`` 1-100 characters;
``EntityMetadataExternal.location`` maxLength."""
MAX_OPEN_SCHEDULED_EVENTS: Final = 100
"""Docs "Create Guild Scheduled Event": a guild has at most 100 events that are SCHEDULED or
ACTIVE; one more is refused with :data:`MAX_OPEN_SCHEDULED_EVENTS_CODE`."""
MAX_OPEN_SCHEDULED_EVENTS_CODE: Final = 30038
"""Docs "JSON Error Codes": "Maximum number of uncompleted guild scheduled events reached
(100)"."""
UNKNOWN_SCHEDULED_EVENT_CODE: Final = 10070
"""Docs "JSON Error Codes": "Unknown Guild Scheduled Event"."""

STAGE_EVENT: Final = 1
"""``GuildScheduledEventEntityTypes.STAGE_INSTANCE``: held in a stage channel."""
VOICE_EVENT: Final = 2
"""``GuildScheduledEventEntityTypes.VOICE``: held in a voice channel."""
EXTERNAL_EVENT: Final = 3
"""``GuildScheduledEventEntityTypes.EXTERNAL``: held elsewhere, named by a location."""
GUILD_ONLY: Final = 2
"""``GuildScheduledEventPrivacyLevels.GUILD_ONLY``, the only privacy level there is."""
EVENT_SCHEDULED: Final = 1
"""``GuildScheduledEventStatuses.SCHEDULED``: what a new event is."""
EVENT_ACTIVE: Final = 2
"""``GuildScheduledEventStatuses.ACTIVE``: started."""
EVENT_COMPLETED: Final = 3
"""``GuildScheduledEventStatuses.COMPLETED``: ended after it ran (final)."""
EVENT_CANCELED: Final = 4
"""``GuildScheduledEventStatuses.CANCELED``: called off before it started (final)."""
EVENT_STATUS_TRANSITIONS: Final = {
    EVENT_SCHEDULED: frozenset({EVENT_ACTIVE, EVENT_CANCELED}),
    EVENT_ACTIVE: frozenset({EVENT_COMPLETED}),
}
"""Docs "Valid Guild Scheduled Event Status Transitions": where each status may move; a
COMPLETED or CANCELED event cannot be updated any more."""
