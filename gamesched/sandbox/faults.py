"""Faults on demand: server errors, added latency and 429 storms for matching routes.

A fault matches a request when its ``route`` regular expression is found in
``"METHOD /path"`` (path below ``/api/v10``, e.g. ``"POST /channels/123/messages"``). It fires
with probability ``error_rate`` (seeded, so runs repeat) and at most ``times`` times. Dropping
the gateway connection is a fault too, but lives with the gateway.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from dataclasses import asdict, dataclass
from typing import Any

from gamesched.sandbox.ratelimits import rate_limited
from gamesched.sandbox.state import DiscordError


@dataclass(frozen=True, slots=True)
class Fault:
    """One configured fault."""

    id: int
    """Handle for removing it."""
    route: str
    """Regular expression searched in ``"METHOD /path"``."""
    kind: str
    """``"error"`` (answer ``status``), ``"latency"`` (wait ``seconds``) or ``"rate_limit"``."""
    status: int = 500
    """Status of an ``error`` fault."""
    seconds: float = 0.0
    """Delay of a ``latency`` fault; ``retry_after`` of a ``rate_limit`` fault."""
    error_rate: float = 1.0
    """Probability that a matching request is hit."""
    times: int | None = None
    """How many requests it hits before it expires; None until removed."""


KINDS = ("error", "latency", "rate_limit")


class Faults:
    """The active faults of one sandbox."""

    def __init__(self, *, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._faults: list[Fault] = []
        self._hits: dict[int, int] = {}

    def add(self, **fields: Any) -> Fault:
        """Add a fault (fields as in :class:`Fault`, without ``id``); ValueError if malformed."""
        if fields.get("kind") not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}")
        try:
            re.compile(fields.get("route", ""))
            fault = Fault(id=next(self._ids), **fields)
        except (TypeError, re.error) as exc:
            raise ValueError(f"bad fault: {exc}") from exc
        self._faults.append(fault)
        self._hits[fault.id] = 0
        return fault

    def remove(self, fault_id: int | None = None) -> None:
        """Remove one fault, or all when ``fault_id`` is None."""
        self._faults = [f for f in self._faults if fault_id is not None and f.id != fault_id]

    def to_json(self) -> list[dict[str, Any]]:
        """Active faults with how often each fired."""
        return [{**asdict(f), "hits": self._hits[f.id]} for f in self._faults]

    async def apply(self, method: str, path: str) -> None:
        """Delay or raise for the request as the matching faults say."""
        target = f"{method} {path}"
        for fault in list(self._faults):
            if not re.search(fault.route, target) or self._random.random() >= fault.error_rate:
                continue
            self._hits[fault.id] += 1
            if fault.times is not None and self._hits[fault.id] >= fault.times:
                self.remove(fault.id)
            if fault.kind == "latency":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "rate_limit":
                raise rate_limited(fault.seconds)
            else:
                raise DiscordError(fault.status, 0, f"{fault.status}: sandbox fault")
