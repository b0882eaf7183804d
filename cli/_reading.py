"""How the read commands open gamesched: the database as it is (never migrated by a read), and
Discord only to show members, servers and channels by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import typer

from cli.serve import operators_discord
from gamesched.app import (
    database_in_use,
    open_core,
    open_database,
    require_current_schema,
)
from gamesched.config import Config
from gamesched.discord.names import UNKNOWN_USER, DisplayNames, short_id
from gamesched.discord.place_names import NOT_LOOKED_UP, PlaceNames, place_names
from gamesched.discord.rights import GuildRights
from gamesched.services.context import Context


@dataclass(frozen=True, slots=True)
class Reader:
    """The use cases to read with, and names when Discord is asked for them."""

    services: Context
    names: DisplayNames | None
    """None: members are shown by id (``--ids``, or no bot token configured)."""
    rights: GuildRights | None = None
    """Where server and channel names come from; None: shown by id, like members."""
    notes: list[str] = field(default_factory=list)
    """Said on stderr once the answer is ready (what could not be looked up)."""

    async def resolve(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str | None]:
        """Each member's display name ("Unknown User" for someone who left), or None by id."""
        ids = list(dict.fromkeys(user_ids))
        if self.names is None:
            return dict.fromkeys(ids)
        return dict(await self.names.resolve(guild_id, ids))

    async def resolve_in_guilds(
        self, wanted: Iterable[tuple[int, Iterable[int]]]
    ) -> dict[int, str | None]:
        """:meth:`resolve` for members of several guilds: each ``(guild_id, user_ids)``
        looked up in its own guild, one lookup per guild."""
        per_guild: dict[int, list[int]] = {}
        for guild_id, user_ids in wanted:
            per_guild.setdefault(guild_id, []).extend(user_ids)
        names: dict[int, str | None] = {}
        for guild_id, user_ids in per_guild.items():
            for user_id, name in (await self.resolve(guild_id, user_ids)).items():
                if _rank(name, user_id) > _rank(names.get(user_id), user_id):
                    names[user_id] = name
        return names

    async def places(self, wanted: Iterable[tuple[int, int | None]]) -> PlaceNames:
        """The names of servers and channels, each ``(guild_id, channel_id or None)``: one
        lookup per server ("Unknown server", "#unknown-channel" for what is gone). When
        Discord fails they are shown by id, and a note says so once."""
        if self.rights is None:
            return NOT_LOOKED_UP
        found = await place_names(self.rights, wanted)
        note = unnamed_note(found)
        if note and note not in self.notes:
            self.notes.append(note)
        return found


def unnamed_note(places: PlaceNames) -> str | None:
    """What to say on stderr when Discord could not be asked for the places' names."""
    if places.unavailable is None:
        return None
    return f"Servers and channels are shown by id: {places.unavailable}"


def server_text(guild_id: int, places: PlaceNames) -> str:
    """A server as a table shows it: ``Game Night (1170…)``, or the id alone."""
    name = places.guild(guild_id)
    return f"{name} ({guild_id})" if name else str(guild_id)


def channel_text(channel_id: int, places: PlaceNames) -> str:
    """A channel as a table shows it: ``#board-games (1190…)``, or the id alone."""
    name = places.channel(channel_id)
    return f"#{name} ({channel_id})" if name else str(channel_id)


def _rank(name: str | None, user_id: int) -> int:
    """How much a name says, so that a member looked up in several servers keeps the best:
    a display name, over "Unknown User" (left that server), over the short id shown when
    Discord could not be asked, over nothing."""
    if name is None:
        return 0
    if name == short_id(user_id):
        return 1
    return 2 if name == UNKNOWN_USER else 3


@asynccontextmanager
async def reading(config: Config, *, names: bool) -> AsyncIterator[Reader]:
    """A :class:`Reader` for the block, asking Discord for names when ``names``.

    A database gamesched has not set up (or set up by an older version) is a
    ServiceUnavailable saying what to run, not an empty answer. Without a bot token names
    come from the sandbox `gamesched run` serves when one is running, else are not looked up
    (said once on stderr).
    """
    await require_current_schema(config)
    target = await operators_discord(config) if names else None
    if target is None or not names:
        async with open_database(config) as database:
            with database_in_use():
                yield Reader(services=Context(database=database), names=None)
        if names:  # after the answer: an error stays the only line
            typer.echo("No bot token set: shown by ids, not by Discord names.", err=True)
        return
    async with open_core(config, target) as core:
        with database_in_use():
            reader = Reader(services=core.services, names=core.names, rights=core.rights)
            yield reader
    for note in reader.notes:
        typer.echo(note, err=True)
