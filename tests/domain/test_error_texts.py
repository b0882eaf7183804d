"""Domain errors say what went wrong, as values and in neutral words: no front end's advice.

The same error reaches Discord, the web, the CLI and the TUI, so no sentence of the domain or
the services may name a slash command or a control only Discord has; each front end adds its
own hint from the fault (the bot's are pinned in tests/bot/test_error_hints.py).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gamesched.domain.entries import Member, parse_entries, resolve_entries
from gamesched.domain.errors import (
    AlreadyInStatus,
    AlreadyJoined,
    AlreadyWaitlisted,
    ChannelHidden,
    Conflict,
    DomainError,
    Fault,
    HostRoleRequired,
    IllegalTransition,
    Invalid,
    NoHostRoles,
    NotFound,
    NotHostOrAdmin,
    NotInGame,
    PermissionDenied,
    Reason,
    SettingsLevel,
    SettingsPermission,
    TransitionRefused,
    UnknownPlaceholder,
    ValidationFailed,
)
from gamesched.domain.gamefields import description_problems, parse_max_players, title_problems
from gamesched.domain.lifecycle import move
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
    require_can_create_game,
    require_can_manage_game,
)
from gamesched.domain.roster import Roster, decide_join, decide_leave, find_placeholder
from gamesched.domain.settings import SettingsPatch, check_patch, parse_reminder_minutes
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import parse_when, resolve_zone
from tests.support.error_examples import (
    COMMAND_NAMES,
    EXAMPLES,
    FAULT_CLASSES,
    REGISTERED_COMMANDS,
    ROLE_A,
    ROLE_B,
    bot_command_names,
    core_modules,
    fault_texts,
    front_end_advice,
    message_literals,
)

NOW = datetime(2026, 12, 4, 14, 30, tzinfo=UTC)
SEES = int(Permission.VIEW_CHANNEL)
MEMBER = Actor(user_id=111, permissions=SEES)
HIDDEN = Actor(user_id=111, permissions=int(Permission.MANAGE_GUILD))
HOST = 222
ROSTER = Roster(joined=(111,), waitlist=(333,), placeholders=("Guest", "TBD"), max_players=1)
MEMBERS = (
    Member(user_id=200_000_000_000_000_001, username="sam", global_name="Sam Smith"),
    Member(user_id=200_000_000_000_000_002, username="samantha", nick="Sammy"),
)


# --- the static check ----------------------------------------------------------------------


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_core_string_names_a_slash_command_or_discord_control(path: Path) -> None:
    """No string a domain or service module could show names a slash command, a Discord-only
    control (a button, a modal...) or Discord's role/channel mention markup."""
    found = [
        (line, advice, text)
        for line, text in message_literals(path.read_text(encoding="utf-8"))
        if (advice := front_end_advice(text))
    ]
    assert found == []


def test_the_static_check_finds_advice_wherever_a_message_is_built() -> None:
    """The scan flags commands in plain strings, f-strings and joined literals, and
    Discord-only controls, but leaves docstrings, paths, URLs and dates alone."""
    source = '''
"""Module docstring: the bot's /list-games shows these."""
ZONES = "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones"
def f(game_id: int) -> None:
    """Function docstring naming /config-guild."""
    print("Europe/Berlin, 12/05 and month/day are fine")
    print(f"There is no game #{game_id}. Check the number with /list-games.")
    print("Set yours with " "/timezone.")
    print("An admin can allow a role with /config-guild add_host_role.")
    print("Press Join on the announcement.")
    print(f"Needs one of <@&{game_id}>.")
    print("Run /some-new-command.")
'''
    flagged = {
        line: advice
        for line, text in message_literals(source)
        if (advice := front_end_advice(text))
    }
    assert flagged == {
        7: ["/list-games"],
        8: ["/timezone"],
        9: ["/config-guild"],
        10: ["Press"],
        11: ["<@&"],
        12: ["/some-new-command"],
    }


def test_the_check_knows_every_command_the_bot_registers() -> None:
    """The command names come from the bot's source too, so a new command is checked at once;
    every command named in this test is still found there."""
    assert set(REGISTERED_COMMANDS) <= bot_command_names()
    assert bot_command_names() <= COMMAND_NAMES


