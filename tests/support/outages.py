"""Outage tests: what an operator must see in the log (one warning, one recovery line), and
waiting for something that happens eventually."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

import pytest


def assert_quiet_outage(caplog: pytest.LogCaptureFixture, what: str) -> str:
    """The log holds exactly one warning that ``what`` became unavailable and one line saying
    it is back and after how long, and no traceback at all. Returns the line saying it is back
    (it counts the failed attempts)."""
    started = [r for r in caplog.records if r.getMessage().startswith(f"{what} unavailable (")]
    ended = [r for r in caplog.records if r.getMessage().startswith(f"{what} back after ")]
    assert [r.levelno for r in started] == [logging.WARNING], caplog.text
    assert [r.levelno for r in ended] == [logging.INFO], caplog.text
    back = ended[0].getMessage()
    assert re.match(rf"{re.escape(what)} back after \d+\.\d s", back), back
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert "Traceback" not in caplog.text
    return back


def failed_attempts(back: str) -> int:
    """How many failed attempts a recovery line counts (``... (failed attempts: 3 × X)``)."""
    return sum(int(n) for n in re.findall(r"(\d+) × ", back))


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 60) -> None:
    """Until ``check()`` is true; fails after ``within`` seconds (generous: never a speed test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{check.__qualname__} did not come true in {within} s")
        await asyncio.sleep(0.05)
