"""A member's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from disnake.ext import commands

from gamesched.bot.interactions import CommandInteraction
from gamesched.bot.replies import reply, within_deadline
from gamesched.discord.limits import MAX_OPTION_CHOICES
from gamesched.services.people import ZoneChoice, ZoneSource, set_user_time_zone, time_zone_of

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot

SOURCE_TEXT = {
    ZoneSource.YOU: "your own setting",
    ZoneSource.SERVER: "the server's default (set yours with /timezone zone:...)",
    ZoneSource.DEFAULT: "no setting yet, so UTC (set yours with /timezone zone:...)",
}
RESET_WORDS = frozenset({"reset", "clear", "none"})


class PersonalCog(commands.Cog):
    """/timezone."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        self.zones = sorted(available_timezones())

    @commands.slash_command(name="timezone")
    async def timezone(
        self,
        inter: CommandInteraction,
        zone: str | None = commands.Param(
            None, description="e.g. Europe/Berlin; 'reset' to use the server's"
        ),
    ) -> None:
        """Show or set the time zone your typed times are read in."""
        services = self.bot.deps.services

        async def work() -> ZoneChoice:
            if zone is not None:
                wanted = None if zone.strip().casefold() in RESET_WORDS else zone
                await set_user_time_zone(services, user_id=inter.author.id, zone=wanted)
            return await time_zone_of(services, user_id=inter.author.id, guild_id=inter.guild_id)

        choice = await within_deadline(inter, work())
        local = datetime.now(UTC).astimezone(ZoneInfo(choice.zone))
        await reply(
            inter,
            f"Your times are read in **{choice.zone}** ({SOURCE_TEXT[choice.source]}). "
            f"It is {local:%H:%M} there now.",
        )

    @timezone.autocomplete("zone")
    async def zone_names(self, inter: CommandInteraction, text: str) -> list[str]:
        wanted = text.casefold().replace(" ", "_")
        return [z for z in self.zones if wanted in z.casefold()][:MAX_OPTION_CHOICES]
