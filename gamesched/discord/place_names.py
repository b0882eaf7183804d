"""Names of servers and channels for the operator's tools, which store only Discord ids.

Names come from the guild facts :class:`~gamesched.discord.rights.GuildRights` keeps (the
guild and its channels: one cached fetch per guild, reused for five minutes, in Redis when
processes share one), so a listing costs a lookup per server, not per row. A server the bot is
no longer in shows :data:`UNKNOWN_SERVER`, a channel its server no longer has (deleted)
:data:`UNKNOWN_CHANNEL`. When Discord cannot be asked, the places not named yet stay unnamed
and :attr:`PlaceNames.unavailable` says why; a lookup never raises for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gamesched.discord.rest import DiscordError
from gamesched.discord.rights import GuildRights

UNKNOWN_SERVER = "Unknown server"
UNKNOWN_CHANNEL = "unknown-channel"


@dataclass(frozen=True, slots=True)
class PlaceNames:
    """Server and channel names by id; an id missing was not looked up."""

    guilds: Mapping[int, str] = field(default_factory=dict)
    channels: Mapping[int, str] = field(default_factory=dict)
    unavailable: str | None = None
    """Why Discord could not be asked (its error), when that left places unnamed."""

    def guild(self, guild_id: int) -> str | None:
        return self.guilds.get(guild_id)

    def channel(self, channel_id: int) -> str | None:
        return self.channels.get(channel_id)


NOT_LOOKED_UP = PlaceNames()


async def place_names(rights: GuildRights, places: Iterable[tuple[int, int | None]]) -> PlaceNames:
    """The names of ``places``, each a server id and one of its channel ids (or None for the
    server alone), asked of Discord once per server; the first failure stops the lookups."""
    wanted: dict[int, set[int]] = {}
    for guild_id, channel_id in places:
        channel_ids = wanted.setdefault(guild_id, set())
        if channel_id is not None:
            channel_ids.add(channel_id)
    guilds: dict[int, str] = {}
    channels: dict[int, str] = {}
    for guild_id, channel_ids in wanted.items():
        try:
            facts = await rights.guild(guild_id)
        except DiscordError as error:
            return PlaceNames(guilds, channels, unavailable=str(error))
        guilds[guild_id] = UNKNOWN_SERVER if facts is None else facts.name
        for channel_id in channel_ids:
            found = None if facts is None else facts.channel(channel_id)
            channels[channel_id] = UNKNOWN_CHANNEL if found is None else found.name
    return PlaceNames(guilds, channels)
