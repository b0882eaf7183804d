"""The worker's use cases: atomic claims, reminder rounds, missed reminders, status changes."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gamesched.db.engine import Database
from gamesched.db.tables import DeliveryRow, JobRow
from gamesched.domain.settings import SettingsPatch
from gamesched.domain.status import GameStatus
from gamesched.services import outbox
from gamesched.services.configuration import configure_channel, configure_guild
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, cancel_game, edit_game
from gamesched.services.participation import join_game, leave_game
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

poker = functools.partial(
    make_game, title="Poker", max_players=2, duration_minutes=120, joiners=(P1, P2, P3)
)
"""A game at START, 120 minutes long, reminders 60 and 15 minutes ahead (the defaults), two
seats unless a test says otherwise; P1, P2 and P3 join in that order."""


async def jobs_of(ctx: Context, game_id: int) -> list[JobRow]:
    async with ctx.transaction() as session:
        query = select(JobRow).where(JobRow.game_id == game_id).order_by(JobRow.due_at, JobRow.id)
        return list((await session.scalars(query)).all())


async def deliver_round(ctx: Context, job_id: int, claim: str) -> tuple[int, ...]:
    """Run a reminder round the way a worker does, recording every DM as sent."""
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    if round_ is None:
        return ()
    for user_id in round_.user_ids:
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id)
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)
    return round_.user_ids


async def test_nothing_is_claimed_before_it_is_due(ctx: Context, clock: FakeClock) -> None:
    """Reminders wait for their time; the next due time is the first reminder's."""
    game = await poker(ctx)
    claimed = await outbox.claim_due(ctx, worker="w1")
    assert claimed.job_ids == ()
    assert await outbox.next_due_at(ctx) == START - timedelta(minutes=60)
    clock.now = START - timedelta(minutes=60)
    claimed = await outbox.claim_due(ctx, worker="w1")
    (job,) = [j for j in await jobs_of(ctx, game.id) if j.id in claimed.job_ids]
    assert job.kind == "reminder"
    assert job.offset_minutes == 60


async def test_a_reminder_round_reaches_seated_players_only_and_only_once(
    ctx: Context, clock: FakeClock
) -> None:
    """Joined players get the reminder; waitlisted players and placeholders do not; no re-send."""
    game = await poker(ctx, participants="Guest")
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    assert await deliver_round(ctx, job_id, claim) == (P1, P2)
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=claim) is None
    assert game.placeholders == ("Guest",)


async def test_a_round_cut_short_by_a_crash_only_sends_what_is_still_owed(
    ctx: Context, clock: FakeClock
) -> None:
    """A re-run after a crash mid-round skips the players already reached."""
    game = await poker(ctx, max_players=3)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    first = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    assert first is not None
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P1)
    # The worker dies here. After the lease another worker takes the job over.
    clock.now += outbox.LEASE + timedelta(seconds=1)
    taken_over, takeover = await claim_one(ctx, "w2")
    assert taken_over == job_id
    again = await outbox.start_reminder(ctx, job_id=job_id, claim=takeover)
    assert again is not None
    assert again.user_ids == (P2, P3)
    assert game.id == again.game.id


async def test_a_player_who_joins_later_gets_the_later_reminders(
    ctx: Context, clock: FakeClock
) -> None:
    """Whoever is seated when a reminder falls due receives it."""
    game = await poker(ctx, max_players=4)
    clock.now = START - timedelta(minutes=60)
    first = await claim_one(ctx)
    assert await deliver_round(ctx, *first) == (P1, P2, P3)
    late = 600_000_000_000_000_099
    await join_game(ctx, game_id=game.id, user_id=late)
    clock.now = START - timedelta(minutes=15)
    second = await claim_one(ctx)
    assert await deliver_round(ctx, *second) == (P1, P2, P3, late)


async def test_two_workers_never_claim_the_same_row(ctx: Context, clock: FakeClock) -> None:
    """Concurrent claims split the due rows between workers with no overlap and no loss."""
    games = [await poker(ctx) for _ in range(6)]
    clock.now = START - timedelta(minutes=15)
    claims = await asyncio.gather(
        *(outbox.claim_due(ctx, worker=f"w{n}", limit=3) for n in range(8))
    )
    claimed = [job for claim in claims for job in claim.job_ids]
    assert len(claimed) == len(set(claimed))
    due = [j.id for g in games for j in await jobs_of(ctx, g.id) if j.due_at <= clock.now]
    assert sorted(claimed) == sorted(due)
    assert len(due) == 12  # two reminders per game


