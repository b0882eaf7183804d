"""Custom ids of the bot's buttons and selects: namespaced, versioned, routed by prefix.

Every component the bot sends carries an id of the form ``<scope>:<action>:v1:<target>``:

- ``game:join:v1:42``: an action on game 42 (announcement buttons, confirmations);
- ``draft:submit:v1:<token>``, ``draft:reopen:v1:<token>`` and
  ``draft:pick:v1:<token>:<index>``: an action on a saved draft of a form (its submission, or
  the recovery after it failed validation), optionally on one of its entries;
- ``calendar:rotate:v1:member`` (``guild``, ``channel``): a new address for the calendar feed
  of the member who clicks (of the server, of the channel the click is in).

The bot's one component router sends each id to the feature that owns its
:func:`action_prefix`, and the feature reads it with :func:`parse_custom_id`, so the
components keep working after a restart and no per-message view objects are registered. Ids
from another version of this scheme match no prefix and parse to None, like ids that are not
ours: the router answers them as stale.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

from gamesched.services.calendars import FeedKind

VERSION: Final = "v1"
"""The version every id is built with and the only one :func:`parse_custom_id` accepts."""
MAX_GAME_ID: Final = 2**63 - 1
"""Largest game id (the database's signed 64-bit key)."""
MAX_TOKEN_LENGTH: Final = 40
"""Longest draft token; :func:`new_draft_token` makes 16 characters. With it the longest id,
``draft:reopen:v1:<40 characters>:999``, stays far below Discord's 100."""
MAX_INDEX: Final = 999
"""Largest entry index a draft id may carry (a form has at most 100 entries)."""

_TOKEN: Final = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN_LENGTH}}}")
_NUMBER: Final = re.compile(r"0|[1-9][0-9]{0,18}")
"""A decimal number of at most 19 digits in its one canonical spelling (no sign, no leading
zeros): every game id and entry index, and nothing that ``int()`` would refuse."""


class Scope(StrEnum):
    """What an id's target is."""

    GAME = "game"
    """A game, by its id."""
    DRAFT = "draft"
    """A saved draft of a form, by its token."""
    CALENDAR = "calendar"
    """A calendar feed, by its kind (its owner is where the click comes from)."""


class Action(StrEnum):
    """What a click or selection asks for."""

    JOIN = "join"
    """Take a seat, or a waitlist place when the game is full (announcement button)."""
    LEAVE = "leave"
    """Give up a seat or waitlist place (announcement button)."""
    CANCEL_YES = "cancel_yes"
    """Confirm cancelling the game."""
    CANCEL_NO = "cancel_no"
    """Keep the game after all."""
    CANCEL_SERIES = "cancel_series"
    """Confirm cancelling the whole series the game is an occurrence of."""
    SUBMIT = "submit"
    """The form (modal) holding the draft was submitted."""
    REOPEN = "reopen"
    """"Fix and resubmit": open the form again with the draft's values."""
    PICK = "pick"
    """A suggestion picked for one ambiguous or unknown entry of the draft."""
    ROTATE = "rotate"
    """A new secret address for a calendar feed (the old one stops working)."""


SCOPE_ACTIONS: Final[dict[Scope, frozenset[Action]]] = {
    Scope.GAME: frozenset(
        {Action.JOIN, Action.LEAVE, Action.CANCEL_YES, Action.CANCEL_NO, Action.CANCEL_SERIES}
    ),
    Scope.DRAFT: frozenset({Action.SUBMIT, Action.REOPEN, Action.PICK}),
    Scope.CALENDAR: frozenset({Action.ROTATE}),
}
"""The actions each scope has; any other pairing is not an id of ours."""


@dataclass(frozen=True, slots=True)
class GameRef:
    """A parsed ``game:...`` id."""

    action: Action
    """What the component asks for."""
    game_id: int
    """The game it acts on."""


@dataclass(frozen=True, slots=True)
class DraftRef:
    """A parsed ``draft:...`` id."""

    action: Action
    """What the component asks for."""
    token: str
    """The saved draft's token."""
    index: int | None = None
    """Which entry of the draft it is about (the position of its problem), if any."""


