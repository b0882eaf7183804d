"""/calendar and its New address buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

import disnake
from disnake.ext import commands

from gamesched.bot.actors import actor_of
from gamesched.bot.calendar._render import NO_WEB, feed_text, renew_buttons
from gamesched.bot.components import read_custom_id
from gamesched.bot.interactions import AnyInteraction, Click, CommandInteraction
from gamesched.bot.replies import reply, within_deadline
from gamesched.calendar.addresses import CalendarSite
from gamesched.discord.custom_ids import Action, CalendarRef, action_prefix
from gamesched.domain.errors import Conflict
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.calendars import (
    FeedAddress,
    FeedKind,
    feed_address,
    public_feed_address,
    rotate_feed,
    rotate_public_feed,
)
from gamesched.services.context import Context

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


class CalendarCog(commands.Cog):
    """/calendar: the member's feed, and the server's and channel's public ones when on."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        bot.components.route_components(action_prefix(Action.ROTATE), self._renew)

    @property
    def services(self) -> Context:
        return self.bot.deps.services

    def _site(self) -> CalendarSite:
        site = self.bot.deps.calendars
        if site is None or site.base_url is None:
            raise Conflict(NO_WEB)
        return site

    @commands.slash_command(name="calendar")
    async def calendar(self, inter: CommandInteraction) -> None:
        """Your calendar feed's secret address (and this server's public one, if it shares)."""
        site = self._site()
        content, row = await within_deadline(inter, self._answer(inter, site, renewed=None))
        await reply(inter, content, components=[row])

    async def _renew(self, inter: Click) -> None:
        """A new address for the feed the button names (the old one stops working)."""
        kind = read_custom_id(inter, CalendarRef).kind
        site = self._site()
        if kind is FeedKind.MEMBER:
            renewed = await rotate_feed(self.services, site.key, user_id=inter.author.id)
        else:
            renewed = await rotate_public_feed(
                self.services,
                site.key,
                actor=actor_of(inter),
                kind=kind,
                place_id=_place_of(inter, kind),
            )
        content, row = await self._answer(inter, site, renewed=renewed)
        await inter.response.edit_message(content=content, components=[row])

    async def _answer(
        self, inter: AnyInteraction, site: CalendarSite, *, renewed: FeedAddress | None
    ) -> tuple[str, disnake.ui.MessageActionRow]:
        """Every feed the member may see here, each with its text, and the renew buttons
        of those they may renew."""
        addresses = [await feed_address(self.services, site.key, user_id=inter.author.id)]
        if inter.guild_id is not None:
            for kind in (FeedKind.GUILD, FeedKind.CHANNEL):
                public = await public_feed_address(
                    self.services, site.key, kind=kind, place_id=_place_of(inter, kind)
                )
                addresses += [] if public is None else [public]
        if renewed is not None:
            addresses = [renewed if a.kind is renewed.kind else a for a in addresses]
        actor = actor_of(inter)
        renewable = [a.kind for a in addresses if _may_renew(actor, a.kind)]
        texts = [
            feed_text(
                address,
                None if address.token is None else site.feed_url(address.token),
                renewable=address.kind in renewable,
                renewed=address is renewed,
            )
            for address in addresses
        ]
        return "\n\n".join(texts), renew_buttons(renewable)


def _place_of(inter: AnyInteraction, kind: FeedKind) -> int:
    """The server or channel a public feed button or answer is about: where it was used."""
    place = inter.guild_id if kind is FeedKind.GUILD else inter.channel_id
    if place is None:
        raise Conflict("Public calendar feeds belong to a server; use this in one.")
    return place


def _may_renew(actor: Actor, kind: FeedKind) -> bool:
    """The member renews their own feed; a server's needs Manage Server, a channel's Manage
    Channels (as the settings they come from)."""
    if kind is FeedKind.GUILD:
        return actor.is_guild_admin
    return kind is FeedKind.MEMBER or actor.has(Permission.MANAGE_CHANNELS)
