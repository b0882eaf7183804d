"""Who may do what in a guild, for front ends that get no interaction data (the web).

The bot learns a member's permissions from each interaction; the web asks Discord with the
bot token instead: the guild's roles and owner, its channels' overwrites, and the member's
roles, combined as Discord does. Facts are cached for at most :data:`TTL_SECONDS` (in Redis when
several processes share one) and fetched fresh before anything is changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from gamesched.discord.cache import ExpiringCache, MemoryCache
from gamesched.discord.rest import DiscordForbidden, DiscordNotFound, DiscordRest
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor

log = logging.getLogger(__name__)
T = TypeVar("T")

TTL_SECONDS = 300
"""How long what Discord said about a guild or a member is reused."""
ALL_PERMISSIONS = (1 << 53) - 1
"""Every bit Discord defines or may define: what the owner and administrators hold."""
POSTABLE_TYPES = frozenset({0, 5})
"""Channel types a game can be announced in: text and announcement channels."""
ROLE, MEMBER = 0, 1
"""Kinds of permission overwrite."""
BOT_POSTS = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | Permission.EMBED_LINKS
"""What the bot needs in a channel to announce a game there."""


@dataclass(frozen=True, slots=True)
class Overwrite:
    target_id: int
    kind: int
    allow: int
    deny: int


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """A guild channel as Discord describes it, with its permission overwrites."""

    channel_id: int
    name: str
    kind: int
    position: int
    parent_id: int | None
    overwrites: tuple[Overwrite, ...]

    @property
    def postable(self) -> bool:
        return self.kind in POSTABLE_TYPES


@dataclass(frozen=True, slots=True)
class GuildFacts:
    """What rights in a guild are computed from: its owner, roles and channels."""

    guild_id: int
    name: str
    icon: str | None
    owner_id: int
    role_permissions: Mapping[int, int]
    role_names: Mapping[int, str]
    channels: tuple[ChannelFacts, ...]

    def channel(self, channel_id: int) -> ChannelFacts | None:
        return next((c for c in self.channels if c.channel_id == channel_id), None)

    def postable_channels(self) -> tuple[ChannelFacts, ...]:
        """Text and announcement channels, in Discord's order."""
        return tuple(sorted((c for c in self.channels if c.postable), key=lambda c: c.position))

    def base_permissions(self, user_id: int, role_ids: frozenset[int]) -> int:
        """Guild-wide permissions: @everyone and the member's roles; owner and admins get all."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        bits = 0
        for role_id in (self.guild_id, *role_ids):
            bits |= self.role_permissions.get(role_id, 0)
        return ALL_PERMISSIONS if bits & Permission.ADMINISTRATOR else bits

    def channel_permissions(self, channel_id: int, user_id: int, role_ids: frozenset[int]) -> int:
        """Permissions in a channel, overwrites applied in Discord's order (@everyone, the
        member's roles together, then the member); nothing in a channel Discord did not list."""
        channel = self.channel(channel_id)
        if channel is None:
            return 0
        bits = self.base_permissions(user_id, role_ids)
        if bits & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        by_target = {(o.kind, o.target_id): o for o in channel.overwrites}
        if everyone := by_target.get((ROLE, self.guild_id)):
            bits = (bits & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in role_ids:
            if role := by_target.get((ROLE, role_id)):
                allow |= role.allow
                deny |= role.deny
        bits = (bits & ~deny) | allow
        if own := by_target.get((MEMBER, user_id)):
            bits = (bits & ~own.deny) | own.allow
        return bits

    def visible_channel_ids(self, user_id: int, role_ids: frozenset[int]) -> frozenset[int]:
        """The channels the member can see (View Channel after overwrites), so listings keep
        to them as the bot's do."""
        return frozenset(
            c.channel_id
            for c in self.channels
            if self.channel_permissions(c.channel_id, user_id, role_ids) & Permission.VIEW_CHANNEL
        )


class GuildRights:
    """Discord's facts about guilds and members, and the :class:`Actor` they make."""

    def __init__(
        self, rest: DiscordRest, *, cache: ExpiringCache | None = None, ttl: float = TTL_SECONDS
    ) -> None:
        self._rest = rest
        self._cache: ExpiringCache = cache or MemoryCache()
        self._ttl = ttl
        self._bot_user_id: int | None = None

    async def bot_guild_ids(self) -> frozenset[int]:
        """The guilds the bot is in."""
        data = await self._cached("bot-guilds", self._rest.list_bot_guilds, fresh=False)
        return frozenset(int(g["id"]) for g in data)

    async def guild(self, guild_id: int, *, fresh: bool = False) -> GuildFacts | None:
        """The guild's owner, roles and channels; None when the bot is not in it."""

        async def fetch() -> dict[str, Any] | None:
            try:
                guild = await self._rest.get_guild(guild_id)
                channels = await self._rest.get_guild_channels(guild_id)
            except (DiscordNotFound, DiscordForbidden):
                return None
            return {"guild": guild, "channels": channels}

        data = await self._cached(f"guild:{guild_id}", fetch, fresh=fresh)
        return None if data is None else _guild_facts(data["guild"], data["channels"])

    async def member_roles(
        self, guild_id: int, user_id: int, *, fresh: bool = False
    ) -> frozenset[int] | None:
        """The ids of the member's roles; None when they are not in the guild."""

        async def fetch() -> list[str] | None:
            try:
                member = await self._rest.get_member(guild_id, user_id)
            except DiscordNotFound:
                return None
            roles: list[str] = member.get("roles", [])
            return roles

        roles = await self._cached(f"roles:{guild_id}:{user_id}", fetch, fresh=fresh)
        return None if roles is None else frozenset(int(r) for r in roles)

    async def actor(
        self, guild_id: int, user_id: int, *, channel_id: int | None = None, fresh: bool = False
    ) -> Actor | None:
        """The member as the use cases see them: their roles, and their permissions in
        ``channel_id`` (guild-wide without one). None when they or the bot are not in it."""
        facts = await self.guild(guild_id, fresh=fresh)
        roles = await self.member_roles(guild_id, user_id, fresh=fresh)
        if facts is None or roles is None:
            return None
        permissions = (
            facts.base_permissions(user_id, roles)
            if channel_id is None
            else facts.channel_permissions(channel_id, user_id, roles)
        )
        return Actor(user_id=user_id, permissions=permissions, role_ids=roles, guild_id=guild_id)

    async def bot_can_post(self, facts: GuildFacts, channel_id: int) -> bool:
        """Whether the bot may view, send and embed in the channel (to announce there)."""
        bot_id = await self.bot_user_id()
        roles = await self.member_roles(facts.guild_id, bot_id)
        if roles is None:
            return False
        bits = facts.channel_permissions(channel_id, bot_id, roles)
        return Permission(bits & BOT_POSTS) == BOT_POSTS or bool(bits & Permission.ADMINISTRATOR)

    async def bot_user_id(self) -> int:
        if self._bot_user_id is None:
            self._bot_user_id = int((await self._rest.get_bot_user())["id"])
        return self._bot_user_id

    async def _cached(self, key: str, fetch: Callable[[], Awaitable[T]], *, fresh: bool) -> T:
        """``fetch()``'s answer, reused for the TTL; ``fresh`` asks Discord again. A cache
        outage only costs a request to Discord."""
        if not fresh:
            try:
                found = (await self._cache.get_many([key])).get(key)
            except Exception:
                log.warning("rights cache unreadable; asking Discord", exc_info=True)
                found = None
            if found is not None:
                cached: T = json.loads(found)
                return cached
        data = await fetch()
        try:
            await self._cache.set_many({key: json.dumps(data)}, self._ttl)
        except Exception:
            log.warning("rights cache unwritable", exc_info=True)
        return data


def _guild_facts(guild: Mapping[str, Any], channels: list[Mapping[str, Any]]) -> GuildFacts:
    return GuildFacts(
        guild_id=int(guild["id"]),
        name=str(guild["name"]),
        icon=guild.get("icon"),
        owner_id=int(guild["owner_id"]),
        role_permissions={int(r["id"]): int(r["permissions"]) for r in guild.get("roles", [])},
        role_names={int(r["id"]): str(r["name"]) for r in guild.get("roles", [])},
        channels=tuple(
            ChannelFacts(
                channel_id=int(c["id"]),
                name=str(c.get("name") or ""),
                kind=int(c["type"]),
                position=int(c.get("position") or 0),
                parent_id=None if c.get("parent_id") is None else int(c["parent_id"]),
                overwrites=tuple(
                    Overwrite(
                        target_id=int(o["id"]),
                        kind=int(o["type"]),
                        allow=int(o["allow"]),
                        deny=int(o["deny"]),
                    )
                    for o in c.get("permission_overwrites", [])
                ),
            )
            for c in channels
        ),
    )
