"""Custom ids: the exact shape of each id, round trips, and refusing anything not ours."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamesched.discord.custom_ids import (
    MAX_GAME_ID,
    MAX_INDEX,
    MAX_TOKEN_LENGTH,
    SCOPE_ACTIONS,
    Action,
    CalendarRef,
    DraftRef,
    GameRef,
    Scope,
    action_prefix,
    calendar_custom_id,
    draft_custom_id,
    game_custom_id,
    new_draft_token,
    parse_custom_id,
)
from gamesched.discord.limits import MAX_CUSTOM_ID
from gamesched.services.calendars import FeedKind

GAME_ACTIONS = sorted(SCOPE_ACTIONS[Scope.GAME])
DRAFT_ACTIONS = sorted(SCOPE_ACTIONS[Scope.DRAFT])
CALENDAR_ACTIONS = sorted(SCOPE_ACTIONS[Scope.CALENDAR])


def test_game_ids_have_the_documented_shape() -> None:
    """The announcement's buttons carry ``game:<action>:v1:<game id>``."""
    assert game_custom_id(Action.JOIN, 42) == "game:join:v1:42"
    assert game_custom_id(Action.LEAVE, 42) == "game:leave:v1:42"
    assert game_custom_id(Action.CANCEL_YES, 7) == "game:cancel_yes:v1:7"


def test_draft_ids_have_the_documented_shape() -> None:
    """Draft components carry ``draft:<action>:v1:<token>``, plus ``:<index>`` for one entry."""
    assert draft_custom_id(Action.REOPEN, "aB3_-x") == "draft:reopen:v1:aB3_-x"
    assert draft_custom_id(Action.PICK, "tok", index=0) == "draft:pick:v1:tok:0"
    assert draft_custom_id(Action.SUBMIT, "tok") == "draft:submit:v1:tok"


def test_calendar_ids_have_the_documented_shape() -> None:
    """The calendar's New address button carries ``calendar:rotate:v1:<whose feed>``."""
    assert calendar_custom_id(Action.ROTATE, FeedKind.MEMBER) == "calendar:rotate:v1:member"
    assert calendar_custom_id(Action.ROTATE, FeedKind.GUILD) == "calendar:rotate:v1:guild"


def test_every_action_belongs_to_exactly_one_scope() -> None:
    """A click is routed by its action alone: no action is shared between scopes."""
    scopes = [set(GAME_ACTIONS), set(DRAFT_ACTIONS), set(CALENDAR_ACTIONS)]
    assert set.union(*scopes) == set(Action)
    assert sum(len(actions) for actions in scopes) == len(Action)


def test_each_id_has_one_owning_prefix() -> None:
    """The component router finds one owner per id: its action's prefix, shared by no other."""
    ids = {action: draft_custom_id(action, "tok", index=1) for action in DRAFT_ACTIONS}
    ids |= {action: game_custom_id(action, 42) for action in GAME_ACTIONS}
    ids |= {action: calendar_custom_id(action, FeedKind.CHANNEL) for action in CALENDAR_ACTIONS}
    for action, custom_id in ids.items():
        owners = [other for other in Action if custom_id.startswith(action_prefix(other))]
        assert owners == [action], custom_id


@pytest.mark.parametrize("action", GAME_ACTIONS)
def test_game_ids_round_trip(action: Action) -> None:
    """Every game action parses back to the action and game it was built for."""
    assert parse_custom_id(game_custom_id(action, 123)) == GameRef(action, 123)


@pytest.mark.parametrize("action", DRAFT_ACTIONS)
@pytest.mark.parametrize("index", [None, 0, 4])
def test_draft_ids_round_trip(action: Action, index: int | None) -> None:
    """Every draft action parses back to its token and entry index."""
    custom_id = draft_custom_id(action, "Zx9-_q", index=index)
    assert parse_custom_id(custom_id) == DraftRef(action, "Zx9-_q", index)


@pytest.mark.parametrize("kind", list(FeedKind))
def test_calendar_ids_round_trip(kind: FeedKind) -> None:
    """The New address button parses back to whose feed it renews."""
    custom_id = calendar_custom_id(Action.ROTATE, kind)
    assert parse_custom_id(custom_id) == CalendarRef(Action.ROTATE, kind)
    assert len(custom_id) <= MAX_CUSTOM_ID


