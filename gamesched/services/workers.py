"""Whether a worker is alive: each worker writes a heartbeat; the doctor and the operator's
front ends read it (a change made at a terminal reaches Discord only through a worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gamesched.db import jobs
from gamesched.db import repositories as repo
from gamesched.services.context import Context

HEARTBEAT_EVERY = timedelta(seconds=10)
"""How often a running worker writes its heartbeat."""
ALIVE_WITHIN = timedelta(seconds=30)
"""A worker seen this recently is taken to be running."""
FORGET_AFTER = timedelta(days=1)
"""Heartbeats older than this are removed (workers that stopped long ago)."""


@dataclass(frozen=True, slots=True)
class WorkerSeen:
    name: str
    started_at: datetime
    seen_at: datetime
    dispatched_at: datetime | None
    """When it last handed due work to the broker (None: not since it started)."""
    alive: bool


async def heartbeat(ctx: Context, *, worker: str, dispatched: bool = False) -> None:
    """Record that ``worker`` is running (and just dispatched work, when ``dispatched``)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        await repo.beat(
            session,
            worker=worker,
            now=now,
            dispatched=dispatched,
            forget_before=now - FORGET_AFTER,
        )


async def workers_seen(ctx: Context) -> tuple[WorkerSeen, ...]:
    """The workers seen lately, the most recent first, each with whether it looks alive."""
    now = ctx.now()
    async with ctx.transaction() as session:
        rows = await repo.workers_seen(session)
    return tuple(
        WorkerSeen(
            name=row.id,
            started_at=row.started_at,
            seen_at=row.seen_at,
            dispatched_at=row.dispatched_at,
            alive=now - row.seen_at <= ALIVE_WITHIN,
        )
        for row in rows
    )


async def worker_alive(ctx: Context) -> bool:
    """Whether any worker wrote its heartbeat within :data:`ALIVE_WITHIN`."""
    return any(seen.alive for seen in await workers_seen(ctx))


@dataclass(frozen=True, slots=True)
class Queue:
    """The work waiting for the workers now."""

    due: int
    """Reminders, status changes and DMs due and not done (claimed or not)."""
    oldest_waited: timedelta
    """How long the longest-waiting of them has been due (zero when none is)."""


async def queue(ctx: Context) -> Queue:
    """How much work is due and how long the oldest has waited (cheap: two counts and two
    minimums on indexed columns, for every metrics scrape)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        due = await jobs.count_due_unfinished(session, now=now)
        oldest = await jobs.oldest_due_unfinished(session, now=now)
    waited = now - oldest if oldest is not None else timedelta(0)
    return Queue(due=due, oldest_waited=max(waited, timedelta(0)))


async def waiting_work(ctx: Context) -> int:
    """How many reminders, status changes and DMs are due and not done yet (what a worker
    would be doing now)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        return await jobs.count_due_unfinished(session, now=now)
