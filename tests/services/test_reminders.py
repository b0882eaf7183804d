"""The operator's reminders: what is planned, what went wrong, and sending a refused DM again
so that the worker reaches those who did not get it and nobody twice."""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta

import pytest
from sqlalchemy import select

from gamesched.db.tables import DeliveryRow, JobRow
from gamesched.domain.errors import Conflict, NotFound
from gamesched.services import outbox, reminders
from gamesched.services.context import Context, FrontEnd, Origin
from gamesched.services.games import GameEdit, cancel_game, edit_game
from gamesched.services.history import Action, game_history
from gamesched.services.participation import join_game, leave_game
from gamesched.services.planning import JobKind, NoticeKind
from gamesched.services.reminders import Blocker, FailureKind, Ref
from gamesched.services.views import GameView
from tests.support.factories import ADMIN, GUILD, P1, P2, P3, START, make_game
from tests.support.fakes import FakeClock
from tests.support.worker import claim_one

poker = functools.partial(make_game, title="Poker", max_players=3, joiners=(P1, P2))
"""A game at START with reminders 60 and 15 minutes ahead (the defaults) and three seats;
P1 and P2 join."""


async def refused_round(ctx: Context, clock: FakeClock, game: GameView, offset: int = 60) -> int:
    """Run the reminder ``offset`` minutes before START as a worker does: P2's DMs are closed,
    everyone else gets it. Returns the reminder's job id."""
    clock.now = START - timedelta(minutes=offset)
    job_id, claim = await claim_one(ctx)
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    assert round_ is not None
    for user_id in round_.user_ids:
        failure = outbox.DMS_CLOSED if user_id == P2 else None
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure=failure)
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)
    return job_id


async def worker_pass(ctx: Context) -> tuple[int, ...]:
    """Claim what is due and deliver every reminder DM owed, recording each as sent: the
    players reached, in order."""
    claimed = await outbox.claim_due(ctx, worker="w2")
    reached: list[int] = []
    for job_id in claimed.job_ids:
        if await outbox.job_kind(ctx, job_id) is not JobKind.REMINDER:
            continue  # status changes are not this test's business
        round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
        if round_ is None:
            continue
        for user_id in round_.user_ids:
            await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id)
            reached.append(user_id)
        await outbox.finish_job(ctx, job_id=job_id, claim=claimed.claim)
    return tuple(reached)


async def only_failure(ctx: Context, game: GameView) -> reminders.Failure:
    (failure,) = (await reminders.failures(ctx, game_id=game.id)).items
    return failure


async def deliveries(ctx: Context, job_id: int) -> dict[int, DeliveryRow]:
    async with ctx.transaction() as session:
        rows = await session.scalars(select(DeliveryRow).where(DeliveryRow.job_id == job_id))
        return {row.user_id: row for row in rows.all()}


# ----- listing ----------------------------------------------------------------------------


async def test_planned_reminders_come_soonest_first_with_how_many_players_they_reach(
    ctx: Context,
) -> None:
    """Every reminder not sent yet is listed soonest first with its game and the seated
    players it will DM; --due-within, the guild, the game and the limit narrow the list."""
    game = await poker(ctx)
    later = await make_game(ctx, title="Chess", when=START + timedelta(days=1), joiners=(P3,))
    listing = await reminders.planned_reminders(ctx)
    assert [(r.game.id, r.offset_minutes, len(r.recipients)) for r in listing.items] == [
        (game.id, 60, 2),
        (game.id, 15, 2),
        (later.id, 60, 1),
        (later.id, 15, 1),
    ]
    assert listing.items[0].due_at == START - timedelta(minutes=60)
    assert str(listing.items[0].ref).startswith("r")
    # Now is 1 December 12:00; the first reminder is due 5 December 18:00.
    soon = await reminders.planned_reminders(ctx, due_within=timedelta(days=4, hours=6))
    assert [r.offset_minutes for r in soon.items] == [60]
    assert (await reminders.planned_reminders(ctx, guild_id=GUILD + 1)).items == ()
    only_chess = await reminders.planned_reminders(ctx, game_id=later.id)
    assert {r.game.title for r in only_chess.items} == {"Chess"}
    first = await reminders.planned_reminders(ctx, limit=1)
    assert (len(first.items), first.total) == (1, 4)
    with pytest.raises(NotFound):
        await reminders.planned_reminders(ctx, game_id=999)


