"""Games mirrored as Discord scheduled events, end to end through the sandbox with the real bot
and the worker: the event follows every change of its game, and Discord's refusals (a full
server, a missing permission) reach the host once without holding up the announcement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gamesched.discord.limits import (
    EVENT_ACTIVE,
    EVENT_CANCELED,
    EVENT_COMPLETED,
    EVENT_SCHEDULED,
    EXTERNAL_EVENT,
    MAX_OPEN_SCHEDULED_EVENTS,
)
from gamesched.domain.recurrence import read_recurrence
from gamesched.domain.settings import SettingsPatch
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.scheduled_events import ScheduledEvent
from gamesched.sandbox.server import RunningSandbox
from gamesched.services.configuration import configure_channel
from gamesched.services.games import GameEdit, NewGame, cancel_game, edit_game, get_game
from gamesched.services.series import create_series, get_series
from gamesched.services.views import GameView
from tests.support.bot import RunningBot, join
from tests.support.factories import make_game
from tests.support.fakes import FakeClock, NoMembers
from tests.support.sandbox import administrator
from tests.support.worker import DrivenWorker

GAMESCHED_ROLE = "1180000000000000002"
"""The demo world's role of the bot (it holds Manage Events and Create Events)."""


def start_soon(clock: FakeClock) -> datetime:
    """Set the test clock to the real time (the sandbox judges an event's start by it) and
    return a start three days ahead."""
    clock.now = datetime.now(UTC).replace(microsecond=0)
    return (clock.now + timedelta(days=3)).replace(second=0)


async def mirror_in(bot: RunningBot, channel: str, *, on: bool = True) -> None:
    """Switch mirroring as scheduled events on (or off) for ``channel``."""
    await configure_channel(
        bot.services,
        actor=administrator(bot.world),
        guild_id=bot.guild_id,
        channel_id=bot.channel_id(channel),
        patch=SettingsPatch(mirror_events=on),
    )


async def announce_at(
    bot: RunningBot, start: datetime, *, title: str = "Azul", description: str = ""
) -> GameView:
    """A 90-minute game in #board-games at ``start`` by olivia, announced."""
    game = await new_game(bot, start, title=title, description=description)
    return await bot.sync.publish(game.id)


async def new_game(
    bot: RunningBot, start: datetime, *, title: str = "Azul", description: str = ""
) -> GameView:
    """A 90-minute game in #board-games at ``start`` by olivia, not announced yet."""
    game = await make_game(
        bot.services,
        title=title,
        when=start,
        guild_id=bot.guild_id,
        channel_id=bot.channel_id("board-games"),
        host=administrator(bot.world),
        duration_minutes=90,
    )
    if description:
        edit = GameEdit(description=description)
        return (
            await edit_game(
                bot.services, actor=administrator(bot.world), game_id=game.id, edit=edit
            )
        ).game
    return game


async def the_event(discord: SandboxDriver, bot: RunningBot) -> dict[str, Any]:
    """The guild's only scheduled event, once every sync finished."""
    await bot.sync.wait_idle()
    (event,) = await discord.scheduled_events(bot.guild_id)
    return event


