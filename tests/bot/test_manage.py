"""Managing games and settings in Discord: edit, cancel, lists, settings, zone, autocomplete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.domain.settings import (
    MAX_DURATION_MINUTES,
    MAX_PLAYERS_LIMIT,
    MIN_DURATION_MINUTES,
    MIN_PLAYERS_LIMIT,
    PLACE_FLAGS,
)
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.games import get_game
from tests.support.bot import RunningBot, announcement_of, buttons, create_via_form, embed_fields
from tests.support.factories import make_game
from tests.support.sandbox import administrator


def _stamp(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def _modal_values(modal: Any) -> dict[str, str]:
    """custom_id -> pre-filled value of each text input of a modal (inputs sit in labels)."""
    return {
        label["component"]["custom_id"]: label["component"].get("value") or ""
        for label in modal["components"]
    }


async def test_edit_opens_the_form_filled_in_and_saving_updates_the_announcement(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/edit-game shows the game's values (time in the host's zone); saving changes the post."""
    game = await create_via_form(discord, gamesched_bot, participants="@sam")
    await discord.slash("olivia", "timezone", channel="general", options={"zone": "Europe/Berlin"})
    opened = await discord.slash(
        "olivia", "edit-game", channel="board-games", options={"game": game.id}
    )
    assert opened.modal is not None
    assert _modal_values(opened.modal) == {
        "title": "Catan night",
        "when": "2026-12-05 20:00",
        "description": "Bring snacks",
        "max_players": "4",
    }

    saved = await discord.submit_modal(
        "olivia",
        {"title": "Azul night", "when": "2026-12-06 21:00", "description": "", "max_players": "2"},
    )
    assert saved.ephemeral
    assert "Saved **Azul night**" in saved.content
    assert "Europe/Berlin" in saved.content

    message = await announcement_of(discord, gamesched_bot, game)
    (embed,) = message["embeds"]
    assert embed["title"] == "Azul night"
    assert "description" not in embed
    fields = embed_fields(message)
    assert fields["Players"] == "1/2"
    assert f"<t:{_stamp(2026, 12, 6, 20)}:F>" in fields["When"]


