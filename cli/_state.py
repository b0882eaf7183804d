"""What every command shares: the config file option, loading the config, running async code,
and the exit codes every command keeps to."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, TypeVar

import typer

from gamesched.app import ServiceUnavailable
from gamesched.config import Config, ConfigError, load_config
from gamesched.domain.errors import Conflict, DomainError, NotFound

T = TypeVar("T")


class ExitCode(IntEnum):
    """How a ``gamesched`` command ends; the README and ``gamesched --help`` list them."""

    OK = 0
    FAILED = 1
    """The command could not do it: refused, invalid values, a check that failed."""
    USAGE = 2
    """Unknown option, missing or malformed argument (Typer's own, and bad times)."""
    NOT_FOUND = 3
    """No such game, guild or channel."""
    CONFLICT = 4
    """The change does not fit the current state (e.g. the game is already cancelled)."""
    UNAVAILABLE = 5
    """The configuration has problems, or a service (database, Discord) cannot be used."""


EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 conflict, "
    "5 configuration or connection problem."
)


@dataclass(frozen=True, slots=True)
class CliState:
    """Options given before the command name."""

    config_path: Path | None


def fail(message: str, code: ExitCode = ExitCode.FAILED) -> typer.Exit:
    """Print a user-facing error to stderr; the caller raises the returned Exit."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=code)


def load(ctx: typer.Context) -> Config:
    """The validated config, or exit 5 listing every problem."""
    state: CliState = ctx.obj
    try:
        return load_config(state.config_path)
    except ConfigError as error:
        lines = "\n".join(f"  - {problem}" for problem in error.problems)
        raise fail(f"The configuration has problems:\n{lines}", ExitCode.UNAVAILABLE) from None


def _code_of(error: DomainError) -> ExitCode:
    if isinstance(error, NotFound):
        return ExitCode.NOT_FOUND
    if isinstance(error, Conflict):
        return ExitCode.CONFLICT
    return ExitCode.FAILED  # refused (PermissionDenied) or invalid (ValidationFailed)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one command's async body; a domain error or a service that cannot be used (the
    database, Discord, the sandbox's address) is one line saying what is wrong and the exit
    code for it, never a traceback."""
    try:
        return asyncio.run(coroutine)
    except ServiceUnavailable as error:
        raise fail(str(error), ExitCode.UNAVAILABLE) from None
    except DomainError as error:
        raise fail(" ".join(error.message.splitlines()), _code_of(error)) from None
