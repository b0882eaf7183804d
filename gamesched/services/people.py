"""Personal and guild time zones: every typed time is read in an explicit IANA zone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.domain.permissions import Actor, require_can_configure_guild
from gamesched.domain.timeparse import resolve_zone
from gamesched.services.context import Context
from gamesched.services.history import Action, record

FALLBACK_ZONE = "UTC"


class ZoneSource(StrEnum):
    """Why a zone applies to a user."""

    YOU = "you"
    """Their own setting."""
    SERVER = "server"
    """The guild's default."""
    DEFAULT = "default"
    """Nothing is set: UTC."""


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    zone: str
    source: ZoneSource


async def _zone_choice(session: AsyncSession, *, user_id: int, guild_id: int | None) -> ZoneChoice:
    user = await repo.get_user(session, user_id)
    if user is not None and user.timezone:
        return ZoneChoice(user.timezone, ZoneSource.YOU)
    guild = await repo.get_guild(session, guild_id) if guild_id is not None else None
    if guild is not None and guild.timezone:
        return ZoneChoice(guild.timezone, ZoneSource.SERVER)
    return ZoneChoice(FALLBACK_ZONE, ZoneSource.DEFAULT)


async def zone_for(session: AsyncSession, *, user_id: int, guild_id: int | None) -> str:
    """The zone a user's typed times are read in: theirs, else the guild's, else UTC."""
    return (await _zone_choice(session, user_id=user_id, guild_id=guild_id)).zone


async def time_zone_of(ctx: Context, *, user_id: int, guild_id: int | None = None) -> ZoneChoice:
    """The zone that applies to a user, and why."""
    async with ctx.transaction() as session:
        return await _zone_choice(session, user_id=user_id, guild_id=guild_id)


async def set_user_time_zone(ctx: Context, *, user_id: int, zone: str | None) -> str | None:
    """Set (or with None clear) a user's own zone; returns the canonical name."""
    canonical = None if zone is None else resolve_zone(zone)
    async with ctx.transaction() as session:
        user = await repo.ensure_user(session, user_id)
        user.timezone = canonical
    return canonical


async def set_guild_time_zone(
    ctx: Context, *, actor: Actor, guild_id: int, zone: str | None
) -> str | None:
    """Set (or clear) the guild's default zone; needs Manage Server."""
    require_can_configure_guild(actor)
    canonical = None if zone is None else resolve_zone(zone)
    async with ctx.transaction() as session:
        guild = await repo.ensure_guild(session, guild_id)
        if guild.timezone != canonical:
            record(
                session,
                ctx,
                action=Action.SETTINGS_CHANGED,
                guild_id=guild_id,
                member_id=actor.user_id,
                changes={"timezone": [guild.timezone, canonical]},
            )
        guild.timezone = canonical
    return canonical
