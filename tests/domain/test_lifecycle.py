"""Lifecycle: which status changes a game may make."""

from __future__ import annotations

import itertools

import pytest

from gamesched.domain.errors import Conflict, IllegalTransition
from gamesched.domain.lifecycle import can_move, move
from gamesched.domain.status import GameStatus

S = GameStatus
LEGAL = {
    (S.SCHEDULED, S.IN_PROGRESS),
    (S.SCHEDULED, S.CANCELLED),
    (S.IN_PROGRESS, S.COMPLETED),
    (S.IN_PROGRESS, S.CANCELLED),
}
"""The only moves a game makes: start, cancel before completion, complete after running."""
PAIRS = list(itertools.product(GameStatus, repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_moves_are_made(current: GameStatus, target: GameStatus) -> None:
    """A game starts, completes, or is cancelled before it completes."""
    assert can_move(current, target)
    assert move(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"), [pair for pair in PAIRS if pair not in LEGAL], ids=str
)
def test_illegal_moves_are_refused_naming_both_statuses(
    current: GameStatus, target: GameStatus
) -> None:
    """Any other move (including staying put, or leaving a final status) is refused, saying why."""
    assert not can_move(current, target)
    with pytest.raises(IllegalTransition) as caught:
        move(current, target)
    assert isinstance(caught.value, Conflict)
    if current is target:
        assert caught.value.message == f"This game is already {current.label}."
    else:
        assert f"This game is {current.label}" in caught.value.message
        assert f"cannot become {target.label}" in caught.value.message


def test_statuses_read_as_words() -> None:
    """Statuses are shown to people without underscores."""
    assert [s.label for s in GameStatus] == ["scheduled", "in progress", "completed", "cancelled"]


@pytest.mark.parametrize("status", GameStatus)
def test_only_scheduled_games_are_open_and_final_ones_never_move(status: GameStatus) -> None:
    """Players act only on scheduled games; completed and cancelled games accept no move."""
    assert status.is_open is (status is S.SCHEDULED)
    assert status.is_final is (status in (S.COMPLETED, S.CANCELLED))
    assert status.is_final is not any(can_move(status, target) for target in GameStatus)


def test_statuses_are_stored_as_these_strings() -> None:
    """The stored status values stay stable for existing rows."""
    assert [s.value for s in GameStatus] == ["scheduled", "in_progress", "completed", "cancelled"]
