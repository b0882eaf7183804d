"""How the terminal dashboard copes with many games: start-up, memory, paging, the live poll.

    python bench/dashboard.py [--sizes 10,1000,10000] [--database-url URL]

(Named ``dashboard.py``, not ``tui.py``: a script called ``tui`` would shadow the ``tui``
package it measures.) For each size it fills a scratch database (a SQLite file, or the
PostgreSQL database given, emptied first) with that many games of 5 players each and their
planned reminders and status changes, then runs the dashboard headless (Textual's pilot) at
160x50 and measures:

- open: from starting the app to the games table showing its first rows;
- memory: the process's resident memory growth from before the app started to then;
- paging: PageDown until the last game is listed (pages of 200 load as the cursor nears the
  end): how many presses, the median press through the pilot (which waits until the app is
  idle, so it is an upper bound), and the median time to load one page;
- repaint: drawing the whole screen once (an SVG export), the median of 10;
- poll: one live poll (what changed since the last one), the median of 20.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from gamesched.app import Operating
from gamesched.config import Config
from gamesched.db.engine import Database, create_database
from gamesched.db.migrate import upgrade
from gamesched.db.tables import ChannelRow, GameRow, GuildRow, JobRow, ParticipantRow
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context, FrontEnd, Origin
from tui.app import GameTable, create_dashboard

GUILDS = 3
CHANNELS_PER_GUILD = 4
PLAYERS = 5
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TABLES = ("deliveries", "notifications", "jobs", "participants", "history", "games", "channels")


def rss_kib() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


async def fill(database: Database, games: int) -> None:
    """``games`` games spread over the guilds' channels, an hour apart, each with PLAYERS
    joined members and a reminder, a start and an end planned."""
    async with database.sessions() as session, session.begin():
        for table in TABLES:
            await session.execute(text(f"DELETE FROM {table}"))
        await session.execute(text("DELETE FROM guilds"))
        guild_ids = [10**17 + g for g in range(GUILDS)]
        channel_ids = [
            (guild_id, 2 * 10**17 + g * 100 + c)
            for g, guild_id in enumerate(guild_ids)
            for c in range(CHANNELS_PER_GUILD)
        ]
        await session.execute(insert(GuildRow), [{"id": g} for g in guild_ids])
        await session.execute(
            insert(ChannelRow), [{"id": c, "guild_id": g} for g, c in channel_ids]
        )
        chunk = 2000
        for first in range(0, games, chunk):
            ids = range(first + 1, min(games, first + chunk) + 1)
            rows, players, jobs = [], [], []
            changed = datetime.now(UTC) - timedelta(minutes=10)  # not a change of the moment
            for game_id in ids:
                guild_id, channel_id = channel_ids[game_id % len(channel_ids)]
                start = NOW + timedelta(hours=game_id)
                rows.append(
                    {
                        "id": game_id,
                        "guild_id": guild_id,
                        "channel_id": channel_id,
                        "host_id": 3 * 10**17,
                        "title": f"Game {game_id}",
                        "description": "",
                        "start_at": start,
                        "status": "scheduled",
                        "version": 1 + PLAYERS,
                        "rendered_version": 1 + PLAYERS,
                        "message_id": 5 * 10**17 + game_id,
                        "created_at": changed,
                        "updated_at": changed,
                    }
                )
                players += [
                    {
                        "game_id": game_id,
                        "user_id": 6 * 10**17 + game_id * 10 + n,
                        "status": "joined",
                        "sort_key": 1000 + n,
                    }
                    for n in range(PLAYERS)
                ]
                jobs += [
                    {
                        "game_id": game_id,
                        "kind": "reminder",
                        "offset_minutes": 60,
                        "due_at": start - timedelta(hours=1),
                    },
                    {"game_id": game_id, "kind": "start", "due_at": start},
                    {"game_id": game_id, "kind": "complete", "due_at": start + timedelta(hours=2)},
                ]
            await session.execute(insert(GameRow), rows)
            await session.execute(insert(ParticipantRow), players)
            await session.execute(insert(JobRow), jobs)


@dataclass
class Figures:
    games: int
    open_ms: float
    memory_kib: int
    keys: int
    key_ms: float
    page_load_ms: float
    frame_ms: float
    poll_ms: float


async def measure(database: Database, games: int) -> Figures:
    services = Context(database=database, clock=lambda: NOW).acting_from(
        Origin(FrontEnd.TUI, operator="bench")
    )
    op = Operating(services=services, actor=Actor.operator(), core=None)
    app = create_dashboard(
        op, config=Config(), zone=ZoneInfo("UTC"), poll_seconds=3600, health_seconds=3600
    )
    loads: list[float] = []
    load_more = app._load_more

    async def timed_load_more() -> None:
        """Times the calls that loaded a page (the others return at once: one is loading
        already, or every game is listed)."""
        rows = len(app.lines)
        started = time.perf_counter()
        await load_more()
        if len(app.lines) > rows:
            loads.append(time.perf_counter() - started)

    app._load_more = timed_load_more  # type: ignore[method-assign]
    before = rss_kib()
    started = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one("#games", GameTable)
        while not table.row_count:
            await pilot.pause(0.001)
        opened = time.perf_counter() - started
        memory = rss_kib() - before
        table.focus()
        presses = []
        while table.cursor_row < games - 1:
            pressed = time.perf_counter()
            await pilot.press("pagedown")
            presses.append(time.perf_counter() - pressed)
            if len(presses) > games:
                raise RuntimeError("paging did not reach the last game")
        await pilot.pause()
        assert table.row_count == games
        frames = []
        for _ in range(10):
            drawn = time.perf_counter()
            app.export_screenshot()
            frames.append(time.perf_counter() - drawn)
        polls = []
        for _ in range(20):
            polled = time.perf_counter()
            await app.poll()
            polls.append(time.perf_counter() - polled)
    return Figures(
        games=games,
        open_ms=opened * 1000,
        memory_kib=memory,
        keys=len(presses),
        key_ms=statistics.median(presses) * 1000,
        page_load_ms=statistics.median(loads) * 1000 if loads else 0.0,
        frame_ms=statistics.median(frames) * 1000,
        poll_ms=statistics.median(polls) * 1000,
    )


async def main(sizes: list[int], url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = create_database(url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await upgrade(database)
            engine = database.engine.dialect.name
            print(f"Dashboard with N games of {PLAYERS} players ({engine}, 160x50, headless)")
            print(
                f"{'games':>7} {'open ms':>8} {'memory MiB':>11} {'PgDn keys':>10} "
                f"{'ms/key':>7} {'page load ms':>13} {'repaint ms':>11} {'poll ms':>8}"
            )
            for size in sizes:
                await fill(database, size)
                found = await measure(database, size)
                print(
                    f"{found.games:>7} {found.open_ms:>8.0f} {found.memory_kib / 1024:>11.1f} "
                    f"{found.keys:>10} {found.key_ms:>7.0f} {found.page_load_ms:>13.1f} "
                    f"{found.frame_ms:>11.1f} {found.poll_ms:>8.1f}"
                )
        finally:
            await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--database-url", help="postgresql+asyncpg://... (emptied first)")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    asyncio.run(main(sizes, arguments.database_url))
    sys.exit(0)
