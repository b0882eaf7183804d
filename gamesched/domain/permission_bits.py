"""The Discord permission bits gamesched looks at. The rules that read them are in
:mod:`permissions`; the bits live here so that errors can name a missing one (``permissions``
raises those errors)."""

from __future__ import annotations

from enum import IntFlag


class Permission(IntFlag):
    """The Discord permission bits gamesched looks at (values from Discord's documentation)."""

    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    EMBED_LINKS = 1 << 14
    MENTION_EVERYONE = 1 << 17
    MANAGE_EVENTS = 1 << 33
    CREATE_EVENTS = 1 << 44

    @property
    def label(self) -> str:
        """The permission's name as Discord shows it to people (``Manage Server``)."""
        return _LABELS.get(self, str(self.name).replace("_", " ").title())


_LABELS = {
    Permission.MANAGE_GUILD: "Manage Server",
    Permission.MENTION_EVERYONE: "Mention @everyone, @here, and All Roles",
}
"""Names Discord shows differently from the flag's name."""