async def test_a_claim_that_is_fresh_is_not_taken_over(ctx: Context, clock: FakeClock) -> None:
    """Another worker leaves a row alone while the first worker's lease runs."""
    await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    assert len((await outbox.claim_due(ctx, worker="w1")).job_ids) == 1
    clock.now += outbox.LEASE - timedelta(seconds=1)
    assert (await outbox.claim_due(ctx, worker="w2")).job_ids == ()


async def test_when_several_reminders_were_missed_only_the_latest_is_sent(
    ctx: Context, clock: FakeClock
) -> None:
    """Coming back 10 minutes before the start sends the 15-minute reminder, not both."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=10)
    claimed = await outbox.claim_due(ctx, worker="w1")
    sent = [await deliver_round(ctx, job_id, claimed.claim) for job_id in claimed.job_ids]
    assert sent == [(), (P1, P2)]
    outcomes = {j.offset_minutes: j.outcome for j in await jobs_of(ctx, game.id) if j.done_at}
    assert outcomes == {60: "skipped", 15: "sent"}


async def test_a_reminder_found_after_the_start_is_recorded_as_missed(
    ctx: Context, clock: FakeClock
) -> None:
    """Once the game started, an overdue reminder is not sent late but marked missed."""
    game = await poker(ctx)
    clock.now = START + timedelta(minutes=1)
    claimed = await outbox.claim_due(ctx, worker="w1")
    reminders = [j for j in await jobs_of(ctx, game.id) if j.kind == "reminder"]
    for job in reminders:
        assert job.id in claimed.job_ids
        assert await outbox.start_reminder(ctx, job_id=job.id, claim=claimed.claim) is None
    outcomes = [j.outcome for j in await jobs_of(ctx, game.id) if j.kind == "reminder"]
    assert outcomes == ["missed", "missed"]


async def test_a_claimed_reminder_of_a_rescheduled_game_is_skipped(
    ctx: Context, clock: FakeClock
) -> None:
    """A reminder taken before the game moved does not go out with the old time."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 19:00"))
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=claim) is None
    new_start = datetime(2026, 12, 6, 19, 0, tzinfo=UTC)
    pending = [j.due_at for j in await jobs_of(ctx, game.id) if j.done_at is None]
    assert new_start - timedelta(minutes=60) in pending


