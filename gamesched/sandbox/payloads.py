"""World objects rendered as the JSON Discord sends (the shapes disnake parses)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gamesched.sandbox.world import (
    STAGE_CHANNEL,
    TEXT_CHANNEL,
    VOICE_CHANNEL,
    Channel,
    Guild,
    Member,
    Role,
    User,
    World,
)

ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024
"""What Discord reports as ``attachment_size_limit`` for an unboosted guild."""


def user_payload(user: User) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user.id),
        "username": user.username,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }


def self_user_payload(user: User) -> dict[str, Any]:
    """The bot's own user, as GET /users/@me and READY give it."""
    return {**user_payload(user), "verified": True, "mfa_enabled": False, "locale": "en-US"}


def role_payload(role: Role) -> dict[str, Any]:
    """A role object, with the ``colors`` object disnake requires."""
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "managed": False,
        "mentionable": role.mentionable,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def member_payload(member: Member, world: World, *, with_user: bool = True) -> dict[str, Any]:
    """A guild member object."""
    data: dict[str, Any] = {
        "nick": member.nick,
        "roles": [str(role_id) for role_id in member.role_ids],
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
    }
    if with_user:
        user = world.user(member.user_id)
        assert user is not None, "the world loader guarantees members are users"
        data["user"] = user_payload(user)
    return data


def channel_payload(channel: Channel) -> dict[str, Any]:
    """A guild channel object."""
    data: dict[str, Any] = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "parent_id": None if channel.parent_id is None else str(channel.parent_id),
        "nsfw": False,
        "flags": 0,
        "permission_overwrites": [
            {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in channel.overwrites
        ],
    }
    if channel.type == TEXT_CHANNEL:
        data.update(topic=channel.topic, rate_limit_per_user=0, last_message_id=None)
    elif channel.type in (VOICE_CHANNEL, STAGE_CHANNEL):
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
        data.update(rate_limit_per_user=0, last_message_id=None)
    return data


def dm_channel_payload(channel_id: int, recipient: User) -> dict[str, Any]:
    """A DM channel object."""
    return {
        "id": str(channel_id),
        "type": 1,
        "recipients": [user_payload(recipient)],
        "last_message_id": None,
        "flags": 0,
    }


def guild_payload(guild: Guild) -> dict[str, Any]:
    """A guild object as GET /guilds/{id} gives it (no channels or members)."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(role) for role in guild.roles],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "max_members": 500000,
        "max_video_channel_users": 25,
    }


def partial_guild_payload(guild: Guild, member: Member) -> dict[str, Any]:
    """A guild as GET /users/@me/guilds lists it for ``member``."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "banner": None,
        "owner": guild.owner_id == member.user_id,
        "permissions": str(guild.base_permissions(member)),
        "features": [],
    }


def guild_create_payload(
    guild: Guild,
    world: World,
    *,
    with_members: bool,
    scheduled_events: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The GUILD_CREATE dispatch: the guild with channels, roles, scheduled events and (with
    the intent) members.

    With the members intent ``member_count`` equals the members sent, so disnake does not ask
    for chunks; without it only the bot's own member is sent, as Discord does.
    """
    members = [m for m in guild.members if with_members or m.user_id == world.bot.id]
    return {
        **guild_payload(guild),
        "joined_at": "2024-01-01T00:00:00+00:00",
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "members": [member_payload(m, world) for m in members],
        "channels": [channel_payload(c) for c in guild.channels],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": list(scheduled_events),
        "soundboard_sounds": [],
    }
