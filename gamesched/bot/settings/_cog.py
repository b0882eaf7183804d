"""Guild and channel settings in Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING

import disnake
from disnake.ext import commands

from gamesched.bot.actors import GUILD_ONLY, actor_of
from gamesched.bot.interactions import GuildCommand
from gamesched.bot.replies import reply, within_deadline
from gamesched.bot.settings._options import SettingsChanges, settings_changes
from gamesched.bot.settings._render import describe_settings
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
)
from gamesched.domain.settings import Source
from gamesched.domain.timeparse import resolve_zone
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.people import set_guild_time_zone

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


class SettingsCog(commands.Cog):
    """/config-guild and /config-channel."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot

    @commands.slash_command(name="config-guild", contexts=GUILD_ONLY)
    async def config_guild(
        self,
        inter: GuildCommand,
        timezone: str | None = commands.Param(None, description="Default zone, e.g. Europe/Berlin"),
        changes: SettingsChanges = settings_changes,
    ) -> None:
        """Show the server's game settings; with options, change them (Manage Server)."""
        services = self.bot.deps.services

        async def work() -> str:
            if not changes.requested and timezone is None:
                return "The server's game settings:"
            current = await guild_settings(services, guild_id=inter.guild_id)
            roles = current.settings.host_role_ids
            patch = changes.patch(
                current_roles=roles.value, inherited_roles=roles.source is not Source.GUILD
            )
            actor = actor_of(inter)
            if timezone is not None:
                # Refuse a mistyped zone before anything is saved, not after the rest is.
                require_can_configure_guild(actor)
                resolve_zone(timezone)
            await configure_guild(services, actor=actor, guild_id=inter.guild_id, patch=patch)
            if timezone is not None:
                await set_guild_time_zone(
                    services, actor=actor, guild_id=inter.guild_id, zone=timezone
                )
            return "Saved. The server's settings are now:"

        async def answer() -> str:
            heading = await work()
            shown = await guild_settings(services, guild_id=inter.guild_id)
            return f"{heading}\n{describe_settings(shown.settings, timezone=shown.timezone or '')}"

        await reply(inter, await within_deadline(inter, answer()))

    @commands.slash_command(name="config-channel", contexts=GUILD_ONLY)
    async def config_channel(
        self,
        inter: GuildCommand,
        channel: disnake.TextChannel | None = commands.Param(None, description="Default: here"),
        changes: SettingsChanges = settings_changes,
    ) -> None:
        """Show this channel's game settings and their sources; with options, change them."""
        services = self.bot.deps.services
        channel_id = channel.id if channel is not None else inter.channel_id

        async def work() -> str:
            if not changes.requested:
                return f"Game settings for <#{channel_id}>:"
            actor: Actor = actor_of(inter, channel_id=channel_id)
            require_can_configure_channel(actor)
            current = await channel_settings(
                services, guild_id=inter.guild_id, channel_id=channel_id
            )
            roles = current.settings.host_role_ids
            patch = changes.patch(
                current_roles=roles.value, inherited_roles=roles.source is not Source.CHANNEL
            )
            await configure_channel(
                services, actor=actor, guild_id=inter.guild_id, channel_id=channel_id, patch=patch
            )
            return f"Saved. Settings for <#{channel_id}> are now:"

        async def answer() -> str:
            heading = await work()
            shown = await channel_settings(services, guild_id=inter.guild_id, channel_id=channel_id)
            return f"{heading}\n{describe_settings(shown.settings)}"

        await reply(inter, await within_deadline(inter, answer()))
