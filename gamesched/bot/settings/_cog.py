"""Guild and channel settings in Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING

import disnake
from disnake.ext import commands
from disnake.interactions import GuildCommandInteraction

from gamesched.bot.actors import GUILD_ONLY, actor_of
from gamesched.bot.replies import reply, within_deadline
from gamesched.bot.settings._render import describe_settings
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
)
from gamesched.domain.settings import KEEP, Keep, SettingsPatch, Source, parse_reminder_minutes
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

CLEARABLE = {
    "max players": "max_players",
    "reminders": "reminder_minutes",
    "duration": "duration_minutes",
    "rules": "rules",
    "category": "category",
    "host roles": "host_role_ids",
    "channel reminders": "remind_in_channel",
}


def _patch(
    *,
    current_roles: tuple[int, ...],
    inherited_roles: bool,
    max_players: int | None,
    reminders: str | None,
    duration: int | None,
    rules: str | None,
    category: str | None,
    add_host_role: disnake.Role | None,
    remove_host_role: disnake.Role | None,
    remind_in_channel: bool | None,
    clear: str | None,
) -> SettingsPatch:
    """The change the options ask for; options left out keep their value."""
    roles: tuple[int, ...] | Keep | None = KEEP
    if add_host_role is not None or remove_host_role is not None:
        base = () if inherited_roles else current_roles
        chosen = [r for r in base if remove_host_role is None or r != remove_host_role.id]
        if add_host_role is not None and add_host_role.id not in chosen:
            chosen.append(add_host_role.id)
        roles = tuple(chosen)
    values: dict[str, object] = {
        "max_players": KEEP if max_players is None else max_players,
        "reminder_minutes": KEEP if reminders is None else parse_reminder_minutes(reminders) or (),
        "duration_minutes": KEEP if duration is None else duration,
        "rules": KEEP if rules is None else rules,
        "category": KEEP if category is None else category,
        "host_role_ids": roles,
        "remind_in_channel": KEEP if remind_in_channel is None else remind_in_channel,
    }
    if clear is not None:
        values[CLEARABLE[clear]] = None
    return SettingsPatch(**values)  # type: ignore[arg-type]


def _changes_requested(*options: object) -> bool:
    return any(option is not None for option in options)


class SettingsCog(commands.Cog):
    """/config-guild and /config-channel."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot

    @commands.slash_command(name="config-guild", contexts=GUILD_ONLY)
    async def config_guild(
        self,
        inter: GuildCommandInteraction,
        max_players: int | None = commands.Param(None, ge=1, le=500, description="Seats per game"),
        reminders: str | None = commands.Param(
            None, description="Minutes before the start, e.g. 60, 15 (empty text: none)"
        ),
        duration: int | None = commands.Param(None, ge=5, le=10080, description="Minutes"),
        rules: str | None = commands.Param(None, max_length=1000, description="House rules"),
        category: str | None = commands.Param(None, max_length=50, description="Default label"),
        add_host_role: disnake.Role | None = commands.Param(None, description="May create games"),
        remove_host_role: disnake.Role | None = commands.Param(None, description="No longer"),
        timezone: str | None = commands.Param(None, description="Default zone, e.g. Europe/Berlin"),
        remind_in_channel: bool | None = commands.Param(
            None, description="Also post reminders in the channel for players whose DMs are closed"
        ),
        clear: str | None = commands.Param(
            None, choices=list(CLEARABLE), description="Reset one setting to its default"
        ),
    ) -> None:
        """Show the server's game settings; with options, change them (Manage Server)."""
        services = self.bot.deps.services
        options = (max_players, reminders, duration, rules, category, remind_in_channel)

        async def work() -> str:
            if not _changes_requested(*options, add_host_role, remove_host_role, timezone, clear):
                return "The server's game settings:"
            current = await guild_settings(services, guild_id=inter.guild_id)
            patch = _patch(
                current_roles=current.settings.host_role_ids.value,
                inherited_roles=current.settings.host_role_ids.source is not Source.GUILD,
                max_players=max_players,
                reminders=reminders,
                duration=duration,
                rules=rules,
                category=category,
                add_host_role=add_host_role,
                remove_host_role=remove_host_role,
                remind_in_channel=remind_in_channel,
                clear=clear,
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
        inter: GuildCommandInteraction,
        channel: disnake.TextChannel | None = commands.Param(None, description="Default: here"),
        max_players: int | None = commands.Param(None, ge=1, le=500, description="Seats per game"),
        reminders: str | None = commands.Param(
            None, description="Minutes before the start, e.g. 60, 15"
        ),
        duration: int | None = commands.Param(None, ge=5, le=10080, description="Minutes"),
        rules: str | None = commands.Param(None, max_length=1000, description="House rules"),
        category: str | None = commands.Param(None, max_length=50, description="e.g. Board games"),
        add_host_role: disnake.Role | None = commands.Param(None, description="May create games"),
        remove_host_role: disnake.Role | None = commands.Param(None, description="No longer"),
        remind_in_channel: bool | None = commands.Param(
            None, description="Also post reminders in the channel for players whose DMs are closed"
        ),
        clear: str | None = commands.Param(
            None, choices=list(CLEARABLE), description="Reset one setting to the server's value"
        ),
    ) -> None:
        """Show this channel's game settings and their sources; with options, change them."""
        services = self.bot.deps.services
        channel_id = channel.id if channel is not None else inter.channel_id
        options = (max_players, reminders, duration, rules, category, add_host_role)
        switches = (remove_host_role, remind_in_channel, clear)

        async def work() -> str:
            if not _changes_requested(*options, *switches):
                return f"Game settings for <#{channel_id}>:"
            actor: Actor = actor_of(inter, channel_id=channel_id)
            require_can_configure_channel(actor)
            current = await channel_settings(
                services, guild_id=inter.guild_id, channel_id=channel_id
            )
            roles = current.settings.host_role_ids
            patch = _patch(
                current_roles=roles.value,
                inherited_roles=roles.source is not Source.CHANNEL,
                max_players=max_players,
                reminders=reminders,
                duration=duration,
                rules=rules,
                category=category,
                add_host_role=add_host_role,
                remove_host_role=remove_host_role,
                remind_in_channel=remind_in_channel,
                clear=clear,
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
