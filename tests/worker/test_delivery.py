"""What players receive from the worker, end to end through the sandbox with the real bot:
reminders, seat offers, cancellations, new times, status changes, and closed DMs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.services import outbox
from gamesched.services.games import GameEdit, cancel_game, edit_game, get_game
from tests.support.bot import announce, buttons, join
from tests.support.factories import START, START_UNIX
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator
from tests.support.worker import DrivenWorker


async def test_seated_players_get_one_reminder_with_time_and_link(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """At reminder time each seated player gets one DM (title, relative time, link); the
    waitlisted player gets none, and another pass sends nothing more."""
    bot = worker.bot
    game = await announce(bot, max_players=2)
    await join(discord, game, "sam", "zoe", "hana")
    await worker.drain()
    assert await discord.dms("sam") == []

    clock.now = START - timedelta(minutes=60)
    await worker.drain()
    (dm,) = await discord.dms("sam", at_least=1)
    assert "Azul" in dm["content"]
    assert f"<t:{START_UNIX}:R>" in dm["content"]
    link = f"https://discord.com/channels/{bot.guild_id}/{game.channel_id}/{game.message_id}"
    assert link in str(dm)
    assert dm["sandbox"]["pinged_nobody"]
    assert len(await discord.dms("zoe", at_least=1)) == 1
    assert await discord.dms("hana") == []  # waitlisted

    await worker.drain()
    assert len(await discord.dms("sam")) == 1
    assert await discord.violations() == []


async def test_closed_dms_are_recorded_and_not_retried(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """A player whose DMs are closed is marked unreachable for the game; the round still
    completes for everyone else and is never retried."""
    bot = worker.bot
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")
    clock.now = START - timedelta(minutes=60)
    await worker.drain()
    assert await outbox.unreachable_players(bot.services, game_id=game.id) == (bot.user_id("cleo"),)
    assert len(await discord.dms("sam", at_least=1)) == 1
    before = len(await discord.log())
    clock.now += outbox.LEASE * 3
    await worker.drain()
    posts = [entry for entry in (await discord.log())[before:] if entry["method"] == "POST"]
    assert posts == []


async def test_a_player_who_leaves_hands_the_seat_to_the_first_in_line(
    worker: DrivenWorker, discord: SandboxDriver
) -> None:
    """Leaving promotes the first waitlisted player, who is told once by DM, and the
    announcement shows the new roster."""
    bot = worker.bot
    game = await announce(bot, max_players=1)
    await join(discord, game, "sam", "zoe", "hana")
    left = await discord.click("sam", f"game:leave:v1:{game.id}", message_id=game.message_id)
    assert "left" in left.content
    await worker.drain()
    (dm,) = await discord.dms("zoe", at_least=1)
    assert "seat" in dm["content"]
    assert await discord.dms("hana") == []
    (message,) = await discord.messages("board-games")
    assert f"<@{bot.user_id('zoe')}>" in str(message["embeds"])
    await worker.drain()
    assert len(await discord.dms("zoe")) == 1


async def test_two_players_leaving_at_once_promote_exactly_two(
    worker: DrivenWorker, discord: SandboxDriver
) -> None:
    """Two seats freed together go to the first two in line, each told exactly once."""
    bot = worker.bot
    game = await announce(bot, max_players=2)
    await join(discord, game, "sam", "zoe", "hana", "taylor", "mia_mod")
    await asyncio.gather(
        *(
            discord.click(m, f"game:leave:v1:{game.id}", message_id=game.message_id)
            for m in ("sam", "zoe")
        )
    )
    await worker.drain()
    assert len(await discord.dms("hana", at_least=1)) == 1
    assert len(await discord.dms("taylor", at_least=1)) == 1
    assert await discord.dms("mia_mod") == []


async def test_cancelling_tells_players_and_stops_reminders(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Players of a cancelled game get one cancellation DM and no reminders afterwards; the
    announcement says cancelled with its buttons disabled."""
    bot = worker.bot
    game = await announce(bot, max_players=2)
    await join(discord, game, "sam", "zoe")
    admin = administrator(bot.world)
    await cancel_game(bot.services, actor=admin, game_id=game.id)
    await worker.drain()  # no bot interaction: the worker brings the announcement along
    (dm,) = await discord.dms("sam", at_least=1)
    assert "cancelled" in dm["content"]
    (message,) = await discord.messages("board-games")
    assert [button["disabled"] for button in buttons(message)] == [True, True]
    assert "ancel" in str(message["embeds"])
    clock.now = START - timedelta(minutes=15)
    await worker.drain()
    assert len(await discord.dms("sam")) == 1


async def test_moving_a_game_tells_players_the_new_time_and_moves_reminders(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """A new start time made outside the bot reaches the players by DM and the announcement;
    the reminder comes at the new time, not the old one."""
    bot = worker.bot
    game = await announce(bot, max_players=2)
    await join(discord, game, "sam")
    admin = administrator(bot.world)
    await edit_game(
        bot.services, actor=admin, game_id=game.id, edit=GameEdit(when="2026-12-06 19:00")
    )
    await worker.drain()
    new_start = int(datetime(2026, 12, 6, 19, 0, tzinfo=UTC).timestamp())
    (dm,) = await discord.dms("sam", at_least=1)
    assert f"<t:{new_start}:" in dm["content"]
    (message,) = await discord.messages("board-games")
    assert f"<t:{new_start}:F>" in str(message["embeds"])

    clock.now = START - timedelta(minutes=60)  # the old reminder time
    await worker.drain()
    assert len(await discord.dms("sam")) == 1
    clock.now = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
    await worker.drain()
    assert len(await discord.dms("sam", at_least=2)) == 2


async def test_buttons_follow_the_game_into_play_and_completion(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """At the start the game shows in progress with disabled buttons; after its duration it
    shows completed."""
    bot = worker.bot
    game = await announce(bot, max_players=2)
    await join(discord, game, "sam")
    clock.now = START
    await worker.drain()
    (message,) = await discord.messages("board-games")
    assert [button["disabled"] for button in buttons(message)] == [True, True]
    assert "progress" in str(message["embeds"]).lower()

    clock.now = START + timedelta(minutes=90)
    await worker.drain()
    (message,) = await discord.messages("board-games")
    assert "completed" in str(message["embeds"]).lower()
    assert [button["disabled"] for button in buttons(message)] == [True, True]
    assert (await get_game(bot.services, game.id)).status is GameStatus.COMPLETED
