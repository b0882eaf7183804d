"""Recurring games in Discord: /create-game's repeat option, the next dates in the answers,
editing this game or the later ones too, cancelling one game or the series, /series."""

from __future__ import annotations

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.games import get_game, list_games
from gamesched.services.series import series_of_game
from gamesched.services.views import GameView
from tests.support.bot import GAME_FORM, RunningBot, create_via_form, embed_fields

WEEKLY = {"repeat": "weekly on Sat", "create_ahead_days": 14}
"""Saturdays at 19:00 (the form's 2026-12-05 is one), each announced two weeks ahead: the
fixtures' clock (four days before the first) makes the first two at once."""


async def _series_games(running: RunningBot) -> list[GameView]:
    """Every game of the guild, soonest first."""
    page = await list_games(
        running.services,
        guild_id=running.guild_id,
        statuses=(GameStatus.SCHEDULED, GameStatus.CANCELLED),
    )
    return sorted(page.items, key=lambda game: game.start_at)


async def _create_series(discord: SandboxDriver, running: RunningBot) -> list[GameView]:
    """olivia's weekly Catan night made through /create-game and its form; its games."""
    opened = await discord.slash("olivia", "create-game", channel="board-games", options=WEEKLY)
    assert opened.modal is not None, opened.content
    done = await discord.submit_modal("olivia", GAME_FORM)
    assert "Created **Catan night**" in done.content, done.content
    return await _series_games(running)


