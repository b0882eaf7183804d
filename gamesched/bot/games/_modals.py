"""The game form: five text inputs, each wrapped in a label (Discord's modal limit is five)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import disnake

from gamesched.discord.limits import MAX_TEXT_INPUT_VALUE
from gamesched.domain.entries import MAX_ENTRIES
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.settings import MAX_PLAYERS_LIMIT
from gamesched.domain.timeparse import MAX_WHEN_LENGTH


@dataclass(frozen=True, slots=True)
class FormField:
    custom_id: str
    label: str
    """At most ``LABEL_TEXT_RANGE[1]`` characters (Discord's label limit)."""
    hint: str
    """At most ``MAX_LABEL_DESCRIPTION`` characters: shown under the label."""
    paragraph: bool
    max_length: int
    required: bool


TITLE = FormField("title", "Title", "What are you playing?", False, MAX_TITLE_LENGTH, True)
WHEN = FormField(
    "when",
    "When",
    "e.g. tomorrow 8pm, friday 19:30, 2026-12-05 19:00 (your /timezone)",
    False,
    MAX_WHEN_LENGTH,
    True,
)
DESCRIPTION = FormField(
    "description", "Description", "Optional details", True, MAX_DESCRIPTION_LENGTH, False
)
MAX_PLAYERS = FormField(
    "max_players",
    "Max players",
    "A number; empty uses the channel's default",
    False,
    len(str(MAX_PLAYERS_LIMIT)),
    False,
)
PARTICIPANTS = FormField(
    "participants",
    "Participants",
    f"@name or text (a placeholder), one per line or comma; up to {MAX_ENTRIES}",
    True,
    MAX_TEXT_INPUT_VALUE,
    False,
)
CREATE_FIELDS = (TITLE, WHEN, DESCRIPTION, MAX_PLAYERS, PARTICIPANTS)
EDIT_FIELDS = (TITLE, WHEN, DESCRIPTION, MAX_PLAYERS)


def form_components(
    fields: Iterable[FormField], values: Mapping[str, str]
) -> list[disnake.ui.Label]:
    """The labelled inputs, pre-filled with ``values`` (cut to each input's limit)."""
    components = []
    for form_field in fields:
        value = values.get(form_field.custom_id, "")[: form_field.max_length]
        text_input = disnake.ui.TextInput(
            custom_id=form_field.custom_id,
            style=(
                disnake.TextInputStyle.paragraph
                if form_field.paragraph
                else disnake.TextInputStyle.short
            ),
            value=value or None,
            required=form_field.required,
            max_length=form_field.max_length,
        )
        components.append(
            disnake.ui.Label(
                text=form_field.label, component=text_input, description=form_field.hint
            )
        )
    return components
