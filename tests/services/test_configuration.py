"""Guild and channel settings: permission checks, sources, and live games following changes."""

from __future__ import annotations

from typing import Any

import pytest

from gamesched.domain.errors import PermissionDenied, ValidationFailed
from gamesched.domain.settings import Resolved, SettingsPatch, Source
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.participation import join_game
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    OTHER_CHANNEL,
    PLACE_FLAG_FIELDS,
    PLAYER,
    make_game,
)


async def test_fresh_guild_shows_defaults_with_their_source(ctx: Context) -> None:
    """Before anything is set every setting is the built-in default and says so."""
    shown = await guild_settings(ctx, guild_id=GUILD)
    assert shown.settings.reminder_minutes.value == (60, 15)
    assert shown.settings.reminder_minutes.source is Source.DEFAULT
    assert shown.timezone is None


async def test_channel_overrides_guild_which_overrides_defaults(ctx: Context) -> None:
    """A channel value wins over the guild's; unset channel values show the guild's."""
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(max_players=6, rules="Be kind")
    )
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=4),
    )
    here = (await channel_settings(ctx, guild_id=GUILD, channel_id=CHANNEL)).settings
    there = (await channel_settings(ctx, guild_id=GUILD, channel_id=OTHER_CHANNEL)).settings
    assert (here.max_players.value, here.max_players.source) == (4, Source.CHANNEL)
    assert (here.rules.value, here.rules.source) == ("Be kind", Source.GUILD)
    assert (there.max_players.value, there.max_players.source) == (6, Source.GUILD)


async def test_clearing_a_channel_value_inherits_again(ctx: Context) -> None:
    """Setting a channel value to None falls back to the guild's."""
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=4),
    )
    shown = await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=None),
    )
    assert shown.settings.max_players.source is Source.DEFAULT


async def test_permissions_are_checked_per_level(ctx: Context) -> None:
    """Guild settings need Manage Server, channel settings Manage Channels."""
    with pytest.raises(PermissionDenied, match="Manage Server"):
        await configure_guild(ctx, actor=CHANNEL_KEEPER, guild_id=GUILD, patch=SettingsPatch())
    with pytest.raises(PermissionDenied, match="Manage Channels"):
        await configure_channel(
            ctx, actor=PLAYER, guild_id=GUILD, channel_id=CHANNEL, patch=SettingsPatch()
        )


async def test_out_of_range_values_are_all_reported(ctx: Context) -> None:
    """Zero players, a too-early reminder and a 3-minute duration are reported together."""
    with pytest.raises(ValidationFailed) as caught:
        await configure_guild(
            ctx,
            actor=ADMIN,
            guild_id=GUILD,
            patch=SettingsPatch(max_players=0, reminder_minutes=(99_999,), duration_minutes=3),
        )
    assert [p.field for p in caught.value.problems] == [
        "max_players",
        "reminder_minutes",
        "duration_minutes",
    ]
    assert (await guild_settings(ctx, guild_id=GUILD)).settings.max_players.source is Source.DEFAULT


async def test_live_games_follow_a_raised_channel_cap(ctx: Context) -> None:
    """Raising the channel cap seats the waitlist of games that inherit it and bumps them."""
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=1),
    )
    game = await make_game(ctx)
    await join_game(ctx, game_id=game.id, user_id=1)
    queued = await join_game(ctx, game_id=game.id, user_id=2)
    assert queued.game.waitlist == (2,)
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=2),
    )
    after = await get_game(ctx, game.id)
    assert after.joined == (1, 2)
    assert after.version > queued.game.version


def _flag_patch(flag: str, value: bool | None) -> SettingsPatch:
    changes: dict[str, Any] = {flag: value}
    return SettingsPatch(**changes)


@pytest.mark.parametrize("flag", PLACE_FLAG_FIELDS)
async def test_a_place_flag_is_stored_per_level_and_a_channel_may_opt_out(
    ctx: Context, flag: str
) -> None:
    """Turning an on/off setting (channel reminders, public feed, scheduled events) on for the
    guild applies to every channel until a channel turns it off for itself; clearing the
    channel's choice inherits the guild's again, clearing the guild's the default (off)."""
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=_flag_patch(flag, True))
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=_flag_patch(flag, False),
    )
    here = (await channel_settings(ctx, guild_id=GUILD, channel_id=CHANNEL)).settings
    there = (await channel_settings(ctx, guild_id=GUILD, channel_id=OTHER_CHANNEL)).settings
    assert getattr(here, flag) == Resolved(False, Source.CHANNEL)
    assert getattr(there, flag) == Resolved(True, Source.GUILD)

    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=_flag_patch(flag, None),
    )
    again = (await channel_settings(ctx, guild_id=GUILD, channel_id=CHANNEL)).settings
    assert getattr(again, flag) == Resolved(True, Source.GUILD)
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=_flag_patch(flag, None))
    server = (await guild_settings(ctx, guild_id=GUILD)).settings
    assert getattr(server, flag) == Resolved(False, Source.DEFAULT)