async def test_cancel_asks_first_and_then_shows_the_game_cancelled(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/cancel-game asks; Keep it changes nothing; confirming shows it cancelled, buttons off."""
    game = await create_via_form(discord, gamesched_bot, participants="@sam")
    asked = await discord.slash(
        "olivia", "cancel-game", channel="board-games", options={"game": game.id}
    )
    assert asked.ephemeral
    assert asked.content.startswith("Cancel **Catan night**")
    assert "1 player(s) will be told" in asked.content
    kept = await discord.click("olivia", game_custom_id(Action.CANCEL_NO, game.id))
    assert kept.content == "Nothing changed."
    assert (await get_game(gamesched_bot.services, game.id)).status is GameStatus.SCHEDULED

    await discord.slash("olivia", "cancel-game", channel="board-games", options={"game": game.id})
    done = await discord.click("olivia", game_custom_id(Action.CANCEL_YES, game.id))
    assert done.content == "**Catan night** is cancelled. I'll let its 1 player(s) know."
    assert done.custom_ids == []
    assert (await get_game(gamesched_bot.services, game.id)).status is GameStatus.CANCELLED

    message = await announcement_of(discord, gamesched_bot, game)
    assert message["embeds"][0]["title"] == "[Cancelled] Catan night"
    assert [b["disabled"] for b in buttons(message)] == [True, True]


async def test_list_games_shows_this_channel_everywhere_or_by_status(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/list-games lists this channel's games; everywhere adds others; status picks cancelled."""
    catan = await create_via_form(discord, gamesched_bot)
    quest = await create_via_form(
        discord, gamesched_bot, channel="rpg", title="Dungeon crawl", when="2026-12-04 18:00"
    )
    here = await discord.slash("sam", "list-games", channel="board-games")
    assert here.ephemeral
    assert here.message is not None
    (embed,) = here.message["embeds"]
    assert embed["title"] == f"Upcoming games in <#{gamesched_bot.channel_id('board-games')}>"
    assert f"`#{catan.id}` **Catan night**" in embed["description"]
    assert "0/4 players" in embed["description"]
    assert "Dungeon crawl" not in embed["description"]

    everywhere = await discord.slash(
        "sam", "list-games", channel="board-games", options={"everywhere": True}
    )
    assert everywhere.message is not None
    lines = everywhere.message["embeds"][0]["description"].splitlines()
    assert [line.split("`")[1] for line in lines] == [f"#{quest.id}", f"#{catan.id}"]

    await discord.slash("olivia", "cancel-game", channel="rpg", options={"game": quest.id})
    await discord.click("olivia", game_custom_id(Action.CANCEL_YES, quest.id))
    cancelled = await discord.slash(
        "sam", "list-games", channel="rpg", options={"status": "cancelled"}
    )
    assert cancelled.message is not None
    text = cancelled.message["embeds"][0]["description"]
    assert "Dungeon crawl" in text
    assert "cancelled" in text
    nothing = await discord.slash("sam", "list-games", channel="lfg")
    assert nothing.message is not None
    assert nothing.message["embeds"][0]["description"] == (
        f"No upcoming games in <#{gamesched_bot.channel_id('lfg')}>."
    )


async def test_my_games_lists_hosted_and_joined_games_soonest_first(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/my-games shows the games one hosts or joined, soonest first; none is a hint to join."""
    later = await create_via_form(discord, gamesched_bot, when="2026-12-10 19:00", title="Later")
    sooner = await create_via_form(discord, gamesched_bot, when="2026-12-03 19:00", title="Sooner")
    await create_via_form(discord, gamesched_bot, title="Not Sam's")
    await discord.click("sam", game_custom_id(Action.JOIN, later.id))
    await discord.click("sam", game_custom_id(Action.JOIN, sooner.id))

    mine = await discord.slash("sam", "my-games", channel="general")
    assert mine.ephemeral
    assert mine.message is not None
    (embed,) = mine.message["embeds"]
    assert embed["title"] == "Your games"
    lines = embed["description"].splitlines()
    assert [line.split("**")[1] for line in lines] == ["Sooner", "Later"]

    none = await discord.slash("zoe", "my-games", channel="general")
    assert none.message is not None
    assert "no upcoming games" in none.message["embeds"][0]["description"]


async def test_both_config_commands_offer_the_same_setting_options(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/config-guild and /config-channel offer the same setting options, within domain bounds."""
    synced = await discord.commands(wait_for=["config-guild", "config-channel"])
    options = {
        command["name"]: {option["name"]: option for option in command["options"]}
        for pool in synced["guilds"].values()
        for command in pool
        if command["name"] in ("config-guild", "config-channel")
    }
    guild, channel = options["config-guild"], options["config-channel"]
    assert (set(guild) - set(channel), set(channel) - set(guild)) == ({"timezone"}, {"channel"})
    assert all(guild[name] == channel[name] for name in set(guild) & set(channel))
    assert (guild["max_players"]["min_value"], guild["max_players"]["max_value"]) == (
        MIN_PLAYERS_LIMIT,
        MAX_PLAYERS_LIMIT,
    )
    assert (guild["duration"]["min_value"], guild["duration"]["max_value"]) == (
        MIN_DURATION_MINUTES,
        MAX_DURATION_MINUTES,
    )
    assert guild["public_feed"]["description"] == (
        "Publish this server's games as a calendar feed anyone with its link can read"
    )
    assert guild["mirror_events"]["description"] == (
        "Mirror games as Discord scheduled events (needs the bot's Manage Events permission)"
    )


async def test_settings_show_their_sources_and_change(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Settings say where each value comes from, through defaults, server and channel values."""
    shown = await discord.slash("sam", "config-channel", channel="lfg")
    assert shown.ephemeral
    assert "**Reminders:** 1 h, 15 min before · _built-in default_" in shown.content

    await discord.slash("olivia", "config-guild", channel="general", options={"reminders": "30"})
    inherited = await discord.slash("sam", "config-channel", channel="lfg")
    assert "**Reminders:** 30 min before · _from the server_" in inherited.content

    own = await discord.slash(
        "kai_keeper", "config-channel", channel="lfg", options={"reminders": "120, 10"}
    )
    assert own.content.startswith(f"Saved. Settings for <#{gamesched_bot.channel_id('lfg')}>")
    assert "**Reminders:** 2 h, 10 min before · _from the channel_" in own.content
    elsewhere = await discord.slash("sam", "config-channel", channel="rpg")
    assert "**Reminders:** 30 min before · _from the server_" in elsewhere.content

    cleared = await discord.slash(
        "kai_keeper", "config-channel", channel="lfg", options={"clear": "reminders"}
    )
    assert "**Reminders:** 30 min before · _from the server_" in cleared.content

    server = await discord.slash(
        "olivia", "config-guild", channel="general", options={"timezone": "Europe/Berlin"}
    )
    assert "**Time zone:** Europe/Berlin" in server.content


@pytest.mark.parametrize(
    ("option", "choice"),
    [
        ("remind_in_channel", "channel reminders"),
        ("public_feed", "public feed"),
        ("mirror_events", "scheduled events"),
    ],
)
async def test_an_on_off_setting_is_set_shown_and_cleared(
    gamesched_bot: RunningBot, discord: SandboxDriver, option: str, choice: str
) -> None:
    """An on/off setting (channel reminders, public feed, scheduled events) is off by default,
    turned on for the server, off for one channel, and cleared there to follow the server
    again: each answer shows it with where it comes from."""
    line = f"**{PLACE_FLAGS[option]}:**"
    shown = await discord.slash("sam", "config-channel", channel="lfg")
    assert f"{line} off · _built-in default_" in shown.content
    server = await discord.slash(
        "olivia", "config-guild", channel="general", options={option: True}
    )
    assert f"{line} on · _from the server_" in server.content
    own = await discord.slash(
        "kai_keeper", "config-channel", channel="lfg", options={option: False}
    )
    assert f"{line} off · _from the channel_" in own.content
    cleared = await discord.slash(
        "kai_keeper", "config-channel", channel="lfg", options={"clear": choice}
    )
    assert f"{line} on · _from the server_" in cleared.content


async def test_timezone_shows_sets_and_refuses_unknown_zones(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/timezone says which zone applies and why, sets one, explains a typo, and resets."""
    shown = await discord.slash("zoe", "timezone", channel="general")
    assert shown.ephemeral
    assert "**UTC** (no setting yet" in shown.content

    chosen = await discord.slash(
        "zoe", "timezone", channel="general", options={"zone": "Asia/Tokyo"}
    )
    assert "**Asia/Tokyo** (your own setting)" in chosen.content

    typo = await discord.slash("zoe", "timezone", channel="general", options={"zone": "Mars/Base"})
    assert typo.ephemeral
    assert "`Mars/Base` is not a time zone I know" in typo.content
    again = await discord.slash("zoe", "timezone", channel="general")
    assert "**Asia/Tokyo**" in again.content

    await discord.slash(
        "olivia", "config-guild", channel="general", options={"timezone": "Europe/Paris"}
    )
    reset = await discord.slash("zoe", "timezone", channel="general", options={"zone": "reset"})
    assert "**Europe/Paris** (the server's default" in reset.content


async def test_game_options_autocomplete_the_callers_own_games(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A host is offered their own games (filtered by what they type); admins every game."""
    await discord.slash(
        "olivia", "config-guild", channel="general", options={"add_host_role": "Game Host"}
    )
    sams = await create_via_form(discord, gamesched_bot, host="sam", title="Sam's Catan")
    other = await create_via_form(discord, gamesched_bot, host="alex_r", title="Alex's Azul")
    await create_via_form(discord, gamesched_bot, host="sam", title="Sam's Wingspan")

    offered = await discord.autocomplete(
        "sam", "edit-game", channel="board-games", focused="game", options={"game": ""}
    )
    assert sorted(c["name"].split(" ")[1] for c in offered) == ["Sam's", "Sam's"]
    assert other.id not in [int(c["value"]) for c in offered]

    typed = await discord.autocomplete(
        "sam", "cancel-game", channel="board-games", focused="game", options={"game": "catan"}
    )
    assert [int(c["value"]) for c in typed] == [sams.id]

    admin = await discord.autocomplete(
        "olivia", "edit-game", channel="board-games", focused="game", options={"game": ""}
    )
    assert other.id in [int(c["value"]) for c in admin]


async def test_cancelling_a_game_that_is_over_is_refused_without_asking(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/cancel-game on a cancelled game says so at once instead of offering to cancel it again."""
    game = await create_via_form(discord, gamesched_bot)
    await discord.slash("olivia", "cancel-game", channel="board-games", options={"game": game.id})
    await discord.click("olivia", game_custom_id(Action.CANCEL_YES, game.id))
    again = await discord.slash(
        "olivia", "cancel-game", channel="board-games", options={"game": game.id}
    )
    assert again.ephemeral
    assert again.content == "This game is already cancelled."
    assert again.custom_ids == []


async def test_a_bad_server_time_zone_saves_none_of_the_other_changes(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/config-guild with good seats and an unknown zone explains the zone and saves nothing."""
    answer = await discord.slash(
        "olivia",
        "config-guild",
        channel="general",
        options={"max_players": 8, "timezone": "Mars/Base"},
    )
    assert answer.ephemeral
    assert "`Mars/Base` is not a time zone I know" in answer.content
    shown = await discord.slash("olivia", "config-guild", channel="general")
    assert "**Max players:** 8" not in shown.content


async def test_game_info_offers_every_game_here_and_refuses_an_unknown_one(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/game-info autocompletes any member's view of the server's games (not only their own),
    and a game number that does not exist gets a clear private answer."""
    game = await create_via_form(discord, gamesched_bot, title="Wingspan")
    offered = await discord.autocomplete(
        "taylor", "game-info", channel="board-games", focused="game", options={"game": "wing"}
    )
    assert [int(c["value"]) for c in offered] == [game.id]

    unknown = await discord.slash(
        "taylor", "game-info", channel="board-games", options={"game": game.id + 1000}
    )
    assert unknown.ephemeral
    assert f"There is no game #{game.id + 1000}" in unknown.content


async def test_game_info_autocomplete_finds_a_game_beyond_the_first_25(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """With 30 upcoming games, typing the title of the latest one offers it."""
    first = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    for n in range(1, 31):
        latest = await make_game(
            gamesched_bot.services,
            title=f"Night {n:02}",
            when=(first + timedelta(hours=n)).isoformat(),
            guild_id=gamesched_bot.guild_id,
            channel_id=gamesched_bot.channel_id("board-games"),
            host=administrator(gamesched_bot.world),
        )
    offered = await discord.autocomplete(
        "sam", "game-info", channel="board-games", focused="game", options={"game": "night 30"}
    )
    assert [int(c["value"]) for c in offered] == [latest.id]


async def test_lowering_the_seats_below_the_players_tells_the_host(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Three seated, max players set to 1: saved, nobody removed, and the host is told why
    the game now shows more players than seats."""
    game = await create_via_form(discord, gamesched_bot, participants="@sam\n@zoe\n@hana")
    await discord.slash("olivia", "edit-game", channel="board-games", options={"game": game.id})
    saved = await discord.submit_modal(
        "olivia",
        {"title": "Catan night", "when": "2026-12-05 19:00", "description": "", "max_players": "1"},
    )
    assert "Saved **Catan night**" in saved.content
    assert "3 players already hold seats, more than the new 1" in saved.content
    assert len((await get_game(gamesched_bot.services, game.id)).joined) == 3
