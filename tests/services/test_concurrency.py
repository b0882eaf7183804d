"""Concurrent clicks: exactly the free seats are taken, the rest queue in order, no duplicates."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from gamesched.db.engine import create_database
from gamesched.db.tables import ParticipantRow
from gamesched.domain.errors import Conflict
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from gamesched.services.participation import Joined, join_game, leave_game
from tests.support.factories import make_game
from tests.support.fakes import FakeClock

JOINERS = 60
SEATS = 7
BASE_USER = 500_000_000_000_000_000


async def test_concurrent_joins_take_exactly_the_free_seats(ctx: Context) -> None:
    """60 members clicking Join at once on 7 seats: 7 joined, 53 waitlisted, one row each."""
    game_id = (await make_game(ctx, max_players=SEATS)).id
    users = [BASE_USER + n for n in range(JOINERS)]
    results: list[Joined] = await asyncio.gather(
        *(join_game(ctx, game_id=game_id, user_id=user) for user in users)
    )
    game = await get_game(ctx, game_id)
    assert len(game.joined) == SEATS
    assert len(game.waitlist) == JOINERS - SEATS
    assert sorted(game.joined + game.waitlist) == users
    seated = [r.user_id for r in results if r.status == "joined"]
    assert sorted(seated) == sorted(game.joined)
    # the waitlist order is the order in which the joins committed (their versions)
    queued = sorted((r for r in results if r.status == "waitlist"), key=lambda r: r.game.version)
    assert tuple(r.user_id for r in queued) == game.waitlist
    async with ctx.transaction() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(ParticipantRow)
            .where(ParticipantRow.game_id == game_id)
        )
    assert rows == JOINERS
    assert game.version == 1 + JOINERS


async def test_the_same_member_clicking_join_many_times_gets_one_row(ctx: Context) -> None:
    """Twenty simultaneous Join clicks by one member: one seat, nineteen 'already joined'."""
    game_id = (await make_game(ctx, max_players=3)).id
    outcomes = await asyncio.gather(
        *(join_game(ctx, game_id=game_id, user_id=BASE_USER) for _ in range(20)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, Joined) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 19
    assert (await get_game(ctx, game_id)).joined == (BASE_USER,)


async def test_clicks_sent_together_each_get_their_own_version_and_answer(ctx: Context) -> None:
    """Three Join clicks at once, the second a repeat: two new versions, one per change, and
    each answer shows the game as its own click left it."""
    game = await make_game(ctx, max_players=1)
    first, repeat, second = await asyncio.gather(
        join_game(ctx, game_id=game.id, user_id=BASE_USER),
        join_game(ctx, game_id=game.id, user_id=BASE_USER),
        join_game(ctx, game_id=game.id, user_id=BASE_USER + 1),
        return_exceptions=True,
    )
    assert isinstance(repeat, Conflict)
    assert isinstance(first, Joined)
    assert isinstance(second, Joined)
    assert (first.game.version, second.game.version) == (game.version + 1, game.version + 2)
    assert (first.game.joined, first.game.waitlist) == ((BASE_USER,), ())
    assert (second.game.joined, second.game.waitlist) == ((BASE_USER,), (BASE_USER + 1,))
    assert (await get_game(ctx, game.id)).version == game.version + 2


async def test_simultaneous_joins_each_record_their_own_history_entry(ctx: Context) -> None:
    """Ten joins at once leave ten history entries, each adding just its member, in the
    order the roster took them."""
    game_id = (await make_game(ctx, max_players=3)).id
    users = [BASE_USER + n for n in range(10)]
    await asyncio.gather(*(join_game(ctx, game_id=game_id, user_id=user) for user in users))
    game = await get_game(ctx, game_id)
    entries = [e for e in await game_history(ctx, game_id) if e.action is Action.JOINED]
    assert [e.member_id for e in entries] == list(game.joined + game.waitlist)
    for entry in entries:
        ((_, (old, new)),) = entry.changes.items()
        assert new == [*old, entry.member_id]


async def test_a_join_and_a_leave_sent_together_apply_in_the_order_sent(ctx: Context) -> None:
    """A member's Join then Leave sent at once leave them out; Leave then Join, in."""
    game_id = (await make_game(ctx, max_players=2)).id
    joined, left = await asyncio.gather(
        join_game(ctx, game_id=game_id, user_id=BASE_USER),
        leave_game(ctx, game_id=game_id, user_id=BASE_USER),
    )
    assert (joined.status, left.was) == ("joined", "joined")
    assert (await get_game(ctx, game_id)).joined == ()
    refused, rejoined = await asyncio.gather(
        leave_game(ctx, game_id=game_id, user_id=BASE_USER),
        join_game(ctx, game_id=game_id, user_id=BASE_USER),
        return_exceptions=True,
    )
    assert isinstance(refused, Conflict)
    assert isinstance(rejoined, Joined)
    assert (await get_game(ctx, game_id)).joined == (BASE_USER,)


