"""Failures: Discord's 5xx answers are retried, and unexpected errors reach a user as a short
apology (logged with context), never as a traceback."""

from __future__ import annotations

import asyncio
import logging
import sys
from types import ModuleType
from typing import Any

import pytest

from gamesched.bot import replies
from gamesched.bot.failures import APOLOGY
from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.sandbox.driver import SandboxDriver
from tests.support.bot import RunningBot, announcement_of, create_via_form, embed_fields

EDITS = r"^PATCH /channels/\d+/messages/\d+$"
"""The route of announcement edits, for sandbox faults."""


class Boom(RuntimeError):
    """A bug in a use case, with the kind of text that must never reach a user."""

    def __init__(self) -> None:
        super().__init__('Traceback (most recent call last):\n  File "secret.py", line 1')


async def _explode(*args: Any, **kwargs: Any) -> Any:
    raise Boom


@pytest.fixture
def games_cog(gamesched_bot: RunningBot) -> ModuleType:
    """The running games feature's module (disnake imports extensions afresh per bot), whose
    use cases a test replaces."""
    cog = gamesched_bot.bot.get_cog("GamesCog")
    assert cog is not None
    return sys.modules[type(cog).__module__]


@pytest.fixture
def game_form(games_cog: ModuleType) -> ModuleType:
    """The running games feature's form module, whose use cases a test replaces."""
    return sys.modules[games_cog.GameForm.__module__]


async def test_server_errors_while_editing_the_announcement_are_retried(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Two 500s on the announcement edit are retried until the edit lands."""
    game = await create_via_form(discord, gamesched_bot)
    await discord.add_fault("error", EDITS, status=500, times=2)
    joined = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert "You're in" in joined.content

    message = await announcement_of(discord, gamesched_bot, game)
    assert embed_fields(message)["Players"] == "1/4"
    edits = [
        e["status"]
        for e in await discord.log()
        if e["method"] == "PATCH" and "/channels/" in e["path"]
    ]
    assert edits == [500, 500, 200]


async def test_an_announcement_left_behind_by_discord_catches_up_with_the_next_change(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """When Discord keeps failing the click is still answered; the next change shows both."""
    game = await create_via_form(discord, gamesched_bot)
    fault = await discord.add_fault("error", EDITS, status=503)
    joined = await discord.click("sam", game_custom_id(Action.JOIN, game.id), within=30)
    assert "You're in" in joined.content
    stale = await announcement_of(discord, gamesched_bot, game)
    assert embed_fields(stale)["Players"] == "0/4"

    await discord.clear_faults(fault)
    await discord.click("zoe", game_custom_id(Action.JOIN, game.id))
    fresh = await announcement_of(discord, gamesched_bot, game)
    assert embed_fields(fresh)["Players"] == "2/4"


async def test_an_unexpected_error_on_a_button_is_an_apology_and_a_log_line(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    games_cog: ModuleType,
) -> None:
    """A bug behind Join answers the short apology privately and logs who, where and why."""
    game = await create_via_form(discord, gamesched_bot)
    monkeypatch.setattr(games_cog, "join_game", _explode)
    with caplog.at_level(logging.ERROR, logger="gamesched.bot"):
        answer = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert answer.ephemeral
    assert answer.content == APOLOGY
    (record,) = [r for r in caplog.records if r.name == "gamesched.bot"]
    message = record.getMessage()
    assert game_custom_id(Action.JOIN, game.id) in message
    assert str(gamesched_bot.user_id("sam")) in message
    assert str(gamesched_bot.channel_id("board-games")) in message
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], Boom)


async def test_an_unexpected_error_after_deferring_still_ends_in_the_apology(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    games_cog: ModuleType,
) -> None:
    """A slow click that then fails replaces its "thinking..." with the apology."""
    game = await create_via_form(discord, gamesched_bot)
    monkeypatch.setattr(replies, "DEFER_AFTER_SECONDS", 0.05)

    async def slow_explode(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(1.0)
        raise Boom

    monkeypatch.setattr(games_cog, "join_game", slow_explode)
    answer = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert answer.callback_type == 5
    assert answer.ephemeral
    assert answer.content == APOLOGY


@pytest.mark.parametrize(
    ("target", "command"),
    [("my_games", "my-games"), ("list_games", "list-games")],
)
async def test_an_unexpected_error_in_a_command_is_an_apology(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    command: str,
    games_cog: ModuleType,
) -> None:
    """A bug behind a slash command answers the apology privately, without the error text."""
    monkeypatch.setattr(games_cog, target, _explode)
    answer = await discord.slash("sam", command, channel="board-games")
    assert answer.ephemeral
    assert answer.content == APOLOGY


async def test_an_unexpected_error_on_submit_is_an_apology(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    game_form: ModuleType,
) -> None:
    """A bug behind the game form's submit answers the apology privately."""
    monkeypatch.setattr(game_form, "create_game", _explode)
    await discord.slash("olivia", "create-game", channel="board-games")
    answer = await discord.submit_modal(
        "olivia", {"title": "Catan", "when": "2026-12-05 19:00", "max_players": "4"}
    )
    assert answer.ephemeral
    assert answer.content == APOLOGY
    assert await discord.messages("board-games") == []


async def test_a_reply_still_in_flight_at_the_deferral_deadline_is_not_answered_twice(
    gamesched_bot: RunningBot, discord: SandboxDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow reply crossing the deferral deadline is not acknowledged twice nor turned into
    an apology: the host sees their game created."""
    monkeypatch.setattr(replies, "DEFER_AFTER_SECONDS", 0.2)
    await discord.slash("olivia", "create-game", channel="board-games")
    await discord.add_fault("latency", r"^POST /interactions/\d+/[^/]+/callback$", seconds=0.6)
    done = await discord.submit_modal(
        "olivia", {"title": "Catan", "when": "2026-12-05 19:00", "max_players": "4"}
    )
    # A second acknowledgement would be sent before the first one lands and be refused about
    # then; give it that long to show, then read what the host sees.
    await asyncio.sleep(1.5)
    await discord.clear_faults()
    seen = await discord.interaction(done.id)
    assert seen.rejected == []
    assert seen.content.startswith("Created **Catan**")
