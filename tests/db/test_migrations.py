"""The Alembic migrations build exactly the schema the tables describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from gamesched.db.engine import Database
from gamesched.db.migrate import current_revision, head_revision, upgrade
from gamesched.db.tables import Base


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    """After `db upgrade` autogenerate finds no difference between database and models."""

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_database_is_at_the_newest_revision_and_upgrade_is_idempotent(
    database: Database,
) -> None:
    """A migrated database reports the head revision, and upgrading again changes nothing."""
    assert await current_revision(database) == head_revision()
    await upgrade(database)
    assert await current_revision(database) == head_revision()
