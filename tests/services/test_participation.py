"""Joining, leaving, the waitlist and placeholders, through the use cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gamesched.db import repositories as repo
from gamesched.domain.errors import Conflict, NotFound, PermissionDenied
from gamesched.domain.roster import SlotStatus
from gamesched.services.context import Context
from gamesched.services.games import cancel_game, get_game
from gamesched.services.participation import assign_placeholder, join_game, leave_game
from tests.support.factories import ADMIN, MEMBERS, P1, P2, P3, PLAYER, make_game
from tests.support.fakes import FakeClock, StaticDirectory


async def test_join_takes_a_seat_then_the_waitlist(ctx: Context) -> None:
    """Joins fill the seats; once full, joiners queue with their position."""
    game = await make_game(ctx, max_players=2)
    first = await join_game(ctx, game_id=game.id, user_id=P1)
    second = await join_game(ctx, game_id=game.id, user_id=P2)
    third = await join_game(ctx, game_id=game.id, user_id=P3)
    assert (first.status, second.status, third.status) == (
        SlotStatus.JOINED,
        SlotStatus.JOINED,
        SlotStatus.WAITLIST,
    )
    assert third.waitlist_position == 1
    assert third.game.joined == (P1, P2)
    assert third.game.waitlist == (P3,)
    assert third.game.version == game.version + 3


async def test_a_join_says_whether_a_reminder_is_still_ahead(
    ctx: Context, clock: FakeClock
) -> None:
    """Join promises a reminder for a seat taken before the last one, not after it nor queued."""
    game = await make_game(ctx, max_players=2)
    early = await join_game(ctx, game_id=game.id, user_id=P1)
    clock.now = game.start_at - timedelta(minutes=15)
    late = await join_game(ctx, game_id=game.id, user_id=P2)
    clock.now = game.start_at - timedelta(days=1)
    waiting = await join_game(ctx, game_id=game.id, user_id=P3)
    assert (early.will_be_reminded, late.will_be_reminded) == (True, False)
    assert waiting.status is SlotStatus.WAITLIST
    assert not waiting.will_be_reminded


async def test_joiners_queue_behind_those_waitlisted_when_the_game_was_created(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Members typed into a full game keep their place ahead of anyone who joins later."""
    game = await make_game(
        ctx, max_players=1, participants="@sam, @samantha, @zoe", directory=directory
    )
    first, second, third = (m.user_id for m in MEMBERS if m.username in ("sam", "samantha", "zoe"))
    joined = await join_game(ctx, game_id=game.id, user_id=P1)
    assert joined.waitlist_position == 3
    left = await leave_game(ctx, game_id=game.id, user_id=first)
    assert left.promoted == (second,)
    assert left.game.waitlist == (third, P1)
    assert (await get_game(ctx, game.id)).waitlist == (third, P1)


async def test_joining_twice_says_where_you_are(ctx: Context) -> None:
    """A second click on Join is answered with the member's seat or waitlist position."""
    game = await make_game(ctx, max_players=1)
    await join_game(ctx, game_id=game.id, user_id=P1)
    await join_game(ctx, game_id=game.id, user_id=P2)
    with pytest.raises(Conflict, match="already joined"):
        await join_game(ctx, game_id=game.id, user_id=P1)
    with pytest.raises(Conflict, match=r"waitlist \(position 1\)"):
        await join_game(ctx, game_id=game.id, user_id=P2)


async def test_leaving_promotes_the_first_waitlisted_and_owes_them_a_dm(ctx: Context) -> None:
    """The first in line gets the freed seat and a DM is queued for them only."""
    game = await make_game(ctx, max_players=1)
    for user in (P1, P2, P3):
        await join_game(ctx, game_id=game.id, user_id=user)
    left = await leave_game(ctx, game_id=game.id, user_id=P1)
    assert left.was is SlotStatus.JOINED
    assert left.promoted == (P2,)
    assert left.game.joined == (P2,)
    assert left.game.waitlist == (P3,)
    async with ctx.transaction() as session:
        notices = await repo.notifications_of(session, game.id)
    assert [(n.user_id, n.kind) for n in notices] == [(P2, "promoted")]


