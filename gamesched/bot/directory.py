"""Candidate members for @name entries: the bot's member cache, else Discord's member search."""

from __future__ import annotations

from collections.abc import Sequence

import disnake

from gamesched.discord.rest import DiscordNotFound, DiscordRest
from gamesched.domain.entries import Entries, Member, needed_lookups


def _member(member: disnake.Member) -> Member:
    return Member(
        user_id=member.id, username=member.name, global_name=member.global_name, nick=member.nick
    )


def _raw_member(data: dict[str, object]) -> Member:
    user = data["user"]
    assert isinstance(user, dict)
    nick = data.get("nick")
    return Member(
        user_id=int(user["id"]),
        username=str(user["username"]),
        global_name=user.get("global_name"),
        nick=nick if isinstance(nick, str) else None,
    )


class BotDirectory:
    """Finds members in the gateway cache; falls back to REST when the cache is not filled."""

    def __init__(self, bot: disnake.Client, rest: DiscordRest) -> None:
        self._bot = bot
        self._rest = rest

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        lookups = needed_lookups(entries)
        guild = self._bot.get_guild(guild_id)
        found: dict[int, Member] = {}
        if guild is not None and guild.chunked:
            # Every member is cached: hand them all over, so middle-of-name and global-name
            # matches are found too (the domain ranks them).
            found = {m.id: _member(m) for m in guild.members}
        else:
            for query in lookups.queries:
                for data in await self._rest.search_members(guild_id, query):
                    member = _raw_member(data)
                    found[member.user_id] = member
        for user_id in lookups.user_ids:
            if user_id in found:
                continue
            try:
                found[user_id] = _raw_member(await self._rest.get_member(guild_id, user_id))
            except DiscordNotFound:
                continue
        return list(found.values())
