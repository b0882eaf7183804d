"""Display names for the web, CLI and TUI, which only ever store Discord ids.

Names are resolved at render time with Discord's priority nick > global_name > username and
cached for five minutes. Misses are fetched with one ``get_member`` per id, at most
:data:`CONCURRENCY` at a time: the cost follows the number of names shown, not the guild's size,
and unlike paging ``list_members`` it needs no privileged Server Members intent. A member who
left shows :data:`UNKNOWN_USER` (not cached: they may rejoin); when Discord fails, names fall
back to a short id form, so a page always renders.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gamesched.discord.cache import ExpiringCache, MemoryCache
from gamesched.discord.rest import DiscordNotFound, DiscordRest

log = logging.getLogger(__name__)

UNKNOWN_USER = "Unknown User"
CONCURRENCY = 10
"""Member lookups in flight at once for one resolve (the client also queues per bucket)."""
LEFT_CODES = frozenset({10007, 10013})
"""Unknown Member, Unknown User: the person left the guild or deleted their account."""


def short_id(user_id: int) -> str:
    """What a name degrades to when Discord cannot be asked: ``User …1234``."""
    return f"User …{str(user_id)[-4:]}"


def display_name(member: Mapping[str, Any]) -> str | None:
    """A guild member's shown name: nick, else global name, else username."""
    user = member.get("user") or {}
    return member.get("nick") or user.get("global_name") or user.get("username") or None


class DisplayNames:
    """Resolves user ids to display names for one guild at a time; never raises."""

    def __init__(
        self, rest: DiscordRest, *, cache: ExpiringCache | None = None, ttl: float = 300
    ) -> None:
        self._rest = rest
        self._cache: ExpiringCache = cache or MemoryCache()
        self._ttl = ttl

    async def resolve(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """Every id's display name, from the cache, else Discord, else :func:`short_id`."""
        keys = {user_id: f"{guild_id}:{user_id}" for user_id in user_ids}
        try:
            cached = await self._cache.get_many(list(keys.values()))
        except Exception:  # a cache outage must not break a page; Discord can still answer
            log.warning("name cache unreadable; asking Discord", exc_info=True)
            cached = {}
        names = {user_id: cached[key] for user_id, key in keys.items() if key in cached}
        fetched = await self._fetch(guild_id, [i for i in keys if i not in names])
        fresh = {keys[i]: name for i, name in fetched.items() if name != UNKNOWN_USER}
        if fresh:
            try:
                await self._cache.set_many(fresh, self._ttl)
            except Exception:  # the names are right; they just will not be reused
                log.warning("name cache unwritable", exc_info=True)
        names.update(fetched)
        return {user_id: names.get(user_id) or short_id(user_id) for user_id in keys}

    async def _fetch(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, str]:
        """Names of ``user_ids`` from Discord; the first failure stops the rest (short ids)."""
        found: dict[int, str] = {}
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(user_id: int) -> None:
            async with gate:
                try:
                    member = await self._rest.get_member(guild_id, user_id)
                except DiscordNotFound as error:
                    if error.code not in LEFT_CODES:
                        raise
                    found[user_id] = UNKNOWN_USER
                    return
            if name := display_name(member):
                found[user_id] = name

        try:
            async with asyncio.TaskGroup() as group:
                for user_id in user_ids:
                    group.create_task(one(user_id))
        except* Exception as failures:  # Discord down or refusing: show short ids, keep going
            log.warning(
                "display names in guild %s degraded to short ids: %s",
                guild_id,
                failures.exceptions[0],
            )
        return found
