"""The arrows of the architecture (README, "Architecture"), checked on every module's imports.

Each room may import only the rooms listed for it; third-party frameworks stay in the room
that talks to them. A new import that crosses a line fails here with the module and the
import named, so the picture in the README stays true as the code grows.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = tuple(
    pattern.rstrip("*")
    for pattern in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]["find"]["include"]
)
"""The project's own top-level packages, as installed (a new one is checked from the start)."""
TOOLS = ("bench", "docs")
"""Scripts beside the packages: checked like a room of their own (they drive the sandbox;
``docs`` makes the README's pictures of the web)."""

FRONT_ENDS = ("gamesched.bot", "gamesched.worker", "cli", "tui", "webauth")
"""They call the use cases; they never import each other or SQLAlchemy."""
METRICS = "gamesched.metrics"
"""The process's metric objects: a leaf that imports nothing of ours, so the places that count
(use cases, the REST client, the bot, the worker, the wiring and the web's ``/metrics``) may
import it; the domain stays pure and never counts."""
OUTAGES = "gamesched.outages"
"""Noting an outage of Redis or the database once, and backoff: standard library only, for
every room that talks to those servers."""

MAY_IMPORT: dict[str, frozenset[str]] = {
    "gamesched.domain": frozenset(),
    "gamesched.config": frozenset(),
    METRICS: frozenset(),
    OUTAGES: frozenset(),
    "gamesched.db": frozenset({"gamesched.domain", OUTAGES, "migrations"}),
    "migrations": frozenset({"gamesched.db"}),
    "gamesched.services": frozenset({"gamesched.domain", "gamesched.db", METRICS}),
    "gamesched.discord": frozenset({"gamesched.domain", "gamesched.services", METRICS, OUTAGES}),
    "gamesched.calendar": frozenset({"gamesched.domain", "gamesched.services"}),
    "gamesched.sandbox": frozenset({"gamesched.discord"}),
    "gamesched.bot": frozenset(
        {
            "gamesched.domain",
            "gamesched.services",
            "gamesched.discord",
            "gamesched.calendar",
            METRICS,
            OUTAGES,
        }
    ),
    "gamesched.worker": frozenset(
        {"gamesched.domain", "gamesched.services", "gamesched.discord", METRICS, OUTAGES}
    ),
    "gamesched.app": frozenset(
        {
            "gamesched.config",
            "gamesched.domain",
            "gamesched.db",
            "gamesched.services",
            "gamesched.discord",
            "gamesched.bot",
            "gamesched.worker",
            "gamesched.calendar",
            "webauth",
            METRICS,
        }
    ),
    "gamesched.health": frozenset(
        {
            "gamesched.app",
            "gamesched.bot",
            "gamesched.config",
            "gamesched.discord",
            "gamesched.domain",
            "gamesched.services",
        }
    ),
    "cli": frozenset(
        {
            "gamesched.app",
            "gamesched.health",
            "gamesched.config",
            "gamesched.domain",
            "gamesched.services",
            "gamesched.discord",
            "gamesched.sandbox",
        }
    ),
    "tui": frozenset(
        {
            "gamesched.app",
            "gamesched.health",
            "gamesched.config",
            "gamesched.domain",
            "gamesched.services",
            "gamesched.discord",
        }
    ),
    "webauth": frozenset(
        {
            "gamesched.app",
            "gamesched.config",
            "gamesched.domain",
            "gamesched.services",
            "gamesched.discord",
            "gamesched.calendar",
            METRICS,
        }
    ),
    "docs": frozenset({"cli", "gamesched.app", "gamesched.config", "gamesched.sandbox"}),
    "bench": frozenset(
        {
            "cli",
            "tui",
            "gamesched.app",
            "gamesched.bot",
            "gamesched.config",
            "gamesched.db",
            "gamesched.discord",
            "gamesched.domain",
            "gamesched.sandbox",
            "gamesched.services",
            "gamesched.worker",
        }
    ),
}
"""Room -> the other rooms of ours it may import. ``gamesched.app`` is the wiring: the only
room that builds the bot, the worker and the web service, used by the commands that start
processes. ``gamesched.health`` checks a deployment for the CLI and TUI (it reads the commands
the bot declares)."""

LAUNCHERS = frozenset({("cli.main", "tui.app")})
"""The one crossing between front ends: the ``gamesched tui`` command starts the dashboard
(the console script is the CLI's). It only launches it; the dashboard never imports cli."""

SANDBOX_STARTERS = frozenset({"cli.serve"})
"""Outside the sandbox itself, only the commands that start it import it (and the benchmarks,
which start one to measure against)."""

FRAMEWORK_ROOMS: dict[str, frozenset[str]] = {
    "sqlalchemy": frozenset({"gamesched.db", "gamesched.services", "migrations", "bench"}),
    "alembic": frozenset({"gamesched.db", "migrations"}),
    "disnake": frozenset({"gamesched.bot", "gamesched.sandbox", "bench"}),
    "taskiq": frozenset({"gamesched.worker"}),
    "taskiq_redis": frozenset({"gamesched.worker"}),
    "typer": frozenset({"cli"}),
    "click": frozenset(),
    "textual": frozenset({"tui"}),
    "starlette": frozenset({"webauth", "gamesched.sandbox", "bench"}),
    "authlib": frozenset({"webauth"}),
    "prometheus_client": frozenset({METRICS}),
    "icalendar": frozenset({"gamesched.calendar"}),
}
"""Third-party framework -> the rooms that may use it. The sandbox speaks Discord's HTTP with
Starlette and uses disnake's permission constants; ``click`` comes only through typer. The
benchmarks set up data with SQL and measure against a bare disnake bot and a bare Starlette
page. iCalendar is written in one room, the calendar's."""

