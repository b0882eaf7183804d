"""The game lifecycle: which status changes are legal."""

from __future__ import annotations

from enum import StrEnum

from gamesched.domain.errors import IllegalTransition


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


_ALLOWED: dict[GameStatus, frozenset[GameStatus]] = {
    GameStatus.SCHEDULED: frozenset({GameStatus.IN_PROGRESS, GameStatus.CANCELLED}),
    GameStatus.IN_PROGRESS: frozenset({GameStatus.COMPLETED, GameStatus.CANCELLED}),
    GameStatus.COMPLETED: frozenset(),
    GameStatus.CANCELLED: frozenset(),
}


def can_move(current: GameStatus, target: GameStatus) -> bool:
    """Whether the lifecycle allows going from ``current`` to ``target``."""
    return target in _ALLOWED[current]


def move(current: GameStatus, target: GameStatus) -> GameStatus:
    """Return ``target`` if the move is legal, else raise :class:`IllegalTransition`."""
    if current is target:
        raise IllegalTransition(f"This game is already {current.label}.")
    if not can_move(current, target):
        raise IllegalTransition(f"This game is {current.label}; it cannot become {target.label}.")
    return target