async def test_a_refused_reminder_dm_is_listed_per_player_and_retryable(
    ctx: Context, clock: FakeClock
) -> None:
    """A reminder DM Discord refused is a failure of its own (id ``d``), with the member, the
    reason and its reminder; while the game is ahead a retry would help."""
    game = await poker(ctx)
    job_id = await refused_round(ctx, clock, game)
    failure = await only_failure(ctx, game)
    assert failure.ref.kind is FailureKind.REMINDER_DM
    assert str(failure.ref) == f"d{failure.ref.row_id}"
    assert (failure.member_id, failure.reason, failure.retryable) == (P2, "dms_closed", True)
    assert failure.reminder is not None
    assert failure.reminder.id == job_id


async def test_missed_and_skipped_reminders_are_listed_with_why(
    ctx: Context, clock: FakeClock
) -> None:
    """A reminder the worker got to after the start is missed; one overtaken by a later
    reminder due at the same time is skipped; neither can be sent again."""
    superseded = await poker(ctx)
    missed = await make_game(ctx, title="Go", when=START - timedelta(minutes=30), joiners=(P1,))
    clock.now = START - timedelta(minutes=10)  # no worker ran until now
    await worker_pass(ctx)
    found = (await reminders.failures(ctx)).items
    why = {
        (f.game.id, f.reminder.offset_minutes): (f.reason, f.blocker) for f in found if f.reminder
    }
    assert why == {
        (superseded.id, 60): ("skipped", Blocker.LATER_REMINDER),
        (missed.id, 60): ("missed", Blocker.GAME_STARTED),
        (missed.id, 15): ("missed", Blocker.GAME_STARTED),
    }
    assert all(f.ref.kind is FailureKind.REMINDER and f.member_id is None for f in found)


async def test_a_refused_notice_is_listed_and_a_superseded_one_is_not(
    ctx: Context, clock: FakeClock
) -> None:
    """A notice DM Discord refused is a failure (id ``n``) with its kind; a notice closed
    because a newer one replaced it is not something that went wrong. A reminder skipped
    because the game moved says so."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=50)  # the 60-minute reminder is due, unsent
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 19:00"))
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-07 19:00"))
    claimed = await outbox.claim_due(ctx, worker="w1")
    for notification_id in claimed.notification_ids:
        owed = await outbox.owed_notice(ctx, notification_id=notification_id, claim=claimed.claim)
        if owed is not None:
            failure = outbox.DMS_CLOSED if owed.user_id == P2 else None
            await outbox.record_notice(ctx, notification_id=notification_id, failure=failure)
    found = (await reminders.failures(ctx, game_id=game.id)).items
    assert {(f.ref.kind, f.member_id, f.blocker) for f in found} == {
        (FailureKind.REMINDER, None, Blocker.GAME_MOVED),
        (FailureKind.NOTICE, P2, None),
    }
    (notice,) = [f for f in found if f.notice is not None]
    assert notice.notice is NoticeKind.RESCHEDULED


# ----- retrying ---------------------------------------------------------------------------


async def test_a_retried_reminder_dm_reaches_only_the_player_who_did_not_get_it(
    ctx: Context, clock: FakeClock
) -> None:
    """After a retry the next worker pass claims the reminder again and DMs only the refused
    player; the player who got it is not sent it twice, and the failure is gone."""
    game = await poker(ctx)
    job_id = await refused_round(ctx, clock, game)
    first_sent = (await deliveries(ctx, job_id))[P1].sent_at
    failure = await only_failure(ctx, game)
    clock.now += timedelta(minutes=5)
    retried = await reminders.retry(ctx, [failure.ref])
    assert [f.ref for f in retried.retried] == [failure.ref]
    (round_,) = retried.rounds
    assert (round_.ref, round_.recipients) == (Ref(FailureKind.REMINDER, job_id), (P2,))
    assert await worker_pass(ctx) == (P2,)
    rows = await deliveries(ctx, job_id)
    assert rows[P1].sent_at == first_sent
    assert rows[P2].sent_at == clock.now
    assert (await reminders.failures(ctx, game_id=game.id)).items == ()
    assert await worker_pass(ctx) == ()


async def test_a_retry_reaches_players_seated_since_the_reminder_went_out(
    ctx: Context, clock: FakeClock
) -> None:
    """A reopened reminder also goes to a player who took a seat after it was sent (they
    never had it), and the retry says so."""
    game = await poker(ctx)
    await refused_round(ctx, clock, game)
    await join_game(ctx, game_id=game.id, user_id=P3)
    retried = await reminders.retry(ctx, [(await only_failure(ctx, game)).ref])
    assert retried.rounds[0].recipients == (P2, P3)
    assert await worker_pass(ctx) == (P2, P3)


async def test_a_task_of_the_first_round_does_nothing_after_a_retry(
    ctx: Context, clock: FakeClock
) -> None:
    """The reopened reminder is held by nobody: a late copy of the first round's task (its
    old claim) cannot act, and two workers claiming at once take it once."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, old_claim = await claim_one(ctx)
    await outbox.start_reminder(ctx, job_id=job_id, claim=old_claim)
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P1)
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P2, failure=outbox.DMS_CLOSED)
    await outbox.finish_job(ctx, job_id=job_id, claim=old_claim)
    await reminders.retry(ctx, [(await only_failure(ctx, game)).ref])
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=old_claim) is None
    one, other = await asyncio.gather(
        outbox.claim_due(ctx, worker="a"), outbox.claim_due(ctx, worker="b")
    )
    assert sorted(one.job_ids + other.job_ids) == [job_id]


