"""The scheduled-event step of the announcement sync under races and failures: two processes
keep one event, an event deleted in Discord comes back, and a failing event never holds up
the announcement."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from gamesched.db.engine import Database
from gamesched.discord.limits import EVENT_SCHEDULED
from gamesched.discord.rest import DiscordRest, DiscordUnavailable
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context
from gamesched.services.games import get_game
from gamesched.services.participation import join_game
from gamesched.services.views import GameView
from tests.support.factories import make_game
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator, channel_id_of, user_id_of


async def mirror(ctx: Context, world: World) -> None:
    """Switch mirroring on in #board-games (its live games are brought up to date)."""
    await configure_channel(
        ctx,
        actor=administrator(world),
        guild_id=world.guilds[0].id,
        channel_id=channel_id_of(world, "board-games"),
        patch=SettingsPatch(mirror_events=True),
    )


async def mirrored_game(
    ctx: Context, clock: FakeClock, world: World, *, mirrored: bool = True
) -> GameView:
    """A new, unannounced game in #board-games three days ahead of the real time (the
    sandbox judges an event's start by it), with mirroring on there unless not ``mirrored``."""
    clock.now = datetime.now(UTC).replace(microsecond=0)
    guild_id, channel_id = world.guilds[0].id, channel_id_of(world, "board-games")
    if mirrored:
        await mirror(ctx, world)
    return await make_game(
        ctx,
        title="Brass",
        when=(clock.now + timedelta(days=3)).replace(second=0),
        guild_id=guild_id,
        channel_id=channel_id,
        host=administrator(world),
    )


class SlowCreates(DiscordRest):
    """A REST client whose event creation waits until the test lets it go (a slow
    process)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.hold = asyncio.Event()
        self.holding = asyncio.Event()

    async def create_scheduled_event(
        self, guild_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        self.holding.set()
        await self.hold.wait()
        return await super().create_scheduled_event(guild_id, payload)


class EventsDown(DiscordRest):
    """A REST client for which Discord's event routes fail with 5xx after every retry."""

    async def create_scheduled_event(
        self, guild_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        raise DiscordUnavailable(503, 0, "POST /guilds/{id}/scheduled-events failed 4 times")


async def test_two_processes_mirroring_one_game_keep_one_event(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """Two processes create the game's event at once: the one that records second deletes
    its own, so the server shows one event, the one the game records."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    game = await mirrored_game(ctx, clock, world, mirrored=False)
    slow = SlowCreates(base_url=sandbox.base_url, token=world.token)
    fast = DiscordRest(base_url=sandbox.base_url, token=world.token)
    a, b = AnnouncementSync(ctx, slow), AnnouncementSync(ctx, fast)
    try:
        await b.publish(game.id)
        await mirror(ctx, world)
        a.request(game.id)
        await slow.holding.wait()  # A found no event and is about to create one...
        b.request(game.id)
        await b.wait_idle()  # ...while B creates and records its own
        slow.hold.set()
        await a.wait_idle()
    finally:
        await slow.aclose()
        await fast.aclose()
    events = list(sandbox.sandbox.state.scheduled_events.values())
    shown = await get_game(ctx, game.id)
    assert [event.id for event in events] == [shown.event_id]


async def test_an_event_deleted_in_discord_is_made_again_at_the_next_change(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A moderator deletes the game's event in Discord: the next change to the game gives it
    a new one."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    game = await mirrored_game(ctx, clock, world)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    sync = AnnouncementSync(ctx, rest)
    try:
        await sync.publish(game.id)
        first = await get_game(ctx, game.id)
        assert first.event_id is not None
        await rest.delete_scheduled_event(first.guild_id, first.event_id)
        await join_game(ctx, game_id=game.id, user_id=user_id_of(world, "sam"))
        sync.request(game.id)
        await sync.wait_idle()
    finally:
        await rest.aclose()
    again = await get_game(ctx, game.id)
    assert again.event_id not in (None, first.event_id)
    (event,) = sandbox.sandbox.state.scheduled_events.values()
    assert (event.id, event.status) == (again.event_id, EVENT_SCHEDULED)


async def test_events_failing_never_hold_up_the_announcement(
    database: Database, clock: FakeClock, sandbox: RunningSandbox, demo_world: World
) -> None:
    """Discord's event routes failing after every retry: the new game is still announced and
    stands, and nothing is recorded as mirrored (a later pass tries again)."""
    world = demo_world
    ctx = Context(database=database, clock=clock)
    game = await mirrored_game(ctx, clock, world)
    rest = EventsDown(base_url=sandbox.base_url, token=world.token)
    try:
        announced = await AnnouncementSync(ctx, rest).announce_new(game.id)
    finally:
        await rest.aclose()
    assert announced.message_id in sandbox.sandbox.state.messages
    shown = await get_game(ctx, game.id)
    assert (shown.message_id, shown.event_id, shown.event_version) == (
        announced.message_id,
        None,
        0,
    )
