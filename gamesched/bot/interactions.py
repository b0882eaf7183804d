"""The interaction types the bot's handlers take.

disnake's interactions are generic in the client type; the bot's handlers never read the
client from an interaction (they hold the bot themselves), so it is spelled ``Any`` once here.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from disnake.interactions import (
    ApplicationCommandInteraction,
    GuildCommandInteraction,
    Interaction,
    MessageInteraction,
    ModalInteraction,
)

AnyInteraction: TypeAlias = Interaction[Any]
"""Any interaction: a command, a click, a form."""
CommandInteraction: TypeAlias = ApplicationCommandInteraction[Any]
"""A slash command (or its autocomplete), in a server or a DM."""
GuildCommand: TypeAlias = GuildCommandInteraction[Any]
"""A slash command used in a server."""
Click: TypeAlias = MessageInteraction[Any]
"""A button click or a select choice on one of the bot's messages."""
FormSubmit: TypeAlias = ModalInteraction[Any]
"""A submitted form (modal)."""
