"""Commands that act on another channel than the one they were typed in are decided by the
member's rights in that other channel, worked out from roles and overwrites."""

from __future__ import annotations

import dataclasses

import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.world import VIEW_CHANNEL, Channel, Overwrite, World
from gamesched.services.configuration import channel_settings
from tests.support.bot import RunningBot, create_via_form
from tests.support.sandbox import load_demo_world

MANAGE_CHANNELS = 1 << 4


@pytest.fixture
def demo_world() -> World:
    """The demo world with #rpg hidden from everyone but admins and the bot, and Channel
    Keepers stripped of Manage Channels in #lfg."""
    shipped = load_demo_world()
    (guild,) = shipped.guilds
    keeper = next(role.id for role in guild.roles if role.name == "Channel Keeper")
    bot = next(role.id for role in guild.roles if role.name == "Gamesched")
    changed = {
        "rpg": (
            Overwrite(id=guild.id, type=0, allow=0, deny=VIEW_CHANNEL),
            Overwrite(id=bot, type=0, allow=VIEW_CHANNEL, deny=0),
        ),
        "lfg": (Overwrite(id=keeper, type=0, allow=0, deny=MANAGE_CHANNELS),),
    }

    def adjusted(channel: Channel) -> Channel:
        if channel.name not in changed:
            return channel
        return dataclasses.replace(channel, overwrites=channel.overwrites + changed[channel.name])

    channels = tuple(adjusted(channel) for channel in guild.channels)
    return dataclasses.replace(shipped, guilds=(dataclasses.replace(guild, channels=channels),))


async def test_a_host_cannot_announce_into_a_channel_hidden_from_them(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Typed in #general, /create-game channel:rpg is refused for a host who cannot see #rpg,
    while channel:board-games opens the form and the admin may use #rpg."""
    await discord.slash(
        "olivia", "config-guild", channel="general", options={"add_host_role": "Game Host"}
    )
    hidden = await discord.slash(
        "sam", "create-game", channel="general", options={"channel": "rpg"}
    )
    assert hidden.modal is None
    assert "cannot see that channel" in hidden.content
    visible = await discord.slash(
        "sam", "create-game", channel="general", options={"channel": "board-games"}
    )
    assert visible.modal is not None
    admin = await discord.slash(
        "olivia", "create-game", channel="general", options={"channel": "rpg"}
    )
    assert admin.modal is not None


async def test_channel_settings_need_manage_channels_in_that_channel(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A Channel Keeper whose Manage Channels is taken away in #lfg cannot change #lfg's
    settings from another channel, and nothing is saved; #board-games' they still can."""
    denied = await discord.slash(
        "kai_keeper",
        "config-channel",
        channel="general",
        options={"channel": "lfg", "duration": 90},
    )
    assert "Manage Channels" in denied.content
    lfg = gamesched_bot.channel_id("lfg")
    shown = await channel_settings(
        gamesched_bot.services, guild_id=gamesched_bot.guild_id, channel_id=lfg
    )
    assert shown.settings.duration_minutes.value != 90
    allowed = await discord.slash(
        "kai_keeper",
        "config-channel",
        channel="general",
        options={"channel": "board-games", "duration": 90},
    )
    assert allowed.content.startswith("Saved.")


async def test_games_of_a_hidden_channel_are_not_listed_to_those_who_cannot_see_it(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A game in #rpg is in the admin's /list-games everywhere and /game-info, but not in a
    member's, who cannot see #rpg: no title of it reaches them."""
    secret = await create_via_form(discord, gamesched_bot, channel="rpg", title="Secret campaign")
    await create_via_form(discord, gamesched_bot, title="Open table")
    listed = await discord.slash(
        "sam", "list-games", channel="board-games", options={"everywhere": True}
    )
    assert listed.message is not None
    text = str(listed.message["embeds"])
    assert "Open table" in text
    assert "Secret campaign" not in text
    info = await discord.slash(
        "sam", "game-info", channel="board-games", options={"game": secret.id}
    )
    assert f"There is no game #{secret.id} in this server" in info.content
    offered = await discord.autocomplete(
        "sam", "game-info", channel="board-games", focused="game", options={"game": "secret"}
    )
    assert offered == []
    admin = await discord.slash(
        "olivia", "list-games", channel="board-games", options={"everywhere": True}
    )
    assert admin.message is not None
    assert "Secret campaign" in str(admin.message["embeds"])
