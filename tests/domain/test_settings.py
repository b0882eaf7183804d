"""Settings: inheritance game -> channel -> guild -> defaults, typed reminders and limits."""

from __future__ import annotations

import itertools
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.domain.errors import ValidationFailed
from gamesched.domain.settings import (
    DEFAULTS,
    KEEP,
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_HOST_ROLES,
    MAX_PLAYERS_LIMIT,
    MAX_REMINDER_MINUTES,
    MAX_REMINDERS,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    Resolved,
    SettingsLayer,
    SettingsPatch,
    Source,
    check_patch,
    normalise_reminders,
    parse_reminder_minutes,
    resolve,
    setting_problems,
)
from tests.support.factories import PLACE_FLAG_FIELDS

FAST = settings(max_examples=200, deadline=None)
FIELDS = tuple(f.name for f in fields(SettingsLayer))
FORM_ORDER = (
    "max_players",
    "reminder_minutes",
    "duration_minutes",
    "rules",
    "category",
    "host_role_ids",
)
"""The settings command's option order, which problems follow."""

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "max_players": st.integers(1, MAX_PLAYERS_LIMIT),
    "reminder_minutes": st.lists(st.integers(1, MAX_REMINDER_MINUTES), max_size=3).map(tuple),
    "rules": st.text(max_size=5),
    "duration_minutes": st.integers(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES),
    "category": st.text(max_size=5),
    "host_role_ids": st.lists(st.integers(1, 2**63), max_size=3).map(tuple),
}
"""Values a level may set; empty tuples and strings count as set (they are not ``None``)."""

layers = st.builds(SettingsLayer, **{name: st.none() | value for name, value in _VALUES.items()})


@FAST
@given(game=st.none() | layers, channel=st.none() | layers, guild=st.none() | layers)
def test_each_setting_comes_from_the_first_level_that_sets_it(
    game: SettingsLayer | None, channel: SettingsLayer | None, guild: SettingsLayer | None
) -> None:
    """Every setting shows the nearest level's value and names it; host roles skip the game."""
    effective = resolve(game=game, channel=channel, guild=guild)
    for name in FIELDS:
        levels = [(Source.GAME, game), (Source.CHANNEL, channel), (Source.GUILD, guild)]
        if name == "host_role_ids":
            levels = levels[1:]
        expected = next(
            (
                (getattr(layer, name), source)
                for source, layer in levels
                if layer is not None and getattr(layer, name) is not None
            ),
            (getattr(DEFAULTS, name), Source.DEFAULT),
        )
        resolved = getattr(effective, name)
        assert (resolved.value, resolved.source) == expected, name
        assert resolved.inherited is (resolved.source is not Source.GAME), name


def test_nothing_set_anywhere_gives_the_built_in_defaults() -> None:
    """With no level set, every setting is the built-in default, e.g. reminders at 60 and 15."""
    effective = resolve()
    assert effective.reminder_minutes.value == (60, 15)
    for name in FIELDS:
        resolved = getattr(effective, name)
        assert resolved.value == getattr(DEFAULTS, name)
        assert resolved.source is Source.DEFAULT
        assert resolved.inherited


def test_an_empty_value_overrides_rather_than_inherits() -> None:
    """A channel that turns reminders off (``()``) beats the guild's reminders."""
    effective = resolve(
        channel=SettingsLayer(reminder_minutes=(), rules=""),
        guild=SettingsLayer(reminder_minutes=(30,), rules="Be kind."),
    )
    assert (effective.reminder_minutes.value, effective.reminder_minutes.source) == (
        (),
        Source.CHANNEL,
    )
    assert (effective.rules.value, effective.rules.source) == ("", Source.CHANNEL)


def test_a_game_cannot_choose_its_own_host_roles() -> None:
    """Host roles set on a game level are ignored; the guild's roles apply."""
    effective = resolve(
        game=SettingsLayer(host_role_ids=(1,)), guild=SettingsLayer(host_role_ids=(2,))
    )
    assert (effective.host_role_ids.value, effective.host_role_ids.source) == ((2,), Source.GUILD)


def _flag_layer(flag: str, value: bool) -> SettingsLayer:
    changes: dict[str, Any] = {flag: value}
    return SettingsLayer(**changes)