async def test_leaving_the_waitlist_promotes_nobody(ctx: Context) -> None:
    """Leaving a waitlist place frees no seat."""
    game = await make_game(ctx, max_players=1)
    for user in (P1, P2, P3):
        await join_game(ctx, game_id=game.id, user_id=user)
    left = await leave_game(ctx, game_id=game.id, user_id=P2)
    assert (left.was, left.promoted) == (SlotStatus.WAITLIST, ())
    assert left.game.waitlist == (P3,)


async def test_leaving_when_not_in_the_game_is_a_clear_answer(ctx: Context) -> None:
    """Leave without having joined says there is nothing to leave."""
    game = await make_game(ctx, max_players=2)
    with pytest.raises(Conflict, match="not in this game"):
        await leave_game(ctx, game_id=game.id, user_id=P1)


async def test_cancelled_games_refuse_joins(ctx: Context) -> None:
    """Join on a cancelled game says it is cancelled."""
    game = await make_game(ctx, max_players=2)
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    with pytest.raises(Conflict, match="cancelled"):
        await join_game(ctx, game_id=game.id, user_id=P1)


async def test_unknown_game_is_not_found(ctx: Context) -> None:
    """A click on a game that no longer exists gets a NotFound naming the number."""
    with pytest.raises(NotFound, match="#999"):
        await join_game(ctx, game_id=999, user_id=P1)


async def test_placeholders_never_count_toward_the_cap(ctx: Context) -> None:
    """Two placeholders on a two-seat game still leave both seats free."""
    game = await make_game(ctx, max_players=2, participants="Guest A, Guest B")
    assert game.roster.free_seats == 2
    await join_game(ctx, game_id=game.id, user_id=P1)
    joined = await join_game(ctx, game_id=game.id, user_id=P2)
    assert joined.status is SlotStatus.JOINED
    assert joined.game.placeholders == ("Guest A", "Guest B")


async def test_host_assigns_a_placeholder_to_a_member(ctx: Context) -> None:
    """Replacing a placeholder removes it and seats the member (case-insensitive name)."""
    game = await make_game(ctx, max_players=2, participants="Guest A, Guest B")
    assigned = await assign_placeholder(
        ctx, actor=ADMIN, game_id=game.id, placeholder="guest b", user_id=P1
    )
    assert assigned.placeholder == "Guest B"
    assert assigned.status is SlotStatus.JOINED
    assert assigned.game.placeholders == ("Guest A",)
    assert assigned.game.joined == (P1,)


async def test_only_host_or_admin_assigns_placeholders(ctx: Context) -> None:
    """A player cannot fill the host's placeholder slots; an unknown slot lists the real ones."""
    game = await make_game(ctx, max_players=2, participants="Guest A")
    with pytest.raises(PermissionDenied):
        await assign_placeholder(
            ctx, actor=PLAYER, game_id=game.id, placeholder="Guest A", user_id=P1
        )
    with pytest.raises(NotFound, match="`Guest A`"):
        await assign_placeholder(
            ctx, actor=ADMIN, game_id=game.id, placeholder="Guest Z", user_id=P1
        )


@pytest.mark.parametrize("number", [0, -1, 2**31, 2**40, 2**63 - 1])
async def test_a_game_number_out_of_range_is_not_found(ctx: Context, number: int) -> None:
    """A typed game number no game can have (beyond the database's integer keys) is a plain
    NotFound on each engine, for reading, joining and cancelling alike, never a crash."""
    with pytest.raises(NotFound):
        await get_game(ctx, number)
    with pytest.raises(NotFound):
        await join_game(ctx, game_id=number, user_id=P1)
    with pytest.raises(NotFound):
        await cancel_game(ctx, actor=ADMIN, game_id=number)
