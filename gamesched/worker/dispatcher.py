"""The dispatcher: sleeps until the next due row, claims what is due, hands it to the broker.

It wakes at the earliest planned due time, at once when a transaction in this process planned
new work (``Context.on_due_work``), and at least every ``idle_check`` seconds so rows written
by other processes are seen. Claims are atomic, so any number of dispatchers may run (one per
worker process); each claimed row is kicked once to the broker.

It also writes the worker's heartbeat (:mod:`gamesched.services.workers`), which is how the
doctor and the operator's front ends know a worker is running: after its first pass, then at
most every ``HEARTBEAT_EVERY``, noting whether work was handed to the broker since the last one.

When the database or the task queue cannot be reached, the dispatcher waits with backoff and
tries again, quietly: the database and the broker each log their own outage once. Rows it
claimed but could not hand over are handed over first when the queue is back (and are taken
over by any worker once their lease runs out); it claims nothing new meanwhile, so the rest of
the work waits in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from datetime import datetime, timedelta

from taskiq import AsyncTaskiqDecoratedTask

from gamesched.discord.sync import AnnouncementSync
from gamesched.outages import Backoff, Unreachable, caused_by
from gamesched.services import outbox, workers
from gamesched.services.context import Context
from gamesched.worker.tasks import Tasks

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 2.0
"""The longest the dispatcher sleeps without looking (rows from other processes)."""
CLAIM_BATCH = 200
"""Rows claimed per pass; a full batch is followed at once by another pass."""
ERROR_PAUSE_SECONDS = 1.0
"""Pause after a pass failed unexpectedly (a bug, logged) before trying again."""


def worker_name() -> str:
    """A name unique to this process, recorded on what it claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:64]


class Dispatcher:
    """Claims due jobs, owed DMs and due series and kicks them to taskiq; keeps announcements
    in sync."""

    def __init__(
        self,
        services: Context,
        tasks: Tasks,
        sync: AnnouncementSync,
        *,
        wake: asyncio.Event | None = None,
        name: str | None = None,
        idle_check: float = IDLE_CHECK_SECONDS,
        lease: timedelta = outbox.LEASE,
        heartbeat_every: timedelta = workers.HEARTBEAT_EVERY,
    ) -> None:
        """``wake`` is the event this process's ``Context.on_due_work`` sets."""
        self._services = services
        self._tasks = tasks
        self._sync = sync
        self.name = name or worker_name()
        self._idle_check = idle_check
        self._lease = lease
        self._wake = wake or asyncio.Event()
        self._heartbeat_every = heartbeat_every.total_seconds()
        self._last_beat: float | None = None
        """When the last heartbeat was written or tried (monotonic seconds)."""
        self._dispatched_unreported = False
        self._heartbeat_failing = False
        self._unsent: deque[tuple[AsyncTaskiqDecoratedTask[..., object], int, str]] = deque()
        """Claimed rows not yet handed to the broker (it was unreachable): task, id, claim."""
        self._backoff = Backoff()
        self._stopping = False
        self.stopped = False
        """True once :meth:`run` returned after a stop."""

    async def run_once(self) -> int:
        """One pass: claim and kick what is due, request syncs of stale announcements.

        Returns how many rows were claimed. Raises (before claiming anything) while the broker
        cannot take what an earlier pass claimed.
        """
        await self._hand_over()
        claimed = await outbox.claim_due(
            self._services, worker=self.name, limit=CLAIM_BATCH, lease=self._lease
        )
        self._unsent.extend((self._tasks.run_job, i, claimed.claim) for i in claimed.job_ids)
        self._unsent.extend(
            (self._tasks.deliver_notice, i, claimed.claim) for i in claimed.notification_ids
        )
        self._unsent.extend(
            (self._tasks.advance_series, i, claimed.claim) for i in claimed.series_ids
        )
        await self._hand_over()
        for game_id in await outbox.stale_announcements(self._services):
            self._sync.sweep(game_id)
        return len(claimed.job_ids) + len(claimed.notification_ids) + len(claimed.series_ids)

    async def _hand_over(self) -> None:
        """Kick the claimed rows not yet kicked, in order, each once."""
        while self._unsent:
            task, row_id, claim = self._unsent[0]
            await task.kiq(row_id, claim)
            self._unsent.popleft()

    def stop(self) -> None:
        """Finish the pass in progress, then return from :meth:`run`.

        Cancelling a pass in the middle of a transaction would leave the rollback to a
        cancelled task; a stop between passes shuts down cleanly.
        """
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Dispatch until stopped (or cancelled)."""
        log.info("dispatcher %s started", self.name)
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self.run_once()
                await self._heartbeat(dispatched=claimed > 0)
                if claimed >= CLAIM_BATCH:
                    continue
                delay = self._sleep_for(await outbox.next_due_at(self._services))
            except Exception as error:
                delay = self._after_failure(error)
            else:
                self._backoff.reset()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
        self.stopped = True
        log.info("dispatcher %s stopped", self.name)

    def _after_failure(self, error: Exception) -> float:
        """How long to wait after a failed pass. An unreachable database or queue was logged
        where it happened (once per outage); anything else is a bug, logged here."""
        if caused_by(error, Unreachable):
            return self._backoff.next_delay()
        log.exception("dispatcher pass failed; retrying")
        return ERROR_PAUSE_SECONDS

    async def _heartbeat(self, *, dispatched: bool) -> None:
        """Write the heartbeat when one is due; a failed write is logged (once until one
        succeeds again; not at all for an unreachable database, which logs that itself) and
        never stops dispatching."""
        self._dispatched_unreported |= dispatched
        if self._until_heartbeat() > 0:
            return
        self._last_beat = time.monotonic()
        try:
            await workers.heartbeat(
                self._services, worker=self.name, dispatched=self._dispatched_unreported
            )
        except Exception as error:
            if not self._heartbeat_failing and not caused_by(error, Unreachable):
                log.warning("dispatcher %s could not write its heartbeat", self.name, exc_info=True)
                self._heartbeat_failing = True
            return
        self._dispatched_unreported = False
        if self._heartbeat_failing:
            log.info("dispatcher %s writes its heartbeat again", self.name)
            self._heartbeat_failing = False

    def _until_heartbeat(self) -> float:
        """Seconds until the next heartbeat is due (0 or less: now)."""
        if self._last_beat is None:
            return 0.0
        return self._last_beat + self._heartbeat_every - time.monotonic()

    def _sleep_for(self, next_due: datetime | None) -> float:
        """Until the next due row, the next heartbeat or the idle check, whichever is first."""
        longest = min(self._idle_check, max(self._until_heartbeat(), 0.01))
        if next_due is None:
            return longest
        seconds = (next_due - self._services.clock()).total_seconds()
        return min(max(seconds, 0.01), longest)
