"""The database itself refuses rows the rules forbid, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import CheckConstraint, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from gamesched.db.engine import Database
from gamesched.db.tables import Base, GameRow, JobRow, ParticipantRow
from gamesched.services.context import Context
from tests.support.factories import CHANNEL, GUILD, make_game

USER = 10**17 + 3
START = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


async def refused(database: Database, *rows: Any) -> None:
    """Adding ``rows`` in one transaction fails with an integrity error."""
    with pytest.raises(IntegrityError):
        async with database.sessions() as session, session.begin():
            session.add_all(rows)


def member(game_id: int, status: str = "joined", user_id: int | None = USER) -> ParticipantRow:
    return ParticipantRow(game_id=game_id, user_id=user_id, status=status, sort_key=1)


async def test_a_member_has_one_row_per_game(database: Database, ctx: Context) -> None:
    """A second row for the same member in the same game is refused, joined or waitlisted."""
    game_id = (await make_game(ctx)).id
    async with database.sessions() as session, session.begin():
        session.add(member(game_id))
    await refused(database, member(game_id, "waitlist"))


async def test_placeholders_have_text_and_no_user(database: Database, ctx: Context) -> None:
    """A placeholder needs its text and no user; a member row needs a user and no text."""
    game_id = (await make_game(ctx)).id
    await refused(database, member(game_id, "placeholder"))
    await refused(database, member(game_id, "placeholder", user_id=None))
    await refused(
        database, ParticipantRow(game_id=game_id, placeholder="Bob", status="joined", sort_key=1)
    )
    await refused(database, member(game_id, "joined", user_id=None))
    await refused(database, member(game_id, "host"))
    async with database.sessions() as session, session.begin():
        session.add(
            ParticipantRow(game_id=game_id, placeholder="Bob", status="placeholder", sort_key=1)
        )
        session.add(
            ParticipantRow(game_id=game_id, placeholder="Ann", status="placeholder", sort_key=2)
        )


async def test_games_have_a_known_status_and_a_positive_version(
    database: Database, ctx: Context
) -> None:
    """Unknown statuses and versions below 1 are refused; jobs have a known kind."""
    game_id = (await make_game(ctx)).id
    common = {"guild_id": GUILD, "channel_id": CHANNEL, "host_id": USER, "title": "t"}
    await refused(database, GameRow(**common, start_at=START, status="postponed"))
    await refused(database, GameRow(**common, start_at=START, version=0))
    await refused(database, JobRow(game_id=game_id, kind="party", due_at=START))


async def test_rows_need_their_parents_and_go_with_them(database: Database, ctx: Context) -> None:
    """A game needs an existing channel; deleting a game deletes its participants and jobs."""
    game_id = (await make_game(ctx)).id
    common = {"guild_id": GUILD, "host_id": USER, "title": "t", "start_at": START}
    await refused(database, GameRow(**common, channel_id=CHANNEL + 99))
    async with database.sessions() as session, session.begin():
        session.add(member(game_id))
        session.add(JobRow(game_id=game_id, kind="start", due_at=START))
    async with database.sessions() as session, session.begin():
        await session.delete(await session.get(GameRow, game_id))
    async with database.sessions() as session:
        for table in (ParticipantRow, JobRow):
            count = await session.scalar(select(func.count()).select_from(table))
            assert count == 0, table.__tablename__


async def test_the_database_has_every_check_constraint_of_the_models(database: Database) -> None:
    """Autogenerate does not compare CHECK constraints, so their names are compared here."""

    def checks(connection: Connection) -> dict[str, set[str | None]]:
        inspector = inspect(connection)
        return {
            table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in Base.metadata.tables
        }

    async with database.engine.connect() as connection:
        found = await connection.run_sync(checks)
    expected = {
        name: {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        for name, table in Base.metadata.tables.items()
    }
    assert found == expected


async def test_no_table_stores_names(database: Database) -> None:
    """Only Discord ids are stored: no column for usernames, nicknames or avatars."""

    def columns(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {c["name"] for t in inspector.get_table_names() for c in inspector.get_columns(t)}

    async with database.engine.connect() as connection:
        names = await connection.run_sync(columns)
    assert not {n for n in names if any(w in n for w in ("name", "nick", "avatar"))}
