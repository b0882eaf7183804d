"""The dashboard's actions, each a modal screen acting as the operator through the use cases.

Each screen is built with the operator's services (:class:`gamesched.app.Operating`) and the
ids it is about, and dismisses with one line saying what was done, or None when the operator
backs out (Escape, or its Cancel button). A refused change is shown in the screen, beside the
field at fault where there is one, with every typed value kept.
"""

from tui.actions._game_actions import (
    AssignPlaceholderScreen,
    CancelGameScreen,
    MoveGameScreen,
    RemovePlayerScreen,
    RetryScreen,
)
from tui.actions._game_form import CreateGameScreen, EditGameScreen
from tui.actions._settings import SettingsScreen

__all__ = [
    "AssignPlaceholderScreen",
    "CancelGameScreen",
    "CreateGameScreen",
    "EditGameScreen",
    "MoveGameScreen",
    "RemovePlayerScreen",
    "RetryScreen",
    "SettingsScreen",
]
