"""What a host typed into the game form, kept so a failed submit can be reopened as typed.

Discord cannot answer a modal submit with another modal, so a failed submit answers with
the problems and a "Fix and resubmit" button; the button opens the form again from the draft.
Drafts live in memory for as long as the interaction can be followed up (15 minutes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from gamesched.discord.custom_ids import new_draft_token
from gamesched.domain.errors import Conflict, Problem
from gamesched.domain.recurrence import Recurrence
from gamesched.services.series import EditScope

DRAFT_LIFETIME_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class CreateOptions:
    """The /create-game options that are not in the form; None inherits the setting."""

    reminder_minutes: tuple[int, ...] | None = None
    """Minutes before the start; ``()`` means no reminders."""
    duration_minutes: int | None = None
    rules: str | None = None
    category: str | None = None
    ping_participants: bool = False
    """Whether the announcement's participant mentions notify them."""
    repeat: SeriesOptions | None = None
    """Make a series of it (``repeat`` given) instead of a single game."""


@dataclass(frozen=True, slots=True)
class SeriesOptions:
    """The /create-game options that make the game a series."""

    recurrence: Recurrence
    """When it repeats, as the ``repeat`` option was read."""
    ahead_days: int | None = None
    """Create each occurrence this many days before it; None: the next once one starts."""
    carry_roster: bool = False
    """Start each occurrence with the previous one's players."""


@dataclass
class Draft:
    """One open game form."""

    kind: Literal["create", "edit"]
    user_id: int
    guild_id: int
    channel_id: int
    values: dict[str, str] = field(default_factory=dict)
    """Field custom id -> text as typed."""
    options: CreateOptions = CreateOptions()
    """The options the game is created with (a create form)."""
    game_id: int | None = None
    """The game being edited (an edit form)."""
    shown_when: str = ""
    """The start as the edit form first showed it: sent unchanged, it keeps the game's time
    to the second instead of being read again."""
    scope: EditScope | None = None
    """For an edited occurrence of a series: this game only, or this and the later ones
    (None: the game is in no series)."""
    recurrence: Recurrence | None = None
    """A new pattern for this and the later games (an edit of ``EditScope.FUTURE``)."""
    problems: tuple[Problem, ...] = ()
    """What was wrong with the last submit."""
    picks: dict[int, str] = field(default_factory=dict)
    """Problem index -> the suggestion picked for it, which now stands in the participants."""
    sent: bool = False
    """Submitted and saved (or being saved): the form cannot be sent again, so an old "Fix
    and resubmit" button does not create the game a second time."""
    token: str = field(default_factory=new_draft_token)
    expires_at: float = 0.0


class DraftStore:
    """Drafts by token, each visible only to the person who typed it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._drafts: dict[str, Draft] = {}

    def keep(self, draft: Draft) -> Draft:
        """Store (or refresh) a draft for another lifetime."""
        now = self._clock()
        self._drafts = {t: d for t, d in self._drafts.items() if d.expires_at > now}
        draft.expires_at = now + DRAFT_LIFETIME_SECONDS
        self._drafts[draft.token] = draft
        return draft

    def get(self, token: str, *, user_id: int) -> Draft:
        """The caller's draft, or a clear answer that it is gone."""
        draft = self._drafts.get(token)
        if draft is None or draft.expires_at <= self._clock() or draft.user_id != user_id:
            raise Conflict(
                f"This form has expired (they last {DRAFT_LIFETIME_SECONDS // 60} minutes). "
                "Run the command again; sorry for the retyping."
            )
        if draft.sent:
            raise Conflict(
                "This form was already sent and the game saved. To change it, use /edit-game."
            )
        return draft
