"""What runs on every click, list, idle worker pass and dashboard poll is answered from
indexes, so it costs the same with ten games or ten thousand (SQLite and PostgreSQL).

On PostgreSQL the plans are read with sequential scans switched off: the planner then reads a
table whole only when no index can answer the query, whatever the table's size. SQLite's
planner takes an index whenever one fits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from gamesched.db.plans import Statement, full_scans, plan_of, statements_run
from gamesched.domain.settings import SettingsPatch
from gamesched.services import outbox, overview, workers
from gamesched.services.calendars import (
    FeedKey,
    FeedKind,
    feed_address,
    public_feed_address,
    read_feed,
)
from gamesched.services.configuration import configure_guild
from gamesched.services.context import Context
from gamesched.services.games import MAX_PAGE_SIZE, list_games, my_games
from gamesched.services.participation import join_game
from tests.support.factories import ADMIN, CHANNEL, GUILD, OTHER_CHANNEL, P1, P2, make_game

HotQuery = Callable[[Context, int], Awaitable[object]]
"""A front end's call, given the context and a game's id."""


async def member_feed(ctx: Context, _: int) -> object:
    """A calendar app reading a member's feed (made first, as /calendar does)."""
    address = await feed_address(ctx, FeedKey.of(None), user_id=P1)
    assert address.token is not None
    return await read_feed(ctx, token=address.token)


HOT_QUERIES: dict[str, HotQuery] = {
    "a Join click": lambda ctx, game_id: join_game(ctx, game_id=game_id, user_id=P2),
    "/list-games here": lambda ctx, _: list_games(ctx, guild_id=GUILD, channel_id=CHANNEL),
    "/list-games everywhere": lambda ctx, _: list_games(
        ctx, guild_id=GUILD, channel_ids={CHANNEL, OTHER_CHANNEL}
    ),
    "the game autocomplete": lambda ctx, _: list_games(
        ctx, guild_id=GUILD, channel_ids={CHANNEL, OTHER_CHANNEL}, limit=MAX_PAGE_SIZE
    ),
    "/my-games and the own-games autocomplete": lambda ctx, _: my_games(
        ctx, user_id=P1, guild_id=GUILD
    ),
    "the worker's claims": lambda ctx, _: outbox.claim_due(ctx, worker="w1"),
    "the worker's next due job": lambda ctx, _: outbox.next_due_at(ctx),
    "the worker's stale-announcement sweep": lambda ctx, _: outbox.stale_announcements(ctx),
    "the worker's heartbeat": lambda ctx, _: workers.heartbeat(ctx, worker="w1"),
    "the dashboard's change mark": lambda ctx, _: overview.change_mark(ctx),
    "the dashboard's changed-since poll": lambda ctx, _: overview.changed_games(
        ctx, since=None, known={}
    ),
    "the dashboard's announcements behind": lambda ctx, _: overview.announcements_behind(ctx),
    "the dashboard's upcoming work": lambda ctx, _: overview.upcoming_work(ctx),
    "a member's calendar feed": member_feed,
}


@pytest.mark.parametrize("name", HOT_QUERIES)
async def test_a_hot_query_reads_no_large_table_whole(ctx: Context, name: str) -> None:
    """No statement of the call reads the games, their players, jobs, DMs or history whole."""
    game = await make_game(ctx, host=ADMIN, joiners=(P1,))
    await make_game(ctx, channel_id=OTHER_CHANNEL, joiners=(P1,))
    with statements_run(ctx.database) as statements:
        await HOT_QUERIES[name](ctx, game.id)
    await assert_indexed(ctx, statements)


async def assert_indexed(ctx: Context, statements: list[Statement]) -> None:
    """Each statement is answered without reading a large table whole."""
    assert statements
    for statement in statements:
        plan = await plan_of(ctx.database, statement, sequential_scans=False)
        assert full_scans(plan) == [], f"{statement.sql}\n" + "\n".join(plan)


@pytest.mark.parametrize(
    ("kind", "place_id"), [(FeedKind.GUILD, GUILD), (FeedKind.CHANNEL, CHANNEL)]
)
async def test_a_calendar_app_reading_a_public_feed_reads_no_large_table_whole(
    ctx: Context, kind: FeedKind, place_id: int
) -> None:
    """A server's or channel's public feed is read from indexes, like a member's."""
    await make_game(ctx, host=ADMIN, joiners=(P1,))
    await make_game(ctx, channel_id=OTHER_CHANNEL, joiners=(P1,))
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(public_feed=True))
    address = await public_feed_address(ctx, FeedKey.of(None), kind=kind, place_id=place_id)
    assert address is not None
    assert address.token is not None
    with statements_run(ctx.database) as statements:
        assert await read_feed(ctx, token=address.token) is not None
    await assert_indexed(ctx, statements)


def test_whole_reads_are_told_from_index_searches() -> None:
    """A table read whole, or an index walked whole through a filter, is named; searches
    through an index, walks that stop at a LIMIT and walks of a partial index are not."""
    postgres = [
        "Limit",
        "  ->  Index Scan using pk_games on games",
        "        Filter: (message_id IS NULL)",
        "  ->  Seq Scan on jobs",
        "  ->  Seq Scan on guilds",
        "  ->  Index Scan using ix_games_updated_at on games",
        "        Index Cond: (updated_at > '2026-12-01')",
        "  ->  Index Only Scan Backward using ix_games_updated_at on games",
        "  ->  Index Scan using ix_jobs_open_due on jobs",
        "        Filter: (claimed_at IS NULL)",
    ]
    assert full_scans(postgres) == ["games (pk_games)", "jobs"]
    sqlite = [
        "SCAN games",
        "SCAN jobs USING INDEX ix_jobs_game_id",
        "SCAN games USING INDEX ix_games_announcement_behind",
        "SEARCH participants USING INDEX ix_participants_game_id (game_id=?)",
        "SCAN channels",
    ]
    assert full_scans(sqlite) == ["games", "jobs (ix_jobs_game_id)"]
