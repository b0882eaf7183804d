"""Permissions: decisions from Discord's bitfield and role ids, denials naming what is missing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.domain.errors import (
    HostRoleRequired,
    NoHostRoles,
    NotHostOrAdmin,
    PermissionDenied,
    SettingsLevel,
    SettingsPermission,
)
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
    require_can_create_game,
    require_can_manage_game,
)

FAST = settings(max_examples=200, deadline=None)

ADMINISTRATOR = 8
MANAGE_CHANNELS = 16
MANAGE_GUILD = 32
VIEW_CHANNEL = 1 << 10
UNKNOWN_HIGH_BIT = 1 << 40
"""A permission gamesched does not look at (Discord keeps adding bits)."""
USER = 111
HOST = 222
ROLE_A = 500_000_000_000_000_001
ROLE_B = 500_000_000_000_000_002

Check = Callable[[Actor], None]

CHECKS: dict[str, Check] = {
    "create with no host roles": lambda a: require_can_create_game(a, host_role_ids=()),
    "create with host roles": lambda a: require_can_create_game(a, host_role_ids=(ROLE_A,)),
    "manage someone else's game": lambda a: require_can_manage_game(a, host_id=HOST),
    "configure guild": require_can_configure_guild,
    "configure channel": require_can_configure_channel,
}
"""Every decision, for a member who is not the host and holds no host role."""


def actor(
    permissions: int = 0, *roles: int, user_id: int = USER, sees_channel: bool = True
) -> Actor:
    """A member with the given bitfield and roles, who sees the channel unless told not."""
    if sees_channel:
        permissions |= VIEW_CHANNEL
    return Actor(user_id=user_id, permissions=permissions, role_ids=frozenset(roles))


def denied(check: Check, who: Actor) -> PermissionDenied:
    """The error a denied member gets."""
    with pytest.raises(PermissionDenied) as caught:
        check(who)
    return caught.value


def test_the_bits_are_discords() -> None:
    """The flags gamesched reads have Discord's documented values."""
    assert Permission.ADMINISTRATOR == ADMINISTRATOR
    assert Permission.MANAGE_CHANNELS == MANAGE_CHANNELS
    assert Permission.MANAGE_GUILD == MANAGE_GUILD


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize(
    "permissions", [ADMINISTRATOR, ADMINISTRATOR | UNKNOWN_HIGH_BIT], ids=["admin", "admin+high"]
)
def test_administrator_may_do_everything(name: str, permissions: int) -> None:
    """A member with ADMINISTRATOR passes every check without any role."""
    CHECKS[name](actor(permissions))


def test_the_operator_may_do_everything() -> None:
    """The terminal operator passes every check."""
    for check in CHECKS.values():
        check(Actor.operator())


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("permissions", [0, UNKNOWN_HIGH_BIT], ids=["none", "high-bit"])
def test_without_relevant_bits_nothing_is_allowed(name: str, permissions: int) -> None:
    """A member with no known permission (even with unknown high bits) is denied everything."""
    denied(CHECKS[name], actor(permissions))


@FAST
@given(
    bits=st.integers(0, 2**64 - 1).map(
        lambda b: b & ~(ADMINISTRATOR | MANAGE_CHANNELS | MANAGE_GUILD)
    )
)
def test_other_bits_never_grant_anything(bits: int) -> None:
    """Only ADMINISTRATOR, MANAGE_GUILD and MANAGE_CHANNELS open the gated actions."""
    for check in CHECKS.values():
        with pytest.raises(PermissionDenied):
            check(actor(bits))


@FAST
@given(bits=st.integers(0, 2**64 - 1))
def test_administrator_bit_wins_over_any_other_bits(bits: int) -> None:
    """Whatever else the bitfield holds, ADMINISTRATOR passes every check."""
    for check in CHECKS.values():
        check(actor(bits | ADMINISTRATOR))


@pytest.mark.parametrize(
    ("permissions", "granted"),
    [
        (0, set()),
        (MANAGE_CHANNELS, {Permission.MANAGE_CHANNELS}),
        (MANAGE_GUILD, {Permission.MANAGE_GUILD}),
        (MANAGE_GUILD | MANAGE_CHANNELS, {Permission.MANAGE_GUILD, Permission.MANAGE_CHANNELS}),
        (ADMINISTRATOR, set(Permission)),
        (UNKNOWN_HIGH_BIT | MANAGE_CHANNELS, {Permission.MANAGE_CHANNELS}),
    ],
)
def test_has_reads_the_bitfield(permissions: int, granted: set[Permission]) -> None:
    """A member has exactly the flags set in their bitfield; ADMINISTRATOR implies all."""
    who = actor(permissions, sees_channel=False)
    assert {p for p in Permission if who.has(p)} == granted
    assert who.is_guild_admin is (Permission.MANAGE_GUILD in granted)


