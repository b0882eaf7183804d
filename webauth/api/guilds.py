"""The member's guilds and channels, and their settings."""

from __future__ import annotations

from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from gamesched.discord.rights import ChannelFacts
from gamesched.domain.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
    require_can_create_game,
)
from gamesched.domain.settings import KEEP, EffectiveSettings, Keep, SettingsPatch
from gamesched.domain.timeparse import resolve_zone
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.people import set_guild_time_zone
from webauth.access import (
    NOT_A_MEMBER,
    MemberGuild,
    acting_member,
    guild_of,
    member_guilds,
    require_viewer,
)
from webauth.api import models, shapes
from webauth.api.errors import api_text
from webauth.api.handling import answer, body_of, endpoint, path_id
from webauth.state import web_of

T = TypeVar("T")

NO_CHANNEL = (
    "There is no text channel with that id that you can see in your servers. "
    "GET /api/v1/guilds/{guild_id}/channels lists them."
)


async def requested_guild(request: Request, *, fresh: bool = False) -> MemberGuild:
    """The guild of the path's ``guild_id``, if it is one of the member's with the bot
    (``fresh``: as Discord has it now)."""
    require_viewer(request)
    guild_id = path_id(request, "guild_id")
    if guild_id is None:
        raise NotFound(NOT_A_MEMBER)
    return await guild_of(request, guild_id, fresh=fresh)


async def requested_channel(
    request: Request, *, fresh: bool = False
) -> tuple[MemberGuild, ChannelFacts, Actor]:
    """The text channel of the path's ``channel_id`` in one of the member's guilds, and the
    member's rights there; NotFound when they cannot see it."""
    require_viewer(request)
    channel_id = path_id(request, "channel_id")
    if channel_id is not None:
        for guild in await member_guilds(request):
            channel = guild.facts.channel(channel_id)
            if channel is None or not channel.postable:
                continue
            actor = await acting_member(
                request, guild.facts.guild_id, channel_id=channel_id, fresh=fresh
            )
            if actor.has(Permission.VIEW_CHANNEL):
                if fresh:  # the guild's roles as just fetched, too
                    guild = await guild_of(request, guild.facts.guild_id)
                return guild, channel, actor
    raise NotFound(NO_CHANNEL)


def host_refusal(actor: Actor, settings: EffectiveSettings, guild: MemberGuild) -> str | None:
    """Why ``actor`` may not create games where ``settings`` hold; None when they may."""
    try:
        require_can_create_game(actor, host_role_ids=settings.host_role_ids.value)
    except PermissionDenied as refused:
        return api_text(refused, guild.facts.role_names)
    return None


@endpoint
async def guilds(request: Request) -> Response:
    """The member's guilds that have the bot."""
    shared = await member_guilds(request)
    return answer(
        [
            models.GuildOut(
                id=str(guild.facts.guild_id),
                name=guild.facts.name,
                icon=guild.facts.icon,
                can_configure=guild.actor.is_guild_admin,
            )
            for guild in shared
        ]
    )


@endpoint
async def channels(request: Request) -> Response:
    """The guild's text channels the member can see, with their settings and what the member
    (and the bot) may do there."""
    guild = await requested_guild(request)
    web = web_of(request)
    guild_id = guild.facts.guild_id
    listed = []
    for channel in guild.facts.postable_channels():
        actor = await acting_member(request, guild_id, channel_id=channel.channel_id)
        if not actor.has(Permission.VIEW_CHANNEL):
            continue
        current = await channel_settings(
            web.core.services, guild_id=guild_id, channel_id=channel.channel_id
        )
        refusal = host_refusal(actor, current.settings, guild)
        listed.append(
            models.ChannelOut(
                id=str(channel.channel_id),
                name=channel.name,
                bot_can_post=await web.core.rights.bot_can_post(guild.facts, channel.channel_id),
                can_host=refusal is None,
                host_refusal=refusal,
                can_configure=actor.has(Permission.MANAGE_CHANNELS),
                settings=shapes.place_settings(current.settings),
            )
        )
    return answer(listed)


