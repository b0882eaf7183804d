"""One example of every fault kind, and the check that a text gives no front end's advice.

Shared by the domain, service and bot tests: the domain's sentences must stay neutral, and
the bot must turn each example into the Discord text users see.
"""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path

import gamesched
from gamesched.domain.errors import (
    AlreadyInStatus,
    AlreadyJoined,
    AlreadyWaitlisted,
    ChannelHidden,
    Fault,
    GameAction,
    GameNotOpen,
    HostRoleRequired,
    Invalid,
    NoHostRoles,
    NotHostOrAdmin,
    NotInGame,
    PlaceholderGone,
    Plain,
    Problem,
    SettingsLevel,
    SettingsPermission,
    TransitionRefused,
    UnknownGame,
    UnknownPlaceholder,
)
from gamesched.domain.status import GameStatus

PACKAGE = Path(gamesched.__file__).parent
ROLE_A = 500_000_000_000_000_001
ROLE_B = 500_000_000_000_000_002

FAULT_CLASSES: tuple[type[Fault], ...] = typing.get_args(Fault)
"""Every fault class the domain defines."""

EXAMPLES: dict[str, Fault] = {
    "plain": Plain("Something the bot said in its own words."),
    "invalid": Invalid((Problem("title", "Give the game a title."),)),
    "unknown game": UnknownGame(5),
    "unknown game in this server": UnknownGame(5, in_guild=True),
    "unknown placeholder": UnknownPlaceholder("Gest", ("Guest", "TBD")),
    "no placeholders": UnknownPlaceholder("Guest", ()),
    "channel hidden": ChannelHidden(),
    "host role required": HostRoleRequired((ROLE_A, ROLE_B)),
    "no host roles": NoHostRoles(),
    "not host or admin": NotHostOrAdmin(host_id=222),
    "server settings": SettingsPermission(SettingsLevel.GUILD),
    "channel settings": SettingsPermission(SettingsLevel.CHANNEL),
    "already joined": AlreadyJoined(user_id=111),
    "already waitlisted": AlreadyWaitlisted(user_id=111, position=2),
    "not in game": NotInGame(user_id=111),
    "game not open": GameNotOpen(game_id=5, status=GameStatus.CANCELLED, action=GameAction.JOIN),
    "placeholder gone": PlaceholderGone(game_id=5, placeholder="Guest"),
    "already in status": AlreadyInStatus(GameStatus.CANCELLED),
    "transition refused": TransitionRefused(GameStatus.COMPLETED, GameStatus.CANCELLED),
}
"""At least one example of every fault class (a test checks none is missing)."""

REGISTERED_COMMANDS = (
    "create-game",
    "edit-game",
    "cancel-game",
    "list-games",
    "my-games",
    "game-info",
    "assign-placeholder",
    "config-guild",
    "config-channel",
    "timezone",
)
"""The bot's slash commands when these tests were written (the bot's source adds any new)."""


def bot_command_names() -> set[str]:
    """The ``name=`` of every ``slash_command(...)`` in the bot's source."""
    names: set[str] = set()
    for path in (PACKAGE / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) == "slash_command":
                for keyword in node.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        names.add(str(keyword.value.value))
    return names


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


COMMAND_NAMES = frozenset(REGISTERED_COMMANDS) | bot_command_names()

_NOT_A_PATH = r"(?<![\w/.:~-])"
"""A command's slash starts the text or follows a space or punctuation, not a URL or path
(``https://example.org/some-page``, ``Europe/Berlin``, ``12/05``, ``month/day``)."""
SLASH_COMMAND = re.compile(
    _NOT_A_PATH
    + r"/(?:[a-z]+(?:-[a-z]+)+|"
    + "|".join(re.escape(name) for name in sorted(COMMAND_NAMES, key=len, reverse=True))
    + r")(?![\w-])"
)
"""``/word-word`` (how Discord commands are spelt) or any registered command name."""
DISCORD_ONLY = re.compile(
    r"\b(?:press|click|tap)(?:es|ed|ing|s)?\b|\bbuttons?\b|\bmodals?\b|\bdropdowns?\b"
    r"|\bslash commands?\b|\bselect menus?\b|\bephemeral\b|<@&|<#",
    re.IGNORECASE,
)
"""Controls only Discord has, and role or channel mention markup (``<@&id>``, ``<#id>``)."""


def front_end_advice(text: str) -> list[str]:
    """Every piece of ``text`` that names a slash command or a Discord-only control."""
    return [m.group() for m in SLASH_COMMAND.finditer(text)] + [
        m.group() for m in DISCORD_ONLY.finditer(text)
    ]


def fault_texts(fault: Fault) -> Iterator[str]:
    """The sentence a fault shows, and for invalid submissions each problem's own text."""
    yield fault.message
    if isinstance(fault, Invalid):
        for problem in fault.problems:
            yield problem.message
            yield from (s.label for s in problem.suggestions)


def message_literals(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every string a module could show someone: string constants and
    f-strings (with ``{}`` for each formatted value), but not docstrings, which nobody sees."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in ast.walk(node)
        if part is not node
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(_fstring_parts(node))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and id(node) not in inside_fstrings
        ):
            yield node.lineno, node.value


def _fstring_parts(node: ast.JoinedStr) -> Iterable[str]:
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            yield part.value
        else:
            yield "{}"


def core_modules() -> list[Path]:
    """Every module of the domain and the services: the code every front end shares."""
    return sorted((PACKAGE / "domain").rglob("*.py")) + sorted((PACKAGE / "services").rglob("*.py"))