def test_longest_ids_fit_discords_limit() -> None:
    """The longest ids the bot can build stay within Discord's 100 characters."""
    longest_game = max(len(game_custom_id(action, MAX_GAME_ID)) for action in GAME_ACTIONS)
    token = "x" * MAX_TOKEN_LENGTH
    longest_draft = max(
        len(draft_custom_id(action, token, index=MAX_INDEX)) for action in DRAFT_ACTIONS
    )
    assert longest_game <= MAX_CUSTOM_ID
    assert longest_draft <= MAX_CUSTOM_ID


@pytest.mark.parametrize(
    "custom_id",
    [
        "",
        "join",
        "some-other-bot:join:v1:1",
        "game:join:v2:1",
        "game:join:v0:1",
        "game:join:v1:",
        "game:join:v1:abc",
        "game:join:v1:042",
        "game:join:v1:+1",
        "game:join:v1:-1",
        "game:join:v1:0",
        f"game:join:v1:{MAX_GAME_ID + 1}",
        "game:join:v1:" + "9" * 5000,
        "game:join:v1:1:2",
        "game:dance:v1:1",
        "game:reopen:v1:1",
        "draft:join:v1:tok",
        "draft:pick:v1:",
        "draft:pick:v1:to ken",
        "draft:pick:v1:" + "x" * (MAX_TOKEN_LENGTH + 1),
        f"draft:pick:v1:tok:{MAX_INDEX + 1}",
        "draft:pick:v1:tok:01",
        "draft:pick:v1:tok:1:2",
        "GAME:join:v1:1",
        "calendar:rotate:v1:",
        "calendar:rotate:v1:someone",
        "calendar:rotate:v1:member:1",
        "calendar:join:v1:member",
    ],
)
def test_ids_that_are_not_ours_parse_to_none(custom_id: str) -> None:
    """Foreign, malformed, out-of-range and other-version ids are ignored, never misrouted."""
    assert parse_custom_id(custom_id) is None


def test_builders_refuse_ids_they_could_not_parse_back() -> None:
    """Building an id for the wrong scope or with a bad target fails loudly, not silently."""
    with pytest.raises(ValueError, match="not a game action"):
        game_custom_id(Action.REOPEN, 1)
    with pytest.raises(ValueError, match="outside"):
        game_custom_id(Action.JOIN, 0)
    with pytest.raises(ValueError, match="not a draft action"):
        draft_custom_id(Action.JOIN, "tok")
    with pytest.raises(ValueError, match="draft token"):
        draft_custom_id(Action.REOPEN, "has:colon")
    with pytest.raises(ValueError, match="entry index"):
        draft_custom_id(Action.PICK, "tok", index=MAX_INDEX + 1)


def test_new_draft_tokens_make_valid_distinct_ids() -> None:
    """Fresh tokens are accepted by the draft ids and do not repeat."""
    first, second = new_draft_token(), new_draft_token()
    assert first != second
    assert parse_custom_id(draft_custom_id(Action.REOPEN, first)) == DraftRef(Action.REOPEN, first)


@given(st.integers(min_value=1, max_value=MAX_GAME_ID), st.sampled_from(GAME_ACTIONS))
def test_any_game_id_round_trips(game_id: int, action: Action) -> None:
    """Every valid game id survives the trip through a custom id."""
    assert parse_custom_id(game_custom_id(action, game_id)) == GameRef(action, game_id)


NEAR_IDS = st.from_regex(
    r"(game|draft|gam):(join|leave|pick|reopen|submit|cancel_no):v[0-2]:[0-9a-z_ -]{0,4}"
    r"(:[0-9]{1,4})?",
    fullmatch=True,
)
"""Ids that are ours, and ids one small change away from ours."""


@given(NEAR_IDS)
def test_parsing_accepts_only_canonical_ids(custom_id: str) -> None:
    """Whatever the text, parsing does not fail, and what it accepts rebuilds to the same id."""
    match parse_custom_id(custom_id):
        case None:
            pass
        case GameRef(action, game_id):
            assert game_custom_id(action, game_id) == custom_id
        case DraftRef(action, token, index):
            assert draft_custom_id(action, token, index=index) == custom_id
