"""Who is in a game: joined players, the waitlist and placeholder slots.

Placeholders are text slots (a guest, "TBD") that are listed but never count toward the
player cap. Members enter through one rule (:func:`place`): a free seat if there is one,
else the end of the waitlist. Lowering the cap never removes anyone already joined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from gamesched.domain.errors import (
    AlreadyJoined,
    AlreadyWaitlisted,
    Conflict,
    NotFound,
    NotInGame,
    UnknownPlaceholder,
)


class SlotStatus(StrEnum):
    """What a participant row is. Stored as the value string."""

    JOINED = "joined"
    WAITLIST = "waitlist"
    PLACEHOLDER = "placeholder"


@dataclass(frozen=True, slots=True)
class Roster:
    """A game's participants, each list in order."""

    joined: tuple[int, ...]
    """User ids holding a seat, in the order they got it."""
    waitlist: tuple[int, ...]
    """User ids waiting for a seat, first in line first."""
    placeholders: tuple[str, ...]
    """Text slots, in the order they were added."""
    max_players: int
    """The resolved player cap."""

    @property
    def free_seats(self) -> int:
        """Seats a member could take now."""
        return max(0, self.max_players - len(self.joined))

    @property
    def is_full(self) -> bool:
        """No free seat: the next member goes to the waitlist."""
        return self.free_seats == 0

    def status_of(self, user_id: int) -> SlotStatus | None:
        """Where the member is in this game, if anywhere."""
        if user_id in self.joined:
            return SlotStatus.JOINED
        if user_id in self.waitlist:
            return SlotStatus.WAITLIST
        return None

    def waitlist_position(self, user_id: int) -> int:
        """1-based place in the waitlist."""
        return self.waitlist.index(user_id) + 1


def place(roster: Roster, user_id: int) -> SlotStatus:
    """Where a member who is not in the game yet would go: a seat, else the waitlist."""
    return SlotStatus.WAITLIST if roster.is_full else SlotStatus.JOINED


def decide_join(roster: Roster, user_id: int) -> SlotStatus:
    """The slot a joining member gets; a member already in the game is told where they are."""
    current = roster.status_of(user_id)
    if current is SlotStatus.JOINED:
        raise Conflict(AlreadyJoined(user_id=user_id))
    if current is SlotStatus.WAITLIST:
        raise Conflict(
            AlreadyWaitlisted(user_id=user_id, position=roster.waitlist_position(user_id))
        )
    return place(roster, user_id)


@dataclass(frozen=True, slots=True)
class Departure:
    """What leaving did."""

    was: SlotStatus
    """The slot the member left."""
    promoted: tuple[int, ...]
    """Waitlisted members who got a seat because of it, in order."""


def promotions(*, joined_count: int, waitlist: Sequence[int], max_players: int) -> tuple[int, ...]:
    """The waitlisted members who fit into the seats that are free."""
    free = max(0, max_players - joined_count)
    return tuple(waitlist[:free])


def decide_leave(roster: Roster, user_id: int, *, leaving: bool = True) -> Departure:
    """Leaving (or being removed, when not ``leaving``) frees a seat, promoting the first in
    line, or a waitlist place."""
    current = roster.status_of(user_id)
    if current is None:
        raise Conflict(NotInGame(user_id=user_id, leaving=leaving))
    if current is SlotStatus.WAITLIST:
        return Departure(was=current, promoted=())
    promoted = promotions(
        joined_count=len(roster.joined) - 1,
        waitlist=roster.waitlist,
        max_players=roster.max_players,
    )
    return Departure(was=current, promoted=promoted)


def find_placeholder(roster: Roster, text: str) -> str:
    """The placeholder the host meant (case-insensitive), or a NotFound naming the choices."""
    wanted = text.strip().casefold()
    for placeholder in roster.placeholders:
        if placeholder.casefold() == wanted:
            return placeholder
    raise NotFound(UnknownPlaceholder(typed=text.strip(), placeholders=roster.placeholders))
