"""Candidate members for @name entries, asked of Discord's REST API (member search)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gamesched.discord.rest import DiscordNotFound, DiscordRest
from gamesched.domain.entries import Entries, Member, needed_lookups


def member_of(data: Mapping[str, Any]) -> Member:
    """A guild member object as Discord sends it, as the domain matches names against."""
    user = data["user"]
    nick = data.get("nick")
    return Member(
        user_id=int(user["id"]),
        username=str(user["username"]),
        global_name=user.get("global_name"),
        nick=nick if isinstance(nick, str) else None,
    )


def search_terms(name: str) -> list[str]:
    """What to search for ``@name``: the name, and its first word when it has several.

    Discord's member search matches the start of usernames and nicknames only, so a display
    name like "Sam Smith" is found through "Sam"; the domain then matches the whole name
    against the members found (their global names too) and offers the ones that fit.
    """
    words = name.split()
    return [name] if len(words) < 2 else [name, words[0]]


class RestDirectory:
    """Finds members with Discord's member search (a prefix of username or nickname) and
    looks up ``<@id>`` entries one by one; needs no gateway and no privileged intent."""

    def __init__(self, rest: DiscordRest) -> None:
        self._rest = rest

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        lookups = needed_lookups(entries)
        found: dict[int, Member] = {}
        for query in lookups.queries:
            for term in search_terms(query):
                for data in await self._rest.search_members(guild_id, term):
                    member = member_of(data)
                    found[member.user_id] = member
        return [*found.values(), *await self.by_id(guild_id, lookups.user_ids, known=found)]

    async def by_id(
        self, guild_id: int, user_ids: Iterable[int], *, known: Mapping[int, Member]
    ) -> list[Member]:
        """The members among ``user_ids`` not in ``known``; someone not in the guild is left out."""
        members = []
        for user_id in user_ids:
            if user_id in known:
                continue
            try:
                members.append(member_of(await self._rest.get_member(guild_id, user_id)))
            except DiscordNotFound:
                continue
        return members