async def test_two_retries_at_once_plan_the_dm_once(ctx: Context, clock: FakeClock) -> None:
    """Of two simultaneous retries of the same DM one plans it and the other is told it is
    owed already; the player gets one DM."""
    game = await poker(ctx)
    await refused_round(ctx, clock, game)
    ref = (await only_failure(ctx, game)).ref
    results = await asyncio.gather(
        reminders.retry(ctx, [ref]), reminders.retry(ctx, [ref]), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Retried"]
    assert "is owed already" in str(next(r for r in results if isinstance(r, Conflict)))
    assert await worker_pass(ctx) == (P2,)


async def test_a_round_still_being_sent_is_not_reopened(ctx: Context, clock: FakeClock) -> None:
    """A refused DM of a reminder whose round has not finished (DMs still going out) is not
    retried yet: the retry says to try again shortly, and nothing changes."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P2, failure=outbox.DMS_CLOSED)
    failure = await only_failure(ctx, game)
    assert failure.blocker is Blocker.SENDING
    with pytest.raises(Conflict, match="being sent right now"):
        await reminders.retry(ctx, [failure.ref])
    assert (await deliveries(ctx, job_id))[P2].failure == outbox.DMS_CLOSED


@pytest.mark.parametrize("ending", ["started", "cancelled"])
async def test_no_retry_once_the_game_started_or_was_cancelled(
    ctx: Context, clock: FakeClock, ending: str
) -> None:
    """A refused DM of a game that has started, or was cancelled, is refused as a Conflict
    naming why, and nothing is planned."""
    game = await poker(ctx)
    await refused_round(ctx, clock, game)
    if ending == "started":
        clock.now = START
    else:
        await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    ref = next(f.ref for f in (await reminders.failures(ctx)).items if f.member_id == P2)
    expected = "has started" if ending == "started" else "was cancelled"
    with pytest.raises(Conflict, match=expected):
        await reminders.retry(ctx, [ref])
    with pytest.raises(Conflict, match=expected):
        await reminders.retry_game(ctx, game_id=game.id)


async def test_an_earlier_reminder_is_not_retried_once_a_later_one_went_out(
    ctx: Context, clock: FakeClock
) -> None:
    """Once the 15-minute reminder went out, the 60-minute one's refused DM is not sent
    again (the player would get an outdated reminder); the 15-minute one's can be."""
    game = await poker(ctx)
    early = await refused_round(ctx, clock, game, offset=60)
    late = await refused_round(ctx, clock, game, offset=15)
    found = {f.reminder.id: f for f in (await reminders.failures(ctx)).items if f.reminder}
    assert found[early].blocker is Blocker.LATER_REMINDER
    assert found[late].blocker is None
    with pytest.raises(Conflict, match="a later reminder"):
        await reminders.retry(ctx, [found[early].ref, found[late].ref])
    assert await worker_pass(ctx) == ()  # all or none: nothing was planned


async def test_retrying_a_game_sends_what_helps_and_says_why_not_for_the_rest(
    ctx: Context, clock: FakeClock
) -> None:
    """`retry_game` plans every refused DM of the game a retry would help and returns the
    others with why (a player who left); with a member, only that member's."""
    game = await make_game(ctx, max_players=3, joiners=(P1, P2, P3))
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    for user_id in (P1, P2, P3):
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure="refused_50278")
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)
    await leave_game(ctx, game_id=game.id, user_id=P3)

    only_p1 = await reminders.retry_game(ctx, game_id=game.id, member_id=P1)
    assert [(f.member_id, f.reason) for f in only_p1.retried] == [(P1, "refused_50278")]
    assert only_p1.not_retried == ()
    rest = await reminders.retry_game(ctx, game_id=game.id)
    assert [f.member_id for f in rest.retried] == [P2]
    assert [(f.member_id, f.blocker) for f in rest.not_retried] == [(P3, Blocker.NOT_SEATED)]
    assert sorted(await worker_pass(ctx)) == [P1, P2]


