"""The bot adds the Discord way to fix a domain error to its neutral sentence."""

from __future__ import annotations

import re

import pytest

from gamesched.bot.failures import message_for
from gamesched.bot.hints import discord_hint
from gamesched.domain.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tests.support.error_examples import EXAMPLES, ROLE_A, ROLE_B, bot_command_names

DISCORD_TEXTS = {
    "plain": "Something the bot said in its own words.",
    "invalid": "Give the game a title.",
    "unknown game": "There is no game #5. Check the number with /list-games.",
    "unknown game in this server": (
        "There is no game #5 in this server. Check the number with /list-games."
    ),
    "unknown placeholder": "This game has no placeholder `Gest`. Its placeholders: `Guest`, `TBD`.",
    "no placeholders": "This game has no placeholder slots.",
    "channel hidden": (
        "You cannot see that channel, so you cannot announce a game there. "
        "Pick a channel you can see."
    ),
    "host role required": (
        "Creating games here needs a host role; ask a server admin for one. "
        f"Host roles here: <@&{ROLE_A}>, <@&{ROLE_B}>."
    ),
    "no host roles": (
        "Creating games needs the Manage Server permission, because no host roles are set. "
        "An admin can allow a role with /config-guild add_host_role."
    ),
    "not host or admin": (
        "Only the game's host or someone with the Manage Server permission can change this game."
    ),
    "server settings": "Changing server settings needs the Manage Server permission.",
    "channel settings": "Changing channel settings needs the Manage Channels permission.",
    "already joined": "You have already joined this game.",
    "already waitlisted": "You are already on the waitlist (position 2).",
    "not in game": "You are not in this game, so there is nothing to leave.",
    "game not open": "This game is cancelled, so you can no longer join it.",
    "placeholder gone": (
        "That placeholder was just removed by another change; "
        "check the game's placeholders and try again."
    ),
    "already in status": "This game is already cancelled.",
    "transition refused": "This game is completed; it cannot become cancelled.",
}
"""What a Discord user reads for each example fault: the texts the bot showed before the
domain's sentences became neutral, except that the host roles now follow the sentence and a
placeholder removed meanwhile no longer says to reload the game."""


def test_every_example_has_its_discord_text() -> None:
    """Each kind of fault has the Discord text pinned below."""
    assert set(DISCORD_TEXTS) == set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_handler_shows_the_sentence_with_the_discord_hint(name: str) -> None:
    """The central handler answers a domain error with its sentence plus the bot's hint."""
    assert message_for(DomainError(EXAMPLES[name])) == DISCORD_TEXTS[name]


def test_hints_name_only_commands_the_bot_registers() -> None:
    """Every slash command a hint names is one the bot registers."""
    named = {
        command
        for fault in EXAMPLES.values()
        for command in re.findall(r"/([a-z-]+)", discord_hint(DomainError(fault)) or "")
    }
    assert named == {"list-games", "config-guild"}
    assert named <= bot_command_names()


def test_errors_the_bot_raises_in_its_own_words_are_shown_unchanged() -> None:
    """An error raised with only a sentence (the bot's own) gets no hint, whatever its class."""
    sentence = "That choice no longer matches the form; press Fix and resubmit."
    for error in (
        Conflict(sentence),
        NotFound(sentence),
        PermissionDenied(sentence),
        IllegalTransition(sentence),
    ):
        assert discord_hint(error) is None
        assert message_for(error) == sentence
    assert message_for(ValidationFailed([])) == "The submission is not valid."
