"""/calendar and its New address button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from disnake.ext import commands

from gamesched.bot.calendar._render import NO_WEB, feed_text, rotate_button
from gamesched.bot.components import read_custom_id
from gamesched.bot.interactions import Click, CommandInteraction
from gamesched.bot.replies import reply, within_deadline
from gamesched.calendar.addresses import CalendarSite
from gamesched.discord.custom_ids import Action, CalendarRef, action_prefix
from gamesched.domain.errors import Conflict
from gamesched.services.calendars import FeedAddress, FeedKind, feed_address, rotate_feed

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


class CalendarCog(commands.Cog):
    """/calendar."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        bot.components.route_components(action_prefix(Action.ROTATE), self._rotate)

    def _site(self) -> CalendarSite:
        site = self.bot.deps.calendars
        if site is None or site.base_url is None:
            raise Conflict(NO_WEB)
        return site

    @commands.slash_command(name="calendar")
    async def calendar(self, inter: CommandInteraction) -> None:
        """Your calendar feed's secret address, for your calendar app."""
        site = self._site()
        address = await within_deadline(
            inter,
            feed_address(
                self.bot.deps.services, site.key, kind=FeedKind.MEMBER, owner_id=inter.author.id
            ),
        )
        await reply(inter, _text(site, address), components=[rotate_button(FeedKind.MEMBER)])

    async def _rotate(self, inter: Click) -> None:
        ref = read_custom_id(inter, CalendarRef)
        site = self._site()
        address = await rotate_feed(
            self.bot.deps.services, site.key, kind=ref.kind, owner_id=inter.author.id
        )
        await inter.response.edit_message(
            content=_text(site, address), components=[rotate_button(ref.kind)]
        )


def _text(site: CalendarSite, address: FeedAddress) -> str:
    url = None if address.token is None else site.feed_url(address.token)
    return feed_text(address, url)
