"""Slash commands whose database work is slow still answer: deferred in time, then the reply."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from gamesched.bot import replies
from gamesched.sandbox.driver import SandboxDriver
from tests.support.bot import RunningBot
from tests.support.metrics import counted

SLOW_SECONDS = 0.5
"""How long the slowed use case takes, well past the lowered deferral threshold."""


@pytest.mark.parametrize(
    ("cog", "use_case", "command", "expected"),
    [
        ("GamesCog", "my_games", "my-games", "You have no upcoming games here"),
        ("GamesCog", "list_games", "list-games", "No upcoming games in"),
        ("SettingsCog", "guild_settings", "config-guild", "The server's game settings:"),
        ("SettingsCog", "channel_settings", "config-channel", "Game settings for"),
        ("PersonalCog", "time_zone_of", "timezone", "Your times are read in"),
    ],
)
async def test_a_slow_database_defers_the_command_and_the_answer_still_arrives(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    monkeypatch: pytest.MonkeyPatch,
    cog: str,
    use_case: str,
    command: str,
    expected: str,
) -> None:
    """A command whose use case is slow is acknowledged with a private deferral (counted in
    the metrics), and its answer then replaces the "thinking..." message."""
    monkeypatch.setattr(replies, "DEFER_AFTER_SECONDS", 0.05)
    running = gamesched_bot.bot.get_cog(cog)
    assert running is not None
    module = sys.modules[type(running).__module__]
    real = getattr(module, use_case)

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(SLOW_SECONDS)
        return await real(*args, **kwargs)

    monkeypatch.setattr(module, use_case, slow)
    deferred = counted("gamesched_interactions_deferred_total", kind="command")
    answer = await discord.slash("sam", command, channel="board-games")
    assert answer.callback_type == 5
    assert counted("gamesched_interactions_deferred_total", kind="command") - deferred == 1
    assert answer.ephemeral
    embeds = (answer.message or {}).get("embeds") or []
    shown = " ".join([answer.content, *(e.get("description", "") for e in embeds)])
    assert expected in shown, answer.raw
    assert answer.rejected == []
