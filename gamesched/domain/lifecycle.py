"""The game lifecycle: which status changes are legal."""

from __future__ import annotations

from gamesched.domain.errors import AlreadyInStatus, IllegalTransition, TransitionRefused
from gamesched.domain.status import GameStatus

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
        raise IllegalTransition(AlreadyInStatus(current))
    if not can_move(current, target):
        raise IllegalTransition(TransitionRefused(current=current, target=target))
    return target
