"""What every command shares: the config file option, loading the config, running async code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from gamesched.config import Config, ConfigError, load_config
from gamesched.db.engine import Database, create_database

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
    """Run one command's async body; an unreachable or refusing database is a short error."""
    try:
        return asyncio.run(coroutine)
    except (OSError, SQLAlchemyError) as error:
        raise fail(f"Could not use the database: {database_problem(error)}") from None


def database_problem(error: Exception) -> str:
    """What the database driver said, on one line, without SQLAlchemy's boilerplate."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return (
        f"{text}. Check database.url (GAMESCHED_DATABASE__URL): the server must be running "
        "and the database must exist, or the SQLite file's folder must be writable."
    )


def _require_sqlite_folder(database_url: str) -> None:
    """A SQLite file can only be created in a folder that exists: say so before trying."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise fail(
                f"Could not use the database: the folder {folder} does not exist. Create it, "
                "or point database.url (GAMESCHED_DATABASE__URL) at a file in an existing folder."
            )


@asynccontextmanager
async def open_database(config: Config) -> AsyncIterator[Database]:
    """The configured database for the length of a command."""
    _require_sqlite_folder(config.database.url)
    database = create_database(
        config.database.url, echo=config.database.echo, pool_size=config.database.pool_size
    )
    try:
        yield database
    finally:
        await database.dispose()
