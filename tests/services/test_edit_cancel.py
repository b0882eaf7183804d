"""Editing, rescheduling and cancelling: permission-checked, told to players, plan follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gamesched.db import repositories as repo
from gamesched.domain.errors import IllegalTransition, PermissionDenied, ValidationFailed
from gamesched.domain.status import GameStatus
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, cancel_game, edit_game
from tests.support.factories import ADMIN, HOST, P1, P2, P3, PLAYER, make_game


async def notices(ctx: Context, game_id: int) -> list[tuple[int, str]]:
    async with ctx.transaction() as session:
        return [(n.user_id, n.kind) for n in await repo.notifications_of(session, game_id)]


async def reminder_due_times(ctx: Context, game_id: int) -> list[datetime]:
    async with ctx.transaction() as session:
        jobs = await repo.pending_jobs(session, game_id)
    return [j.due_at for j in jobs if j.kind == "reminder"]


async def test_rescheduling_moves_reminders_and_tells_players(ctx: Context) -> None:
    """A new start time re-plans reminders and owes every player (not the editor) a DM."""
    game = await make_game(ctx, max_players=1, joiners=(P1, P2, P3))
    edited = await edit_game(
        ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 20:00")
    )
    new_start = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert edited.rescheduled
    assert edited.game.start_at == new_start
    assert edited.read_as is not None
    assert "UTC" in edited.read_as
    assert await reminder_due_times(ctx, game.id) == [
        new_start - timedelta(minutes=60),
        new_start - timedelta(minutes=15),
    ]
    assert sorted(await notices(ctx, game.id)) == [
        (P1, "rescheduled"),
        (P2, "rescheduled"),
        (P3, "rescheduled"),
    ]


async def test_raising_the_cap_promotes_the_queue(ctx: Context) -> None:
    """Going from 1 to 3 seats seats both waitlisted players in order and tells them."""
    game = await make_game(ctx, max_players=1, joiners=(P1, P2, P3))
    edited = await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(max_players="3"))
    assert edited.promoted == (P2, P3)
    assert edited.game.joined == (P1, P2, P3)
    assert not edited.rescheduled
    assert await notices(ctx, game.id) == [(P2, "promoted"), (P3, "promoted")]


async def test_lowering_the_cap_keeps_everyone_seated(ctx: Context) -> None:
    """A lower cap never removes anyone who already has a seat."""
    game = await make_game(ctx, max_players=3, joiners=(P1, P2, P3))
    edited = await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(max_players=1))
    assert edited.game.joined == (P1, P2, P3)
    assert edited.game.roster.is_full


async def test_clearing_an_override_inherits_again(ctx: Context) -> None:
    """Setting reminders back to None uses the inherited default offsets."""
    game = await make_game(ctx, max_players=1, joiners=(P1, P2, P3))
    edited = await edit_game(
        ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(reminder_minutes=(5, 30, 5))
    )
    assert edited.game.settings.reminder_minutes.value == (30, 5)
    edited = await edit_game(
        ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(reminder_minutes=None)
    )
    assert edited.game.settings.reminder_minutes.value == (60, 15)
    assert edited.game.settings.reminder_minutes.inherited


async def test_bad_edit_changes_nothing(ctx: Context) -> None:
    """An edit with a bad title and a past time reports both and leaves the game as it was."""
    game = await make_game(ctx, title="Poker", max_players=1, joiners=(P1, P2, P3))
    with pytest.raises(ValidationFailed) as caught:
        await edit_game(
            ctx,
            actor=ADMIN,
            game_id=game.id,
            edit=GameEdit(title="x" * 101, when="2020-01-01 10:00", rules="ok"),
        )
    assert [p.field for p in caught.value.problems] == ["title", "when"]
    async with ctx.transaction() as session:
        stored = await repo.get_game(session, game.id)
    assert stored is not None
    assert stored.title == "Poker"
    assert stored.rules is None


async def test_only_host_or_admin_edits_and_cancels(ctx: Context) -> None:
    """A player (not host, no Manage Server) can neither edit nor cancel."""
    game = await make_game(ctx, max_players=1, joiners=(P1, P2, P3))
    with pytest.raises(PermissionDenied, match="host"):
        await edit_game(ctx, actor=PLAYER, game_id=game.id, edit=GameEdit(title="Mine"))
    with pytest.raises(PermissionDenied):
        await cancel_game(ctx, actor=HOST, game_id=game.id)


async def test_cancel_keeps_the_game_drops_reminders_and_tells_players(ctx: Context) -> None:
    """Cancelling marks the game cancelled (not deleted), drops its plan and DMs its players."""
    game = await make_game(ctx, max_players=1, joiners=(P1, P2, P3))
    cancelled = await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    assert cancelled.status is GameStatus.CANCELLED
    assert cancelled.version > game.version
    async with ctx.transaction() as session:
        assert await repo.pending_jobs(session, game.id) == []
    assert sorted(await notices(ctx, game.id)) == [
        (P1, "cancelled"),
        (P2, "cancelled"),
        (P3, "cancelled"),
    ]
    with pytest.raises(IllegalTransition, match="cancelled"):
        await cancel_game(ctx, actor=ADMIN, game_id=game.id)
