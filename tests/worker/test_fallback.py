"""Players whose DMs are closed, end to end with the worker and the real bot: the host sees
them in /game-info, and a channel that asks for it gets the reminder for them."""

from __future__ import annotations

from datetime import timedelta

from gamesched.sandbox.driver import SandboxDriver
from tests.conftest import FakeClock
from tests.worker.conftest import DrivenWorker
from tests.worker.test_delivery import START, START_UNIX, announce, join


async def test_the_host_sees_in_game_info_who_could_not_be_reached(
    worker: DrivenWorker, discord: SandboxDriver, clock: FakeClock
) -> None:
    """After a reminder round, /game-info tells the host (privately, pinging nobody) which
    players have closed DMs; a plain member sees the game but not that list."""
    bot = worker.bot
    game = await announce(bot, cap=3)
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
