"""How gamesched opens SQLite: WAL, enforced foreign keys, writers that wait for each other."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gamesched.db.engine import SQLITE_BUSY_TIMEOUT_MS, create_database


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    """Readers never block the writer, foreign keys hold, and a busy writer is waited for."""
    database = create_database(f"sqlite+aiosqlite:///{tmp_path / 'gs.sqlite3'}")
    try:
        async with database.engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        await database.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }
