"""How the read commands open gamesched: the database as it is (never migrated by a read), and
Discord only to show members by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import typer

from gamesched.app import (
    configured_discord,
    database_in_use,
    open_core,
    open_database,
    require_current_schema,
)
from gamesched.config import Config
from gamesched.discord.names import DisplayNames
from gamesched.services.context import Context


@dataclass(frozen=True, slots=True)
class Reader:
    """The use cases to read with, and display names when Discord is asked for them."""

    services: Context
    names: DisplayNames | None
    """None: members are shown by id (``--ids``, or no bot token configured)."""

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
            names.update(await self.resolve(guild_id, user_ids))
        return names


@asynccontextmanager
async def reading(config: Config, *, names: bool) -> AsyncIterator[Reader]:
    """A :class:`Reader` for the block, asking Discord for display names when ``names``.

    A database gamesched has not set up (or set up by an older version) is a
    ServiceUnavailable saying what to run, not an empty answer. Without a bot token names
    are not looked up (said once on stderr) rather than starting a sandbox.
    """
    await require_current_schema(config)
    target = configured_discord(config)
    if target is None or not names:
        async with open_database(config) as database:
            with database_in_use():
                yield Reader(services=Context(database=database), names=None)
        if target is None and names:  # after the answer: an error stays the only line
            typer.echo("No bot token set: members are shown by their ids.", err=True)
        return
    async with open_core(config, target) as core:
        with database_in_use():
            yield Reader(services=core.services, names=core.names)
