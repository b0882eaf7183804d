"""The dashboard's settings of a server or a channel: each with its value and source, changed
or made to inherit again, read and checked as `/config-guild` and `config set` read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input, Label

from gamesched.db.tables import HistoryRow
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import PLACE_FLAGS, Resolved, SettingsPatch, Source
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action
from tests.support.factories import CHANNEL, GUILD, PLACE_FLAG_FIELDS, make_game
from tests.support.tui_actions import driving, history_count, operating
from tui.actions import SettingsScreen


async def latest_entries(ctx: Context, count: int) -> list[HistoryRow]:
    async with ctx.transaction() as session:
        rows = (await session.scalars(select(HistoryRow).order_by(HistoryRow.id))).all()
    return list(rows[-count:])


async def test_every_setting_of_the_server_is_shown_with_its_source(ctx: Context) -> None:
    """A value set on the server is filled in and said as from the server; an unset one is
    empty and said as the built-in default; the time zone is there too."""
    await configure_guild(
        ctx, actor=Actor.operator(), guild_id=GUILD, patch=SettingsPatch(max_players=6)
    )
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=None)) as ui:
        assert ui.value("#max_players") == "6"
        assert "from the server" in str(ui.screen.query_one("#max_players-label", Label).render())
        assert ui.value("#duration_minutes") == ""
        label = str(ui.screen.query_one("#duration_minutes-label", Label).render())
        assert "built-in default" in label
        assert ui.screen.query("#timezone")


async def test_server_settings_and_time_zone_are_saved(ctx: Context) -> None:
    """Typed values are stored on the server, the zone too; live games follow; the history
    has the operator's change from the TUI."""
    game = await make_game(ctx)
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=None)) as ui:
        await ui.type("#max_players", "8")
        await ui.type("#reminder_minutes", "120, 30")
        await ui.type("#remind_in_channel", "on")
        await ui.type("#timezone", "Europe/Berlin")
        await ui.submit()
        result = ui.result
    assert result is not None
    assert result.startswith(f"Saved the settings of server {GUILD}: max players 8")
    server = await guild_settings(ctx, guild_id=GUILD)
    assert server.timezone == "Europe/Berlin"
    assert server.settings.max_players.value == 8
    assert server.settings.reminder_minutes.value == (120, 30)
    assert server.settings.remind_in_channel.value is True
    assert (await get_game(ctx, game.id)).max_players == 8
    entries = await latest_entries(ctx, 2)
    assert {e.action for e in entries} == {Action.SETTINGS_CHANGED.value}
    assert {(e.origin, e.operator) for e in entries} == {(FrontEnd.TUI.value, "test")}


async def test_a_channel_setting_emptied_inherits_the_servers_again(ctx: Context) -> None:
    """A channel's own cap, emptied, gives way to the server's; the channel screen has no
    time zone (that is the server's)."""
    operator = Actor.operator()
    await configure_guild(ctx, actor=operator, guild_id=GUILD, patch=SettingsPatch(max_players=7))
    await configure_channel(
        ctx, actor=operator, guild_id=GUILD, channel_id=CHANNEL, patch=SettingsPatch(max_players=3)
    )
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=CHANNEL)) as ui:
        assert not ui.screen.query("#timezone")
        field = ui.screen.query_one("#max_players", Input)
        assert field.value == "3"
        assert "7 (from the server)" in field.placeholder
        field.value = ""
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text
    here = await channel_settings(ctx, guild_id=GUILD, channel_id=CHANNEL)
    assert (here.settings.max_players.value, here.settings.max_players.source) == (
        7,
        Source.GUILD,
    )


@pytest.mark.parametrize("flag", PLACE_FLAG_FIELDS)
async def test_an_on_off_setting_of_a_channel_is_set_shown_and_inherited_again(
    ctx: Context, flag: str
) -> None:
    """An on/off setting (channel reminders, public feed, scheduled events) typed `on` for a
    channel is saved as the channel's and said so; the screen then shows it as the
    channel's; emptied, the channel inherits the built-in `off` again."""
    screen = SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=CHANNEL)
    async with driving(screen) as ui:
        assert "now off (built-in default)" in str(
            ui.screen.query_one(f"#{flag}-label", Label).render()
        )
        await ui.type(f"#{flag}", "on")
        await ui.submit()
        result = ui.result
    assert result is not None
    assert result.endswith(f"{PLACE_FLAGS[flag].lower()} on (from the channel).")
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=CHANNEL)) as ui:
        assert ui.value(f"#{flag}") == "on"
        label = str(ui.screen.query_one(f"#{flag}-label", Label).render())
        assert label == f"{PLACE_FLAGS[flag]} — now on (from the channel)"
        await ui.type(f"#{flag}", "")
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text
    here = await channel_settings(ctx, guild_id=GUILD, channel_id=CHANNEL)
    assert getattr(here.settings, flag) == Resolved(False, Source.DEFAULT)


async def test_invalid_values_are_shown_beside_their_fields_and_nothing_is_written(
    ctx: Context,
) -> None:
    """A cap out of range (the use case's words), a switch that is not one and a zone that is
    not one are each shown beside their field; typed values stay; nothing is stored."""
    entries = await history_count(ctx)
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=None)) as ui:
        await ui.type("#remind_in_channel", "maybe")
        await ui.type("#timezone", "Mars/Olympus")
        await ui.submit()
        shown = ui.screen.problems_shown()
        assert set(shown) == {"remind_in_channel", "timezone"}
        assert "`on` or `off`" in shown["remind_in_channel"]

        await ui.type("#remind_in_channel", "off")
        await ui.type("#timezone", "")
        await ui.type("#max_players", "0")
        await ui.submit()
        assert not ui.dismissed
        assert set(ui.screen.problems_shown()) == {"max_players"}
        assert ui.value("#max_players") == "0"
        assert ui.value("#remind_in_channel") == "off"
    assert await history_count(ctx) == entries
    assert (await guild_settings(ctx, guild_id=GUILD)).settings.max_players.source is Source.DEFAULT


async def test_host_roles_are_ids_without_discord(ctx: Context) -> None:
    """Without a bot token a role name cannot be looked up: said beside the field."""
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=None)) as ui:
        await ui.type("#host_role_ids", "Game Masters")
        await ui.submit()
        assert "role names are looked up on Discord" in ui.screen.problems_shown()["host_role_ids"]
        await ui.type("#host_role_ids", "123456789012345678")
        await ui.submit()
        assert ui.dismissed, ui.screen.summary_text
    roles = (await guild_settings(ctx, guild_id=GUILD)).settings.host_role_ids.value
    assert roles == (123456789012345678,)


async def test_escape_saves_nothing(ctx: Context) -> None:
    """Escape after typing dismisses with None and stores nothing."""
    async with driving(SettingsScreen(operating(ctx), guild_id=GUILD, channel_id=None)) as ui:
        await ui.type("#max_players", "9")
        await ui.escape()
        assert ui.result is None
    assert await history_count(ctx) == 0
