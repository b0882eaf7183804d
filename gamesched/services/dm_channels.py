"""Members' DM channels, remembered in the database for every process of a deployment.

Discord gives each member one DM channel with the bot; remembering its id (an id only, as
everything stored) saves opening it again before every DM, after restarts too and across
the bot and the workers. The REST client keeps what it learns here in memory and asks again
only about members it has not seen (see ``DmChannelStore`` in :mod:`gamesched.discord.rest`).
"""

from __future__ import annotations

from collections.abc import Collection

from gamesched.db import repositories as repo
from gamesched.services.context import Context


class RememberedDmChannels:
    """The DM channel ids in the database, one short transaction per call."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def recall(self, user_ids: Collection[int]) -> dict[int, int]:
        """User id -> DM channel id, for those of ``user_ids`` that have one (one query)."""
        async with self._ctx.transaction() as session:
            return await repo.dm_channels_of(session, user_ids)

    async def remember(self, user_id: int, channel_id: int) -> None:
        """Remember the DM channel Discord just opened for ``user_id``."""
        async with self._ctx.transaction() as session:
            await repo.remember_dm_channel(
                session, user_id=user_id, channel_id=channel_id, at=self._ctx.now()
            )

    async def forget(self, user_id: int, channel_id: int) -> None:
        """Forget a DM channel Discord no longer knows, unless a newer one replaced it."""
        async with self._ctx.transaction() as session:
            await repo.forget_dm_channel(session, user_id=user_id, channel_id=channel_id)
