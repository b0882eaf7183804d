"""Roster: seats, the waitlist, placeholders that never count, joining and leaving."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.domain.errors import Conflict, NotFound
from gamesched.domain.roster import (
    Roster,
    SlotStatus,
    decide_join,
    decide_leave,
    find_placeholder,
    place,
    promotions,
)

FAST = settings(max_examples=200, deadline=None)


def roster(
    joined: tuple[int, ...] = (),
    waitlist: tuple[int, ...] = (),
    placeholders: tuple[str, ...] = (),
    max_players: int = 2,
) -> Roster:
    """A roster with short defaults for examples."""
    return Roster(
        joined=joined, waitlist=waitlist, placeholders=placeholders, max_players=max_players
    )


@dataclass
class Model:
    """What a game's participants look like after applying each decision, as the services do."""

    max_players: int
    seated: list[int] = field(default_factory=list)
    queue: list[int] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    lowered: bool = False
    """Whether the cap was ever lowered (which may leave more seated than seats)."""

    def roster(self) -> Roster:
        """The roster the domain decides on."""
        return Roster(
            joined=tuple(self.seated),
            waitlist=tuple(self.queue),
            placeholders=tuple(self.placeholders),
            max_players=self.max_players,
        )

    def join(self, user_id: int) -> None:
        """A seat while one is free, else the end of the line; joining twice is refused."""
        before = self.roster()
        if user_id in self.seated:
            with pytest.raises(Conflict, match="already joined"):
                decide_join(before, user_id)
            return
        if user_id in self.queue:
            position = self.queue.index(user_id) + 1
            with pytest.raises(Conflict, match=rf"waitlist \(position {position}\)"):
                decide_join(before, user_id)
            return
        status = decide_join(before, user_id)
        if len(self.seated) < self.max_players:
            assert status is SlotStatus.JOINED
            self.seated.append(user_id)
        else:
            assert status is SlotStatus.WAITLIST
            self.queue.append(user_id)

    def leave(self, user_id: int) -> None:
        """A freed seat goes to the first in line; leaving when absent is refused."""
        before = self.roster()
        if user_id not in self.seated and user_id not in self.queue:
            with pytest.raises(Conflict, match="not in this game"):
                decide_leave(before, user_id)
            return
        departure = decide_leave(before, user_id)
        promoted = list(departure.promoted)
        assert promoted == self.queue[: len(promoted)], "promotion skipped someone in line"
        if user_id in self.queue:
            assert departure.was is SlotStatus.WAITLIST
            assert promoted == []
            self.queue.remove(user_id)
            return
        assert departure.was is SlotStatus.JOINED
        if self.queue and len(self.seated) <= self.max_players:
            assert promoted == self.queue[:1], "a freed seat goes to exactly the first in line"
        elif self.queue:
            assert promoted == [], "a seat above a lowered cap is not refilled"
        self.seated.remove(user_id)
        self._promote(promoted)

    def set_cap(self, max_players: int) -> None:
        """A new cap: seats it opens are filled from the line, a lower one removes nobody."""
        if max_players < self.max_players:
            self.lowered = True
        self.max_players = max_players
        promoted = promotions(
            joined_count=len(self.seated), waitlist=tuple(self.queue), max_players=max_players
        )
        assert len(promoted) == min(len(self.queue), max(0, max_players - len(self.seated)))
        self._promote(list(promoted))

    def _promote(self, promoted: list[int]) -> None:
        """Seat the front of the queue; promotion never fills beyond the cap."""
        self.seated += promoted
        del self.queue[: len(promoted)]
        if promoted:
            assert len(self.seated) <= self.max_players, "promoted past the cap"

    def add_placeholder(self, text: str) -> None:
        """A placeholder changes no seat count."""
        before = self.roster()
        self.placeholders.append(text)
        after = self.roster()
        assert after.free_seats == before.free_seats
        assert after.is_full == before.is_full

    def check(self) -> None:
        """Invariants that hold after every step."""
        assert not set(self.seated) & set(self.queue), "someone is both seated and waiting"
        assert len(set(self.seated)) == len(self.seated)
        assert len(set(self.queue)) == len(self.queue)
        if not self.lowered:
            assert len(self.seated) <= self.max_players
        if self.queue:
            assert len(self.seated) >= self.max_players, "someone waits while a seat is free"
        current = self.roster()
        assert current.free_seats == max(0, self.max_players - len(self.seated))


ABSENT = 99
"""A user who never joins, so leaving as them is always a conflict."""

steps = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(1, 12)),
        st.tuples(st.just("leave"), st.integers(0, 12)),
        st.tuples(st.just("cap"), st.integers(1, 5)),
        st.tuples(st.just("placeholder"), st.text(min_size=1, max_size=3)),
    ),
    min_size=20,
    max_size=80,
)
"""Long runs, so games fill up, queue and turn over (short ones rarely do)."""