async def test_the_event_follows_its_game_from_announcement_to_completion(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """With mirroring on, the announcement comes with an EXTERNAL event in #board-games at the
    game's time and with its link; an edit renames and moves it, a Join click keeps it
    current, the start makes it ACTIVE and the end COMPLETED."""
    bot = worker.bot
    start = start_soon(clock)
    await mirror_in(bot, "board-games")
    game = await announce_at(bot, start, description="Bring snacks.")

    event = await the_event(discord, bot)
    link = f"https://discord.com/channels/{bot.guild_id}/{game.channel_id}/{game.message_id}"
    assert event["name"] == "Azul"
    assert event["entity_type"] == EXTERNAL_EVENT
    assert event["status"] == EVENT_SCHEDULED
    assert event["entity_metadata"] == {"location": "#board-games"}
    assert event["description"] == f"Bring snacks.\n\nSign up: {link}"
    assert datetime.fromisoformat(event["scheduled_start_time"]) == start
    assert datetime.fromisoformat(event["scheduled_end_time"]) == start + timedelta(minutes=90)

    later = start + timedelta(hours=2)
    edit = GameEdit(title="Azul: Summer Pavilion", when=later)
    await edit_game(bot.services, actor=administrator(bot.world), game_id=game.id, edit=edit)
    await worker.drain()
    event = await the_event(discord, bot)
    assert event["name"] == "Azul: Summer Pavilion"
    assert datetime.fromisoformat(event["scheduled_start_time"]) == later

    await join(discord, game, "sam")
    await the_event(discord, bot)
    shown = await get_game(bot.services, game.id)
    assert shown.event_version == shown.version

    clock.now = later
    await worker.drain()
    assert (await the_event(discord, bot))["status"] == EVENT_ACTIVE
    clock.now = later + timedelta(minutes=90)
    await worker.drain()
    assert (await the_event(discord, bot))["status"] == EVENT_COMPLETED
    assert (await get_game(bot.services, game.id)).status is GameStatus.COMPLETED
    assert await discord.violations() == []


async def test_a_cancelled_game_cancels_its_event(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Cancelling a game that has not started cancels its event."""
    bot = worker.bot
    await mirror_in(bot, "board-games")
    game = await announce_at(bot, start_soon(clock))
    await the_event(discord, bot)
    await cancel_game(bot.services, actor=administrator(bot.world), game_id=game.id)
    await worker.drain()
    assert (await the_event(discord, bot))["status"] == EVENT_CANCELED


async def test_a_game_cancelled_while_running_loses_its_event(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Discord cancels only events that have not started: a running game's event is deleted
    when the game is cancelled."""
    bot = worker.bot
    await mirror_in(bot, "board-games")
    start = start_soon(clock)
    game = await announce_at(bot, start)
    clock.now = start
    await worker.drain()
    assert (await the_event(discord, bot))["status"] == EVENT_ACTIVE
    await cancel_game(bot.services, actor=administrator(bot.world), game_id=game.id)
    await worker.drain()
    await bot.sync.wait_idle()
    assert await discord.scheduled_events(bot.guild_id) == []
    assert await discord.violations() == []


async def test_without_mirroring_no_event_is_made(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Mirroring is off unless switched on: a game is announced and no event is created."""
    bot = worker.bot
    game = await announce_at(bot, start_soon(clock))
    await worker.drain()
    assert game.message_id is not None
    assert await discord.scheduled_events(bot.guild_id) == []


async def test_switching_mirroring_off_removes_the_events(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Switching mirroring off deletes the events of the place's upcoming games (none is left
    stale); switching it on again gives them new ones."""
    bot = worker.bot
    await mirror_in(bot, "board-games")
    await announce_at(bot, start_soon(clock))
    await the_event(discord, bot)
    await mirror_in(bot, "board-games", on=False)
    await worker.drain()
    await bot.sync.wait_idle()
    assert await discord.scheduled_events(bot.guild_id) == []
    await mirror_in(bot, "board-games")
    await worker.drain()
    assert (await the_event(discord, bot))["status"] == EVENT_SCHEDULED


async def test_a_full_server_still_gets_the_announcement_and_the_host_hears_once(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock, sandbox: RunningSandbox
) -> None:
    """With 100 upcoming events in the server, the game is announced anyway, no event is
    made, and its host gets exactly one DM saying why, however often the game changes."""
    bot = worker.bot
    start = start_soon(clock)
    await mirror_in(bot, "board-games")
    fill_events(sandbox, bot, start)
    game = await announce_at(bot, start, title="Brass")
    await worker.drain()
    assert game.message_id is not None
    await join(discord, game, "sam")
    await worker.drain()

    (dm,) = await discord.dms("olivia", at_least=1)
    assert "Brass" in dm["content"]
    assert f"{MAX_OPEN_SCHEDULED_EVENTS} upcoming events" in dm["content"]
    events = await discord.scheduled_events(bot.guild_id)
    assert "Brass" not in {event["name"] for event in events}
    assert await discord.violations() == []


async def test_a_missing_permission_is_named_to_the_host_once(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """When the bot may not create events, the game is announced, its host is told once to
    give the bot Manage Events, and nothing fails; granted again, the next change mirrors it."""
    bot = worker.bot
    await discord.change_role(
        bot.guild_id, GAMESCHED_ROLE, revoke=["MANAGE_EVENTS", "CREATE_EVENTS"]
    )
    await mirror_in(bot, "board-games")
    game = await announce_at(bot, start_soon(clock))
    await join(discord, game, "sam")
    await worker.drain()

    assert game.message_id is not None
    (dm,) = await discord.dms("olivia", at_least=1)
    assert "Manage Events" in dm["content"]
    assert await discord.scheduled_events(bot.guild_id) == []

    await discord.change_role(bot.guild_id, GAMESCHED_ROLE, grant=["CREATE_EVENTS"])
    await join(discord, game, "zoe")
    assert (await the_event(discord, bot))["name"] == "Azul"


async def test_a_long_description_is_cut_to_discords_limit_keeping_the_link(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """A description longer than an event's 1000 characters is cut, and the announcement's
    link after it survives whole."""
    bot = worker.bot
    await mirror_in(bot, "board-games")
    game = await announce_at(bot, start_soon(clock), title="T" * 100, description="d" * 1500)
    event = await the_event(discord, bot)
    assert event["name"] == "T" * 100
    assert len(event["description"]) == 1000
    assert event["description"].endswith(f"/{game.message_id}")
    assert "d…\n\nSign up: https://" in event["description"]


async def test_only_the_next_occurrence_of_a_series_is_mirrored(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Of a weekly series only the game still to play first has an event: the next game,
    made by the worker when the first starts, gets its own once the first completes."""
    bot = worker.bot
    await mirror_in(bot, "board-games")
    start = start_soon(clock)
    olivia = administrator(bot.world)
    made = await create_series(
        bot.services,
        actor=olivia,
        game=NewGame(
            guild_id=bot.guild_id,
            channel_id=bot.channel_id("board-games"),
            title="Weekly Azul",
            when=start.strftime("%Y-%m-%d %H:%M"),
            zone="UTC",
            duration_minutes=90,
        ),
        recurrence=read_recurrence(f"weekly on {start:%a}"),
        directory=NoMembers(),
    )
    await bot.sync.announce_series(made, actor=olivia)
    await bot.sync.wait_idle()
    events = await discord.scheduled_events(bot.guild_id)
    assert [datetime.fromisoformat(e["scheduled_start_time"]) for e in events] == [start]

    clock.now = start + timedelta(minutes=1)
    await worker.drain()
    await bot.sync.wait_idle()
    assert len((await get_series(bot.services, made.series.id)).game_ids) == 2
    events = await discord.scheduled_events(bot.guild_id)
    assert [e["status"] for e in events] == [EVENT_ACTIVE]

    clock.now = start + timedelta(minutes=91)
    await worker.drain()
    await bot.sync.wait_idle()
    events = await discord.scheduled_events(bot.guild_id)
    assert [(datetime.fromisoformat(e["scheduled_start_time"]), e["status"]) for e in events] == [
        (start, EVENT_COMPLETED),
        (start + timedelta(days=7), EVENT_SCHEDULED),
    ]


def fill_events(sandbox: RunningSandbox, bot: RunningBot, start: datetime) -> None:
    """Give the guild 100 open events (as its moderators could have)."""
    state = sandbox.state
    for n in range(MAX_OPEN_SCHEDULED_EVENTS):
        event = ScheduledEvent(
            id=state.snowflake(),
            guild_id=bot.guild_id,
            creator_id=bot.user_id("olivia"),
            name=f"Event {n}",
            entity_type=EXTERNAL_EVENT,
            start=start,
            end=start + timedelta(hours=1),
            location="somewhere",
        )
        state.scheduled_events[event.id] = event
