"""Fixtures for use-case tests: a service context on each engine and a fixed guild."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from gamesched.db.engine import Database
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context
from tests.conftest import FakeClock

GUILD = 100_000_000_000_000_001
CHANNEL = 100_000_000_000_000_101
OTHER_CHANNEL = 100_000_000_000_000_102
HOST_ROLE = 100_000_000_000_000_201

MEMBERS = (
    Member(user_id=200_000_000_000_000_001, username="sam", global_name="Sam Smith"),
    Member(user_id=200_000_000_000_000_002, username="samantha", nick="Sammy"),
    Member(user_id=200_000_000_000_000_003, username="alex_k", nick="Alex"),
    Member(user_id=200_000_000_000_000_004, username="alexandra", nick="Alex"),
    Member(user_id=200_000_000_000_000_005, username="zoe", global_name="Zoë"),
)


@dataclass
class StaticDirectory:
    """Answers candidate lookups from a fixed member list, counting the calls."""

    members: Sequence[Member] = MEMBERS
    calls: int = 0

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        self.calls += 1
        return self.members


@pytest.fixture
def ctx(database: Database, clock: FakeClock) -> Context:
    """A service context on a fresh database with the test clock."""
    return Context(database=database, clock=clock)


@pytest.fixture
def directory() -> StaticDirectory:
    return StaticDirectory()


SEES = int(Permission.VIEW_CHANNEL)
"""Every member here sees the channel at hand."""
ADMIN = Actor(user_id=300_000_000_000_000_001, permissions=SEES | Permission.MANAGE_GUILD)
"""A member with Manage Server (may create games when no host roles are set)."""
HOST = Actor(user_id=300_000_000_000_000_002, permissions=SEES, role_ids=frozenset({HOST_ROLE}))
"""A member holding the host role but no other permissions."""
PLAYER = Actor(user_id=300_000_000_000_000_003, permissions=SEES)
"""A member with no special rights."""
CHANNEL_KEEPER = Actor(
    user_id=300_000_000_000_000_004, permissions=SEES | Permission.MANAGE_CHANNELS
)
"""A member with Manage Channels only."""
