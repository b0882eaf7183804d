"""Database fixtures: a fresh, migrated database per test on SQLite and (when configured)
PostgreSQL, each cloned from a template migrated once per session."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from gamesched.db.engine import Database, create_database
from gamesched.db.migrate import upgrade
from tests.support.environment import POSTGRES_URL

ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _asyncpg_dsn(database: str | None = None) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def _run_in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run set-up code on its own loop: session fixtures are built while a test loop runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    database = create_database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _run_in_thread(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test clones with CREATE DATABASE ... TEMPLATE."""
    if not POSTGRES_URL:
        pytest.skip("GAMESCHED_TEST_POSTGRES_URL is not set")
    name = f"gs_template_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        admin = await asyncpg.connect(_asyncpg_dsn())
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        await _migrate(_asyncpg_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1))

    _run_in_thread(create())
    yield name
    _run_in_thread(_drop_database(name))


async def _drop_database(name: str) -> None:
    admin = await asyncpg.connect(_asyncpg_dsn())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=ENGINES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a fresh, migrated database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "gamesched.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"gs_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    yield _asyncpg_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    await _drop_database(name)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """An engine on a fresh, migrated database (SQLite and PostgreSQL)."""
    database = create_database(database_url)
    yield database
    await database.dispose()
