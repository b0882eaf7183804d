"""What a gamesched process tells about itself: Prometheus metrics, and the bot's gateway.

The metric objects live here, in this process's own registry (:data:`REGISTRY`); the code at
each point of interest counts with one line. Every process serves its own registry (the web
on ``/metrics``, a worker or a bot on ``metrics.port``), so there is no multiprocess mode:
Prometheus scrapes each process and sums. The README's "Metrics and health" lists every
metric with its meaning.

The queue (how much work is due, and how long the oldest has waited) and the bot's gateway
connection are not kept here: they are read when ``/metrics`` is scraped and handed to
:func:`exposition` (:class:`ScrapeTime`).

This module imports nothing of gamesched's, so every room but the domain may count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""Prometheus's text format, which every Prometheus version reads."""

disable_created_metrics()  # type: ignore[no-untyped-call]  # the library leaves it untyped
"""No ``*_created`` series: in the text format each is one more series per counter and
histogram, and ``rate()`` does not need them (gamesched runs no other metrics)."""

REGISTRY = CollectorRegistry()
"""This process's metrics: gamesched's, and the process's CPU, memory and garbage collector."""
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

LATE_AFTER = timedelta(seconds=60)
"""A reminder DM sent more than this after its due time counts as late (a round of a few
hundred DMs goes out well within it; later means the workers were down or far behind)."""

# ----- interactions (the bot) ---------------------------------------------------------------

INTERACTIONS = Counter(
    "gamesched_interactions",
    "Interactions the bot answered, by kind (command, component, form), action (the command or "
    "the component's id prefix) and outcome (answered, refused: the user was told why, failed: "
    "Discord or gamesched failed and the user got an apology).",
    ["kind", "action", "outcome"],
    registry=REGISTRY,
)
INTERACTION_SECONDS = Histogram(
    "gamesched_interaction_seconds",
    "Seconds from Discord creating an interaction to the bot's answer being sent (what the "
    "user waits; Discord's deadline for the first answer is 3 s).",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 5, 10, 30),
    registry=REGISTRY,
)
INTERACTIONS_DEFERRED = Counter(
    "gamesched_interactions_deferred",
    "Interactions that were still being worked on after 1.5 s, so the bot acknowledged them "
    "first (the user saw 'thinking...').",
    ["kind"],
    registry=REGISTRY,
)
# ----- the worker ---------------------------------------------------------------------------


class DmOutcome(StrEnum):
    """What became of one direct message."""

    SENT = "sent"
    LATE = "late"
    """Sent, but more than :data:`LATE_AFTER` after it was due (reminders only)."""
    UNREACHABLE = "unreachable"
    """Discord refused it because the member closed their DMs; recorded, never retried."""
    REFUSED = "refused"
    """Discord refused it for another reason; recorded, never retried."""


REMINDERS = Counter(
    "gamesched_reminders",
    "Reminder DMs, one per player per reminder, by outcome: sent (on time), late (sent more "
    "than 60 s after due), unreachable (the player's DMs are closed), refused (Discord said "
    "no for another reason).",
    ["outcome"],
    registry=REGISTRY,
)
REMINDER_LATENESS = Histogram(
    "gamesched_reminder_lateness_seconds",
    "Seconds between a reminder's due time and its DM being sent.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
    registry=REGISTRY,
)
NOTICES = Counter(
    "gamesched_notices",
    "DMs about a change (a seat offered, a game moved, cancelled, or a player removed), by "
    "outcome: sent, unreachable, refused.",
    ["outcome"],
    registry=REGISTRY,
)
JOBS_FINISHED = Counter(
    "gamesched_jobs_finished",
    "Planned jobs closed, by kind (reminder, start, complete) and outcome: sent (done), "
    "missed (a reminder whose game had started before a worker got to it), skipped (no longer "
    "applied: the game moved or was cancelled, or a later reminder was due too).",
    ["kind", "outcome"],
    registry=REGISTRY,
)

# ----- Discord and the services gamesched runs on --------------------------------------------