@FAST
@given(max_players=st.integers(1, 3), steps=steps)
def test_joins_and_leaves_keep_the_roster_consistent(
    max_players: int, steps: list[tuple[str, int | str]]
) -> None:
    """Any sequence of joins, leaves, cap changes and placeholders keeps seats and line fair."""
    model = Model(max_players=max_players)
    for action, argument in steps:
        if action == "join":
            assert isinstance(argument, int)
            model.join(argument)
        elif action == "leave":
            # The argument picks someone in the game; one index past the end is an outsider.
            assert isinstance(argument, int)
            present = [*model.seated, *model.queue, ABSENT]
            model.leave(present[argument % len(present)])
        elif action == "cap":
            assert isinstance(argument, int)
            model.set_cap(argument)
        else:
            assert isinstance(argument, str)
            model.add_placeholder(argument)
        model.check()


def test_joining_a_full_game_goes_to_the_waitlist() -> None:
    """A member joining when every seat is taken is put on the waitlist."""
    full = roster(joined=(1, 2), waitlist=(3,), placeholders=("Guest",))
    assert decide_join(full, 4) is SlotStatus.WAITLIST
    assert decide_join(roster(joined=(1,), placeholders=("A", "B")), 2) is SlotStatus.JOINED


def test_placeholders_never_take_a_seat() -> None:
    """Placeholder slots are listed but leave every seat free for members."""
    only_placeholders = roster(placeholders=("Guest", "TBD", "Friend"), max_players=1)
    assert only_placeholders.free_seats == 1
    assert not only_placeholders.is_full
    assert place(only_placeholders, 7) is SlotStatus.JOINED


def test_joining_twice_says_you_already_have_a_seat() -> None:
    """A seated member who clicks Join again is told they have already joined."""
    with pytest.raises(Conflict, match="You have already joined this game"):
        decide_join(roster(joined=(1, 2)), 2)


def test_joining_while_waiting_names_the_waitlist_position() -> None:
    """A waiting member who clicks Join again is told their place in line."""
    with pytest.raises(Conflict, match=r"already on the waitlist \(position 2\)"):
        decide_join(roster(joined=(1, 2), waitlist=(5, 6, 7)), 6)


def test_leaving_a_game_you_are_not_in_is_a_conflict() -> None:
    """Leaving a game one never joined says there is nothing to leave."""
    with pytest.raises(Conflict, match="not in this game"):
        decide_leave(roster(joined=(1,), waitlist=(2,), placeholders=("3",)), 3)


def test_leaving_a_seat_promotes_the_first_in_line() -> None:
    """A freed seat goes to the first waiting member only."""
    departure = decide_leave(roster(joined=(1, 2), waitlist=(5, 6)), 1)
    assert departure.was is SlotStatus.JOINED
    assert departure.promoted == (5,)


def test_leaving_the_waitlist_promotes_nobody() -> None:
    """Giving up a waitlist place frees no seat."""
    departure = decide_leave(roster(joined=(1, 2), waitlist=(5, 6)), 6)
    assert departure.was is SlotStatus.WAITLIST
    assert departure.promoted == ()


def test_leaving_above_a_lowered_cap_promotes_nobody() -> None:
    """After the cap was lowered below the seated count, a leave does not refill the seat."""
    departure = decide_leave(roster(joined=(1, 2, 3), waitlist=(5,), max_players=1), 2)
    assert departure.promoted == ()


def test_a_raised_cap_promotes_in_order_into_the_new_seats() -> None:
    """Raising the cap seats as many waiting members as fit, first in line first."""
    assert promotions(joined_count=2, waitlist=(5, 6, 7), max_players=4) == (5, 6)
    assert promotions(joined_count=3, waitlist=(5, 6), max_players=2) == ()


@pytest.mark.parametrize("typed", ["guest", "  GUEST ", "Guest"])
def test_placeholders_are_found_whatever_the_case(typed: str) -> None:
    """A host may type a placeholder in any case and with stray spaces."""
    assert find_placeholder(roster(placeholders=("TBD", "Guest")), typed) == "Guest"


def test_placeholders_match_by_unicode_case_folding() -> None:
    """Case-insensitive matching follows Unicode folding (``STRASSE`` finds ``Straße``)."""
    assert find_placeholder(roster(placeholders=("Straße",)), "STRASSE") == "Straße"


def test_an_unknown_placeholder_lists_the_choices() -> None:
    """Naming a placeholder that does not exist shows what was typed and the ones that do."""
    with pytest.raises(NotFound) as caught:
        find_placeholder(roster(placeholders=("Guest", "TBD")), " Gest ")
    assert "`Gest`" in caught.value.message
    assert "`Guest`, `TBD`" in caught.value.message


def test_a_game_without_placeholders_says_so() -> None:
    """Assigning a placeholder in a game that has none says there are no placeholder slots."""
    with pytest.raises(NotFound, match="no placeholder slots"):
        find_placeholder(roster(joined=(1,)), "Guest")