@dataclass(frozen=True, slots=True)
class CalendarRef:
    """A parsed ``calendar:...`` id."""

    action: Action
    kind: FeedKind
    """Whose feed: the clicking member's, the server's or the channel's."""


ParsedId: TypeAlias = GameRef | DraftRef | CalendarRef
"""What :func:`parse_custom_id` recognises."""


def action_prefix(action: Action) -> str:
    """What every id of ``action`` starts with, e.g. ``game:join:v1:``; no prefix starts
    another, so each id has one owner."""
    scope = next(scope for scope, actions in SCOPE_ACTIONS.items() if action in actions)
    return f"{scope}:{action}:{VERSION}:"


def game_custom_id(action: Action, game_id: int) -> str:
    """``game:<action>:v1:<game_id>``; raises ValueError for a draft action or a bad id."""
    _check_action(Scope.GAME, action)
    if not 0 < game_id <= MAX_GAME_ID:
        raise ValueError(f"game id {game_id} is outside 1..{MAX_GAME_ID}")
    return f"{action_prefix(action)}{game_id}"


def draft_custom_id(action: Action, token: str, *, index: int | None = None) -> str:
    """``draft:<action>:v1:<token>`` (``:<index>`` appended when given).

    Raises ValueError for a game action, a token outside ``[A-Za-z0-9_-]{1,40}`` or an index
    outside ``0..999``.
    """
    _check_action(Scope.DRAFT, action)
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"draft token {token!r} must be 1 to {MAX_TOKEN_LENGTH} of [A-Za-z0-9_-]")
    custom_id = f"{action_prefix(action)}{token}"
    if index is None:
        return custom_id
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"entry index {index} is outside 0..{MAX_INDEX}")
    return f"{custom_id}:{index}"


def calendar_custom_id(action: Action, kind: FeedKind) -> str:
    """``calendar:<action>:v1:<kind>``; raises ValueError for another scope's action."""
    _check_action(Scope.CALENDAR, action)
    return f"{action_prefix(action)}{kind}"


def new_draft_token() -> str:
    """A fresh random draft token (16 URL-safe characters, 96 random bits)."""
    return secrets.token_urlsafe(12)


def parse_custom_id(custom_id: str) -> ParsedId | None:
    """The action and target of one of our ids; None for anything else.

    None covers ids of other bots or features, malformed ids, unknown actions and ids of
    another scheme version: each is exactly what :func:`game_custom_id` or
    :func:`draft_custom_id` would build, or it is not ours.
    """
    parts = custom_id.split(":")
    if len(parts) < 4 or parts[2] != VERSION:
        return None
    scope_text, action_text, _, *target = parts
    try:
        scope, action = Scope(scope_text), Action(action_text)
    except ValueError:
        return None
    if action not in SCOPE_ACTIONS[scope]:
        return None
    if scope is Scope.GAME:
        return _game_ref(action, target)
    if scope is Scope.CALENDAR:
        return _calendar_ref(action, target)
    return _draft_ref(action, target)


def _game_ref(action: Action, target: list[str]) -> GameRef | None:
    if len(target) != 1 or not _NUMBER.fullmatch(target[0]):
        return None
    game_id = int(target[0])
    return GameRef(action, game_id) if 0 < game_id <= MAX_GAME_ID else None


def _draft_ref(action: Action, target: list[str]) -> DraftRef | None:
    if not 1 <= len(target) <= 2 or not _TOKEN.fullmatch(target[0]):
        return None
    if len(target) == 1:
        return DraftRef(action, target[0])
    if not _NUMBER.fullmatch(target[1]) or int(target[1]) > MAX_INDEX:
        return None
    return DraftRef(action, target[0], int(target[1]))


def _calendar_ref(action: Action, target: list[str]) -> CalendarRef | None:
    if len(target) != 1 or target[0] not in set(FeedKind):
        return None
    return CalendarRef(action, FeedKind(target[0]))


def _check_action(scope: Scope, action: Action) -> None:
    if action not in SCOPE_ACTIONS[scope]:
        raise ValueError(f"{action!r} is not a {scope} action; use one of the {scope} actions")
