"""The server's and a channel's settings pages: the same settings, sources and rules as
/config-guild and /config-channel, for members with Manage Server / Manage Channels, on each
database engine, against the sandbox."""

from __future__ import annotations

import pytest

from gamesched.domain.settings import Resolved, Source
from gamesched.services.configuration import channel_settings, guild_settings
from tests.support.demo import BOARD_GAMES, GAME_HOST, GUILD, MODERATOR, server_sets
from tests.support.factories import PLACE_FLAG_FIELDS
from tests.support.pages import inherited, post_form
from tests.support.sandbox import channel_id_of
from tests.support.web import SITE, Site

GUILD_PAGE = f"/guilds/{GUILD}/settings"


def channel_page(site: Site, name: str = "board-games") -> str:
    return f"/channels/{channel_id_of(site.world, name)}/settings"


async def test_the_server_page_shows_each_setting_with_its_source(site: Site) -> None:
    """A Manage Server member sees every setting: the built-in defaults as inherited, the
    server's own values as set here, host roles by name, and the time zone."""
    await server_sets(site, max_players=6, host_role_ids=(GAME_HOST,))
    await site.logged_in("mia_mod")
    response = await site.browser.get(GUILD_PAGE)
    assert response.status_code == 200
    page = response.text
    assert inherited(page, "max_players") == ("10", "built-in default")
    assert 'id="field-max-players-set" value="set" checked' in page
    assert 'name="max_players" value="6"' in page
    assert inherited(page, "reminder_minutes") == ("1 h, 15 min before", "built-in default")
    assert 'id="field-reminder-minutes-inherit" value="inherit" checked' in page
    assert f'value="{GAME_HOST}" checked data-sets="host_role_ids_mode"> <label' in page
    assert '<label for="field-host-role-ids">Admin</label>' in page
    assert "@everyone" not in page
    assert 'id="field-timezone" name="timezone" value=""' in page


