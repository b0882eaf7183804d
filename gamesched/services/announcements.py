"""Bookkeeping for a game's Discord announcement: which message shows which version."""

from __future__ import annotations

from gamesched.db import repositories as repo
from gamesched.services.context import Context


async def record_rendered(ctx: Context, *, game_id: int, message_id: int, version: int) -> bool:
    """Note that ``message_id`` now shows ``version``; False if a newer render was recorded.

    Compare-and-set, so a slow render can never mark the game as showing an older version
    than one already recorded.
    """
    async with ctx.transaction() as session:
        return await repo.record_render_if_newer(
            session, game_id=game_id, message_id=message_id, version=version
        )


async def discard_unannounced(ctx: Context, *, game_id: int) -> bool:
    """Remove a game whose announcement could not be posted (it was never shown to anyone).

    Creating a game is only complete once Discord accepted its announcement; when posting
    fails the game must not linger half-created. Returns False if it was announced meanwhile.
    """
    async with ctx.transaction() as session:
        return await repo.delete_unannounced_game(session, game_id)