async def test_a_weekly_series_is_created_with_its_next_dates_in_the_answer(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/create-game with repeat makes a series: the games due are announced, and the answer
    says how it repeats and lists the next dates in the host's zone."""
    await discord.slash("olivia", "timezone", channel="general", options={"zone": "Europe/Berlin"})
    opened = await discord.slash("olivia", "create-game", channel="board-games", options=WEEKLY)
    assert opened.modal is not None
    assert opened.modal["title"] == "New recurring game"
    done = await discord.submit_modal("olivia", GAME_FORM | {"when": "2026-12-05 20:00"})
    assert done.ephemeral
    assert "Every week on Saturday" in done.content
    assert "Next dates:" in done.content
    for day in ("Sat 12 Dec", "Sat 19 Dec", "Sat 26 Dec"):
        assert f"- {day} 2026, 20:00 Europe/Berlin (<t:" in done.content

    first, second = await _series_games(gamesched_bot)
    series = await series_of_game(gamesched_bot.services, first.id)
    assert series is not None
    assert series.game_ids == (first.id, second.id)
    titles = [m["embeds"][0]["title"] for m in await discord.messages("board-games")]
    assert titles == ["Catan night", "Catan night"]
    assert await discord.violations() == []


async def test_a_repeat_it_cannot_read_is_answered_before_the_form_and_nothing_is_made(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """An unreadable repeat is refused at once with examples of what is read; no form opens
    and no game is made."""
    refused = await discord.slash(
        "olivia", "create-game", channel="board-games", options={"repeat": "every full moon"}
    )
    assert refused.modal is None
    assert refused.ephemeral
    assert "weekly on Mon, Thu" in refused.content
    alone = await discord.slash(
        "olivia", "create-game", channel="board-games", options={"carry_roster": True}
    )
    assert alone.modal is None
    assert "add repeat" in alone.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0
    assert await discord.messages("board-games") == []


async def test_fix_and_resubmit_keeps_the_repeat(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A form refused for its participants, reopened and sent again, still makes the series."""
    await discord.slash("olivia", "create-game", channel="board-games", options=WEEKLY)
    failed = await discord.submit_modal("olivia", GAME_FORM | {"participants": "@nobody_at_all"})
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0
    reopen = next(c for c in failed.custom_ids if c.startswith("draft:reopen:"))
    reopened = await discord.click("olivia", reopen)
    assert reopened.modal is not None
    assert reopened.modal["title"] == "New recurring game"
    done = await discord.submit_modal("olivia", GAME_FORM)
    assert "Every week on Saturday" in done.content
    first, _ = await _series_games(gamesched_bot)
    assert await series_of_game(gamesched_bot.services, first.id) is not None


async def test_editing_this_game_or_the_later_ones_too(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """scope "this game" changes one occurrence; "this and later games" changes it and the
    later ones, and the answer lists the next dates."""
    first, second = await _create_series(discord, gamesched_bot)
    await discord.slash("olivia", "edit-game", channel="board-games", options={"game": first.id})
    one = await discord.submit_modal(
        "olivia",
        {"title": "Azul night", "when": "2026-12-05 19:00", "description": "", "max_players": "4"},
    )
    assert "Saved **Azul night**" in one.content
    services = gamesched_bot.services
    assert (await get_game(services, first.id)).title == "Azul night"
    assert (await get_game(services, second.id)).title == "Catan night"

    opened = await discord.slash(
        "olivia",
        "edit-game",
        channel="board-games",
        options={"game": first.id, "scope": "this and later games"},
    )
    assert opened.modal is not None
    assert opened.modal["title"] == "Edit this and later games"
    later = await discord.submit_modal(
        "olivia",
        {
            "title": "Ticket night",
            "when": "2026-12-05 19:00",
            "description": "",
            "max_players": "4",
        },
    )
    assert "Saved **Ticket night**" in later.content
    assert "Next dates" in later.content
    assert (await get_game(services, first.id)).title == "Ticket night"
    assert (await get_game(services, second.id)).title == "Ticket night"


async def test_a_new_repeat_needs_the_later_games_scope(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A new repeat for "this game" only is refused before the form, saying which scope to
    choose; a game in no series has no later games to change."""
    first, _ = await _create_series(discord, gamesched_bot)
    refused = await discord.slash(
        "olivia",
        "edit-game",
        channel="board-games",
        options={"game": first.id, "repeat": "weekly on Fri"},
    )
    assert refused.modal is None
    assert "this and later games" in refused.content
    single = await create_via_form(discord, gamesched_bot, title="One-off")
    alone = await discord.slash(
        "olivia",
        "edit-game",
        channel="board-games",
        options={"game": single.id, "scope": "this and later games"},
    )
    assert alone.modal is None
    assert f"Game #{single.id} is not recurring" in alone.content


async def test_cancelling_one_game_or_the_whole_series(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Cancelling "this game" leaves the later one; "the whole series" asks first, then
    cancels every upcoming game of it."""
    first, second = await _create_series(discord, gamesched_bot)
    services = gamesched_bot.services
    await discord.slash("olivia", "cancel-game", channel="board-games", options={"game": first.id})
    await discord.click("olivia", game_custom_id(Action.CANCEL_YES, first.id))
    assert (await get_game(services, first.id)).status is GameStatus.CANCELLED
    assert (await get_game(services, second.id)).status is GameStatus.SCHEDULED

    asked = await discord.slash(
        "olivia",
        "cancel-game",
        channel="board-games",
        options={"game": second.id, "scope": "the whole series"},
    )
    assert asked.content.startswith("Cancel the whole series **Catan night**")
    assert game_custom_id(Action.CANCEL_SERIES, second.id) in asked.custom_ids
    done = await discord.click("olivia", game_custom_id(Action.CANCEL_SERIES, second.id))
    assert "series **Catan night** is cancelled" in done.content
    assert done.custom_ids == []
    assert (await get_game(services, second.id)).status is GameStatus.CANCELLED


async def test_game_info_of_an_occurrence_says_how_it_repeats(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/game-info of a series' game has a Repeats field with the pattern and next dates."""
    first, _ = await _create_series(discord, gamesched_bot)
    info = await discord.slash(
        "sam", "game-info", channel="board-games", options={"game": first.id}
    )
    assert info.message is not None
    repeats = embed_fields(info.message)["Repeats"]
    assert "Every week on Saturday" in repeats
    assert "Sat 19 Dec 2026, 19:00" in repeats


async def test_series_preview_lists_dates_and_moved_times_without_saving(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/series preview lists the next dates in the member's zone and says when a clock
    change moves one; nothing is saved."""
    await discord.slash("olivia", "timezone", channel="general", options={"zone": "Europe/Berlin"})
    shown = await discord.slash(
        "olivia",
        "series preview",
        channel="general",
        options={"repeat": "weekly on Sun", "when": "2027-03-21 02:30"},
    )
    assert shown.ephemeral
    assert "Every week on Sunday" in shown.content
    assert "Sun 21 Mar 2027, 02:30" in shown.content
    assert "Sun 28 Mar 2027, 03:30" in shown.content
    assert "does not exist" in shown.content
    assert "Nothing was saved" in shown.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0


async def test_series_skip_leaves_a_date_out(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/series skip leaves out a date not made yet: /game-info no longer lists it; an
    unreadable date is answered with how to type one."""
    first, _ = await _create_series(discord, gamesched_bot)
    skipped = await discord.slash(
        "olivia",
        "series skip",
        channel="board-games",
        options={"game": first.id, "date": "2026-12-19"},
    )
    assert "Skipped Sat 19 Dec 2026 in **Catan night**" in skipped.content
    info = await discord.slash(
        "sam", "game-info", channel="board-games", options={"game": first.id}
    )
    assert info.message is not None
    repeats = embed_fields(info.message)["Repeats"]
    assert "Sat 26 Dec 2026" in repeats
    assert "except Sat 19 Dec 2026" in repeats
    assert "- Sat 19 Dec 2026" not in repeats
    bad = await discord.slash(
        "olivia",
        "series skip",
        channel="board-games",
        options={"game": first.id, "date": "next week"},
    )
    assert "2026-12-24" in bad.content
