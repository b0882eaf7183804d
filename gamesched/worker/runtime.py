"""Running the scheduling side in a process: the dispatcher, and a taskiq receiver if asked."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from taskiq import AsyncBroker, InMemoryBroker
from taskiq.api import run_receiver_task

from gamesched.services.outbox import LEASE
from gamesched.services.workers import HEARTBEAT_EVERY
from gamesched.worker.broker import ACK_ON
from gamesched.worker.dispatcher import IDLE_CHECK_SECONDS, Dispatcher
from gamesched.worker.tasks import WorkerDeps, register_tasks
from gamesched.worker.wake import WakeSignal

STOP_GRACE_SECONDS = 10.0
"""On shutdown, how long the pass and the tasks in progress may take to finish. Whatever is
cut short is taken over after its lease, by this process's next start or another worker."""


@asynccontextmanager
async def running_worker(
    deps: WorkerDeps,
    broker: AsyncBroker,
    *,
    wake: WakeSignal | None = None,
    lease: timedelta = LEASE,
    idle_check: float = IDLE_CHECK_SECONDS,
    heartbeat_every: timedelta = HEARTBEAT_EVERY,
) -> AsyncIterator[Dispatcher]:
    """Start the dispatcher (and, on a broker that needs one, a receiver) until the block ends.

    With the in-process broker the tasks run on this loop as they are kicked; with Redis
    this process also takes tasks off the queue, so every worker process both dispatches
    and executes, and any number of them may run.
    """
    tasks = register_tasks(broker)
    broker.add_dependency_context({WorkerDeps: deps})
    broker.is_worker_process = True
    await broker.startup()
    wake = wake or WakeSignal()
    dispatcher = Dispatcher(
        deps.services,
        tasks,
        deps.sync,
        wake=wake.event,
        lease=lease,
        idle_check=idle_check,
        heartbeat_every=heartbeat_every,
    )
    dispatching = asyncio.create_task(dispatcher.run(), name="gamesched-dispatcher")
    running = [asyncio.create_task(wake.listen(), name="gamesched-wake-listener")]
    if not isinstance(broker, InMemoryBroker):
        running.append(
            asyncio.create_task(
                run_receiver_task(broker, ack_time=ACK_ON), name="gamesched-receiver"
            )
        )
    try:
        yield dispatcher
    finally:
        dispatcher.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(dispatching), STOP_GRACE_SECONDS)
        for task in [dispatching, *running]:
            task.cancel()
        for task in [dispatching, *running]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if isinstance(broker, InMemoryBroker):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(broker.wait_all(), STOP_GRACE_SECONDS)
        await broker.shutdown()
