"""Announcement bookkeeping: renders only move forward; unannounced games can be discarded."""

from __future__ import annotations

import pytest

from gamesched.domain.errors import NotFound
from gamesched.services.announcements import discard_unannounced, record_rendered
from gamesched.services.context import Context
from gamesched.services.games import get_game
from tests.support.factories import make_game

MESSAGE = 900_000_000_000_000_001


async def test_an_older_render_never_replaces_a_newer_one(ctx: Context) -> None:
    """Recording version 3 then version 2 leaves the game marked as showing version 3."""
    game_id = (await make_game(ctx)).id
    assert await record_rendered(ctx, game_id=game_id, message_id=MESSAGE, version=3)
    assert not await record_rendered(ctx, game_id=game_id, message_id=MESSAGE, version=2)
    game = await get_game(ctx, game_id)
    assert (game.message_id, game.rendered_version) == (MESSAGE, 3)


async def test_a_game_whose_post_failed_is_removed_but_an_announced_one_is_not(
    ctx: Context,
) -> None:
    """Discarding works only while no announcement was recorded."""
    failed = (await make_game(ctx)).id
    assert await discard_unannounced(ctx, game_id=failed)
    with pytest.raises(NotFound):
        await get_game(ctx, failed)
    posted = (await make_game(ctx)).id
    await record_rendered(ctx, game_id=posted, message_id=MESSAGE, version=1)
    assert not await discard_unannounced(ctx, game_id=posted)
    assert (await get_game(ctx, posted)).message_id == MESSAGE