async def test_the_server_page_saves_settings_chosen_by_name_and_its_time_zone(
    site: Site,
) -> None:
    """Max players, reminders, a host role ticked by name and the time zone are saved; the
    next page says so and shows them."""
    token = await site.logged_in("mia_mod")
    response = await post_form(
        site,
        GUILD_PAGE,
        token,
        max_players_mode="set",
        max_players="6",
        reminder_minutes_mode="set",
        reminder_minutes="30, 120",
        host_role_ids_mode="set",
        host_role_ids=[str(GAME_HOST), str(MODERATOR)],
        timezone="europe/berlin",
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == GUILD_PAGE
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.max_players.value == 6
    assert saved.settings.reminder_minutes.value == (120, 30)
    assert set(saved.settings.host_role_ids.value) == {GAME_HOST, MODERATOR}
    assert saved.timezone == "Europe/Berlin"
    page = (await site.browser.get(GUILD_PAGE)).text
    assert "Saved the settings of Game Night" in page
    assert 'name="reminder_minutes" value="120, 30"' in page
    assert 'value="Europe/Berlin"' in page


async def test_a_server_setting_resets_to_inherit(site: Site) -> None:
    """Choosing 'inherit' clears what the server set: the built-in default applies again,
    and settings left alone stay as they were."""
    await server_sets(site, max_players=6, rules="Be kind")
    token = await site.logged_in("mia_mod")
    response = await post_form(
        site,
        GUILD_PAGE,
        token,
        max_players_mode="inherit",
        max_players="6",
        rules_mode="set",
        rules="Be kind",
    )
    assert response.status_code == 303, response.text
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert (saved.settings.max_players.value, saved.settings.max_players.source) == (
        10,
        Source.DEFAULT,
    )
    assert (saved.settings.rules.value, saved.settings.rules.source) == ("Be kind", Source.GUILD)


async def test_a_failed_save_keeps_what_was_typed_and_changes_nothing(site: Site) -> None:
    """Out-of-range values and an unknown time zone answer 422 with the bot's sentences
    beside their fields; every typed value stays and nothing is saved."""
    token = await site.logged_in("mia_mod")
    response = await post_form(
        site,
        GUILD_PAGE,
        token,
        max_players_mode="set",
        max_players="0",
        duration_minutes_mode="set",
        duration_minutes="2",
        reminder_minutes_mode="set",
        reminder_minutes="60, soon",
        category_mode="set",
        category="Board games",
        timezone="Berlin",
    )
    assert response.status_code == 422
    page = response.text
    assert "Max players must be between 1 and 500." in page
    assert "Duration must be 5 to 10080 minutes (a week at most)." in page
    assert "(<code>soon</code> is not one)" in page
    assert "<code>Berlin</code> is not a time zone I know. Did you mean Europe/Berlin" in page
    assert 'href="#field-timezone"' in page
    assert 'name="max_players" value="0"' in page
    assert 'name="reminder_minutes" value="60, soon"' in page
    assert 'name="category" value="Board games"' in page
    assert 'name="timezone" value="Berlin"' in page
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.category.source is Source.DEFAULT
    assert saved.timezone is None


async def test_overlong_rules_are_refused_with_the_limit(site: Site) -> None:
    """Rules over 1000 characters answer 422 saying the limit; nothing is saved."""
    token = await site.logged_in("mia_mod")
    response = await post_form(site, GUILD_PAGE, token, rules_mode="set", rules="x" * 1001)
    assert response.status_code == 422
    assert "Rules can be at most 1000 characters (this has 1001)." in response.text
    assert 'name="rules" rows="3" maxlength="1000"' in response.text
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.rules.source is Source.DEFAULT


async def test_rules_holding_a_control_character_are_refused(site: Site) -> None:
    """Rules holding a NUL answer 422 beside them (it was a server error on PostgreSQL);
    nothing is saved."""
    token = await site.logged_in("mia_mod")
    response = await post_form(site, GUILD_PAGE, token, rules_mode="set", rules="Be\x00kind")
    assert response.status_code == 422
    assert "Rules may not hold control characters; remove them" in response.text
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.rules.source is Source.DEFAULT


async def test_an_overlong_time_zone_is_refused_with_the_limit(site: Site) -> None:
    """A time zone name of thousands of characters answers 422 saying the limit (it was
    echoed whole, after a search for close names that took seconds); nothing is saved."""
    token = await site.logged_in("mia_mod")
    response = await post_form(site, GUILD_PAGE, token, timezone="Europe/Berlin" * 400)
    assert response.status_code == 422
    assert "A time zone name is at most 64 characters (this one has 5200)" in response.text
    assert 'name="timezone" value="Europe/Berlin' in response.text
    assert 'maxlength="64"' in response.text
    assert (await guild_settings(site.core.services, guild_id=GUILD)).timezone is None


async def test_a_role_that_is_not_the_servers_is_refused(site: Site) -> None:
    """Host roles are picked from the server's roles: any other id answers 422."""
    token = await site.logged_in("mia_mod")
    response = await post_form(
        site, GUILD_PAGE, token, host_role_ids_mode="set", host_role_ids=["123456789012345678"]
    )
    assert response.status_code == 422
    assert "Pick host roles from the list" in response.text
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.host_role_ids.source is Source.DEFAULT


async def test_the_server_page_refuses_a_member_without_manage_server(site: Site) -> None:
    """samantha and kai_keeper (Manage Channels only) get 403 saying what is missing, for the
    page and the save; nothing changes."""
    for member in ("samantha", "kai_keeper"):
        token = await site.logged_in(member)
        page = await site.browser.get(GUILD_PAGE)
        assert page.status_code == 403
        assert "Changing server settings needs the Manage Server permission." in page.text
        sent = await post_form(site, GUILD_PAGE, token, max_players_mode="set", max_players="3")
        assert sent.status_code == 403
        assert "Changing server settings needs the Manage Server permission." in sent.text
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.max_players.source is Source.DEFAULT


async def test_a_save_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    """No CSRF token: 403 before the route runs; the settings stay."""
    await site.logged_in("mia_mod")
    response = await site.browser.post(
        GUILD_PAGE, data={"max_players_mode": "set", "max_players": "3"}, headers={"Origin": SITE}
    )
    assert response.status_code == 403
    saved = await guild_settings(site.core.services, guild_id=GUILD)
    assert saved.settings.max_players.source is Source.DEFAULT


async def test_the_channel_page_shows_what_it_inherits_from_the_server(site: Site) -> None:
    """A Manage Channels member sees the channel's settings, inheriting the server's values
    (marked as from the server) and the built-in defaults."""
    await server_sets(site, duration_minutes=90)
    await site.logged_in("kai_keeper")
    response = await site.browser.get(channel_page(site))
    assert response.status_code == 200
    assert "Settings of #board-games" in response.text
    assert inherited(response.text, "duration_minutes") == ("1 h 30 min", "from the server")
    assert inherited(response.text, "max_players") == ("10", "built-in default")
    assert 'name="timezone"' not in response.text


async def test_the_channel_page_sets_and_resets_a_value(site: Site) -> None:
    """Reminders set for the channel are saved there; choosing 'inherit' afterwards gives the
    server's value back."""
    token = await site.logged_in("kai_keeper")
    path = channel_page(site)
    response = await post_form(
        site, path, token, reminder_minutes_mode="set", reminder_minutes="30, 10"
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == path
    saved = await channel_settings(site.core.services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert saved.settings.reminder_minutes.value == (30, 10)
    assert saved.settings.reminder_minutes.source is Source.CHANNEL

    response = await post_form(site, path, token, reminder_minutes_mode="inherit")
    assert response.status_code == 303, response.text
    saved = await channel_settings(site.core.services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert saved.settings.reminder_minutes.source is Source.DEFAULT


@pytest.mark.parametrize("flag", PLACE_FLAG_FIELDS)
async def test_an_on_off_setting_of_a_channel_is_set_shown_and_reset(site: Site, flag: str) -> None:
    """An on/off setting (channel reminders, public feed, scheduled events) switched on for
    the channel is saved there and shown as the channel's `on`, what it would inherit (the
    server's `on`) beside it; choosing 'inherit' gives the server's value back."""
    await server_sets(site, **{flag: True})
    token = await site.logged_in("kai_keeper")
    path = channel_page(site)
    page = (await site.browser.get(path)).text
    assert inherited(page, flag) == ("on", "from the server")
    response = await post_form(site, path, token, {f"{flag}_mode": "set", flag: "off"})
    assert response.status_code == 303, response.text
    saved = await channel_settings(site.core.services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert getattr(saved.settings, flag) == Resolved(False, Source.CHANNEL)
    page = (await site.browser.get(path)).text
    key = flag.replace("_", "-")
    assert f'id="field-{key}-set" value="set" checked' in page
    assert '<option value="off" selected>Off</option>' in page

    response = await post_form(site, path, token, {f"{flag}_mode": "inherit"})
    assert response.status_code == 303, response.text
    saved = await channel_settings(site.core.services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert getattr(saved.settings, flag) == Resolved(True, Source.GUILD)


async def test_the_channel_page_refuses_a_member_without_manage_channels(site: Site) -> None:
    """mia_mod (Manage Server, not Manage Channels) gets 403 saying what is missing; the
    channel's settings stay."""
    token = await site.logged_in("mia_mod")
    path = channel_page(site)
    page = await site.browser.get(path)
    assert page.status_code == 403
    assert "Changing channel settings needs the Manage Channels permission." in page.text
    sent = await post_form(site, path, token, max_players_mode="set", max_players="3")
    assert sent.status_code == 403
    saved = await channel_settings(site.core.services, guild_id=GUILD, channel_id=BOARD_GAMES)
    assert saved.settings.max_players.source is Source.DEFAULT


async def test_a_channel_outside_the_members_servers_is_not_found(site: Site) -> None:
    """A channel id of no server of the member's (or a category) answers 404 with a way on."""
    await site.logged_in("kai_keeper")
    for path in ("/channels/1234567890123456789/settings", channel_page(site, "Games")):
        response = await site.browser.get(path)
        assert response.status_code == 404
        assert "There is no such text channel in your servers" in response.text
