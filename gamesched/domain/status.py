"""A game's status. The rules for moving between statuses are in :mod:`lifecycle`; the status
itself lives here so that errors can name it (``lifecycle`` raises those errors)."""

from __future__ import annotations

from enum import StrEnum


class GameStatus(StrEnum):
    """Where a game is in its life. Stored as the value string."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Players may still join, leave and be reminded."""
        return self is GameStatus.SCHEDULED

    @property
    def is_final(self) -> bool:
        """Nothing changes a game in this status any more."""
        return self in (GameStatus.COMPLETED, GameStatus.CANCELLED)

    @property
    def label(self) -> str:
        """The status as a person reads it."""
        return self.value.replace("_", " ")
