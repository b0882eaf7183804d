"""Rules for the fields a host types when creating or editing a game."""

from __future__ import annotations

import unicodedata

from gamesched.domain.errors import Problem
from gamesched.domain.numbers import read_whole_number
from gamesched.domain.settings import MAX_PLAYERS_LIMIT, MIN_PLAYERS_LIMIT

MAX_TITLE_LENGTH = 100
"""Titles are embed titles (Discord allows 256); 100 keeps lists readable."""
MAX_DESCRIPTION_LENGTH = 1500
"""Leaves room in the 6000-character embed for rules and the participant lists."""


_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
"""Unicode categories that show nothing: controls, zero-width format characters, spaces."""


def title_problems(title: str) -> list[Problem]:
    """An empty (or invisible) or overlong title."""
    stripped = title.strip()
    if not any(unicodedata.category(c) not in _INVISIBLE for c in stripped):
        return [Problem("title", "Give the game a title.")]
    if len(stripped) > MAX_TITLE_LENGTH:
        return [
            Problem(
                "title",
                f"The title can be at most {MAX_TITLE_LENGTH} characters "
                f"(this one has {len(stripped)}).",
            )
        ]
    return []


def description_problems(description: str) -> list[Problem]:
    """An overlong description."""
    stripped = description.strip()
    if len(stripped) > MAX_DESCRIPTION_LENGTH:
        return [
            Problem(
                "description",
                f"The description can be at most {MAX_DESCRIPTION_LENGTH} characters "
                f"(this one has {len(stripped)}).",
            )
        ]
    return []


def parse_max_players(value: int | str | None) -> tuple[int | None, list[Problem]]:
    """Typed text (or a number) as a player cap; empty means inherit."""
    if value is None:
        return None, []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, []
        number = read_whole_number(text)
        if number is None:
            return None, [
                Problem(
                    "max_players",
                    f"Max players must be a whole number from {MIN_PLAYERS_LIMIT} to "
                    f"{MAX_PLAYERS_LIMIT} "
                    f"(got `{text[:20]}`); leave it empty to use the channel's default.",
                )
            ]
        value = number
    if not MIN_PLAYERS_LIMIT <= value <= MAX_PLAYERS_LIMIT:
        return None, [
            Problem(
                "max_players",
                f"Max players must be between {MIN_PLAYERS_LIMIT} and {MAX_PLAYERS_LIMIT}.",
            )
        ]
    return value, []