# --- the faults ----------------------------------------------------------------------------


def test_every_fault_class_has_an_example() -> None:
    """The examples the text checks use cover every fault class the domain defines."""
    assert {type(example) for example in EXAMPLES.values()} == set(FAULT_CLASSES)


def test_every_reason_belongs_to_exactly_one_fault_class() -> None:
    """``Reason`` codes and fault classes match one to one, so a code names a kind exactly."""
    reasons = [cls.reason for cls in FAULT_CLASSES]
    assert sorted(reasons) == sorted(Reason)


@pytest.mark.parametrize("name", EXAMPLES)
def test_fault_sentences_are_neutral(name: str) -> None:
    """Every fault's sentence (and every problem's) is a sentence with no front end's advice,
    and the error carrying it shows exactly that sentence."""
    fault = EXAMPLES[name]
    for text in fault_texts(fault):
        assert text.strip()
        assert front_end_advice(text) == []
    error = DomainError(fault)
    assert error.message == str(error) == fault.message
    assert error.fault is fault
    assert error.reason is fault.reason


@pytest.mark.parametrize("name", EXAMPLES)
def test_faults_are_frozen_values_a_front_end_can_serialise(name: str) -> None:
    """Faults are immutable, compare by value, and turn into plain JSON data with their code."""
    fault = EXAMPLES[name]
    first = dataclasses.fields(fault)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fault, first, getattr(fault, first))
    assert fault == dataclasses.replace(fault)
    json.dumps({"reason": fault.reason, **dataclasses.asdict(fault)})


def test_an_error_given_only_words_keeps_them() -> None:
    """A front end may still raise a domain error in its own words; it is shown unchanged."""
    error = Conflict("That choice no longer matches the form.")
    assert error.message == "That choice no longer matches the form."
    assert error.reason is Reason.OTHER


def test_validation_keeps_its_problems() -> None:
    """A failed validation still lists its problems, now also as the fault's values."""
    with pytest.raises(ValidationFailed) as caught:
        check_patch(SettingsPatch(max_players=0, category="x" * 51))
    assert [p.field for p in caught.value.problems] == ["max_players", "category"]
    assert caught.value.fault == Invalid(caught.value.problems)
    assert caught.value.reason is Reason.INVALID


# --- every error the domain raises, through its public functions ----------------------------

RAISES: dict[str, tuple[Callable[[], object], type[DomainError], Fault]] = {
    "create in a hidden channel": (
        lambda: require_can_create_game(HIDDEN, host_role_ids=()),
        PermissionDenied,
        ChannelHidden(),
    ),
    "create without a host role": (
        lambda: require_can_create_game(MEMBER, host_role_ids=[ROLE_B, ROLE_A]),
        PermissionDenied,
        HostRoleRequired((ROLE_A, ROLE_B)),
    ),
    "create with no host roles set": (
        lambda: require_can_create_game(MEMBER, host_role_ids=()),
        PermissionDenied,
        NoHostRoles(),
    ),
    "manage someone else's game": (
        lambda: require_can_manage_game(MEMBER, host_id=HOST),
        PermissionDenied,
        NotHostOrAdmin(host_id=HOST),
    ),
    "configure the server": (
        lambda: require_can_configure_guild(MEMBER),
        PermissionDenied,
        SettingsPermission(SettingsLevel.GUILD),
    ),
    "configure a channel": (
        lambda: require_can_configure_channel(MEMBER),
        PermissionDenied,
        SettingsPermission(SettingsLevel.CHANNEL),
    ),
    "join twice": (lambda: decide_join(ROSTER, 111), Conflict, AlreadyJoined(user_id=111)),
    "join from the waitlist": (
        lambda: decide_join(ROSTER, 333),
        Conflict,
        AlreadyWaitlisted(user_id=333, position=1),
    ),
    "leave without joining": (lambda: decide_leave(ROSTER, 444), Conflict, NotInGame(user_id=444)),
    "an unknown placeholder": (
        lambda: find_placeholder(ROSTER, " Gest "),
        NotFound,
        UnknownPlaceholder("Gest", ("Guest", "TBD")),
    ),
    "a game without placeholders": (
        lambda: find_placeholder(Roster((111,), (), (), 2), "Guest"),
        NotFound,
        UnknownPlaceholder("Guest", ()),
    ),
    "a move to the same status": (
        lambda: move(GameStatus.CANCELLED, GameStatus.CANCELLED),
        IllegalTransition,
        AlreadyInStatus(GameStatus.CANCELLED),
    ),
    "a move out of a final status": (
        lambda: move(GameStatus.COMPLETED, GameStatus.CANCELLED),
        IllegalTransition,
        TransitionRefused(GameStatus.COMPLETED, GameStatus.CANCELLED),
    ),
}
"""Each rule that refuses, the error class it raises and the fault, values included."""