def test_manage_server_may_create_games_when_no_host_roles_are_set() -> None:
    """Without host roles anywhere, Manage Server is enough to create games."""
    require_can_create_game(actor(MANAGE_GUILD), host_role_ids=())


@pytest.mark.parametrize("permissions", [0, MANAGE_CHANNELS, UNKNOWN_HIGH_BIT])
def test_creating_without_host_roles_needs_manage_server(permissions: int) -> None:
    """Without host roles, a member lacking Manage Server is told so, and the error says that
    no host roles are set (so a front end can say how an admin sets one)."""
    error = denied(lambda a: require_can_create_game(a, host_role_ids=()), actor(permissions))
    assert "Manage Server" in error.message
    assert "no host roles are set" in error.message
    assert isinstance(error.fault, NoHostRoles)
    assert error.fault.permission is Permission.MANAGE_GUILD


def test_any_one_host_role_allows_creating() -> None:
    """Holding one of the configured host roles is enough to create games."""
    require_can_create_game(actor(0, ROLE_B), host_role_ids=(ROLE_A, ROLE_B))


@pytest.mark.parametrize("permissions", [0, MANAGE_GUILD, MANAGE_CHANNELS])
def test_with_host_roles_only_the_roles_count(permissions: int) -> None:
    """Once host roles are set, even Manage Server needs one; the denial says a host role is
    needed and carries the roles that would allow it, in id order."""
    error = denied(
        lambda a: require_can_create_game(a, host_role_ids=(ROLE_B, ROLE_A, ROLE_B)),
        actor(permissions, 999),
    )
    assert "needs a host role" in error.message
    assert error.fault == HostRoleRequired(role_ids=(ROLE_A, ROLE_B))


def test_the_host_may_manage_their_game() -> None:
    """A game's host may edit or cancel it with no permissions at all."""
    require_can_manage_game(actor(0, user_id=HOST), host_id=HOST)


@pytest.mark.parametrize("permissions", [MANAGE_GUILD, ADMINISTRATOR])
def test_server_managers_may_manage_any_game(permissions: int) -> None:
    """Manage Server (or ADMINISTRATOR) may change someone else's game."""
    require_can_manage_game(actor(permissions), host_id=HOST)


@pytest.mark.parametrize("permissions", [0, MANAGE_CHANNELS])
def test_others_may_not_manage_a_game(permissions: int) -> None:
    """Anyone else is told only the host or Manage Server may change the game."""
    error = denied(lambda a: require_can_manage_game(a, host_id=HOST), actor(permissions))
    assert "host" in error.message
    assert "Manage Server" in error.message
    assert error.fault == NotHostOrAdmin(host_id=HOST)


def test_guild_settings_need_manage_server() -> None:
    """Manage Server may change server settings; Manage Channels alone is told what it lacks."""
    require_can_configure_guild(actor(MANAGE_GUILD))
    error = denied(require_can_configure_guild, actor(MANAGE_CHANNELS))
    assert "Manage Server" in error.message
    assert error.fault == SettingsPermission(SettingsLevel.GUILD)
    assert isinstance(error.fault, SettingsPermission)
    assert error.fault.permission is Permission.MANAGE_GUILD


def test_channel_settings_need_manage_channels() -> None:
    """Manage Channels may change channel settings; Manage Server alone is told what it lacks."""
    require_can_configure_channel(actor(MANAGE_CHANNELS))
    error = denied(require_can_configure_channel, actor(MANAGE_GUILD))
    assert "Manage Channels" in error.message
    assert error.fault == SettingsPermission(SettingsLevel.CHANNEL)
    assert isinstance(error.fault, SettingsPermission)
    assert error.fault.permission is Permission.MANAGE_CHANNELS


@pytest.mark.parametrize("holding", [MANAGE_GUILD, 0], ids=["manage-server", "host-role"])
def test_nobody_announces_into_a_channel_they_cannot_see(holding: int) -> None:
    """A host role or Manage Server does not let a member announce a game in a channel hidden
    from them; the denial says why. Administrators see every channel anyway."""
    hidden = actor(holding, ROLE_A, sees_channel=False)
    for roles in ((), (ROLE_A,)):
        with pytest.raises(PermissionDenied, match="cannot see that channel"):
            require_can_create_game(hidden, host_role_ids=roles)
    require_can_create_game(actor(ADMINISTRATOR, sees_channel=False), host_role_ids=(ROLE_A,))
