"""What every command shares: the config file option, loading the config, running async code."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer

from gamesched.app import ServiceUnavailable
from gamesched.config import Config, ConfigError, load_config

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CliState:
    """Options given before the command name."""

    config_path: Path | None


def fail(message: str) -> typer.Exit:
    """Print a user-facing error to stderr; the caller raises the returned Exit(1)."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def load(ctx: typer.Context) -> Config:
    """The validated config, or exit 1 listing every problem."""
    state: CliState = ctx.obj
    try:
        return load_config(state.config_path)
    except ConfigError as error:
        lines = "\n".join(f"  - {problem}" for problem in error.problems)
        raise fail(f"The configuration has problems:\n{lines}") from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one command's async body; a service that cannot be used (the database, Discord, the
    sandbox's address) is a short error saying what to check, never a traceback."""
    try:
        return asyncio.run(coroutine)
    except ServiceUnavailable as error:
        raise fail(str(error)) from None
