"""The shared outage helper: backoff delays, and one warning and one recovery line per outage."""

from __future__ import annotations

import logging
from itertools import cycle

import pytest

from gamesched.outages import Backoff, Outage, Unreachable, caused_by

log = logging.getLogger("tests.outages")


class Clock:
    """Monotonic seconds moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_its_cap_and_starts_again_after_a_success() -> None:
    """Without jitter the delays are 0.5, 1, 2, 4, then the cap; a success resets them."""
    backoff = Backoff(first=0.5, cap=5.0, jitter=0.5, draw=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_backoff_jitter_stays_within_its_bounds() -> None:
    """Each delay lies between (1 - jitter) and 1 times its step, never above the cap, never
    zero, so processes spread their retries without retrying at once or waiting too long."""
    draws = cycle([0.0, 0.25, 0.999999])
    backoff = Backoff(first=1.0, cap=8.0, jitter=0.5, draw=lambda: next(draws))
    steps = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    delays = [backoff.next_delay() for _ in steps]
    assert all(step / 2 < delay <= step for step, delay in zip(steps, delays, strict=True))
    assert delays[:3] == [1.0, 2.0 * 0.875, pytest.approx(2.0, rel=1e-5)]


def test_backoff_survives_a_very_long_outage() -> None:
    """Thousands of failures in a row keep the delay at the cap (no overflow)."""
    backoff = Backoff(first=0.5, cap=5.0, draw=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(5000)][-1] == 5.0


def test_an_outage_warns_once_and_says_how_long_it_lasted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Many failures log one warning without a traceback; the first success logs one line
    with the length and the failed attempts; later successes log nothing."""
    clock = Clock()
    outage = Outage("task queue (Redis)", log=log, clock=clock, backoff=Backoff(draw=lambda: 0))
    caplog.set_level(logging.INFO, logger=log.name)
    outage.recovered()
    for _ in range(1000):
        outage.failed(ConnectionError("Connection refused"))
        clock.now += 0.01
    outage.failed(TimeoutError("timed out"))
    clock.now += 2.0
    outage.recovered()
    outage.recovered()

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.WARNING,
            "task queue (Redis) unavailable (Connection refused); "
            "retrying with backoff until it is back",
        ),
        (
            logging.INFO,
            "task queue (Redis) back after 12.0 s "
            "(failed attempts: 1000 × ConnectionError, 1 × TimeoutError)",
        ),
    ]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_new_outage_after_a_recovery_is_reported_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two outages, two warnings and two recovery lines, each counting only its own failures."""
    clock = Clock()
    outage = Outage("database", log=log, clock=clock)
    caplog.set_level(logging.INFO, logger=log.name)
    for failures in (3, 1):
        for _ in range(failures):
            outage.failed(OSError("refused"))
        clock.now += 1
        outage.recovered()
    assert [r.getMessage() for r in caplog.records][1::2] == [
        "database back after 1.0 s (failed attempts: 3 × OSError)",
        "database back after 1.0 s (failed attempts: 1 × OSError)",
    ]


def test_a_caller_with_a_fallback_tries_again_only_once_the_delay_passed() -> None:
    """While down, an attempt is due only after the backoff delay; while up, always."""
    clock = Clock()
    outage = Outage("pacing", log=log, clock=clock, backoff=Backoff(first=2, draw=lambda: 0))
    assert outage.may_try()
    assert outage.failed(OSError("refused")) == 2
    assert not outage.may_try()
    clock.now += 1.9
    assert not outage.may_try()
    clock.now += 0.1
    assert outage.may_try()
    assert outage.failed(OSError("refused")) == 4
    outage.recovered()
    assert outage.may_try()
    assert outage.failed(OSError("refused")) == 2  # a new outage starts from the first delay


def test_an_unreachable_server_is_recognised_however_deep_it_was_wrapped() -> None:
    """The dispatcher tells an outage from a bug even when taskiq wrapped the error."""
    wrapped = RuntimeError("could not send the task")
    wrapped.__cause__ = Unreachable("task queue (Redis)", ConnectionError("Connection refused"))
    assert caused_by(wrapped, Unreachable)
    handling = ValueError("raised while handling")
    handling.__context__ = wrapped
    assert caused_by(handling, Unreachable)
    assert not caused_by(RuntimeError("a bug"), Unreachable)
    refused = ConnectionRefusedError(111, "Connect call failed")
    unreachable = Unreachable("database", refused)
    assert str(unreachable) == "database unreachable: [Errno 111] Connect call failed"
    assert unreachable.orig is refused  # what the metrics name the failure by
