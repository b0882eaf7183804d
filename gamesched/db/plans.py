"""How the database answers what a piece of code asks it: the statements a block runs, and
the plan of each (``EXPLAIN`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite).

A query that must stay cheap however many games there are (a click, a list, the worker's
idle pass) has to be answered from an index; a plan that reads a whole large table is named
by :func:`full_scans`. The scale benchmark prints these plans and the tests check them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from gamesched.db.engine import Database
from gamesched.db.tables import Base

LARGE_TABLES = frozenset(
    {"games", "participants", "jobs", "history", "notifications", "deliveries", "calendar_feeds"}
)
"""Tables that grow with the number of games, or of members (calendar feeds, read by every
calendar app's poll); the others hold a row per guild, channel, user, worker or web session."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as the driver received it."""

    sql: str
    parameters: Any
    """In the driver's own form (a tuple, or a dict for named parameters)."""


@contextmanager
def statements_run(database: Database) -> Iterator[list[Statement]]:
    """Collect every statement ``database`` runs while the block runs (transaction control
    and SQLite's pragmas left out)."""
    seen: list[Statement] = []

    def collect(
        conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)\b", sql, re.I):
            seen.append(Statement(sql, parameters))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


async def plan_of(
    database: Database, statement: Statement, *, sequential_scans: bool = True
) -> list[str]:
    """The database's plan for ``statement``, one line per step (nothing is executed).

    ``sequential_scans=False`` (PostgreSQL) lets the planner read a table whole only when no
    index can answer the query, so a ``Seq Scan`` left in the plan means just that, whatever
    the table's size.
    """
    explain = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    async with database.engine.connect() as connection, connection.begin():
        if not sequential_scans and not database.is_sqlite:
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        result = await connection.exec_driver_sql(explain + statement.sql, statement.parameters)
        rows = result.all()
    if database.is_sqlite:
        return [str(row[-1]) for row in rows]  # (id, parent, notused, detail)
    return [str(row[0]) for row in rows]


PARTIAL_INDEXES = frozenset(
    index.name
    for table in Base.metadata.tables.values()
    for index in table.indexes
    if index.name and index.dialect_options["postgresql"].get("where") is not None
)
"""Indexes of a few rows each (open jobs, owed DMs, announcements behind): walking one whole
is cheap."""

_PG_NODE = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan)(?: Backward)?(?: using (\w+))? on (\w+)"
)
_SQLITE_SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: USING (?:COVERING )?INDEX (\w+))?")


def full_scans(plan: Sequence[str], *, tables: frozenset[str] = LARGE_TABLES) -> list[str]:
    """The ``tables`` the plan reads whole, each as ``table`` or ``table (index)``.

    That is a PostgreSQL ``Seq Scan``, or an index scan with no condition to start from that
    filters what it walks; on SQLite a ``SCAN`` of the table or of one of its indexes. Walking
    a partial index (a few rows) is not counted, nor an index walk without a filter (it stops
    at the LIMIT, as a MIN or a first page does).
    """
    found = []
    for number, line in enumerate(plan):
        pg = _PG_NODE.search(line)
        sqlite = _SQLITE_SCAN.match(line.strip())
        if pg:
            kind, index, table = pg.groups()
            if kind != "Seq Scan" and not _pg_walks_filtering(plan, number):
                continue
        elif sqlite:
            table, index = sqlite.groups()
        else:
            continue
        if table in tables and index not in PARTIAL_INDEXES:
            found.append(table if index is None else f"{table} ({index})")
    return found


def _pg_walks_filtering(plan: Sequence[str], number: int) -> bool:
    """Whether the PostgreSQL index scan on line ``number`` has a filter but no index
    condition (its details follow it up to the next step, marked ``->``)."""
    details = []
    for line in plan[number + 1 :]:
        if "->" in line:
            break
        details.append(line.strip())
    conditioned = any(line.startswith("Index Cond:") for line in details)
    return not conditioned and any(line.startswith("Filter:") for line in details)