SESSION_PLUMBING = frozenset(
    {
        ("sqlalchemy.ext.asyncio", "AsyncSession"),
        ("sqlalchemy.orm", "Session"),
        ("sqlalchemy.orm", "object_session"),
    }
)
"""What a use case may take from SQLAlchemy: the session it runs in, nothing to build SQL with
(statements live in the ``db`` repositories)."""
DOMAIN_THIRD_PARTY = frozenset({"dateparser", "dateutil"})
"""The domain is the standard library plus the well-kept natural-language date parser and
dateutil's recurrence rules (RFC 5545)."""


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    """The importing module, dotted."""
    target: str
    """The imported module, dotted."""
    line: int
    names: tuple[str, ...] = ()
    """What ``from target import ...`` takes; empty for ``import target``."""


def room_of(module: str) -> str:
    """``gamesched.x`` for modules of the core package, else the top-level package."""
    parts = module.split(".")
    if parts[0] == "gamesched" and len(parts) > 1:
        return f"gamesched.{parts[1]}"
    return parts[0]


def project_imports() -> Iterator[Import]:
    for package in (*PACKAGES, *TOOLS):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = module.removesuffix(".__init__")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(module, alias.name, node.lineno)
                elif isinstance(node, ast.ImportFrom):
                    assert node.level == 0, f"{module}:{node.lineno}: use absolute imports"
                    names = tuple(alias.name for alias in node.names)
                    yield Import(module, node.module or "", node.lineno, names)


IMPORTS = list(project_imports())


def describe(found: list[Import]) -> list[str]:
    return [f"{i.module}:{i.line} imports {i.target}" for i in found]


def test_every_room_is_in_the_map() -> None:
    """A new package of ours cannot escape the checks: every room has its allowed list."""
    rooms = {room_of(i.module) for i in IMPORTS}
    assert len(IMPORTS) > 500  # the scan found the code (an empty scan would pass everything)
    assert {"gamesched", "cli", "tui", "webauth", "migrations"} <= set(PACKAGES)
    assert rooms - set(MAY_IMPORT) == set()


@pytest.mark.parametrize("room", sorted(MAY_IMPORT))
def test_rooms_import_only_the_rooms_they_may(room: str) -> None:
    """Each room imports only the rooms of ours the architecture allows it (domain: none)."""
    crossing = [
        i
        for i in IMPORTS
        if room_of(i.module) == room
        and i.target.split(".")[0] in PACKAGES
        and room_of(i.target) not in MAY_IMPORT[room] | {room}
        and (i.module, i.target) not in LAUNCHERS
    ]
    assert describe(crossing) == []


def test_front_ends_never_import_each_other() -> None:
    """bot, worker, cli, tui and webauth only meet through the use cases and the wiring."""
    crossing = [
        i
        for i in IMPORTS
        if room_of(i.module) in FRONT_ENDS
        and room_of(i.target) in FRONT_ENDS
        and room_of(i.target) != room_of(i.module)
        and (i.module, i.target) not in LAUNCHERS
    ]
    assert describe(crossing) == []


def test_only_the_commands_that_start_it_import_the_sandbox() -> None:
    """Production code never depends on the fake Discord; only starting it does."""
    users = [
        i
        for i in IMPORTS
        if room_of(i.target) == "gamesched.sandbox"
        and room_of(i.module) not in {"gamesched.sandbox", *TOOLS}
        and i.module not in SANDBOX_STARTERS
    ]
    assert describe(users) == []


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_ROOMS))
def test_frameworks_stay_in_their_rooms(framework: str) -> None:
    """SQL only below the use cases; disnake, taskiq, typer, textual, starlette each in theirs."""
    strays = [
        i
        for i in IMPORTS
        if i.target.split(".")[0] == framework
        and room_of(i.module) not in FRAMEWORK_ROOMS[framework]
    ]
    assert describe(strays) == []


def test_domain_imports_the_standard_library_only() -> None:
    """Domain rules run anywhere: the standard library, the date parser and the domain itself."""
    outside = [
        i
        for i in IMPORTS
        if room_of(i.module) == "gamesched.domain"
        and i.target.split(".")[0] not in sys.stdlib_module_names | DOMAIN_THIRD_PARTY
        and room_of(i.target) != "gamesched.domain"
    ]
    assert describe(outside) == []


def test_use_cases_take_only_the_session_from_sqlalchemy() -> None:
    """Services read as use cases: select, update, func and the like stay in the repositories."""
    building = [
        i
        for i in IMPORTS
        if room_of(i.module) == "gamesched.services"
        and i.target.split(".")[0] == "sqlalchemy"
        and (not i.names or {(i.target, name) for name in i.names} - SESSION_PLUMBING)
    ]
    assert describe(building) == []
