"""Bookkeeping for a game's Discord announcement: which message shows which version."""

from __future__ import annotations

from sqlalchemy import delete, update

from gamesched.db.tables import GameRow
from gamesched.services.context import Context


async def record_rendered(ctx: Context, *, game_id: int, message_id: int, version: int) -> bool:
    """Note that ``message_id`` now shows ``version``; False if a newer render was recorded.

    Compare-and-set, so a slow render can never mark the game as showing an older version
    than one already recorded.
    """
    async with ctx.transaction() as session:
        result = await session.execute(
            update(GameRow)
            .where(GameRow.id == game_id, GameRow.rendered_version < version)
            .values(message_id=message_id, rendered_version=version)
        )
        return bool(getattr(result, "rowcount", 0))


async def discard_unannounced(ctx: Context, *, game_id: int) -> bool:
    """Remove a game whose announcement could not be posted (it was never shown to anyone).

    Creating a game is only complete once Discord accepted its announcement; when posting
    fails the game must not linger half-created. Returns False if it was announced meanwhile.
    """
    async with ctx.transaction() as session:
        result = await session.execute(
            delete(GameRow).where(GameRow.id == game_id, GameRow.message_id.is_(None))
        )
        return bool(getattr(result, "rowcount", 0))
