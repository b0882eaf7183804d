"""The Alembic migrations build exactly the schema the tables describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from gamesched.db.engine import Database
from gamesched.db.migrate import (
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from gamesched.db.tables import Base
from gamesched.services.context import Context
from gamesched.services.dm_channels import RememberedDmChannels


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    """After `db upgrade` autogenerate finds no difference between database and models."""
    assert await _differences(database) == []


async def _differences(database: Database) -> list[object]:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        return await connection.run_sync(diff)


async def test_database_is_at_the_newest_revision_and_upgrade_is_idempotent(
    database: Database,
) -> None:
    """A migrated database reports the head revision, and upgrading again changes nothing."""
    assert await current_revision(database) == head_revision()
    await upgrade(database)
    assert await current_revision(database) == head_revision()


async def test_the_scale_indexes_go_and_come_back_with_their_migration(
    database: Database,
) -> None:
    """Undoing 0007 brings back the indexes it replaced; redoing it leaves the schema the
    models describe."""
    await downgrade(database, "0007-1")
    assert {"ix_jobs_due_pending", "ix_notifications_pending"} <= await _index_names(database)
    assert not {
        "ix_games_updated_at",
        "ix_games_announcement_behind",
        "ix_jobs_open_due",
        "ix_notifications_owed",
    } & await _index_names(database)

    await upgrade(database)

    assert "ix_jobs_due_pending" not in await _index_names(database)
    assert await _differences(database) == []


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_dm_channels_migration_goes_down_and_up_again(database: Database) -> None:
    """Revision 0006 adds the remembered DM channels table and its downgrade removes it
    (nothing else), so an operator can step back a release and forward again."""
    remembered = RememberedDmChannels(Context(database=database))
    await remembered.remember(7, 701)
    before = await table_names(database)

    await downgrade(database, "0005")

    after = await table_names(database)
    assert await current_revision(database) == "0005"
    assert "dm_channels" in before - after
    assert {"games", "jobs", "deliveries", "history", "workers"} <= after
    await upgrade(database)
    assert await table_names(database) == before
    assert await remembered.recall([7]) == {}
    await remembered.remember(7, 702)
    assert await remembered.recall([7, 8]) == {7: 702}


async def _index_names(database: Database) -> set[str]:
    def read(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {
            str(index["name"])
            for table in inspector.get_table_names()
            for index in inspector.get_indexes(table)
        }

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


async def test_series_calendar_and_event_migration_goes_down_and_up_again(
    database: Database,
) -> None:
    """Revision 0008 (series, calendar feeds, event mirrors) goes down to 0007 keeping
    the servers already there, and up again to the schema the models describe."""
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO guilds (id, created_at, updated_at) "
                "VALUES (1, '2026-12-06', '2026-12-06')"
            )
        )
    before = await table_names(database)

    await downgrade(database, "0007")

    assert before - await table_names(database) == {"series", "calendar_feeds"}
    await upgrade(database)
    assert await _differences(database) == []
    async with database.engine.connect() as connection:
        assert (await connection.execute(text("SELECT id FROM guilds"))).scalars().all() == [1]
