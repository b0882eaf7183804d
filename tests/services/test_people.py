"""Personal and guild time zones."""

from __future__ import annotations

import pytest

from gamesched.domain.errors import PermissionDenied, ValidationFailed
from gamesched.services.context import Context
from gamesched.services.people import set_guild_time_zone, set_user_time_zone, time_zone_of
from tests.support.factories import ADMIN, GUILD, PLAYER


async def test_zone_falls_back_from_user_to_guild_to_utc(ctx: Context) -> None:
    """A member's own zone wins, then the server's, then UTC; each says where it came from."""
    assert await time_zone_of(ctx, user_id=PLAYER.user_id, guild_id=GUILD) == (
        await time_zone_of(ctx, user_id=PLAYER.user_id)
    )
    fallback = await time_zone_of(ctx, user_id=PLAYER.user_id, guild_id=GUILD)
    assert (fallback.zone, fallback.source) == ("UTC", "default")
    await set_guild_time_zone(ctx, actor=ADMIN, guild_id=GUILD, zone="Asia/Tokyo")
    server = await time_zone_of(ctx, user_id=PLAYER.user_id, guild_id=GUILD)
    assert (server.zone, server.source) == ("Asia/Tokyo", "server")
    stored = await set_user_time_zone(ctx, user_id=PLAYER.user_id, zone="europe/paris")
    assert stored == "Europe/Paris"
    own = await time_zone_of(ctx, user_id=PLAYER.user_id, guild_id=GUILD)
    assert (own.zone, own.source) == ("Europe/Paris", "you")
    await set_user_time_zone(ctx, user_id=PLAYER.user_id, zone=None)
    assert (await time_zone_of(ctx, user_id=PLAYER.user_id, guild_id=GUILD)).source == "server"


async def test_unknown_zone_is_refused_with_suggestions(ctx: Context) -> None:
    """A city name that is not a zone gets an error suggesting the real zone."""
    with pytest.raises(ValidationFailed, match="Europe/Berlin"):
        await set_user_time_zone(ctx, user_id=PLAYER.user_id, zone="Berlin")


async def test_only_server_managers_set_the_guild_zone(ctx: Context) -> None:
    """A plain member cannot change the server's default zone."""
    with pytest.raises(PermissionDenied, match="Manage Server"):
        await set_guild_time_zone(ctx, actor=PLAYER, guild_id=GUILD, zone="UTC")
