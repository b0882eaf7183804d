"""Who is asking: permission facts straight from Discord's interaction data, never names."""

from __future__ import annotations

import disnake

from gamesched.bot.interactions import AnyInteraction
from gamesched.domain.permissions import Actor

GUILD_ONLY = disnake.InteractionContextTypes(guild=True)
"""Commands about a server's games are offered in servers only, not in DMs."""


def actor_of(inter: AnyInteraction, *, channel_id: int | None = None) -> Actor:
    """The member behind an interaction: their roles, and their permissions in the channel the
    command was used in, or in ``channel_id`` when the command acts on another channel.

    Discord sends the permissions for the channel at hand only; another channel's come from
    the server's roles and that channel's overwrites, as Discord computes them. A channel the
    bot does not know grants nothing.
    """
    roles = getattr(inter.author, "roles", ())
    permissions = inter.permissions
    if channel_id is not None and channel_id != inter.channel_id:
        member = inter.author
        known = None
        if isinstance(member, disnake.Member):
            known = permissions_in(inter, channel_id, member)
        permissions = disnake.Permissions.none() if known is None else known
    return Actor(
        user_id=inter.author.id,
        permissions=permissions.value,
        role_ids=frozenset(role.id for role in roles),
        guild_id=inter.guild_id,
    )


def permissions_in(
    inter: AnyInteraction, channel_id: int, member: disnake.Member
) -> disnake.Permissions | None:
    """``member``'s permissions in another channel of the interaction's server, worked out from
    the server's roles and the channel's overwrites as Discord does; None for a channel the
    bot does not know."""
    channel = inter.guild.get_channel(channel_id) if inter.guild is not None else None
    return channel.permissions_for(member) if channel is not None else None


def visible_channels(inter: AnyInteraction) -> frozenset[int]:
    """The server's channels the member behind ``inter`` can see (from roles and overwrites),
    so listings do not show games of channels hidden from them. Always the channel at hand."""
    member = inter.author
    seen = {inter.channel_id}
    if inter.guild is not None and isinstance(member, disnake.Member):
        seen |= {
            channel.id
            for channel in inter.guild.channels
            if channel.permissions_for(member).view_channel
        }
    return frozenset(seen)
