"""Run the Alembic migrations from async code, on the database gamesched is configured with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import migrations
from gamesched.db.engine import Database

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(url: str = "") -> AlembicConfig:
    """An Alembic config pointing at the bundled migrations (no alembic.ini needed)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    await _migrate(database, command.upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (a revision id, or relative such as ``-1``)."""
    await _migrate(database, command.downgrade, revision)


async def _migrate(
    database: Database, step: Callable[[AlembicConfig, str], None], revision: str
) -> None:
    """Run an Alembic command on ``database`` in one transaction."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def current_revision(database: Database) -> str | None:
    """The revision the database is at (None before the first migration)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


def head_revision() -> str | None:
    """The newest revision shipped with this version of gamesched."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
