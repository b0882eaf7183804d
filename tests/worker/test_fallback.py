"""Players whose DMs are closed, end to end with the worker and the real bot: the host sees
them in /game-info, and a channel that asks for it gets the reminder for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.services import outbox
from tests.support.bot import announce, join
from tests.support.factories import START, START_UNIX
from tests.support.fakes import FakeClock
from tests.support.worker import DrivenWorker


async def test_the_host_sees_in_game_info_who_could_not_be_reached(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """After a reminder round, /game-info tells the host (privately, pinging nobody) which
    players have closed DMs; a plain member sees the game but not that list."""
    bot = worker.bot
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")
    clock.now = START - timedelta(minutes=60)
    await worker.drain()

    cleo, sam = (f"<@{bot.user_id(name)}>" for name in ("cleo", "sam"))
    host = await discord.slash(
        "olivia", "game-info", channel="board-games", options={"game": game.id}
    )
    assert host.ephemeral
    assert host.content == f"Could not be reached by DM: {cleo}"
    assert host.message is not None
    assert host.message["sandbox"]["pinged_nobody"]
    (embed,) = host.message["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "Azul"
    assert fields["When"] == f"<t:{START_UNIX}:F>\n<t:{START_UNIX}:R>"
    assert fields["Seats"] == "2/3"
    assert fields["Status"] == "Scheduled"
    assert fields["Participants"] == f"{cleo}\n{sam}"
    assert "Duration: 1 h 30 min · _set on the game_" in fields["Settings"]
    link = f"https://discord.com/channels/{bot.guild_id}/{game.channel_id}/{game.message_id}"
    assert link in fields["Announcement"]

    member = await discord.slash(
        "taylor", "game-info", channel="board-games", options={"game": game.id}
    )
    assert member.ephemeral
    assert member.content == ""
    assert member.message is not None
    (seen,) = member.message["embeds"]
    assert seen["title"] == "Azul"
    assert "reached" not in str(member.message)


async def channel_reminders_posted(discord: SandboxDriver, channel_id: int) -> list[Any]:
    """Messages in the channel that carry a reminder (the announcement does not)."""
    return [m for m in await discord.messages(channel_id) if "Reminder," in m["content"]]


async def test_a_channel_that_asks_gets_one_reminder_pinging_only_the_unreachable(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """With channel reminders on, a round where cleo's DMs are closed posts one message in the
    game's channel pinging cleo alone; another pass, even after the lease, posts no more."""
    bot = worker.bot
    saved = await discord.slash(
        "olivia", "config-channel", channel="board-games", options={"remind_in_channel": True}
    )
    assert "closed DMs:** on" in saved.content
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")
    clock.now = START - timedelta(minutes=60)
    await worker.drain()

    (posted,) = await channel_reminders_posted(discord, game.channel_id)
    cleo = bot.user_id("cleo")
    assert posted["sandbox"]["pinged_users"] == [str(cleo)]
    assert posted["content"].startswith(f"<@{cleo}>\n")
    assert f"<@{bot.user_id('sam')}>" not in posted["content"]
    assert f"<t:{START_UNIX}:R>" in posted["content"]
    assert len(await discord.dms("sam", at_least=1)) == 1

    clock.now += outbox.LEASE * 3
    await worker.drain()
    assert len(await channel_reminders_posted(discord, game.channel_id)) == 1


async def test_a_channel_left_at_the_default_gets_no_reminder_post(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """With channel reminders off (the default), closed DMs are only recorded: nothing is
    posted in the channel."""
    bot = worker.bot
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")
    clock.now = START - timedelta(minutes=60)
    await worker.drain()
    assert await outbox.unreachable_players(bot.services, game_id=game.id) == (bot.user_id("cleo"),)
    assert await channel_reminders_posted(discord, game.channel_id) == []


async def test_a_round_reclaimed_after_a_crash_does_not_post_in_the_channel_again(
    worker: DrivenWorker,
    discord: SandboxDriver,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker that dies after the channel post but before closing the job leaves it to be
    re-claimed; the next worker sees the post recorded and sends nothing to the channel."""
    bot = worker.bot
    await discord.slash(
        "olivia", "config-guild", channel="general", options={"remind_in_channel": True}
    )
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")

    async def crash(*args: Any, **kwargs: Any) -> None:
        """The process dies before the job is marked done."""

    monkeypatch.setattr(outbox, "finish_job", crash)
    clock.now = START - timedelta(minutes=60)
    await worker.drain()
    monkeypatch.undo()
    assert len(await channel_reminders_posted(discord, game.channel_id)) == 1
    assert await outbox.pending_work(bot.services, game_ids=[game.id]) > 0

    before = len(await discord.log())
    clock.now += outbox.LEASE * 2
    await worker.drain()
    route = f"/channels/{game.channel_id}/messages"
    log = (await discord.log())[before:]
    posts = [e for e in log if (e["method"], e["path"]) == ("POST", route)]
    assert posts == []
    assert len(await channel_reminders_posted(discord, game.channel_id)) == 1
