"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another process's write to finish before failing."""


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factory, built once per process and passed in."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        """SQLite serialises writers with a database lock instead of row locks."""
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction.

    Without BEGIN IMMEDIATE two transactions that read and then write fail with
    "database is locked" instead of waiting for each other.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_database(url: str, *, echo: bool = False, pool_size: int = 5) -> Database:
    """Build the engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``)."""
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "postgresql":
        options |= {"pool_size": pool_size, "max_overflow": pool_size * 2, "pool_pre_ping": True}
    else:
        # One connection per process: SQLite has one writer at a time anyway, and queueing in
        # the pool is far cheaper than SQLite's busy-wait between connections.
        options |= {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    return Database(engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False))


def missing_sqlite_folder(url: str) -> Path | None:
    """The folder a SQLite ``url`` points into when it does not exist (SQLite cannot create
    it), else None (also for PostgreSQL and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    folder = Path(parsed.database).expanduser().resolve().parent
    return None if folder.is_dir() else folder


def database_failure(error: BaseException) -> str | None:
    """What the driver said when ``error`` means the database could not be used (unreachable,
    refused, missing), on one line without SQLAlchemy's boilerplate; None for other errors."""
    if not isinstance(error, OSError | SQLAlchemyError):
        return None
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (its result is a cursor result)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def changed_any(result: Result[Any]) -> bool:
    """Whether an UPDATE or DELETE matched a row."""
    return changed_rows(result) > 0