async def test_concurrent_join_leave_mix_keeps_seats_full_and_queue_ordered(ctx: Context) -> None:
    """Joins and leaves racing end with every seat filled from the front of the queue."""
    game_id = (await make_game(ctx, max_players=5)).id
    first_wave = [BASE_USER + n for n in range(30)]
    for user in first_wave:
        await join_game(ctx, game_id=game_id, user_id=user)
    before = await get_game(ctx, game_id)
    rng = random.Random(7)
    leavers = rng.sample(first_wave, 12)
    newcomers = [BASE_USER + 100 + n for n in range(20)]
    calls = [leave_game(ctx, game_id=game_id, user_id=u) for u in leavers] + [
        join_game(ctx, game_id=game_id, user_id=u) for u in newcomers
    ]
    rng.shuffle(calls)
    await asyncio.gather(*calls)
    after = await get_game(ctx, game_id)
    remaining = (set(first_wave) - set(leavers)) | set(newcomers)
    assert set(after.joined + after.waitlist) == remaining
    assert len(after.joined) == 5
    assert len(set(after.joined + after.waitlist)) == len(after.joined + after.waitlist)
    # members who were queued before and stayed keep their relative order
    stayed = [u for u in before.waitlist if u not in leavers]
    assert [u for u in after.joined + after.waitlist if u in stayed] == [
        u for u in stayed if u in after.joined + after.waitlist
    ]
    # nobody who queued earlier waits behind a newcomer
    queue = list(after.joined + after.waitlist)
    last_old = max(queue.index(u) for u in stayed)
    first_new = min(queue.index(u) for u in newcomers)
    assert last_old < first_new


PROCESSES = 4


@pytest.fixture
async def processes(database_url: str, clock: FakeClock) -> AsyncIterator[list[Context]]:
    """Contexts with an engine each, as separate bot/worker/web processes have."""
    databases = [create_database(database_url) for _ in range(PROCESSES)]
    yield [Context(database=database, clock=clock) for database in databases]
    for database in databases:
        await database.dispose()


async def test_joins_from_several_processes_take_exactly_the_free_seats(
    ctx: Context, processes: list[Context]
) -> None:
    """60 joins spread over 4 engines (own connections) on 7 seats: 7 seated, the rest queued."""
    game_id = (await make_game(ctx, max_players=SEATS)).id
    users = [BASE_USER + n for n in range(JOINERS)]
    results = await asyncio.gather(
        *(
            join_game(processes[n % PROCESSES], game_id=game_id, user_id=user)
            for n, user in enumerate(users)
        )
    )
    game = await get_game(ctx, game_id)
    assert sorted(r.user_id for r in results if r.status == "joined") == sorted(game.joined)
    assert len(game.joined) == SEATS
    queued = sorted((r for r in results if r.status == "waitlist"), key=lambda r: r.game.version)
    assert tuple(r.user_id for r in queued) == game.waitlist
    assert sorted(game.joined + game.waitlist) == users
    assert game.version == 1 + JOINERS
