"""Guild and channel settings: show the effective values with their source, change them."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import ChannelRow, GuildRow
from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
)
from gamesched.domain.settings import (
    KEEP,
    PLACE_FLAGS,
    EffectiveSettings,
    SettingsPatch,
    check_patch,
    normalise_reminders,
)
from gamesched.services._common import bump, fill_free_seats, settings_of
from gamesched.services.context import Context
from gamesched.services.history import Action, differences, record, values_of
from gamesched.services.planning import NoticeKind, notify, replan_jobs
from gamesched.services.views import effective_settings


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str | None
    settings: EffectiveSettings
    """Resolved guild -> defaults; ``source`` says which are set on the guild."""


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    guild_id: int
    channel_id: int
    settings: EffectiveSettings
    """Resolved channel -> guild -> defaults."""


async def guild_settings(ctx: Context, *, guild_id: int) -> GuildSettings:
    async with ctx.transaction() as session:
        guild = await repo.get_guild(session, guild_id)
        return GuildSettings(
            guild_id=guild_id,
            timezone=guild.timezone if guild else None,
            settings=effective_settings(game=None, channel=None, guild=guild),
        )


async def channel_settings(ctx: Context, *, guild_id: int, channel_id: int) -> ChannelSettings:
    async with ctx.transaction() as session:
        channel = await _channel_in_guild(session, guild_id=guild_id, channel_id=channel_id)
        return ChannelSettings(
            guild_id=guild_id,
            channel_id=channel_id,
            settings=effective_settings(
                game=None, channel=channel, guild=await repo.get_guild(session, guild_id)
            ),
        )


async def _channel_in_guild(
    session: AsyncSession, *, guild_id: int, channel_id: int
) -> ChannelRow | None:
    channel = await repo.get_channel(session, channel_id)
    if channel is not None and channel.guild_id != guild_id:
        raise ValidationFailed(
            [
                Problem(
                    "channel", "That channel belongs to another server; pick one from this server."
                )
            ]
        )
    return channel


def _apply(row: GuildRow | ChannelRow, patch: SettingsPatch) -> None:
    """Write the patch's changed fields onto the stored level."""
    for f in fields(patch):
        value = getattr(patch, f.name)
        if value is KEEP:
            continue
        if f.name == "reminder_minutes" and value is not None:
            value = list(normalise_reminders(value))
        elif isinstance(value, tuple):
            value = list(dict.fromkeys(value))
        setattr(row, f.name, value)


STORED_SETTINGS = (
    "max_players",
    "reminder_minutes",
    "rules",
    "duration_minutes",
    "category",
    "host_role_ids",
    *PLACE_FLAGS,
)
"""A server's or channel's own settings (None inherits), as the history compares them."""


def _record(
    session: AsyncSession,
    ctx: Context,
    actor: Actor,
    guild_id: int,
    channel_id: int | None,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    """Record a settings change (none when the values were set to what they were)."""
    changes = differences(before, after)
    if changes:
        record(
            session,
            ctx,
            action=Action.SETTINGS_CHANGED,
            guild_id=guild_id,
            channel_id=channel_id,
            member_id=actor.user_id,
            changes=changes,
        )


async def _refresh_live_games(
    session: AsyncSession, ctx: Context, *, guild_id: int, channel_id: int | None = None
) -> None:
    """Games inheriting the changed level show and plan with the new values."""
    now = ctx.now()
    for game in await repo.live_games_in(session, guild_id=guild_id, channel_id=channel_id):
        first_key = bump(game)
        promoted = await fill_free_seats(session, game, first_key=first_key)
        notify(session, game, NoticeKind.PROMOTED, promoted)
        await replan_jobs(session, game, await settings_of(session, game), now=now)


async def configure_guild(
    ctx: Context, *, actor: Actor, guild_id: int, patch: SettingsPatch
) -> GuildSettings:
    """Change guild-level settings (Manage Server); live games follow."""
    require_can_configure_guild(actor)
    check_patch(patch)
    async with ctx.transaction() as session:
        guild = await repo.ensure_guild(session, guild_id)
        before = values_of(guild, STORED_SETTINGS)
        _apply(guild, patch)
        await session.flush()
        _record(session, ctx, actor, guild_id, None, before, values_of(guild, STORED_SETTINGS))
        await _refresh_live_games(session, ctx, guild_id=guild_id)
    return await guild_settings(ctx, guild_id=guild_id)


async def configure_channel(
    ctx: Context, *, actor: Actor, guild_id: int, channel_id: int, patch: SettingsPatch
) -> ChannelSettings:
    """Change channel-level settings (Manage Channels); live games in it follow."""
    require_can_configure_channel(actor)
    check_patch(patch)
    async with ctx.transaction() as session:
        await _channel_in_guild(session, guild_id=guild_id, channel_id=channel_id)
        channel = await repo.ensure_channel(session, channel_id=channel_id, guild_id=guild_id)
        before = values_of(channel, STORED_SETTINGS)
        _apply(channel, patch)
        await session.flush()
        after = values_of(channel, STORED_SETTINGS)
        _record(session, ctx, actor, guild_id, channel_id, before, after)
        await _refresh_live_games(session, ctx, guild_id=guild_id, channel_id=channel_id)
    return await channel_settings(ctx, guild_id=guild_id, channel_id=channel_id)
