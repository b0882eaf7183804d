"""Listing games with filters and paging, and a member's own games."""

from __future__ import annotations

from gamesched.domain.settings import SettingsPatch
from gamesched.domain.status import GameStatus
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context
from gamesched.services.games import cancel_game, list_games, my_games
from gamesched.services.participation import join_game
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    OTHER_CHANNEL,
    make_game,
)

PLAYER_ID = 700_000_000_000_000_001


async def test_list_filters_by_channel_and_orders_by_start(ctx: Context) -> None:
    """This channel's games come soonest first; other channels' games are left out."""
    await make_game(ctx, title="Late", when="2026-12-09 19:00", channel_id=CHANNEL)
    await make_game(ctx, title="Early", when="2026-12-03 19:00", channel_id=CHANNEL)
    await make_game(ctx, title="Elsewhere", when="2026-12-04 19:00", channel_id=OTHER_CHANNEL)
    page = await list_games(ctx, guild_id=GUILD, channel_id=CHANNEL)
    assert [g.title for g in page.items] == ["Early", "Late"]
    everywhere = await list_games(ctx, guild_id=GUILD)
    assert [g.title for g in everywhere.items] == ["Early", "Elsewhere", "Late"]


async def test_list_pages_through_results(ctx: Context) -> None:
    """Pages of two walk through five games with a correct total and next offset."""
    for day in range(5):
        await make_game(ctx, title=f"Game {day}", when=f"2026-12-1{day} 19:00")
    first = await list_games(ctx, guild_id=GUILD, limit=2)
    last = await list_games(ctx, guild_id=GUILD, limit=2, offset=4)
    assert first.total == 5
    assert [g.title for g in first.items] == ["Game 0", "Game 1"]
    assert first.next_offset == 2
    assert [g.title for g in last.items] == ["Game 4"]
    assert last.next_offset is None


async def test_list_hides_cancelled_games_unless_asked(ctx: Context) -> None:
    """Cancelled games are not 'upcoming' but can be listed by status."""
    game_id = (await make_game(ctx, title="Called off", when="2026-12-05 19:00")).id
    await cancel_game(ctx, actor=ADMIN, game_id=game_id)
    assert (await list_games(ctx, guild_id=GUILD)).total == 0
    cancelled = await list_games(ctx, guild_id=GUILD, statuses=(GameStatus.CANCELLED,))
    assert [g.title for g in cancelled.items] == ["Called off"]


async def test_list_by_inherited_category(ctx: Context) -> None:
    """A channel's category applies to its games when filtering (case-insensitive)."""
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=OTHER_CHANNEL,
        patch=SettingsPatch(category="Board games"),
    )
    await make_game(ctx, title="Catan", when="2026-12-05 19:00", channel_id=OTHER_CHANNEL)
    await make_game(ctx, title="Valorant", when="2026-12-05 20:00", channel_id=CHANNEL)
    page = await list_games(ctx, guild_id=GUILD, category="board GAMES")
    assert [g.title for g in page.items] == ["Catan"]


async def test_my_games_lists_hosted_and_joined_soonest_first(ctx: Context) -> None:
    """A member sees the games they joined and the ones they host, with their role."""
    joined = await make_game(ctx, title="Joined", when="2026-12-08 19:00")
    await make_game(ctx, title="Hosted by admin", when="2026-12-02 19:00")
    await join_game(ctx, game_id=joined.id, user_id=PLAYER_ID)
    mine = await my_games(ctx, user_id=PLAYER_ID)
    assert [(m.game.title, m.role) for m in mine] == [("Joined", "joined")]
    hosted = await my_games(ctx, user_id=ADMIN.user_id)
    assert [(m.game.title, m.role) for m in hosted] == [
        ("Hosted by admin", "host"),
        ("Joined", "host"),
    ]
