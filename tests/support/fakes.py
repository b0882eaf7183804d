"""Stand-ins the use cases are given: a clock moved by hand and member directories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gamesched.domain.entries import Entries, Member


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class NoMembers:
    """A member directory that knows nobody (for games created without @mentions)."""

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        return ()


@dataclass
class StaticDirectory:
    """Answers candidate lookups from a fixed member list, counting the calls."""

    members: Sequence[Member]
    calls: int = 0

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        self.calls += 1
        return self.members
