"""The history: every change, from any front end, recorded with who, from where and old -> new."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gamesched.db.tables import HistoryRow, NotificationRow
from gamesched.domain.errors import Conflict, NotFound, ValidationFailed
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.services import outbox
from gamesched.services.configuration import configure_channel, configure_guild
from gamesched.services.context import Context, FrontEnd, Origin
from gamesched.services.games import GameEdit, cancel_game, edit_game
from gamesched.services.history import Action, game_history
from gamesched.services.participation import join_game, leave_game, remove_player
from gamesched.services.people import set_guild_time_zone
from gamesched.services.planning import NoticeKind
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    P1,
    P2,
    P3,
    START,
    make_game,
)
from tests.support.fakes import FakeClock
from tests.support.worker import claim_one

OPERATOR = Origin(FrontEnd.CLI, operator="alice")


async def history_rows(ctx: Context) -> list[HistoryRow]:
    async with ctx.transaction() as session:
        return list(await session.scalars(select(HistoryRow).order_by(HistoryRow.id)))


async def test_a_games_life_is_recorded_in_order_with_who_and_what(ctx: Context) -> None:
    """Create, join, a move of the start, a leave that promotes, and cancel each leave an entry
    naming the member, the bot as origin, and the old and new values."""
    game = await make_game(ctx, max_players=1, joiners=[P1, P2])
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 20:00"))
    await leave_game(ctx, game_id=game.id, user_id=P1)
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)

    entries = await game_history(ctx, game.id)
    assert [e.action for e in entries] == [
        Action.CREATED,
        Action.JOINED,
        Action.JOINED,
        Action.EDITED,
        Action.LEFT,
        Action.CANCELLED,
    ]
    assert [e.member_id for e in entries] == [
        ADMIN.user_id,
        P1,
        P2,
        ADMIN.user_id,
        P1,
        ADMIN.user_id,
    ]
    assert {e.origin for e in entries} == {FrontEnd.BOT}
    created, first, second, edited, left, cancelled = entries
    assert created.changes["title"] == [None, "Game night"]
    assert created.changes["start_at"] == [None, START.isoformat()]
    assert first.changes == {"joined": [[], [P1]]}
    assert second.changes == {"waitlist": [[], [P2]]}
    assert edited.changes == {
        "start_at": [START.isoformat(), START.replace(day=6, hour=20).isoformat()]
    }
    assert left.changes == {"joined": [[P1], [P2]], "waitlist": [[P2], []]}
    assert cancelled.changes == {"status": ["scheduled", "cancelled"]}


async def test_an_operator_is_recorded_by_login_name_and_front_end(ctx: Context) -> None:
    """Changes made at a terminal name the operator and the CLI, not a Discord member."""
    game = await make_game(ctx, joiners=[P1])
    terminal = ctx.acting_from(OPERATOR)
    await edit_game(terminal, actor=Actor.operator(), game_id=game.id, edit=GameEdit(title="Poker"))

    edited = (await game_history(ctx, game.id))[-1]
    assert (edited.origin, edited.operator, edited.member_id) == (FrontEnd.CLI, "alice", None)
    assert edited.changes == {"title": ["Game night", "Poker"]}


async def test_removing_a_player_is_recorded_and_tells_them(ctx: Context) -> None:
    """A removed member is off the roster, gets a DM saying so, the first in line gets the
    seat, and the history names who removed whom."""
    game = await make_game(ctx, max_players=1, joiners=[P1, P2])
    left = await remove_player(
        ctx.acting_from(OPERATOR), actor=Actor.operator(), game_id=game.id, user_id=P1
    )

    assert left.game.joined == (P2,)
    assert left.promoted == (P2,)
    removed = (await game_history(ctx, game.id))[-1]
    assert removed.action is Action.REMOVED
    assert removed.operator == "alice"
    assert removed.changes == {"joined": [[P1], [P2]], "waitlist": [[P2], []]}
    async with ctx.transaction() as session:
        owed = (await session.execute(select(NotificationRow.user_id, NotificationRow.kind))).all()
    assert sorted(owed) == sorted([(P1, NoticeKind.REMOVED), (P2, NoticeKind.PROMOTED)])


async def test_removing_someone_not_in_the_game_says_so_and_records_nothing(
    ctx: Context,
) -> None:
    """Removing a member who is not seated or waitlisted is a conflict naming that, and the
    history stays as it was."""
    game = await make_game(ctx, joiners=[P1])
    before = await game_history(ctx, game.id)
    with pytest.raises(Conflict) as refused:
        await remove_player(ctx, actor=ADMIN, game_id=game.id, user_id=P3)
    assert "not in this game" in refused.value.message
    assert "nothing to remove" in refused.value.message
    assert await game_history(ctx, game.id) == before


async def test_a_refused_change_leaves_no_entry(ctx: Context) -> None:
    """Nothing is recorded for an edit with a bad value or a second cancel: the record lands
    with the change or not at all."""
    game = await make_game(ctx)
    with pytest.raises(ValidationFailed):
        await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title=""))
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    with pytest.raises(Conflict):
        await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    actions = [e.action for e in await game_history(ctx, game.id)]
    assert actions == [Action.CREATED, Action.CANCELLED]


async def test_an_edit_that_changes_nothing_is_not_recorded(ctx: Context) -> None:
    """Saving a game with the values it already has adds no entry."""
    game = await make_game(ctx)
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title="Game night"))
    assert [e.action for e in await game_history(ctx, game.id)] == [Action.CREATED]


async def test_settings_changes_are_recorded_per_level(ctx: Context) -> None:
    """Server and channel settings and the server's time zone record old and new values and
    the channel they concern."""
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(max_players=6))
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(reminder_minutes=(60, 15)),
    )
    await set_guild_time_zone(ctx, actor=ADMIN, guild_id=GUILD, zone="Europe/Berlin")

    rows = await history_rows(ctx)
    assert [(r.action, r.channel_id, r.changes) for r in rows] == [
        ("settings_changed", None, {"max_players": [None, 6]}),
        ("settings_changed", CHANNEL, {"reminder_minutes": [None, [60, 15]]}),
        ("settings_changed", None, {"timezone": [None, "Europe/Berlin"]}),
    ]
    assert [r.member_id for r in rows] == [ADMIN.user_id, CHANNEL_KEEPER.user_id, ADMIN.user_id]


async def test_the_worker_records_a_game_starting_as_its_own(
    ctx: Context, clock: FakeClock
) -> None:
    """A game moved to in progress by the clock is recorded as the worker's change."""
    game = await make_game(ctx, reminder_minutes=())
    clock.now = START + timedelta(seconds=1)
    worker = ctx.acting_from(Origin(FrontEnd.WORKER))
    job_id, claim = await claim_one(worker)
    assert await outbox.advance_status(worker, job_id=job_id, claim=claim) is not None

    started = (await game_history(ctx, game.id))[-1]
    assert (started.action, started.origin, started.member_id) == (
        Action.STARTED,
        FrontEnd.WORKER,
        None,
    )
    assert started.changes == {"status": ["scheduled", "in_progress"]}


async def test_history_of_an_unknown_game_is_not_found(ctx: Context) -> None:
    """Asking for a game that does not exist says so instead of an empty history."""
    with pytest.raises(NotFound):
        await game_history(ctx, 424242)


async def test_joins_write_one_entry_each(ctx: Context) -> None:
    """A click writes exactly one history row (the record is per change, not per query)."""
    game = await make_game(ctx)
    for user_id in (P1, P2, P3):
        await join_game(ctx, game_id=game.id, user_id=user_id)
    async with ctx.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(HistoryRow).where(HistoryRow.game_id == game.id)
        )
    assert count == 4
