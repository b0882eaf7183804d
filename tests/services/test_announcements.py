"""Announcement bookkeeping: renders only move forward; unannounced games can be discarded;
the worker's sweep finds the announcements that are behind."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from gamesched.db.tables import GameRow
from gamesched.domain.errors import NotFound
from gamesched.services import outbox
from gamesched.services.announcements import discard_unannounced, record_rendered
from gamesched.services.context import Context
from gamesched.services.games import cancel_game, get_game
from gamesched.services.outbox import UNANNOUNCED_GRACE
from gamesched.services.participation import join_game
from tests.support.factories import ADMIN, P1, make_game
from tests.support.fakes import FakeClock

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


async def test_the_sweep_finds_the_announcements_behind_and_only_those(
    ctx: Context, clock: FakeClock
) -> None:
    """The worker's sweep picks a game changed since its post and a game whose post was lost
    longer ago than the grace; it leaves games shown as they are, a game whose post is only
    just due, and a cancelled game whose last version is shown."""
    in_sync, changed, cancelled = [(await make_game(ctx, title=t)).id for t in "ABC"]
    for message, game_id in enumerate((in_sync, changed, cancelled), start=MESSAGE):
        await record_rendered(ctx, game_id=game_id, message_id=message, version=1)
    await join_game(ctx, game_id=changed, user_id=P1)
    shown = await cancel_game(ctx, actor=ADMIN, game_id=cancelled)
    await record_rendered(ctx, game_id=cancelled, message_id=MESSAGE + 2, version=shown.version)
    lost, just_created = (await make_game(ctx)).id, (await make_game(ctx)).id
    for game_id, ago in ((lost, UNANNOUNCED_GRACE * 2), (just_created, UNANNOUNCED_GRACE / 2)):
        async with ctx.transaction() as session:
            changed_at = clock.now - ago
            await session.execute(
                update(GameRow).where(GameRow.id == game_id).values(updated_at=changed_at)
            )

    assert await outbox.stale_announcements(ctx) == tuple(sorted((changed, lost)))