async def test_a_cancelled_game_gets_no_more_reminders(ctx: Context, clock: FakeClock) -> None:
    """Cancelling drops the unclaimed reminders and skips a claimed one."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=claim) is None
    clock.now = START + timedelta(hours=5)
    assert (await outbox.claim_due(ctx, worker="w1")).job_ids == ()


async def test_status_follows_the_clock(ctx: Context, clock: FakeClock) -> None:
    """The start job makes a game in progress; the completion job completes it."""
    game = await poker(ctx)
    clock.now = START
    claimed = await outbox.claim_due(ctx, worker="w1")
    for job_id in claimed.job_ids:
        if await outbox.job_kind(ctx, job_id) == "start":
            started = await outbox.advance_status(ctx, job_id=job_id, claim=claimed.claim)
            assert started is not None
            assert started.status is GameStatus.IN_PROGRESS
            assert started.version > game.version
        else:
            missed = await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
            assert missed is None
    clock.now = START + timedelta(minutes=120)
    complete, claim = await claim_one(ctx)
    completed = await outbox.advance_status(ctx, job_id=complete, claim=claim)
    assert completed is not None
    assert completed.status is GameStatus.COMPLETED
    clock.now += timedelta(days=1)
    assert (await outbox.claim_due(ctx, worker="w1")).job_ids == ()
    assert await outbox.next_due_at(ctx) is None


async def test_a_game_whose_whole_slot_passed_while_down_ends_completed(
    ctx: Context, clock: FakeClock
) -> None:
    """Start and end both overdue: the game goes straight to completed, once."""
    game = await poker(ctx)
    clock.now = START + timedelta(hours=3)
    results = []
    claimed = await outbox.claim_due(ctx, worker="w1")
    for job_id in claimed.job_ids:
        kind = await outbox.job_kind(ctx, job_id)
        if kind in ("start", "complete"):
            results.append(await outbox.advance_status(ctx, job_id=job_id, claim=claimed.claim))
    changed = [r for r in results if r is not None]
    assert [c.status for c in changed] == [GameStatus.COMPLETED]
    assert changed[0].id == game.id


async def test_a_seat_freed_owes_the_promoted_player_one_notice(ctx: Context) -> None:
    """Leaving promotes the first waitlisted player; their DM is owed exactly once."""
    game = await poker(ctx)
    await leave_game(ctx, game_id=game.id, user_id=P1)
    claimed = await outbox.claim_due(ctx, worker="w1")
    (notice_id,) = claimed.notification_ids
    owed = await outbox.owed_notice(ctx, notification_id=notice_id, claim=claimed.claim)
    assert owed is not None
    assert (owed.user_id, owed.kind) == (P3, "promoted")
    await outbox.record_notice(ctx, notification_id=notice_id)
    assert await outbox.owed_notice(ctx, notification_id=notice_id, claim=claimed.claim) is None
    assert await outbox.pending_work(ctx, game_ids=[game.id]) == 4  # 2 reminders, start, end


async def test_a_member_hears_only_the_newest_news(ctx: Context, clock: FakeClock) -> None:
    """Moved and then cancelled before the DMs went out: only the cancellation is sent."""
    game = await poker(ctx, max_players=3)
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(when="2026-12-06 19:00"))
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    claimed = await outbox.claim_due(ctx, worker="w1")
    owed = [
        await outbox.owed_notice(ctx, notification_id=n, claim=claimed.claim)
        for n in claimed.notification_ids
    ]
    sent = sorted((o.user_id, o.kind) for o in owed if o is not None)
    assert sent == [(P1, "cancelled"), (P2, "cancelled"), (P3, "cancelled")]


async def test_closed_dms_are_recorded_for_the_host(ctx: Context, clock: FakeClock) -> None:
    """A refused DM marks the player unreachable for that game; it is not retried."""
    game = await poker(ctx, max_players=3)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claim)
    assert round_ is not None
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P1, failure=outbox.DMS_CLOSED)
    for user_id in (P2, P3):
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id)
    await outbox.finish_job(ctx, job_id=job_id, claim=claim)
    assert await outbox.unreachable_players(ctx, game_id=game.id) == (P1,)
    async with ctx.transaction() as session:
        rows = (
            await session.scalars(select(DeliveryRow).where(DeliveryRow.job_id == job_id))
        ).all()
    assert sorted((r.user_id, r.failure) for r in rows) == [
        (P1, "dms_closed"),
        (P2, None),
        (P3, None),
    ]


async def test_planning_wakes_the_dispatcher(database: Database, clock: FakeClock) -> None:
    """A change that plans work calls the context's wake hook after commit; reads do not."""

    woken: list[str] = []
    ctx = Context(database=database, clock=clock, on_due_work=lambda: woken.append("wake"))
    game = await poker(ctx)
    assert woken
    woken.clear()
    await outbox.claim_due(ctx, worker="w1")
    await outbox.next_due_at(ctx)
    assert woken == []
    await leave_game(ctx, game_id=game.id, user_id=P1)
    assert woken == ["wake"]


async def test_a_renewed_claim_is_not_taken_over_while_its_round_runs(
    ctx: Context, clock: FakeClock
) -> None:
    """A long round that keeps renewing its claim is not handed to a second worker."""
    await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    clock.now += outbox.LEASE - timedelta(seconds=10)
    assert await outbox.renew_claim(ctx, job_id=job_id, claim=claim)
    clock.now += timedelta(seconds=30)  # past the first claim's lease, within the renewal's
    assert (await outbox.claim_due(ctx, worker="w2")).job_ids == ()
    clock.now += outbox.LEASE
    assert (await outbox.claim_due(ctx, worker="w2")).job_ids == (job_id,)


async def test_a_task_whose_claim_was_taken_over_does_nothing(
    ctx: Context, clock: FakeClock
) -> None:
    """A stale copy of a reminder task sends nothing and cannot renew or finish the job."""
    await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, stale = await claim_one(ctx, "w1")
    clock.now += outbox.LEASE + timedelta(seconds=1)
    _, fresh = await claim_one(ctx, "w2")
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=stale) is None
    assert not await outbox.renew_claim(ctx, job_id=job_id, claim=stale)
    await outbox.finish_job(ctx, job_id=job_id, claim=stale)
    assert await deliver_round(ctx, job_id, fresh) == (P1, P2)


async def test_a_due_reminder_outlives_an_edit_made_before_a_worker_got_to_it(
    ctx: Context, clock: FakeClock
) -> None:
    """A reminder that fell due while workers were down survives a title edit and is sent."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=59)
    await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title="Poker night"))
    job_id, claim = await claim_one(ctx)
    assert await deliver_round(ctx, job_id, claim) == (P1, P2)


async def test_an_earlier_reminder_is_not_sent_after_the_later_one_went_out(
    ctx: Context, clock: FakeClock
) -> None:
    """Both missed, the 15-minute one sent first: the 60-minute one is skipped, not sent late."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=10)
    claimed = await outbox.claim_due(ctx, worker="w1")
    sixty, fifteen = claimed.job_ids
    assert await deliver_round(ctx, fifteen, claimed.claim) == (P1, P2)
    assert await deliver_round(ctx, sixty, claimed.claim) == ()
    outcomes = {j.offset_minutes: j.outcome for j in await jobs_of(ctx, game.id) if j.done_at}
    assert outcomes == {60: "skipped", 15: "sent"}


