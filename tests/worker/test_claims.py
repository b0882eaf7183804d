"""A reminder round stops when another worker took its job over."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.worker.tasks import holding_claim
from tests.support.factories import P1, P2, P3, START, make_game
from tests.support.fakes import FakeClock
from tests.support.worker import claim_one

RENEW_QUICKLY = timedelta(seconds=0.3)
"""A lease short enough that the first renewal comes after 0.1 s of real time."""


async def test_a_round_that_lost_its_claim_stops_sending(ctx: Context, clock: FakeClock) -> None:
    """A worker that stalled past its lease and was taken over stops its round at the next
    renewal, leaving the DMs still owed to the new holder alone."""
    await make_game(ctx, max_players=2, duration_minutes=120, joiners=(P1, P2, P3))
    clock.now = START - timedelta(minutes=60)
    job_id, stale = await claim_one(ctx, "w1")
    clock.now += outbox.LEASE + timedelta(seconds=1)
    await claim_one(ctx, "w2")
    stopped = asyncio.Event()

    async def endless_round() -> bool:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return True

    async with asyncio.timeout(30):  # a round that never stops would hang here
        stopped_round = await holding_claim(
            endless_round(),
            renew=lambda: outbox.renew_claim(ctx, job_id=job_id, claim=stale),
            lease=RENEW_QUICKLY,
            name="the round",
        )
    assert stopped_round is None
    assert stopped.is_set()  # cancelled, not left running beside the new holder's round
