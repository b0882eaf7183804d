"""The announcement sync: two processes racing on one game end showing the newest version."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

import pytest

from gamesched.db.engine import Database, create_database
from gamesched.discord.rest import DiscordForbidden, DiscordNotFound, DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.errors import NotFound
from gamesched.domain.recurrence import read_recurrence
from gamesched.domain.status import GameStatus
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from gamesched.services.games import NewGame, get_game
from gamesched.services.participation import join_game
from gamesched.services.series import SeriesStatus, create_series, get_series
from gamesched.services.views import GameView
from tests.support.environment import free_port
from tests.support.factories import make_game
from tests.support.fakes import FakeClock, NoMembers
from tests.support.sandbox import administrator, channel_id_of, user_id_of


class SlowEdits(DiscordRest):
    """A REST client whose next edit waits until the test lets it go (a slow process)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.hold = asyncio.Event()
        self.holding = asyncio.Event()

    async def edit_message(
        self, channel_id: int, message_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        self.holding.set()
        await self.hold.wait()
        return await super().edit_message(channel_id, message_id, payload)


async def brass(ctx: Context, world: World, *, channel_id: int | None = None) -> GameView:
    """A new, unannounced game in #board-games (or the channel given)."""
    return await make_game(
        ctx,
        title="Brass",
        guild_id=world.guilds[0].id,
        channel_id=channel_id or channel_id_of(world, "board-games"),
        host=administrator(world),
    )


async def test_a_slow_older_edit_landing_last_is_corrected(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """Process A renders version n and stalls; B shows n+1; A's edit lands last. The
    compare-and-set tells A it lost, so it renders again and the message shows n+1."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    sam, zoe = user_id_of(world, "sam"), user_id_of(world, "zoe")
    created = await brass(ctx, world)
    slow = SlowEdits(base_url=sandbox.base_url, token=world.token)
    fast = DiscordRest(base_url=sandbox.base_url, token=world.token)
    a, b = AnnouncementSync(ctx, slow), AnnouncementSync(ctx, fast)
    try:
        await b.publish(created.id)
        await join_game(ctx, game_id=created.id, user_id=sam)
        a.request(created.id)  # A renders "sam is in" and stalls before its edit
        await slow.holding.wait()
        await join_game(ctx, game_id=created.id, user_id=zoe)
        await b.publish(created.id)  # B shows sam and zoe
        slow.hold.set()  # A's older edit now lands last...
        await a.wait_idle()  # ...and A notices and shows the newest again

        game = await get_game(ctx, created.id)
        assert game.message_id is not None
        shown = str(sandbox.sandbox.state.messages[game.message_id].payload["embeds"])
        assert f"<@{sam}>" in shown
        assert f"<@{zoe}>" in shown
        assert game.rendered_version == game.version
    finally:
        await slow.aclose()
        await fast.aclose()


async def test_a_new_game_discord_refuses_to_announce_is_removed_again(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A new game whose announcement Discord refuses does not linger unannounced."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    created = await brass(ctx, world, channel_id=4242)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    try:
        with pytest.raises(DiscordNotFound):
            await AnnouncementSync(ctx, rest).announce_new(created.id)
    finally:
        await rest.aclose()
    with pytest.raises(NotFound):
        await get_game(ctx, created.id)


async def test_a_new_series_discord_refuses_to_announce_is_cancelled(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A new recurring game whose announcements Discord refuses makes no more games: the
    series is cancelled and none of its games stays scheduled."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    actor = administrator(world)
    when = (clock() + timedelta(days=2)).astimezone(UTC)
    created = await create_series(
        ctx,
        actor=actor,
        game=NewGame(
            guild_id=world.guilds[0].id,
            channel_id=4242,
            title="Weekly Brass",
            when=when.strftime("%Y-%m-%d %H:%M"),
            zone="UTC",
        ),
        recurrence=read_recurrence(f"weekly on {when:%a}"),
        ahead_days=14,
        carry_roster=False,
        directory=NoMembers(),
    )
    assert len(created.games) >= 2
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    try:
        with pytest.raises(DiscordNotFound):
            await AnnouncementSync(ctx, rest).announce_series(created, actor=actor)
    finally:
        await rest.aclose()
    series = await get_series(ctx, created.series.id)
    assert series.status is SeriesStatus.CANCELLED
    assert series.next_due_at is None
    for game in created.games[1:]:
        assert (await get_game(ctx, game.id)).status is GameStatus.CANCELLED


class RefusedAfterAnotherPosted(DiscordRest):
    """A REST client whose post is refused just after another process announced the game."""

    def __init__(self, other: AnnouncementSync, game_id: int, **options: Any) -> None:
        super().__init__(**options)
        self.other = other
        self.game_id = game_id

    async def create_message(self, channel_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        await self.other.publish(self.game_id)
        raise DiscordForbidden(403, 50013, "Missing Permissions")


async def test_a_new_game_another_process_announced_meanwhile_stands(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A refused post does not remove a game a worker announced meanwhile: it stays shown."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    created = await brass(ctx, world)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    refused = RefusedAfterAnotherPosted(
        AnnouncementSync(ctx, rest), created.id, base_url=sandbox.base_url, token=world.token
    )
    try:
        game = await AnnouncementSync(ctx, refused).announce_new(created.id)
    finally:
        await rest.aclose()
        await refused.aclose()
    assert game.message_id is not None
    assert game.message_id in sandbox.sandbox.state.messages


async def test_an_announcement_due_while_the_database_is_unreachable_fails_quietly(
    sandbox: RunningSandbox, demo_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A sync that cannot read the database leaves no stray task error and no per-game warning:
    the engine's one outage line says it, and the sweep tries again later."""
    world = demo_world
    unreachable = create_database(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x")
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    loop_errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: loop_errors.append(context))
    try:
        sync = AnnouncementSync(Context(database=unreachable), rest)
        for game_id in (1, 2, 3):
            sync.request(game_id)
        passes = [t for t in asyncio.all_tasks() if t.get_name().startswith("sync-game-")]
        await asyncio.wait(passes)  # unlike wait_idle, leaves their errors unretrieved
        del passes
        gc.collect()
    finally:
        loop.set_exception_handler(None)
        await rest.aclose()
        await unreachable.dispose()
    assert loop_errors == []
    assert [
        r
        for r in caplog.records
        if "announcement of game" in r.getMessage() and r.levelno >= logging.WARNING
    ] == []


async def test_a_request_made_as_a_pass_ends_is_not_lost(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A change whose sync is asked for just as the previous pass finishes still reaches the
    announcement (the request is not swallowed by the pass that is ending)."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    sam = user_id_of(world, "sam")
    created = await brass(ctx, world)
    slow = SlowEdits(base_url=sandbox.base_url, token=world.token)
    sync = AnnouncementSync(ctx, slow)
    try:
        slow.hold.set()
        await sync.publish(created.id)
        slow.hold.clear()
        slow.holding.clear()
        await join_game(ctx, game_id=created.id, user_id=sam)
        sync.request(created.id)  # renders "sam is in" and stalls before its edit
        await slow.holding.wait()
        await join_game(ctx, game_id=created.id, user_id=user_id_of(world, "zoe"))
        loop = asyncio.get_running_loop()
        # The next request comes in right after the pass's last step, before anything else.

        def request_next(_: GameView) -> None:
            loop.call_soon(sync.request, created.id)

        sync.on_synced = request_next
        slow.hold.set()
        await sync.wait_idle()
        sync.on_synced = None
        await sync.wait_idle()

        game = await get_game(ctx, created.id)
        assert game.rendered_version == game.version
        assert game.message_id is not None
        shown = str(sandbox.sandbox.state.messages[game.message_id].payload["embeds"])
        assert f"<@{user_id_of(world, 'zoe')}>" in shown
    finally:
        await slow.aclose()
