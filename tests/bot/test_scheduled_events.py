"""Games made and changed in Discord carry their scheduled event along (mirroring on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.discord.limits import EVENT_CANCELED, EVENT_SCHEDULED
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.configuration import configure_channel
from tests.support.bot import RunningBot, create_via_form
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator


async def test_a_game_made_and_cancelled_in_discord_makes_and_cancels_its_event(
    gamesched_bot: RunningBot, discord: SandboxDriver, clock: FakeClock
) -> None:
    """/create-game's form announces the game with its event; /cancel-game's confirmation
    click cancels the event with the game."""
    bot = gamesched_bot
    clock.now = datetime.now(UTC).replace(microsecond=0)
    start = (clock.now + timedelta(days=3)).replace(second=0)
    await configure_channel(
        bot.services,
        actor=administrator(bot.world),
        guild_id=bot.guild_id,
        channel_id=bot.channel_id("board-games"),
        patch=SettingsPatch(mirror_events=True),
    )
    game = await create_via_form(discord, bot, when=start.strftime("%Y-%m-%d %H:%M"))
    await bot.sync.wait_idle()
    (event,) = await discord.scheduled_events(bot.guild_id)
    assert (event["name"], event["status"]) == ("Catan night", EVENT_SCHEDULED)
    assert datetime.fromisoformat(event["scheduled_start_time"]) == start

    await discord.slash("olivia", "cancel-game", channel="board-games", options={"game": game.id})
    await discord.click("olivia", game_custom_id(Action.CANCEL_YES, game.id))
    await bot.sync.wait_idle()
    (event,) = await discord.scheduled_events(bot.guild_id)
    assert event["status"] == EVENT_CANCELED
    assert await discord.violations() == []
