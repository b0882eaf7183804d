"""What a worker does with a claimed row: send a reminder round, change a status, send a DM,
make a recurring series' next game.

Each task is idempotent: it re-reads its row, does only what is still owed, and records the
outcome, so a re-claimed task never repeats a finished DM. A task carries the claim it was
kicked under and acts only while its row is still held under it, so a copy whose claim was
taken over does nothing. The task bodies are plain functions of :class:`WorkerDeps`; the
taskiq wrappers receive the deps through taskiq's dependency injection, from the context the
process gave its broker at start-up (``broker.add_dependency_context({WorkerDeps: deps})``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from gamesched.discord import render
from gamesched.discord.rest import CLOSED_DMS, DiscordError, DiscordRest, DiscordUnavailable
from gamesched.discord.sync import AnnouncementSync
from gamesched.metrics import NOTICES, DmOutcome, count_reminder_dm
from gamesched.outages import Unreachable, caused_by
from gamesched.services import channel_reminders, outbox, series
from gamesched.services.context import Context
from gamesched.services.planning import JobKind

log = logging.getLogger(__name__)
T = TypeVar("T")

DM_CONCURRENCY = 8
"""Reminder DMs of one round in flight at once; the REST client paces them to the limits."""


@dataclass(frozen=True, slots=True)
class WorkerDeps:
    """What the tasks use, built once per process and handed to the broker as a dependency."""

    services: Context
    rest: DiscordRest
    sync: AnnouncementSync
    lease: timedelta = outbox.LEASE
    """How long a claim holds; a long round renews its claim well within it."""


class Retry(Exception):
    """Discord could not be reached: leave the row claimed; it is retried when the claim
    expires."""


async def run_job(deps: WorkerDeps, job_id: int, claim: str) -> None:
    """Carry out one job claimed under ``claim`` (a reminder round or a status change)."""
    kind = await outbox.job_kind(deps.services, job_id)
    if kind is None:
        return
    if kind is JobKind.REMINDER:
        await _remind(deps, job_id, claim)
        return
    changed = await outbox.advance_status(deps.services, job_id=job_id, claim=claim)
    if changed is not None:
        deps.sync.request(changed.id)


async def _remind(deps: WorkerDeps, job_id: int, claim: str) -> None:
    round_ = await outbox.start_reminder(deps.services, job_id=job_id, claim=claim)
    if round_ is None:
        return
    payload = render.reminder(
        round_.game,
        offset_minutes=round_.offset_minutes,
        jump_url=render.announcement_link(round_.game),
    )
    gate = asyncio.Semaphore(DM_CONCURRENCY)
    due_at = round_.game.start_at - timedelta(minutes=round_.offset_minutes)

    async def deliver(owed: outbox.OwedDelivery) -> bool:
        async with gate:
            try:
                failure = await send_dm(
                    deps.rest, owed.user_id, payload, nonce=f"d{owed.delivery_id}"
                )
            except Retry:
                return False
            # A DM that went out is recorded even if the round is being stopped meanwhile.
            await asyncio.shield(
                outbox.record_delivery(
                    deps.services, job_id=job_id, user_id=owed.user_id, failure=failure
                )
            )
            count_reminder_dm(dm_outcome(failure), late_by=deps.services.clock() - due_at)
            return True

    async def deliver_all() -> bool:
        await deps.rest.recall_dm_channels(round_.user_ids)  # one lookup for the round
        async with asyncio.TaskGroup() as group:
            sends = [group.create_task(deliver(owed)) for owed in round_.deliveries]
        return all(send.result() for send in sends)

    delivered = await holding_claim(
        deliver_all(),
        renew=lambda: outbox.renew_claim(deps.services, job_id=job_id, claim=claim),
        lease=deps.lease,
        name=f"job {job_id}",
    )
    if delivered and await _remind_in_channel(deps, job_id):
        await outbox.finish_job(deps.services, job_id=job_id, claim=claim)


async def holding_claim(
    work: Coroutine[Any, Any, T],
    *,
    renew: Callable[[], Awaitable[bool]],
    lease: timedelta,
    name: str,
) -> T | None:
    """Run ``work``, renewing its row's claim meanwhile, so work that takes longer than the
    lease (a round of thousands of DMs, or one DM queued behind them under Discord's limits)
    is not taken over and done twice.

    Returns None, with ``work`` cancelled, when the claim was lost anyway (this worker stalled
    past its lease and another took the row over): the new holder does what is still owed.
    """
    every = lease.total_seconds() / 3
    running = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({running}, timeout=every)
            if done:
                return running.result()
            try:
                held = await renew()
            except Exception as error:
                if not caused_by(error, Unreachable):  # an outage is logged where it happens
                    log.warning("%s: claim not renewed, trying again", name, exc_info=True)
                continue
            if not held:
                log.warning("%s was taken over by another worker; stopping here", name)
                return None
    finally:
        if not running.done():
            running.cancel()
            await asyncio.wait({running})  # unlike awaiting it, lets our own cancel through


async def _remind_in_channel(deps: WorkerDeps, job_id: int) -> bool:
    """Post the round's reminder in the game's channel for players whose DMs are closed, if
    the channel asks for it; False when Discord could not be reached (retried later)."""
    owed = await channel_reminders.owed_channel_reminder(deps.services, job_id=job_id)
    if owed is None:
        return True
    payloads = render.channel_reminders(
        owed.game,
        offset_minutes=owed.offset_minutes,
        user_ids=owed.user_ids,
        jump_url=render.announcement_link(owed.game),
    )
    channel_id = owed.game.channel_id
    try:
        for part, payload in enumerate(payloads):
            nonce = {"nonce": f"c{job_id}-{part}", "enforce_nonce": True}
            await deps.rest.create_message(channel_id, payload | nonce)
    except DiscordUnavailable as error:
        log.warning("Channel reminder for job %s not posted, will retry: %s", job_id, error)
        return False
    except DiscordError as error:
        log.warning("Channel reminder for job %s refused in %s: %s", job_id, channel_id, error)
    await channel_reminders.record_channel_reminder(deps.services, job_id=job_id)
    return True


async def deliver_notice(deps: WorkerDeps, notification_id: int, claim: str) -> None:
    """Send one owed DM (a seat opened, the game was moved or cancelled)."""
    owed = await outbox.owed_notice(deps.services, notification_id=notification_id, claim=claim)
    if owed is None:
        return
    payload = render.notice(owed.kind, owed.game, jump_url=render.announcement_link(owed.game))

    async def deliver() -> None:
        try:
            failure = await send_dm(deps.rest, owed.user_id, payload, nonce=f"n{notification_id}")
        except Retry:
            return
        await asyncio.shield(
            outbox.record_notice(deps.services, notification_id=notification_id, failure=failure)
        )
        NOTICES.labels(dm_outcome(failure)).inc()

    await holding_claim(
        deliver(),
        renew=lambda: outbox.renew_notice_claim(
            deps.services, notification_id=notification_id, claim=claim
        ),
        lease=deps.lease,
        name=f"notification {notification_id}",
    )


async def advance_series(deps: WorkerDeps, series_id: int, claim: str) -> None:
    """Make the games a series claimed under ``claim`` has due, and post their announcements
    (a post that fails is retried by the worker's sweep of unannounced games)."""
    for game in await series.advance_series(deps.services, series_id=series_id, claim=claim):
        deps.sync.request(game.id)


async def send_dm(
    rest: DiscordRest, user_id: int, payload: dict[str, Any], *, nonce: str
) -> str | None:
    """Send a DM; None when delivered, else why Discord refused it for good.

    ``nonce`` makes the send idempotent: Discord answers a repeat within a few minutes
    (a worker that crashed after sending, before recording it) with the message it already
    created. Raises :class:`Retry` when Discord could not be reached (its 5xx were already
    retried).
    """
    try:
        await rest.send_dm(user_id, payload | {"nonce": nonce, "enforce_nonce": True})
    except DiscordUnavailable as error:
        log.warning("DM to %s not sent, will retry: %s", user_id, error)
        raise Retry from None
    except DiscordError as error:
        if error.code == CLOSED_DMS:
            return outbox.DMS_CLOSED
        log.warning("DM to %s refused: %s", user_id, error)
        return f"refused_{error.code or error.status}"
    return None


def dm_outcome(failure: str | None) -> DmOutcome:
    """What :func:`send_dm`'s answer means for the metrics."""
    if failure is None:
        return DmOutcome.SENT
    return DmOutcome.UNREACHABLE if failure == outbox.DMS_CLOSED else DmOutcome.REFUSED


@dataclass(frozen=True, slots=True)
class Tasks:
    """The registered taskiq tasks; ``kiq`` them with a row id and the claim it is held by."""

    run_job: AsyncTaskiqDecoratedTask[..., Any]
    deliver_notice: AsyncTaskiqDecoratedTask[..., Any]
    advance_series: AsyncTaskiqDecoratedTask[..., Any]


@contextmanager
def _left_for_later() -> Iterator[None]:
    """End a task quietly when the database (or Redis) is unreachable: its row stays claimed
    and is taken over once the lease runs out; the outage was logged where it happened."""
    try:
        yield
    except Exception as error:
        if not caused_by(error, Unreachable):
            raise


def register_tasks(broker: AsyncBroker) -> Tasks:
    """Register gamesched's tasks on ``broker`` (the same names on every process)."""

    async def run_job_task(
        job_id: int, claim: str, deps: Annotated[WorkerDeps, TaskiqDepends()]
    ) -> None:
        with _left_for_later():
            await run_job(deps, job_id, claim)

    async def deliver_notice_task(
        notification_id: int, claim: str, deps: Annotated[WorkerDeps, TaskiqDepends()]
    ) -> None:
        with _left_for_later():
            await deliver_notice(deps, notification_id, claim)

    async def advance_series_task(
        series_id: int, claim: str, deps: Annotated[WorkerDeps, TaskiqDepends()]
    ) -> None:
        with _left_for_later():
            await advance_series(deps, series_id, claim)

    return Tasks(
        run_job=broker.register_task(run_job_task, task_name="gamesched.run_job"),
        deliver_notice=broker.register_task(
            deliver_notice_task, task_name="gamesched.deliver_notice"
        ),
        advance_series=broker.register_task(
            advance_series_task, task_name="gamesched.advance_series"
        ),
    )
