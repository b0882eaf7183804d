"""Listing games with filters and paging, and a member's own games."""

from __future__ import annotations

from gamesched.domain.settings import SettingsPatch
from gamesched.domain.status import GameStatus
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context
from gamesched.services.games import NewGame, cancel_game, create_game, list_games, my_games
from gamesched.services.participation import join_game
from tests.support.factories import ADMIN, CHANNEL, CHANNEL_KEEPER, GUILD, OTHER_CHANNEL
from tests.support.fakes import StaticDirectory

PLAYER_ID = 700_000_000_000_000_001


async def add(ctx: Context, directory: StaticDirectory, title: str, when: str, channel: int) -> int:
    new = NewGame(guild_id=GUILD, channel_id=channel, title=title, when=when)
    return (await create_game(ctx, actor=ADMIN, new=new, directory=directory)).game.id


async def test_list_filters_by_channel_and_orders_by_start(
    ctx: Context, directory: StaticDirectory
) -> None:
    """This channel's games come soonest first; other channels' games are left out."""
    await add(ctx, directory, "Late", "2026-12-09 19:00", CHANNEL)
    await add(ctx, directory, "Early", "2026-12-03 19:00", CHANNEL)
    await add(ctx, directory, "Elsewhere", "2026-12-04 19:00", OTHER_CHANNEL)
    page = await list_games(ctx, guild_id=GUILD, channel_id=CHANNEL)
    assert [g.title for g in page.items] == ["Early", "Late"]
    everywhere = await list_games(ctx, guild_id=GUILD)
    assert [g.title for g in everywhere.items] == ["Early", "Elsewhere", "Late"]


async def test_list_pages_through_results(ctx: Context, directory: StaticDirectory) -> None:
    """Pages of two walk through five games with a correct total and next offset."""
    for day in range(5):
        await add(ctx, directory, f"Game {day}", f"2026-12-1{day} 19:00", CHANNEL)
    first = await list_games(ctx, guild_id=GUILD, limit=2)
    last = await list_games(ctx, guild_id=GUILD, limit=2, offset=4)
    assert first.total == 5
    assert [g.title for g in first.items] == ["Game 0", "Game 1"]
    assert first.next_offset == 2
    assert [g.title for g in last.items] == ["Game 4"]
    assert last.next_offset is None


async def test_list_hides_cancelled_games_unless_asked(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Cancelled games are not 'upcoming' but can be listed by status."""
    game_id = await add(ctx, directory, "Called off", "2026-12-05 19:00", CHANNEL)
    await cancel_game(ctx, actor=ADMIN, game_id=game_id)
    assert (await list_games(ctx, guild_id=GUILD)).total == 0
    cancelled = await list_games(ctx, guild_id=GUILD, statuses=(GameStatus.CANCELLED,))
    assert [g.title for g in cancelled.items] == ["Called off"]


async def test_list_by_inherited_category(ctx: Context, directory: StaticDirectory) -> None:
    """A channel's category applies to its games when filtering (case-insensitive)."""
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=OTHER_CHANNEL,
        patch=SettingsPatch(category="Board games"),
    )
    await add(ctx, directory, "Catan", "2026-12-05 19:00", OTHER_CHANNEL)
    await add(ctx, directory, "Valorant", "2026-12-05 20:00", CHANNEL)
    page = await list_games(ctx, guild_id=GUILD, category="board GAMES")
    assert [g.title for g in page.items] == ["Catan"]


async def test_my_games_lists_hosted_and_joined_soonest_first(
    ctx: Context, directory: StaticDirectory
) -> None:
    """A member sees the games they joined and the ones they host, with their role."""
    joined_id = await add(ctx, directory, "Joined", "2026-12-08 19:00", CHANNEL)
    await add(ctx, directory, "Hosted by admin", "2026-12-02 19:00", CHANNEL)
    await join_game(ctx, game_id=joined_id, user_id=PLAYER_ID)
    mine = await my_games(ctx, user_id=PLAYER_ID)
    assert [(m.game.title, m.role) for m in mine] == [("Joined", "joined")]
    hosted = await my_games(ctx, user_id=ADMIN.user_id)
    assert [(m.game.title, m.role) for m in hosted] == [
        ("Hosted by admin", "host"),
        ("Joined", "host"),
    ]
