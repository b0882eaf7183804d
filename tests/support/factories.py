"""Ids, actors and members the use-case tests share, and when their games start."""

from __future__ import annotations

from datetime import UTC, datetime

from gamesched.domain.entries import Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor

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
"""The guild's members as the ``directory`` fixture knows them (for typed @mentions)."""

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

START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
"""When the tests' games start (typed as 2026-12-05 19:00 by a host in UTC)."""
START_UNIX = int(START.timestamp())
"""START as Discord's timestamps (``<t:...>``) carry it."""
