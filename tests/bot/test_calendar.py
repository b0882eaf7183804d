"""/calendar and the calendar links of /game-info, through the sandbox."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from gamesched.bot.calendar._render import NO_WEB, feed_text
from gamesched.discord.custom_ids import Action, calendar_custom_id
from gamesched.discord.limits import MAX_BUTTON_URL
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.driver import InteractionResult, SandboxDriver
from gamesched.services.calendars import FeedAddress, FeedKey, FeedKind, feed_address, read_feed
from gamesched.services.configuration import configure_guild
from tests.support.bot import RunningBot, buttons, create_via_form
from tests.support.sandbox import administrator
from tests.support.web import PUBLIC_URL

ROTATE = calendar_custom_id(Action.ROTATE, FeedKind.MEMBER)


def feed_token(answer: InteractionResult) -> str:
    """The token of the feed address an answer shows."""
    found = re.search(rf"{re.escape(PUBLIC_URL)}/calendar/([A-Za-z0-9_-]+)\.ics", answer.content)
    assert found is not None, answer.content
    return found[1]


async def test_calendar_shows_the_members_feed_privately_and_the_same_again(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/calendar answers only the member with their feed's address (made on first use, the
    same the next time) and a New address button; the address shows their games."""
    game = await create_via_form(discord, gamesched_bot, participants="@sam")
    first = await discord.slash("sam", "calendar", channel="general")
    assert first.ephemeral
    token = feed_token(first)
    assert "Keep it to yourself" in first.content
    assert first.message is not None
    assert [b.get("custom_id") for b in buttons(first.message)] == [ROTATE]
    again = await discord.slash("sam", "calendar", channel="board-games")
    assert feed_token(again) == token
    feed = await read_feed(gamesched_bot.services, token=token)
    assert feed is not None
    assert [entry.game.id for entry in feed.entries] == [game.id]


async def test_new_address_replaces_the_feed_address(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """New address shows another address in the same message; the old one finds nothing."""
    old = feed_token(await discord.slash("zoe", "calendar", channel="general"))
    clicked = await discord.click("zoe", ROTATE, channel="general")
    assert clicked.callback_type == 7
    new = feed_token(clicked)
    assert new != old
    assert "The old one no longer works" in clicked.content
    assert await read_feed(gamesched_bot.services, token=old) is None
    assert await read_feed(gamesched_bot.services, token=new) is not None


async def test_game_info_links_google_calendar_and_the_ics_file(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """/game-info carries "Add to Google Calendar" (within Discord's 512 characters, with the
    game's times) and "Download .ics" at the web's address as link buttons."""
    game = await create_via_form(discord, gamesched_bot, description="x" * 1500)
    info = await discord.slash("sam", "game-info", channel="board-games", options={"game": game.id})
    assert info.message is not None
    google, ics = buttons(info.message)
    assert google["label"] == "Add to Google Calendar"
    assert len(google["url"]) <= MAX_BUTTON_URL
    dates = parse_qs(urlsplit(google["url"]).query)["dates"]
    assert dates == ["20261205T190000Z/20261205T210000Z"]
    assert google["style"] == ics["style"] == 5  # link buttons
    assert ics["label"] == "Download .ics"
    assert ics["url"] == f"{PUBLIC_URL}/games/{game.id}.ics"
    assert info.content == ""


async def test_without_a_web_address_the_bot_says_so_instead_of_a_broken_link(
    gamesched_bot: RunningBot, discord: SandboxDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no web set up, /calendar explains there is no feed, and /game-info keeps the
    Google link but says why there is no .ics file."""
    bot = gamesched_bot.bot
    monkeypatch.setattr(bot, "deps", dataclasses.replace(bot.deps, calendars=None))
    game = await create_via_form(discord, gamesched_bot)
    answer = await discord.slash("sam", "calendar", channel="general")
    assert answer.ephemeral
    assert NO_WEB in answer.content
    info = await discord.slash("sam", "game-info", channel="board-games", options={"game": game.id})
    assert info.message is not None
    assert [b["label"] for b in buttons(info.message)] == ["Add to Google Calendar"]
    assert "No .ics file to download" in info.content


async def test_a_server_that_shares_its_games_shows_its_public_feed(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Off by default; once the server shares, /calendar shows everyone its public feed (and
    the channel's, inherited), and only a member with Manage Server gets the button that
    renews the server's address, which then replaces the old one."""
    game = await create_via_form(discord, gamesched_bot)
    before = await discord.slash("sam", "calendar", channel="board-games")
    assert "public calendar feed" not in before.content
    await configure_guild(
        gamesched_bot.services,
        actor=administrator(gamesched_bot.world),
        guild_id=gamesched_bot.guild_id,
        patch=SettingsPatch(public_feed=True),
    )
    plain = await discord.slash("sam", "calendar", channel="board-games")
    assert "This server's public calendar feed" in plain.content
    assert "This channel's public calendar feed" in plain.content
    assert plain.message is not None
    assert [b.get("custom_id") for b in buttons(plain.message)] == [ROTATE]
    tokens = re.findall(rf"{re.escape(PUBLIC_URL)}/calendar/([A-Za-z0-9_-]+)\.ics", plain.content)
    assert len(set(tokens)) == 3
    server_token = tokens[1]
    feed = await read_feed(gamesched_bot.services, token=server_token)
    assert feed is not None
    assert feed.kind is FeedKind.GUILD
    assert [entry.game.id for entry in feed.entries] == [game.id]

    owner = await discord.slash("olivia", "calendar", channel="board-games")
    assert owner.message is not None
    renew_server = calendar_custom_id(Action.ROTATE, FeedKind.GUILD)
    assert [b.get("custom_id") for b in buttons(owner.message)] == [
        ROTATE,
        renew_server,
        calendar_custom_id(Action.ROTATE, FeedKind.CHANNEL),
    ]
    clicked = await discord.click("olivia", renew_server, channel="board-games")
    assert "New address made" in clicked.content
    assert server_token not in clicked.content
    assert await read_feed(gamesched_bot.services, token=server_token) is None


async def test_an_address_made_elsewhere_is_renewed_to_be_shown(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A feed made by a process with another key (no fixed session secret) cannot be shown;
    /calendar says so, and New address gives one it can show."""
    sam = gamesched_bot.user_id("sam")
    elsewhere = await feed_address(gamesched_bot.services, FeedKey.of(None), user_id=sam)
    answer = await discord.slash("sam", "calendar", channel="general")
    assert "I cannot show its address again here" in answer.content
    assert "**New address** makes one I can show" in answer.content
    assert f"{PUBLIC_URL}/calendar/" not in answer.content
    clicked = await discord.click("sam", ROTATE, channel="general")
    assert await read_feed(gamesched_bot.services, token=feed_token(clicked)) is not None
    assert elsewhere.token is not None
    assert await read_feed(gamesched_bot.services, token=elsewhere.token) is None


def test_a_public_address_that_cannot_be_shown_points_to_its_managers() -> None:
    """A member who may not renew a public feed is not told to press a button they lack."""
    made = datetime(2026, 12, 1, tzinfo=UTC)
    hidden = FeedAddress(FeedKind.GUILD, 1, made, token=None)
    plain = feed_text(hidden, None, renewable=False, renewed=False)
    assert "Someone who manages it can make a new one." in plain
    assert "**New server address**" not in plain
    manager = feed_text(hidden, None, renewable=True, renewed=False)
    assert "**New server address** makes one I can show" in manager