async def test_cancelling_closes_overdue_reminders_and_drops_the_rest(
    ctx: Context, clock: FakeClock
) -> None:
    """A reminder already due at cancellation is recorded as skipped; nothing else is left."""
    game = await poker(ctx)
    clock.now = START - timedelta(minutes=30)
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    jobs = await jobs_of(ctx, game.id)
    assert [(j.offset_minutes, j.outcome) for j in jobs] == [(60, "skipped")]
    assert await outbox.pending_work(ctx, game_ids=[game.id]) == 3  # the cancellation DMs


async def planned(ctx: Context, game_id: int) -> list[tuple[str, timedelta]]:
    """The game's pending jobs as (kind, due time relative to START)."""
    return [(j.kind, j.due_at - START) for j in await jobs_of(ctx, game_id) if j.done_at is None]


async def test_reminders_and_the_end_follow_the_inherited_settings(
    ctx: Context, clock: FakeClock
) -> None:
    """Reminder times and the end come from the channel, then the guild, and move when they
    change; a game's own values win over both."""
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(duration_minutes=90)
    )
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(reminder_minutes=(30,)),
    )
    inherited = await make_game(ctx)
    overriding = await make_game(ctx, reminder_minutes=(10,), duration_minutes=45)
    assert await planned(ctx, inherited.id) == [
        ("reminder", -timedelta(minutes=30)),
        ("start", timedelta(minutes=0)),
        ("complete", timedelta(minutes=90)),
    ]
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(duration_minutes=120)
    )
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(reminder_minutes=(45, 5)),
    )
    assert await planned(ctx, inherited.id) == [
        ("reminder", -timedelta(minutes=45)),
        ("reminder", -timedelta(minutes=5)),
        ("start", timedelta(minutes=0)),
        ("complete", timedelta(minutes=120)),
    ]
    assert await planned(ctx, overriding.id) == [
        ("reminder", -timedelta(minutes=10)),
        ("start", timedelta(minutes=0)),
        ("complete", timedelta(minutes=45)),
    ]


async def test_a_task_that_waited_in_the_queue_gets_a_whole_lease_for_its_round(
    ctx: Context, clock: FakeClock
) -> None:
    """A round started 50 s after its claim is not taken over 11 s later: its lease starts
    when the work starts, not when the row was claimed."""
    await poker(ctx)
    clock.now = START - timedelta(minutes=60)
    job_id, claim = await claim_one(ctx)
    clock.now += timedelta(seconds=50)
    assert await outbox.start_reminder(ctx, job_id=job_id, claim=claim) is not None
    clock.now += timedelta(seconds=11)
    assert (await outbox.claim_due(ctx, worker="w2")).job_ids == ()


async def test_an_owed_dm_taken_over_is_sent_only_by_its_new_holder(
    ctx: Context, clock: FakeClock
) -> None:
    """A promotion DM whose first worker stalled past its lease: the stale copy gets nothing
    to send and cannot renew; the new holder can, and keeps it while it waits its turn."""
    game = await poker(ctx)
    await leave_game(ctx, game_id=game.id, user_id=P1)
    stale = await outbox.claim_due(ctx, worker="w1")
    (notice_id,) = stale.notification_ids
    clock.now += outbox.LEASE + timedelta(seconds=1)
    fresh = await outbox.claim_due(ctx, worker="w2")
    assert fresh.notification_ids == (notice_id,)
    assert await outbox.owed_notice(ctx, notification_id=notice_id, claim=stale.claim) is None
    assert not await outbox.renew_notice_claim(ctx, notification_id=notice_id, claim=stale.claim)
    owed = await outbox.owed_notice(ctx, notification_id=notice_id, claim=fresh.claim)
    assert owed is not None
    assert owed.user_id == P3
    clock.now += outbox.LEASE - timedelta(seconds=1)
    assert await outbox.renew_notice_claim(ctx, notification_id=notice_id, claim=fresh.claim)
    clock.now += outbox.LEASE - timedelta(seconds=1)
    assert (await outbox.claim_due(ctx, worker="w3")).notification_ids == ()
