"""Game fields a host types: title, description and the player cap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamesched.domain.gamefields import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    description_problems,
    parse_max_players,
    title_problems,
)


@pytest.mark.parametrize("title", ["", "   ", "\n\t", "\u200b\u200b", " \u2060\ufeff "])
def test_a_title_is_required(title: str) -> None:
    """An empty, blank or invisible (zero-width characters only) title is rejected on the
    title field, asking for one."""
    (problem,) = title_problems(title)
    assert problem.field == "title"
    assert "Give the game a title" in problem.message


def test_an_overlong_title_says_the_limit_and_its_length() -> None:
    """A 101-character title is rejected, naming the 100 limit and its own length."""
    (problem,) = title_problems("t" * 101)
    assert problem.field == "title"
    assert "at most 100 characters" in problem.message
    assert "(this one has 101)" in problem.message


@pytest.mark.parametrize(
    "title", ["x", "t" * MAX_TITLE_LENGTH, "  " + "t" * MAX_TITLE_LENGTH + " "]
)
def test_titles_up_to_the_limit_are_fine(title: str) -> None:
    """Titles of 1 to 100 characters pass; surrounding spaces do not count."""
    assert MAX_TITLE_LENGTH == 100
    assert title_problems(title) == []


@pytest.mark.parametrize("description", ["", "   ", "d" * MAX_DESCRIPTION_LENGTH])
def test_descriptions_up_to_the_limit_are_fine(description: str) -> None:
    """A description is optional and may be up to 1500 characters."""
    assert MAX_DESCRIPTION_LENGTH == 1500
    assert description_problems(description) == []


def test_an_overlong_description_says_the_limit_and_its_length() -> None:
    """A 1501-character description is rejected, naming the limit and its own length."""
    (problem,) = description_problems("d" * 1501 + "  ")
    assert problem.field == "description"
    assert "at most 1500 characters" in problem.message
    assert "(this one has 1501)" in problem.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("   ", None),
        (None, None),
        ("4", 4),
        (" 4 ", 4),
        ("1", 1),
        ("500", 500),
        (500, 500),
        (1, 1),
    ],
)
def test_a_readable_cap_is_taken_and_blank_inherits(
    value: int | str | None, expected: int | None
) -> None:
    """Typed or numeric caps from 1 to 500 are used; empty means the channel's default."""
    assert parse_max_players(value) == (expected, [])


@pytest.mark.parametrize("value", ["four", "-1", "4.5", "+4", "4 players"])
def test_an_unreadable_cap_says_what_was_typed(value: str) -> None:
    """Text that is not a whole number is rejected, quoting it and saying how to inherit."""
    cap, problems = parse_max_players(value)
    (problem,) = problems
    assert cap is None
    assert problem.field == "max_players"
    assert f"(got `{value}`)" in problem.message
    assert "leave it empty" in problem.message


def test_a_long_unreadable_cap_is_quoted_shortened() -> None:
    """Quoting a long bad entry is cut to 20 characters so the message stays readable."""
    _, (problem,) = parse_max_players("x" * 200)
    assert f"(got `{'x' * 20}`)" in problem.message


@pytest.mark.parametrize("value", ["0", "501", 0, 501, -3, "00"])
def test_a_cap_out_of_range_is_a_problem(value: int | str) -> None:
    """Caps below 1 or above 500 are rejected with the allowed range."""
    cap, problems = parse_max_players(value)
    assert cap is None
    assert [(p.field, p.message) for p in problems] == [
        ("max_players", "Max players must be between 1 and 500.")
    ]


@pytest.mark.parametrize("value", ["²", "①", "9" * 4301], ids=["super", "circled", "huge"])
def test_digit_like_caps_are_a_problem_not_a_crash(value: str) -> None:
    """Odd digit characters or absurdly long numbers are reported like any other bad cap."""
    cap, problems = parse_max_players(value)
    assert cap is None
    assert [p.field for p in problems] == ["max_players"]


@pytest.mark.parametrize(("value", "expected"), [("１２", 12), ("007", 7), (" 8 ", 8)])
def test_caps_in_other_digit_forms_are_read(value: str, expected: int) -> None:
    """Full-width digits (IME input), leading zeros and padding read as the number they show."""
    assert parse_max_players(value) == (expected, [])


@given(st.text(max_size=30))
def test_any_typed_cap_is_a_number_in_range_or_one_problem(value: str) -> None:
    """Whatever is typed, the cap is a number from 1 to 500 or one max_players problem."""
    cap, problems = parse_max_players(value)
    if cap is None:
        assert [p.field for p in problems] == ([] if not value.strip() else ["max_players"])
    else:
        assert 1 <= cap <= 500
        assert problems == []
