"""Who may do what, decided from Discord's permission bitfield and role ids (never names)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from gamesched.domain.errors import (
    ChannelHidden,
    HostRoleRequired,
    NoHostRoles,
    NotHostOrAdmin,
    PermissionDenied,
    SettingsLevel,
    SettingsPermission,
)
from gamesched.domain.permission_bits import Permission


@dataclass(frozen=True, slots=True)
class Actor:
    """The person asking for a change, with the permission facts Discord gave for them."""

    user_id: int
    """Their Discord user id."""
    permissions: int = 0
    """Their computed permission bitfield in the channel at hand (interaction permissions)."""
    role_ids: frozenset[int] = frozenset()
    """The ids of the roles they hold in the guild."""
    guild_id: int | None = None
    """The guild these facts hold in: a member's rights there say nothing about another
    guild's games. None only for the operator, whose rights hold everywhere."""

    @classmethod
    def operator(cls) -> Actor:
        """The person at the terminal: the CLI and TUI act with full rights."""
        return cls(user_id=0, permissions=int(Permission.ADMINISTRATOR))

    def has(self, permission: Permission) -> bool:
        """Whether the bitfield grants ``permission`` (ADMINISTRATOR grants everything)."""
        bits = Permission(self.permissions & _KNOWN_BITS)
        return Permission.ADMINISTRATOR in bits or permission in bits

    @property
    def is_guild_admin(self) -> bool:
        """Holds MANAGE_GUILD or ADMINISTRATOR."""
        return self.has(Permission.MANAGE_GUILD)


_KNOWN_BITS = sum(int(p) for p in Permission)


def require_can_create_game(actor: Actor, *, host_role_ids: Collection[int]) -> None:
    """A host needs to see the channel, and one of the resolved host roles there; with none
    configured, MANAGE_GUILD. (``actor``'s permissions are the ones in the game's channel.)"""
    if actor.has(Permission.ADMINISTRATOR):
        return
    if not actor.has(Permission.VIEW_CHANNEL):
        raise PermissionDenied(ChannelHidden())
    if host_role_ids:
        if actor.role_ids & set(host_role_ids):
            return
        raise PermissionDenied(HostRoleRequired(role_ids=tuple(sorted(set(host_role_ids)))))
    if not actor.is_guild_admin:
        raise PermissionDenied(NoHostRoles())


def may_manage_game(actor: Actor, *, host_id: int) -> bool:
    """The game's host or a guild admin: they may change it and see who is unreachable."""
    return actor.user_id == host_id or actor.is_guild_admin


def require_can_manage_game(actor: Actor, *, host_id: int) -> None:
    """Editing, cancelling and assigning placeholders: the game's host or a guild admin."""
    if not may_manage_game(actor, host_id=host_id):
        raise PermissionDenied(NotHostOrAdmin(host_id=host_id))


def require_can_configure_guild(actor: Actor) -> None:
    """Guild settings need MANAGE_GUILD (or ADMINISTRATOR)."""
    if not actor.is_guild_admin:
        raise PermissionDenied(SettingsPermission(SettingsLevel.GUILD))


def require_can_configure_channel(actor: Actor) -> None:
    """Channel settings need MANAGE_CHANNELS (or ADMINISTRATOR)."""
    if not actor.has(Permission.MANAGE_CHANNELS):
        raise PermissionDenied(SettingsPermission(SettingsLevel.CHANNEL))
