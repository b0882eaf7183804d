"""Candidate members for @name entries: the bot's member cache, else Discord's member search."""

from __future__ import annotations

from collections.abc import Sequence

import disnake

from gamesched.discord.directory import RestDirectory
from gamesched.discord.rest import DiscordRest
from gamesched.domain.entries import Entries, Member, needed_lookups


def _member(member: disnake.Member) -> Member:
    return Member(
        user_id=member.id, username=member.name, global_name=member.global_name, nick=member.nick
    )


class BotDirectory:
    """Finds members in the gateway cache; falls back to REST when the cache is not filled."""

    def __init__(self, bot: disnake.Client, rest: DiscordRest) -> None:
        self._bot = bot
        self._rest = RestDirectory(rest)

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        guild = self._bot.get_guild(guild_id)
        if guild is None or not guild.chunked:
            return await self._rest.candidates(guild_id, entries)
        # Every member is cached: hand them all over, so middle-of-name and global-name
        # matches are found too (the domain ranks them).
        found = {m.id: _member(m) for m in guild.members}
        user_ids = needed_lookups(entries).user_ids
        return [*found.values(), *await self._rest.by_id(guild_id, user_ids, known=found)]