async def test_nothing_to_retry_is_a_conflict_and_unknown_ids_are_not_found(
    ctx: Context, clock: FakeClock
) -> None:
    """No refused DM (for the member), a DM delivered or owed already, or a whole reminder is
    a Conflict saying so; an id or game nothing has is a NotFound."""
    game = await poker(ctx)
    with pytest.raises(Conflict, match="has no refused DMs"):
        await reminders.retry_game(ctx, game_id=game.id)
    job_id = await refused_round(ctx, clock, game)
    with pytest.raises(Conflict, match=f"no refused DMs to member {P1}"):
        await reminders.retry_game(ctx, game_id=game.id, member_id=P1)
    delivered = (await deliveries(ctx, job_id))[P1].id
    with pytest.raises(Conflict, match="was delivered"):
        await reminders.retry(ctx, [Ref(FailureKind.REMINDER_DM, delivered)])
    with pytest.raises(Conflict, match="never sent again"):
        await reminders.retry(ctx, [Ref(FailureKind.REMINDER, job_id)])
    for ref in (Ref(FailureKind.REMINDER_DM, 999), Ref(FailureKind.NOTICE, 999)):
        with pytest.raises(NotFound, match=f"There is no .* {ref}"):
            await reminders.retry(ctx, [ref])
    with pytest.raises(NotFound):
        await reminders.retry_game(ctx, game_id=999)


async def test_a_refused_notice_is_sent_again(ctx: Context, clock: FakeClock) -> None:
    """A retried notice is owed again: the next pass claims it and its DM goes out once."""
    game = await poker(ctx)
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 19:00"))
    claimed = await outbox.claim_due(ctx, worker="w1")
    for notification_id in claimed.notification_ids:
        failure = outbox.DMS_CLOSED if notification_id == min(claimed.notification_ids) else None
        await outbox.record_notice(ctx, notification_id=notification_id, failure=failure)
    notice = await only_failure(ctx, game)
    await reminders.retry(ctx, [notice.ref])
    again = await outbox.claim_due(ctx, worker="w2")
    assert again.notification_ids == (notice.ref.row_id,)
    owed = await outbox.owed_notice(ctx, notification_id=notice.ref.row_id, claim=again.claim)
    assert owed is not None
    assert (owed.user_id, owed.kind) == (notice.member_id, NoticeKind.RESCHEDULED)
    await outbox.record_notice(ctx, notification_id=notice.ref.row_id)
    assert (await reminders.failures(ctx, game_id=game.id)).items == ()


def test_failure_ids_read_back() -> None:
    """An id as shown reads back to the same failure; anything else is not an id."""
    for ref in (Ref(FailureKind.REMINDER_DM, 12), Ref(FailureKind.NOTICE, 3)):
        assert Ref.parse(str(ref)) == ref
    assert Ref.parse(" D12 ") == Ref(FailureKind.REMINDER_DM, 12)
    for text in ("12", "x12", "d", "d-1", "d1.5", "d" + "9" * 19):
        assert Ref.parse(text) is None


async def test_jobs_of_a_retried_reminder_end_as_sent(ctx: Context, clock: FakeClock) -> None:
    """The reopened reminder is closed as sent again after its round, like any other."""
    game = await poker(ctx)
    job_id = await refused_round(ctx, clock, game)
    await reminders.retry(ctx, [(await only_failure(ctx, game)).ref])
    await worker_pass(ctx)
    async with ctx.transaction() as session:
        job = await session.get(JobRow, job_id)
        assert job is not None
        assert (job.outcome, job.done_at) == ("sent", clock.now)


async def test_a_retry_is_recorded_in_the_games_history(ctx: Context, clock: FakeClock) -> None:
    """The game's history shows the operator had the refused DM sent again, and to whom."""
    game = await poker(ctx)
    await refused_round(ctx, clock, game)
    failure = await only_failure(ctx, game)
    terminal = ctx.acting_from(Origin(FrontEnd.CLI, operator="alice"))
    await reminders.retry(terminal, [failure.ref])

    entry = (await game_history(ctx, game.id))[-1]
    assert (entry.action, entry.operator) == (Action.DMS_RETRIED, "alice")
    assert entry.changes == {"dms_retried": [None, [P2]]}
