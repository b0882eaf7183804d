"""Moving a game to another channel of its server: settings re-inherit, the plan follows, the
announcement is left to be posted anew there, nobody is told twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, HistoryRow, NotificationRow
from gamesched.domain.errors import Conflict, PermissionDenied, ValidationFailed
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch, Source
from gamesched.services import outbox
from gamesched.services.announcements import record_rendered
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context, FrontEnd, Origin
from gamesched.services.games import cancel_game, get_game, move_game
from gamesched.services.history import Action, game_history
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    GUILD,
    OTHER_CHANNEL,
    P1,
    P2,
    P3,
    PLAYER,
    START,
    make_game,
)
from tests.support.fakes import FakeClock

OTHER_GUILD = 100_000_000_000_000_009
FOREIGN_CHANNEL = 100_000_000_000_000_909
OLD_MESSAGE = 700_000_000_000_000_001
OPERATOR = Actor.operator()


async def reminder_offsets(ctx: Context, game_id: int) -> list[int]:
    async with ctx.transaction() as session:
        jobs = await repo.pending_jobs(session, game_id)
    return sorted(j.offset_minutes for j in jobs if j.kind == "reminder")


async def notices(ctx: Context, game_id: int) -> list[tuple[int, str]]:
    async with ctx.transaction() as session:
        return [(n.user_id, n.kind) for n in await repo.notifications_of(session, game_id)]


async def test_a_moved_game_takes_the_new_channels_settings_and_plan(ctx: Context) -> None:
    """Settings the game does not set itself come from the new channel; its reminders are
    planned again with them; a higher cap there seats the waitlist, and they are told."""
    await configure_channel(
        ctx,
        actor=OPERATOR,
        guild_id=GUILD,
        channel_id=OTHER_CHANNEL,
        patch=SettingsPatch(max_players=3, reminder_minutes=(30,)),
    )
    await configure_channel(
        ctx, actor=OPERATOR, guild_id=GUILD, channel_id=CHANNEL, patch=SettingsPatch(max_players=1)
    )
    game = await make_game(ctx, joiners=(P1, P2, P3))
    moved = await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=OTHER_CHANNEL)

    assert moved.game.channel_id == OTHER_CHANNEL
    assert moved.from_channel_id == CHANNEL
    assert moved.game.settings.max_players.value == 3
    assert moved.game.settings.max_players.source is Source.CHANNEL
    assert moved.game.joined == (P1, P2, P3)
    assert moved.promoted == (P2, P3)
    assert moved.game.start_at == START
    assert await reminder_offsets(ctx, game.id) == [30]
    assert sorted(await notices(ctx, game.id)) == [(P2, "promoted"), (P3, "promoted")]


async def test_the_announcement_is_to_be_posted_anew_and_the_old_one_returned(
    ctx: Context, clock: FakeClock
) -> None:
    """The game is left unannounced in its new channel and the old message is handed back to
    be deleted; the worker's sweep leaves it to the front end that moved it for the grace a
    new game gets, then posts it."""
    game = await make_game(ctx)
    await record_rendered(ctx, game_id=game.id, message_id=OLD_MESSAGE, version=game.version)

    moved = await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=OTHER_CHANNEL)

    assert moved.old_message_id == OLD_MESSAGE
    stored = await get_game(ctx, game.id)
    assert stored.message_id is None
    assert stored.rendered_version == 0
    assert stored.needs_sync
    for ago, swept in ((timedelta(minutes=1), False), (timedelta(minutes=5), True)):
        async with ctx.transaction() as session:  # moved that long ago, created long before
            await session.execute(
                update(GameRow).values(
                    created_at=clock.now - timedelta(days=1), updated_at=clock.now - ago
                )
            )
        assert (game.id in await outbox.stale_announcements(ctx)) is swept


async def test_nobody_is_dmed_about_a_move(ctx: Context) -> None:
    """The start stays the same: a move owes no DM (a second move neither)."""
    game = await make_game(ctx, max_players=4, joiners=(P1, P2))
    await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=OTHER_CHANNEL)
    await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=CHANNEL)
    async with ctx.transaction() as session:
        owed = await session.scalar(select(func.count()).select_from(NotificationRow))
    assert owed == 0


async def test_the_move_is_in_the_history_as_the_operators(ctx: Context) -> None:
    """The entry says moved, from which channel to which and the message left behind, and
    names the operator and the front end."""
    game = await make_game(ctx)
    await record_rendered(ctx, game_id=game.id, message_id=OLD_MESSAGE, version=game.version)
    tui = ctx.acting_from(Origin(FrontEnd.TUI, operator="alice"))
    await move_game(tui, actor=ADMIN, game_id=game.id, channel_id=OTHER_CHANNEL)

    entry = (await game_history(ctx, game.id))[-1]
    assert entry.action is Action.MOVED
    assert entry.origin is FrontEnd.TUI
    assert entry.operator == "alice"
    assert entry.channel_id == OTHER_CHANNEL
    assert entry.changes["channel_id"] == [CHANNEL, OTHER_CHANNEL]
    assert entry.changes["message_id"] == [OLD_MESSAGE, None]


async def test_a_move_that_cannot_be_done_changes_nothing(ctx: Context) -> None:
    """The channel it is in, a channel of another server, a player who is not its host and a
    cancelled game are refused, with the reason, and leave the game and history as they were."""
    game = await make_game(ctx)
    await configure_channel(
        ctx, actor=OPERATOR, guild_id=OTHER_GUILD, channel_id=FOREIGN_CHANNEL, patch=SettingsPatch()
    )
    async with ctx.transaction() as session:
        entries = await session.scalar(select(func.count()).select_from(HistoryRow))

    with pytest.raises(ValidationFailed, match="already announced in that channel"):
        await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=CHANNEL)
    with pytest.raises(ValidationFailed, match="belongs to another server"):
        await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=FOREIGN_CHANNEL)
    with pytest.raises(PermissionDenied):
        await move_game(ctx, actor=PLAYER, game_id=game.id, channel_id=OTHER_CHANNEL)

    assert (await get_game(ctx, game.id)).channel_id == CHANNEL
    async with ctx.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(HistoryRow)) == entries
        assert await repo.get_channel(session, FOREIGN_CHANNEL) is not None

    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    with pytest.raises(Conflict, match="cancelled"):
        await move_game(ctx, actor=ADMIN, game_id=game.id, channel_id=OTHER_CHANNEL)
