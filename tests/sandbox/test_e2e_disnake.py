"""A real disnake bot connects through the sandbox, syncs, answers a command and clicks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import disnake
import pytest
from disnake.ext import commands
from disnake.interactions import ApplicationCommandInteraction, MessageInteraction

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.sandbox.conftest import SPEC_PATH

JOIN = "game:join:v1:7"
QUIET = disnake.AllowedMentions.none()


def build_bot(guild_id: int) -> commands.InteractionBot:
    """One slash command answering with a button, and a listener editing on click."""
    intents = disnake.Intents.default()
    intents.members = True
    bot = commands.InteractionBot(intents=intents, test_guilds=[guild_id])
    joined: list[int] = []

    @bot.slash_command(description="Announce a game")
    async def announce(
        inter: ApplicationCommandInteraction[commands.InteractionBot], title: str
    ) -> None:
        await inter.response.send_message(
            f"{title} @everyone: 0 players",
            components=[disnake.ui.Button(label="Join", custom_id=JOIN)],
            allowed_mentions=QUIET,
        )

    @bot.listen("on_button_click")
    async def on_click(inter: MessageInteraction[commands.InteractionBot]) -> None:
        if inter.component.custom_id != JOIN:
            return
        joined.append(inter.author.id)
        players = " ".join(f"<@{user_id}>" for user_id in joined)
        await inter.response.edit_message(
            content=f"Catan: {len(joined)} players {players}", allowed_mentions=QUIET
        )

    return bot


@pytest.fixture
async def running_bot(
    sandbox: RunningSandbox, demo_world: World, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[commands.InteractionBot]:
    """The bot started against the sandbox, closed cleanly afterwards."""
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    bot = build_bot(demo_world.guilds[0].id)
    task = asyncio.create_task(bot.start(demo_world.token))
    yield bot
    await bot.close()
    await asyncio.wait_for(task, timeout=10)


async def test_real_bot_answers_command_and_click_and_survives_a_dropped_websocket(
    running_bot: commands.InteractionBot, discord: SandboxDriver, sandbox: RunningSandbox
) -> None:
    """The real disnake bot syncs, replies with a button, edits on click, resumes after a drop."""
    await discord.commands(wait_for=["announce"])

    announced = await discord.slash("sam", "announce", channel="lfg", options={"title": "Catan"})
    assert announced.callback_type == 4
    assert announced.content == "Catan @everyone: 0 players"
    assert announced.custom_ids == [JOIN]
    assert announced.message is not None
    assert announced.message["sandbox"]["pinged_nobody"]

    clicked = await discord.click("zoe", JOIN, channel="lfg")
    assert clicked.callback_type == 7
    assert clicked.content.startswith("Catan: 1 players <@")

    await discord.drop_gateway()
    status = await discord.gateway(connected=True, resumes=1)
    assert status["identifies"] == 1

    again = await discord.click("hana", JOIN, channel="lfg")
    assert again.content.startswith("Catan: 2 players")
    messages = await discord.messages("lfg")
    assert [m["content"] for m in messages] == [again.content]
    assert messages[0]["sandbox"]["pinged_nobody"]
    assert await discord.violations() == []

    log = await discord.log()
    paths = [(entry["method"], entry["path"]) for entry in log]
    assert ("GET", "/users/@me") in paths
    assert any(method == "PUT" and path.endswith("/commands") for method, path in paths)
    assert all(entry["status"] < 400 for entry in log)
    if SPEC_PATH.exists():
        spec = DiscordSpec.load(SPEC_PATH)
        problems = {
            f"{e['method']} {e['path']}": spec.validate_request(e["method"], e["path"], e["body"])
            for e in log
        }
        assert {k: v for k, v in problems.items() if v} == {}
