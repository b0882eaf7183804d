"""The scheduled-event bookkeeping: one event per game kept by compare-and-set, problems told
to the host once, and only a series' next occurrence mirrored."""

from __future__ import annotations

from datetime import timedelta

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, SeriesRow
from gamesched.domain.settings import SettingsPatch
from gamesched.services import event_mirror
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.planning import NoticeKind
from tests.support.factories import ADMIN, CHANNEL, CHANNEL_KEEPER, GUILD, START, make_game


async def host_notices(ctx: Context, game_id: int) -> list[str]:
    async with ctx.transaction() as session:
        return [n.kind for n in await repo.notifications_of(session, game_id)]


async def test_an_event_is_recorded_once_and_never_as_an_older_version(ctx: Context) -> None:
    """The first process to record its new event keeps it; a second one's record fails (it
    deletes its own), and an older version never overwrites a newer one."""
    game = await make_game(ctx)
    record = event_mirror.record_event
    assert await record(ctx, game_id=game.id, was=None, event_id=7, version=1)
    assert not await record(ctx, game_id=game.id, was=None, event_id=8, version=1)
    assert await record(ctx, game_id=game.id, was=7, event_id=7, version=3)
    assert not await record(ctx, game_id=game.id, was=7, event_id=7, version=2)
    shown = await get_game(ctx, game.id)
    assert (shown.event_id, shown.event_version) == (7, 3)

    await event_mirror.forget_event(ctx, game_id=game.id, event_id=7)
    shown = await get_game(ctx, game.id)
    assert (shown.event_id, shown.event_version) == (None, 0)


async def test_a_problem_is_told_to_the_host_once_until_the_game_is_mirrored(
    ctx: Context,
) -> None:
    """The same refusal again owes the host no second DM; once the game is mirrored, a new
    refusal is news again."""
    game = await make_game(ctx, host=ADMIN)
    full = event_mirror.EventProblem.EVENTS_FULL
    assert await event_mirror.report_problem(ctx, game_id=game.id, problem=full)
    assert not await event_mirror.report_problem(ctx, game_id=game.id, problem=full)
    assert await host_notices(ctx, game.id) == [NoticeKind.EVENTS_FULL]

    await event_mirror.record_event(ctx, game_id=game.id, was=None, event_id=7, version=1)
    assert await event_mirror.report_problem(
        ctx, game_id=game.id, problem=event_mirror.EventProblem.NO_PERMISSION
    )
    assert await host_notices(ctx, game.id) == [
        NoticeKind.EVENTS_FULL,
        NoticeKind.EVENTS_FORBIDDEN,
    ]


async def test_only_the_series_next_occurrence_is_wanted(ctx: Context) -> None:
    """With mirroring on, a game on its own is wanted; of a series only its earliest game
    still to play is, and the next one once that one ends."""
    patch = SettingsPatch(mirror_events=True)
    await configure_channel(
        ctx, actor=CHANNEL_KEEPER, guild_id=GUILD, channel_id=CHANNEL, patch=patch
    )
    alone = await make_game(ctx)
    first = await make_game(ctx, when=START + timedelta(days=7))
    second = await make_game(ctx, when=START + timedelta(days=14))
    async with ctx.transaction() as session:
        series = SeriesRow(
            guild_id=GUILD,
            channel_id=CHANNEL,
            host_id=ADMIN.user_id,
            title="Weekly",
            timezone="UTC",
            wall_time=START.time(),
            rule={"weekly": True},
            starts_on=START.date(),
        )
        session.add(series)
        await session.flush()
        for game in (first, second):
            row = await session.get(GameRow, game.id)
            assert row is not None
            row.series_id, row.occurrence_on = series.id, game.start_at.date()

    async def wanted(game_id: int) -> bool:
        return await event_mirror.wanted(ctx, await get_game(ctx, game_id))

    assert [await wanted(g.id) for g in (alone, first, second)] == [True, True, False]
    async with ctx.transaction() as session:
        row = await session.get(GameRow, first.id)
        assert row is not None
        row.status = "completed"
    assert [await wanted(g.id) for g in (first, second)] == [False, True]