@pytest.mark.parametrize("name", RAISES)
def test_domain_errors_carry_their_values_and_neutral_text(name: str) -> None:
    """Each refusal of a domain rule raises its class with the fault naming the values
    involved, and its sentence gives no front end's advice."""
    call, error_class, fault = RAISES[name]
    with pytest.raises(error_class) as caught:
        call()
    assert caught.value.fault == fault
    assert caught.value.message == fault.message
    assert front_end_advice(caught.value.message) == []


VALIDATIONS: dict[str, Callable[[], object]] = {
    "no start time": lambda: parse_when("", zone="UTC", now=NOW),
    "unreadable time": lambda: parse_when("whenever suits", zone="UTC", now=NOW),
    "time in the past": lambda: parse_when("2026-12-01 19:00", zone="UTC", now=NOW),
    "time too far": lambda: parse_when("2030-12-01 19:00", zone="UTC", now=NOW),
    "impossible date": lambda: parse_when("2026-02-30 19:00", zone="UTC", now=NOW),
    "date only": lambda: parse_when("2026-12-24", zone="UTC", now=NOW),
    "zone in natural text": lambda: parse_when("tomorrow 8pm EST", zone="UTC", now=NOW),
    "DST gap": lambda: parse_when("2027-03-28 02:30", zone="Europe/Berlin", now=NOW),
    "DST fold": lambda: parse_when("2027-10-31 02:30", zone="Europe/Berlin", now=NOW),
    "no zone": lambda: resolve_zone(""),
    "unknown zone": lambda: resolve_zone("Berln"),
    "malformed entries": lambda: resolve_entries(
        parse_entries("@, <@12x>, @everyone, Guest @sam"), MEMBERS
    ),
    "unknown and ambiguous names": lambda: resolve_entries(
        parse_entries(f"@nobody, @sam, @Sa, {200_000_000_000_000_009}"), MEMBERS
    ),
    "too many or too long entries": lambda: parse_entries(
        ",".join(["x" * 60, "@" + "y" * 70, *(f"g{i}" for i in range(101))])
    ),
    "unreadable reminders": lambda: parse_reminder_minutes("60, soon"),
    "settings out of range": lambda: check_patch(
        SettingsPatch(
            max_players=0,
            reminder_minutes=(1, 2, 3, 4, 5, 6, 99_999),
            duration_minutes=1,
            rules="r" * 1001,
            category="c" * 51,
            host_role_ids=tuple(range(26)),
        )
    ),
}
"""Each way a submission is refused, through the rule that reads it."""


@pytest.mark.parametrize("name", VALIDATIONS)
def test_validation_problems_are_neutral(name: str) -> None:
    """Every problem a refused submission lists says what is wrong with no front end's advice."""
    with pytest.raises(ValidationFailed) as caught:
        VALIDATIONS[name]()
    assert caught.value.problems
    for text in fault_texts(caught.value.fault):
        assert front_end_advice(text) == []


def test_field_problems_are_neutral() -> None:
    """The problems the game-field rules return (title, description, player cap) are neutral."""
    problems = [
        *title_problems(""),
        *title_problems("t" * 101),
        *description_problems("d" * 1501),
        *parse_max_players("lots")[1],
        *parse_max_players(0)[1],
    ]
    assert len(problems) == 5
    for problem in problems:
        assert front_end_advice(problem.message) == []
