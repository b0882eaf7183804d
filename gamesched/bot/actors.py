"""Who is asking: permission facts straight from Discord's interaction data, never names."""

from __future__ import annotations

import disnake
from disnake.interactions import Interaction

from gamesched.domain.permissions import Actor

GUILD_ONLY = disnake.InteractionContextTypes(guild=True)
"""Commands about a server's games are offered in servers only, not in DMs."""


def actor_of(inter: Interaction) -> Actor:
    """The member behind an interaction, with their permissions in this channel and roles."""
    roles = getattr(inter.author, "roles", ())
    return Actor(
        user_id=inter.author.id,
        permissions=inter.permissions.value,
        role_ids=frozenset(role.id for role in roles),
        guild_id=inter.guild_id,
    )