@pytest.mark.parametrize("flag", PLACE_FLAG_FIELDS)
def test_a_place_flag_is_off_by_default_and_set_by_the_place_only(flag: str) -> None:
    """Each on/off setting of a place (channel reminders, public feed, scheduled events) is
    off unless the channel or guild turns it on; the channel's choice wins and a game level
    cannot set it."""
    assert getattr(resolve(), flag) == Resolved(False, Source.DEFAULT)
    on_in_guild = resolve(game=_flag_layer(flag, False), guild=_flag_layer(flag, True))
    assert getattr(on_in_guild, flag) == Resolved(True, Source.GUILD)
    off_here = resolve(channel=_flag_layer(flag, False), guild=_flag_layer(flag, True))
    assert getattr(off_here, flag) == Resolved(False, Source.CHANNEL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60, 15", (60, 15)),
        ("15,60,15", (60, 15)),
        ("30;5", (30, 5)),
        (" 5 ; 60 , 15 ", (60, 15, 5)),
        ("60,", (60,)),
        ("", None),
        ("   ", None),
        (";", None),
        (", ;", None),
    ],
)
def test_typed_reminders_are_read_as_minutes_latest_last(
    text: str, expected: tuple[int, ...] | None
) -> None:
    """Typed reminders split on commas or semicolons, lose duplicates, sort; blank inherits."""
    assert parse_reminder_minutes(text) == expected


@pytest.mark.parametrize("text", ["soon", "60, soon", "-5", "1.5", "60 15", "1h"])
def test_unreadable_reminders_are_a_problem_on_the_reminder_field(text: str) -> None:
    """Reminders that are not whole minutes are rejected on the field with an example to copy."""
    with pytest.raises(ValidationFailed) as caught:
        parse_reminder_minutes(text)
    (problem,) = caught.value.problems
    assert problem.field == "reminder_minutes"
    assert "`60, 15`" in problem.message


@pytest.mark.parametrize("text", ["²", "60, ①", "1" * 4301], ids=["super", "circled", "huge"])
def test_digit_like_reminders_are_a_problem_not_a_crash(text: str) -> None:
    """Odd digit characters or absurdly long numbers are rejected like any other bad reminder."""
    with pytest.raises(ValidationFailed) as caught:
        parse_reminder_minutes(text)
    assert caught.value.problems[0].field == "reminder_minutes"


def test_an_unreadable_reminder_is_quoted() -> None:
    """The reminder problem names the first piece that is not whole minutes, cut to 20 chars."""
    with pytest.raises(ValidationFailed) as caught:
        parse_reminder_minutes("60, soon, " + "x" * 30)
    assert "(`soon` is not one)" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        parse_reminder_minutes("x" * 30)
    assert f"(`{'x' * 20}` is not one)" in caught.value.message


@FAST
@given(st.text(max_size=30))
def test_any_typed_reminders_read_or_are_one_problem(text: str) -> None:
    """Whatever is typed, it reads as minutes (or inherit) or fails with one reminder problem."""
    outcome: tuple[int, ...] | ValidationFailed | None
    try:
        outcome = parse_reminder_minutes(text)
    except ValidationFailed as failed:
        outcome = failed
    if isinstance(outcome, ValidationFailed):
        assert [p.field for p in outcome.problems] == ["reminder_minutes"]
    else:
        assert outcome is None or outcome == normalise_reminders(outcome)


@FAST
@given(
    minutes=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
    separators=st.lists(st.sampled_from([",", ", ", ";", " ; ", ",,"]), min_size=8, max_size=8),
)
def test_any_typed_list_reads_as_its_normalised_minutes(
    minutes: list[int], separators: list[str]
) -> None:
    """However offsets are separated, they read as the distinct offsets, latest last."""
    text = "".join(f"{m}{sep}" for m, sep in zip(minutes, separators, strict=False))
    assert parse_reminder_minutes(text) == normalise_reminders(tuple(minutes))


@FAST
@given(st.lists(st.integers(), max_size=10).map(tuple))
def test_normalised_reminders_are_distinct_and_descending(minutes: tuple[int, ...]) -> None:
    """Normalised offsets keep every distinct offset once, earliest reminder first."""
    result = normalise_reminders(minutes)
    assert set(result) == set(minutes)
    assert all(a > b for a, b in itertools.pairwise(result))