DISCORD_RATE_LIMITED = Counter(
    "gamesched_discord_rate_limited",
    "429 answers from Discord, by client: rest (gamesched's own REST client: workers, web, "
    "CLI, the bot's announcement edits) or bot (the bot's library client); each is waited "
    "out and retried.",
    ["client"],
    registry=REGISTRY,
)
DISCORD_RETRIES = Counter(
    "gamesched_discord_retries",
    "Requests to Discord sent again after a failure, by reason: server_error (5xx) or "
    "unreachable (no answer); after 3 retries the request fails.",
    ["reason"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "gamesched_errors",
    "Errors talking to the services gamesched runs on, by component (database, redis) and "
    "kind (the error's class, e.g. ConnectionRefusedError, OperationalError).",
    ["component", "kind"],
    registry=REGISTRY,
)


# Series that exist from the start read 0 until something happens, so rate() sees the first.
for _outcome in DmOutcome:
    REMINDERS.labels(_outcome)
    if _outcome is not DmOutcome.LATE:
        NOTICES.labels(_outcome)
for _client in ("rest", "bot"):
    DISCORD_RATE_LIMITED.labels(_client)
for _reason in ("server_error", "unreachable"):
    DISCORD_RETRIES.labels(_reason)


def count_error(component: str, error: BaseException) -> None:
    """Count a failure of ``component``; SQLAlchemy's wrappers count as the driver's error."""
    cause = getattr(error, "orig", None) or error
    ERRORS.labels(component=component, kind=type(cause).__name__).inc()


def count_reminder_dm(outcome: DmOutcome, *, late_by: timedelta) -> None:
    """Count one reminder DM closed as ``outcome`` (SENT turns LATE past :data:`LATE_AFTER`);
    a sent one's lateness goes into the histogram."""
    if outcome is DmOutcome.SENT:
        REMINDER_LATENESS.observe(max(late_by.total_seconds(), 0.0))
        if late_by > LATE_AFTER:
            outcome = DmOutcome.LATE
    REMINDERS.labels(outcome=outcome).inc()


# ----- the bot's gateway, for /healthz ---------------------------------------------------------


class GatewayState(StrEnum):
    ABSENT = "absent"
    """No bot runs in this process (``gamesched web`` or ``gamesched worker`` alone)."""
    CONNECTING = "connecting"
    """The bot is starting, or lost its connection and is reconnecting."""
    CONNECTED = "connected"


class Gateway:
    """The gateway connection of the bot running in this process, as ``/healthz`` reports it.

    The process's core holds one; the bot moves it as Discord connects and disconnects.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = GatewayState.ABSENT
        self._clock = clock
        self._since = clock()

    def _move(self, state: GatewayState) -> None:
        if state is not self.state:
            self.state = state
            self._since = self._clock()

    def starting(self) -> None:
        """A bot was built in this process and is about to connect."""
        self._move(GatewayState.CONNECTING)

    def connected(self) -> None:
        self._move(GatewayState.CONNECTED)

    def disconnected(self) -> None:
        self._move(GatewayState.CONNECTING)

    @property
    def seconds_in_state(self) -> float:
        """How long the connection has been in :attr:`state`."""
        return self._clock() - self._since


# ----- exposition -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScrapeTime:
    """What is read when ``/metrics`` is scraped rather than counted as it happens."""

    gateway: Gateway
    """The connection of this process's bot (left out when it runs none)."""
    due: int | None = None
    """Work due and not done; None when the database did not answer (the queue is then left
    out rather than shown stale)."""
    oldest_due_seconds: float = 0.0


class _ScrapeTimeCollector(Collector):
    def __init__(self, found: ScrapeTime) -> None:
        self._found = found

    def collect(self) -> Iterator[Metric]:
        found = self._found
        if found.gateway.state is not GatewayState.ABSENT:
            yield GaugeMetricFamily(
                "gamesched_discord_gateway_connected",
                "1 while this process's bot is connected to Discord's gateway, 0 while it is "
                "connecting (absent where no bot runs).",
                value=int(found.gateway.state is GatewayState.CONNECTED),
            )
        if found.due is not None:
            yield GaugeMetricFamily(
                "gamesched_jobs_due",
                "Reminders, status changes and DMs that are due and not done yet (the same "
                "figure from every process: it is read from the database).",
                value=found.due,
            )
            yield GaugeMetricFamily(
                "gamesched_oldest_due_job_seconds",
                "How long the oldest of those has been due (0 when nothing is waiting).",
                value=found.oldest_due_seconds,
            )


def exposition(found: ScrapeTime) -> bytes:
    """This process's metrics in Prometheus's text format, with what was read for this
    scrape."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_ScrapeTimeCollector(found))
    return generate_latest(REGISTRY) + generate_latest(scrape)
