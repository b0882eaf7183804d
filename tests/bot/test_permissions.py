"""Who may create, manage and configure, decided from Discord's permission data; denials say
what is missing."""

from __future__ import annotations

import re

from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.configuration import channel_settings, guild_settings
from tests.support.bot import RunningBot, create_via_form

GAME_HOST_ROLE = 1180000000000000005
"""The demo world's "Game Host" role (held by sam and alex_r)."""


async def test_configured_host_roles_decide_who_may_create(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """With a host role set, its holders may create; others (even Manage Server) hear the role."""
    saved = await discord.slash(
        "olivia", "config-guild", channel="general", options={"add_host_role": "Game Host"}
    )
    assert saved.content.startswith("Saved.")

    allowed = await discord.slash("sam", "create-game", channel="board-games")
    assert allowed.modal is not None
    for member in ("taylor", "mia_mod"):
        denied = await discord.slash(member, "create-game", channel="board-games")
        assert denied.ephemeral
        assert denied.modal is None
        assert f"<@&{GAME_HOST_ROLE}>" in denied.content
        assert denied.message is not None
        assert denied.message["sandbox"]["pinged_nobody"]


async def test_without_host_roles_manage_server_may_create(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """With no host roles anywhere, a member holding Manage Server gets the form."""
    opened = await discord.slash("mia_mod", "create-game", channel="board-games")
    assert opened.modal is not None


async def test_channel_host_roles_override_the_servers(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A host role set on one channel lets its holders create there, and only there."""
    await discord.slash(
        "kai_keeper",
        "config-channel",
        channel="rpg",
        options={"add_host_role": "Game Host"},
    )
    there = await discord.slash("sam", "create-game", channel="rpg")
    assert there.modal is not None
    elsewhere = await discord.slash("sam", "create-game", channel="board-games")
    assert elsewhere.modal is None
    assert "Manage Server" in elsewhere.content


async def test_only_the_host_or_admins_may_edit_cancel_or_assign(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Another member is told who may change the game; a Manage Server member may cancel it."""
    game = await create_via_form(discord, gamesched_bot, participants="Guest")
    for command, options in (
        ("edit-game", {"game": game.id}),
        ("cancel-game", {"game": game.id}),
        ("assign-placeholder", {"game": game.id, "placeholder": "Guest", "member": "zoe"}),
    ):
        denied = await discord.slash("taylor", command, channel="board-games", options=options)
        assert denied.ephemeral, command
        assert denied.modal is None, command
        assert "host" in denied.content, command
        assert "Manage Server" in denied.content, command

    by_moderator = await discord.slash(
        "mia_mod", "cancel-game", channel="board-games", options={"game": game.id}
    )
    assert by_moderator.content.startswith("Cancel **Catan night**")
    edit = await discord.slash(
        "olivia", "edit-game", channel="board-games", options={"game": game.id}
    )
    assert edit.modal is not None


async def test_server_settings_need_manage_server(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Changing server settings without Manage Server is refused by name; showing them is not."""
    for member in ("taylor", "kai_keeper"):
        denied = await discord.slash(
            member, "config-guild", channel="general", options={"max_players": 8}
        )
        assert denied.ephemeral
        assert "Manage Server" in denied.content
    settings = await guild_settings(gamesched_bot.services, guild_id=gamesched_bot.guild_id)
    assert settings.settings.max_players.value != 8

    shown = await discord.slash("taylor", "config-guild", channel="general")
    assert shown.content.startswith("The server's game settings:")

    saved = await discord.slash(
        "mia_mod", "config-guild", channel="general", options={"max_players": 8}
    )
    assert "**Max players:** 8 · _from the server_" in saved.content


async def test_channel_settings_need_manage_channels(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Changing a channel's settings without Manage Channels is refused by name."""
    denied = await discord.slash(
        "taylor", "config-channel", channel="lfg", options={"duration": 90}
    )
    assert denied.ephemeral
    assert "Manage Channels" in denied.content
    lfg = gamesched_bot.channel_id("lfg")
    settings = await channel_settings(
        gamesched_bot.services, guild_id=gamesched_bot.guild_id, channel_id=lfg
    )
    assert settings.settings.duration_minutes.value != 90

    saved = await discord.slash(
        "kai_keeper", "config-channel", channel="lfg", options={"duration": 90}
    )
    assert "**Duration:** 1 h 30 min · _from the channel_" in saved.content


async def test_the_missing_host_role_hint_names_a_real_config_guild_option(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A member refused for lacking Manage Server is pointed at an option /config-guild has."""
    denied = await discord.slash("taylor", "create-game", channel="board-games")
    match = re.search(r"/config-guild (\w+)", denied.content)
    assert match is not None, denied.content
    synced = await discord.commands(wait_for=["config-guild"])
    (command,) = [
        c for pool in synced["guilds"].values() for c in pool if c["name"] == "config-guild"
    ]
    assert match.group(1) in {option["name"] for option in command["options"]}
