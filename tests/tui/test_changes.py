"""What the dashboard's live poll asks the database: the games that changed since the last
poll, and no more (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gamesched.services import overview
from gamesched.services.context import Context
from gamesched.services.participation import join_game
from tests.support.factories import P1, make_game


async def test_only_games_whose_version_is_not_known_are_reported(ctx: Context) -> None:
    """A poll reports the games changed since the mark unless the caller already has their
    version; a join shows up with its new count at the next poll."""
    first = await make_game(ctx, title="First")
    second = await make_game(ctx, title="Second")
    mark = await overview.change_mark(ctx)
    known = {first.id: first.version, second.id: second.version}
    nothing = await overview.changed_games(ctx, since=mark, known=known)
    assert nothing.lines == ()
    await join_game(ctx, game_id=second.id, user_id=P1)
    changed = await overview.changed_games(ctx, since=nothing.mark, known=known)
    assert [(line.id, line.seated) for line in changed.lines] == [(second.id, 1)]
    assert not changed.overflow


async def test_a_bulk_change_says_to_read_everything_again(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More changed games than one poll reports is an overflow, not a partial answer."""
    monkeypatch.setattr(overview, "MAX_LINES", 2)
    for n in range(3):
        await make_game(ctx, title=f"Game {n}")
    changed = await overview.changed_games(ctx, since=await overview.change_mark(ctx), known={})
    assert changed.overflow
    assert changed.lines == ()


async def test_a_settled_burst_is_not_read_again(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the last change is older than the settling time, a poll looks only at later
    changes: a burst of changes that has been seen is not reported again and again."""
    monkeypatch.setattr(overview, "MAX_LINES", 2)
    for n in range(3):
        await make_game(ctx, title=f"Game {n}")
    mark = await overview.change_mark(ctx)
    assert mark is not None
    monkeypatch.setattr(overview, "utcnow", lambda: mark + timedelta(minutes=1))
    changed = await overview.changed_games(ctx, since=mark, known={})
    assert not changed.overflow
    assert changed.lines == ()
    assert changed.mark == mark
