"""Moments as pages show them: UTC text that reads without JavaScript, and the instant in a
``<time datetime>`` that ``/static/local-time.js`` rewrites into the reader's own zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))
"""The units a relative time is said in, largest first."""


@dataclass(frozen=True, slots=True)
class Moment:
    """One instant for a page: ``iso`` for ``<time datetime>``, ``text`` to show without
    script, and ``relative`` to now (``in 3 hours``, ``2 days ago``)."""

    iso: str
    text: str
    relative: str


def moment(at: datetime, *, now: datetime) -> Moment:
    """``at`` (aware) for a page, ``relative`` to ``now``."""
    utc = at.astimezone(UTC)
    return Moment(
        iso=utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        text=utc.strftime("%a %-d %b %Y, %H:%M UTC"),
        relative=relative_text(utc, now=now),
    )


def relative_text(at: datetime, *, now: datetime) -> str:
    """How far ``at`` is from ``now`` in its largest whole unit: ``in 2 days``, ``5 minutes
    ago``; ``now`` within a minute."""
    seconds = int((at - now).total_seconds())
    for unit, size in UNITS:
        count = abs(seconds) // size
        if count:
            amount = f"{count} {unit}" + ("" if count == 1 else "s")
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    return "now"
