"""Ids, actors and members the use-case tests share, and the one way tests create a game."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from gamesched.domain.entries import Member
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context, MemberDirectory
from gamesched.services.games import NewGame, create_game
from gamesched.services.participation import join_game
from gamesched.services.views import GameView
from tests.support.fakes import NoMembers

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

P1, P2, P3 = (600_000_000_000_000_000 + n for n in range(1, 4))
"""Members who join games by clicking (no directory needs to know them)."""

WHEN = "2026-12-05 19:00"
"""When games start unless a test says otherwise, typed as a host types it."""
START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
"""WHEN as the use cases read it for a host in UTC (the default zone)."""
START_UNIX = int(START.timestamp())
"""START as Discord's timestamps (``<t:...>``) carry it."""

PLACE_FLAG_FIELDS = ("remind_in_channel", "public_feed", "mirror_events")
"""The on/off settings of a server or channel, named here so a test fails if one goes
missing from the front ends (rather than following the domain's list)."""


async def make_game(
    ctx: Context,
    *,
    title: str = "Game night",
    when: str | datetime = WHEN,
    guild_id: int = GUILD,
    channel_id: int = CHANNEL,
    host: Actor = ADMIN,
    max_players: int | None = None,
    participants: str = "",
    reminder_minutes: tuple[int, ...] | None = None,
    duration_minutes: int | None = None,
    directory: MemberDirectory | None = None,
    joiners: Iterable[int] = (),
) -> GameView:
    """Create a game through the use case as ``host``, then let ``joiners`` join it in order.

    Settings left as None are inherited from the channel, then the guild, then the built-in
    defaults. ``participants`` are typed as a host types them; @mentions among them need a
    ``directory`` that knows the members (the default knows nobody). Returns the game as it
    stands after the last join.
    """
    new = NewGame(
        guild_id=guild_id,
        channel_id=channel_id,
        title=title,
        when=when,
        max_players=max_players,
        participants=participants,
        reminder_minutes=reminder_minutes,
        duration_minutes=duration_minutes,
    )
    members = NoMembers() if directory is None else directory
    game = (await create_game(ctx, actor=host, new=new, directory=members)).game
    for user_id in joiners:
        game = (await join_game(ctx, game_id=game.id, user_id=user_id)).game
    return game