def patch_of(body: models.PlaceSettings) -> SettingsPatch:
    """The settings a config body changes: fields left out are kept, ``null`` inherits."""
    given = body.model_fields_set

    def keep_or(name: str, value: T) -> T | Keep:
        return value if name in given else KEEP

    reminders = body.reminder_minutes
    roles = body.host_role_ids
    return SettingsPatch(
        max_players=keep_or("max_players", body.max_players),
        reminder_minutes=keep_or(
            "reminder_minutes", None if reminders is None else tuple(reminders)
        ),
        rules=keep_or("rules", body.rules),
        duration_minutes=keep_or("duration_minutes", body.duration_minutes),
        category=keep_or("category", body.category),
        host_role_ids=keep_or(
            "host_role_ids", None if roles is None else tuple(int(r) for r in roles)
        ),
        remind_in_channel=keep_or("remind_in_channel", body.remind_in_channel),
        public_feed=keep_or("public_feed", body.public_feed),
        mirror_events=keep_or("mirror_events", body.mirror_events),
    )


def check_roles(patch: SettingsPatch, guild: MemberGuild) -> None:
    """Host roles must be roles of the guild."""
    roles = patch.host_role_ids
    if not isinstance(roles, tuple):
        return
    unknown = [r for r in roles if r not in guild.facts.role_names]
    if unknown:
        message = (
            f"{', '.join(str(r) for r in unknown)} is not a role of this server; "
            "use the ids of its roles (as Discord shows them with developer mode on)."
        )
        raise ValidationFailed([Problem("host_role_ids", message)])


async def guild_config_out(request: Request, guild_id: int) -> models.GuildConfigOut:
    current = await guild_settings(web_of(request).core.services, guild_id=guild_id)
    return models.GuildConfigOut(
        guild_id=str(guild_id),
        timezone=current.timezone,
        settings=shapes.place_settings(current.settings),
    )


async def channel_config_out(
    request: Request, guild_id: int, channel_id: int
) -> models.ChannelConfigOut:
    current = await channel_settings(
        web_of(request).core.services, guild_id=guild_id, channel_id=channel_id
    )
    return models.ChannelConfigOut(
        guild_id=str(guild_id),
        channel_id=str(channel_id),
        settings=shapes.place_settings(current.settings),
    )


@endpoint
async def guild_config(request: Request) -> Response:
    """The guild's settings, each with where it comes from."""
    guild = await requested_guild(request)
    return answer(await guild_config_out(request, guild.facts.guild_id))


@endpoint
async def configure_guild_route(request: Request) -> Response:
    """Change the guild's settings (Manage Server, checked with Discord right now)."""
    guild = await requested_guild(request, fresh=True)
    guild_id, actor = guild.facts.guild_id, guild.actor
    require_can_configure_guild(actor)
    body = await body_of(request, models.GuildConfig)
    patch = patch_of(body)
    check_roles(patch, guild)
    zone_given = "timezone" in body.model_fields_set
    if zone_given and body.timezone is not None:
        resolve_zone(body.timezone)  # a mistyped zone is refused before anything is saved
    services = web_of(request).core.services
    await configure_guild(services, actor=actor, guild_id=guild_id, patch=patch)
    if zone_given:
        await set_guild_time_zone(services, actor=actor, guild_id=guild_id, zone=body.timezone)
    return answer(await guild_config_out(request, guild_id))


@endpoint
async def channel_config(request: Request) -> Response:
    """The channel's settings, each with where it comes from."""
    guild, channel, _ = await requested_channel(request)
    return answer(await channel_config_out(request, guild.facts.guild_id, channel.channel_id))


@endpoint
async def configure_channel_route(request: Request) -> Response:
    """Change the channel's settings (Manage Channels there, checked with Discord right now)."""
    guild, channel, actor = await requested_channel(request, fresh=True)
    require_can_configure_channel(actor)
    body = await body_of(request, models.ChannelConfig)
    patch = patch_of(body)
    check_roles(patch, guild)
    guild_id, channel_id = guild.facts.guild_id, channel.channel_id
    await configure_channel(
        web_of(request).core.services,
        actor=actor,
        guild_id=guild_id,
        channel_id=channel_id,
        patch=patch,
    )
    return answer(await channel_config_out(request, guild_id, channel_id))
