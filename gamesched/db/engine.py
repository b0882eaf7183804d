"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg).

A database server that goes away is survived without a restart: pooled connections are
checked before use (``pool_pre_ping``) and replaced, and a failed attempt to reach the server
raises :class:`~gamesched.outages.Unreachable` (front ends answer "try again" to it and the
worker retries quietly) instead of the driver's own error. The outage is logged once per
process, and its length when it ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Dialect, ExceptionContext, Result, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from gamesched.outages import Outage, Unreachable, one_line

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another process's write to finish before failing."""
CONNECT_TIMEOUT_SECONDS = 10
"""A PostgreSQL server that does not answer a connection attempt this long is unreachable."""
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
"""SQLSTATEs (or their class) a server answers when it cannot serve a connection now:
connection exceptions, shutting down, starting up, too many connections."""


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factory, built once per process and passed in."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    outage: Outage
    """Whether the server is unreachable now (noted and logged by :func:`_watch_outages`)."""

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


def _watch_outages(engine: AsyncEngine) -> Outage:
    """Note every failed and successful connection attempt in one :class:`Outage`, and raise
    :class:`Unreachable` for a server that cannot be reached or a connection that broke.

    A server this process never reached is not an outage but a start-up problem, which the
    caller reports (a command says which setting to check), so it is not logged here.
    """
    outage = Outage(
        "database", log=log, meanwhile="what needs it fails at once and is tried again later"
    )
    reached = False

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
        nonlocal reached
        try:
            connection = dialect.connect(*cargs, **cparams)
        except Exception as error:
            if not _unreachable(error):
                raise  # refused for a reason a retry will not fix (password, no such database)
            if reached:
                outage.failed(error)
            raise Unreachable("database", error) from error
        reached = True
        outage.recovered()
        return connection

    @event.listens_for(engine.sync_engine, "handle_error", retval=True)
    def _broken(context: ExceptionContext) -> BaseException | None:
        if not context.is_disconnect or context.is_pre_ping:
            return None  # a dead pooled connection found by the pre-ping is simply replaced
        outage.failed(context.original_exception)
        return Unreachable("database", context.original_exception)

    return outage


def _unreachable(error: BaseException) -> bool:
    """Whether a failed connection attempt means the server cannot be reached right now."""
    if isinstance(error, OSError):  # refused, reset, timed out, unknown host
        return True
    state = getattr(error, "sqlstate", None)
    return isinstance(state, str) and state.startswith(UNREACHABLE_STATES)


def create_database(url: str, *, echo: bool = False, pool_size: int = 5) -> Database:
    """Build the engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``)."""
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "postgresql":
        options |= {
            "pool_size": pool_size,
            "max_overflow": pool_size * 2,
            "pool_pre_ping": True,
            "connect_args": {"timeout": CONNECT_TIMEOUT_SECONDS},
        }
    else:
        # One connection per process: SQLite has one writer at a time anyway, and queueing in
        # the pool is far cheaper than SQLite's busy-wait between connections.
        options |= {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    return Database(
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        outage=_watch_outages(engine),
    )


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
    if isinstance(error, Unreachable):
        return error.detail
    if not isinstance(error, OSError | SQLAlchemyError):
        return None
    return one_line(getattr(error, "orig", None) or error)


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (its result is a cursor result)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def changed_any(result: Result[Any]) -> bool:
    """Whether an UPDATE or DELETE matched a row."""
    return changed_rows(result) > 0
