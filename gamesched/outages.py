"""Living through an outage of Redis or the database: say it once, retry gently, say when it ended.

Every part that talks to a server it cannot do without (the task queue, the wake-up channel,
the shared Discord pacing, the database) keeps one :class:`Outage`. The first failure logs one
warning; later failures are only counted; the first success after them logs one line with
how long the outage lasted. Retries wait a :class:`Backoff` delay that doubles up to a cap,
with jitter so that many processes do not come back in lockstep. A log therefore grows by a
couple of lines per outage, whatever its length, and a process waiting for a server spends
its time asleep.

Standard library only: every room may use it.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable

FIRST_DELAY_SECONDS = 0.5
"""The wait before the first retry."""
MAX_DELAY_SECONDS = 5.0
"""The longest wait between retries: work resumes at most this long after the server is back.
A retry every few seconds costs nothing to speak of, so the cap favours a quick recovery."""
JITTER = 0.5
"""Each delay is drawn between ``(1 - JITTER)`` and 1 times the exponential step."""


class Unreachable(ConnectionError):
    """A server gamesched needs could not be reached: nothing was done, try again later.

    Raised in place of the driver's own error where the callers should tell it from a bug
    (the bot answers "try again in a minute"; the dispatcher waits and retries quietly). It is
    a :class:`ConnectionError`, as the drivers' connection errors are.
    """

    def __init__(self, service: str, orig: BaseException) -> None:
        self.service = service
        """What could not be reached, e.g. "database"."""
        self.orig = orig
        """The driver's error (named ``orig`` as in SQLAlchemy's wrappers)."""
        self.detail = one_line(orig)
        """What the driver said, on one line."""
        super().__init__(f"{service} unreachable: {self.detail}")


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``error`` or an error it was raised from (or while handling) is a ``kind``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class Backoff:
    """Delays before retries: capped exponential growth with jitter; :meth:`reset` on success."""

    def __init__(
        self,
        *,
        first: float = FIRST_DELAY_SECONDS,
        cap: float = MAX_DELAY_SECONDS,
        jitter: float = JITTER,
        draw: Callable[[], float] = random.random,
    ) -> None:
        """``draw`` returns a random number in [0, 1) (tests pass their own)."""
        self._first = first
        self._cap = cap
        self._jitter = jitter
        self._draw = draw
        self._failures = 0

    def next_delay(self) -> float:
        """The wait before the next attempt: ``first * 2**n`` after the n-th failure in a row,
        at most ``cap``, less a random part of up to ``jitter`` of it."""
        step = min(self._cap, self._first * 2.0 ** min(self._failures, 64))
        self._failures += 1
        return step * (1 - self._jitter * self._draw())

    def reset(self) -> None:
        """The next failure starts again from the first delay."""
        self._failures = 0


class Outage:
    """One part's view of one server: up, or down since when and how often it failed since."""

    def __init__(
        self,
        what: str,
        *,
        log: logging.Logger,
        meanwhile: str = "retrying with backoff until it is back",
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``what`` names the part and its server in the log lines, e.g. "wake-up channel
        (Redis)"; ``meanwhile`` says in the warning what happens until it is back."""
        self.what = what
        self._meanwhile = meanwhile
        self._log = log
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._since: float | None = None
        self._retry_at = 0.0
        self._failures: Counter[str] = Counter()

    @property
    def down(self) -> bool:
        """Whether the last attempt failed."""
        return self._since is not None

    def failed(self, error: BaseException) -> float:
        """Note a failed attempt; the first of an outage logs a warning (without a traceback:
        the error is expected). Returns how long to wait before the next attempt."""
        self._failures[type(error).__name__] += 1
        if self._since is None:
            self._since = self._clock()
            self._log.warning(
                "%s unavailable (%s); %s",
                self.what,
                one_line(error),
                self._meanwhile,
            )
        delay = self._backoff.next_delay()
        self._retry_at = self._clock() + delay
        return delay

    def may_try(self) -> bool:
        """Whether an attempt is due: always when up; when down, once the backoff delay has
        passed (for callers with a fallback, which use it meanwhile instead of waiting)."""
        return self._since is None or self._clock() >= self._retry_at

    def recovered(self) -> None:
        """Note a successful attempt; the first after an outage logs how long it lasted."""
        if self._since is None:
            return
        lasted = self._clock() - self._since
        failures = ", ".join(f"{count} × {kind}" for kind, count in self._failures.most_common())
        self._log.info("%s back after %.1f s (failed attempts: %s)", self.what, lasted, failures)
        self._since = None
        self._failures.clear()
        self._backoff.reset()


def one_line(error: BaseException) -> str:
    """What ``error`` says, on one line (its class name when it says nothing)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