_BOUNDARIES: list[tuple[str, Any, bool]] = [
    ("max_players", 0, False),
    ("max_players", 1, True),
    ("max_players", MAX_PLAYERS_LIMIT, True),
    ("max_players", MAX_PLAYERS_LIMIT + 1, False),
    ("reminder_minutes", (), True),
    ("reminder_minutes", (0,), False),
    ("reminder_minutes", (1,), True),
    ("reminder_minutes", (MAX_REMINDER_MINUTES,), True),
    ("reminder_minutes", (60, MAX_REMINDER_MINUTES + 1), False),
    ("reminder_minutes", tuple(range(1, MAX_REMINDERS + 1)), True),
    ("reminder_minutes", (1, 1, *range(2, MAX_REMINDERS + 1)), True),
    ("reminder_minutes", tuple(range(1, MAX_REMINDERS + 2)), False),
    ("duration_minutes", MIN_DURATION_MINUTES - 1, False),
    ("duration_minutes", MIN_DURATION_MINUTES, True),
    ("duration_minutes", MAX_DURATION_MINUTES, True),
    ("duration_minutes", MAX_DURATION_MINUTES + 1, False),
    ("rules", "", True),
    ("rules", "r" * MAX_RULES_LENGTH, True),
    ("rules", "r" * (MAX_RULES_LENGTH + 1), False),
    ("category", "c" * MAX_CATEGORY_LENGTH, True),
    ("category", "c" * (MAX_CATEGORY_LENGTH + 1), False),
    ("host_role_ids", (), True),
    ("host_role_ids", tuple(range(MAX_HOST_ROLES)), True),
    ("host_role_ids", (0, *range(MAX_HOST_ROLES)), True),
    ("host_role_ids", tuple(range(MAX_HOST_ROLES + 1)), False),
]


@pytest.mark.parametrize("kind", [SettingsPatch, SettingsLayer])
@pytest.mark.parametrize(("name", "value", "ok"), _BOUNDARIES)
def test_each_limit_accepts_its_edges_and_rejects_beyond(
    kind: type[SettingsPatch | SettingsLayer], name: str, value: Any, ok: bool
) -> None:
    """Each setting's limit is inclusive, and a value past it is a problem on that field alone."""
    problems = setting_problems(kind(**{name: value}))
    assert [p.field for p in problems] == ([] if ok else [name])


def test_the_limits_are_the_promised_ones() -> None:
    """The limits users are told about: 500 players, 5 reminders up to a week, 5 min..a week."""
    assert (MAX_PLAYERS_LIMIT, MAX_REMINDERS, MAX_REMINDER_MINUTES) == (500, 5, 10080)
    assert (MIN_DURATION_MINUTES, MAX_DURATION_MINUTES) == (5, 10080)
    assert (MAX_RULES_LENGTH, MAX_CATEGORY_LENGTH, MAX_HOST_ROLES) == (1000, 50, 25)


@FAST
@given(st.builds(SettingsPatch, **{name: st.sampled_from([KEEP, None]) for name in FIELDS}))
def test_kept_and_cleared_fields_are_never_checked(patch: SettingsPatch) -> None:
    """Fields a patch keeps or clears (back to inherit) raise no problems."""
    assert setting_problems(patch) == []
    check_patch(patch)


def test_every_problem_is_reported_at_once_in_field_order() -> None:
    """A patch with every field wrong lists one problem per field, in the command's option order."""
    patch = SettingsPatch(
        max_players=0,
        reminder_minutes=(0,),
        rules="r" * (MAX_RULES_LENGTH + 1),
        duration_minutes=1,
        category="c" * (MAX_CATEGORY_LENGTH + 1),
        host_role_ids=tuple(range(MAX_HOST_ROLES + 1)),
    )
    with pytest.raises(ValidationFailed) as caught:
        check_patch(patch)
    assert tuple(p.field for p in caught.value.problems) == FORM_ORDER
    assert caught.value.message.count("\n") == len(FORM_ORDER) - 1


def test_too_many_reminders_out_of_range_gives_both_problems() -> None:
    """Six reminders of which one is too early are told both things to fix."""
    problems = setting_problems(
        SettingsPatch(reminder_minutes=(*range(1, MAX_REMINDERS + 1), MAX_REMINDER_MINUTES + 1))
    )
    assert [p.field for p in problems] == ["reminder_minutes", "reminder_minutes"]
    assert f"at most {MAX_REMINDERS}" in problems[0].message
    assert "a week at most" in problems[1].message


def test_overlong_rules_say_how_long_they_are() -> None:
    """The rules problem tells the user the limit and their current length."""
    (problem,) = setting_problems(SettingsPatch(rules="r" * 1234))
    assert "at most 1000 characters" in problem.message
    assert "1234" in problem.message


def test_a_valid_patch_passes_the_check() -> None:
    """A patch within every limit is accepted silently."""
    check_patch(
        SettingsPatch(
            max_players=4,
            reminder_minutes=(60, 15),
            rules="No spoilers.",
            duration_minutes=90,
            category="Board games",
            host_role_ids=(123,),
        )
    )
