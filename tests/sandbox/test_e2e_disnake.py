"""A real disnake bot connects through the sandbox, syncs, answers a command and clicks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import disnake
import pytest
from disnake.ext import commands
from disnake.interactions import (
    ApplicationCommandInteraction,
    MessageInteraction,
    ModalInteraction,
)

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World

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


Launch = Callable[[commands.InteractionBot], Awaitable[None]]


@pytest.fixture
async def launch(
    sandbox: RunningSandbox, demo_world: World, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Launch]:
    """Start bots against the sandbox; each is closed cleanly afterwards."""
    monkeypatch.setattr(disnake.http.Route, "BASE", sandbox.base_url)
    started: list[tuple[commands.InteractionBot, asyncio.Task[None]]] = []

    async def start(bot: commands.InteractionBot) -> None:
        started.append((bot, asyncio.create_task(bot.start(demo_world.token))))

    yield start
    for bot, task in started:
        await bot.close()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def running_bot(launch: Launch, demo_world: World) -> commands.InteractionBot:
    """The announce/join bot, started."""
    bot = build_bot(demo_world.guilds[0].id)
    await launch(bot)
    return bot


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


async def test_real_bot_identifies_afresh_when_its_session_is_invalidated(
    running_bot: commands.InteractionBot, discord: SandboxDriver
) -> None:
    """After a drop that kills the session, disnake's RESUME is refused and a new IDENTIFY
    brings the bot back: it answers commands again."""
    await discord.commands(wait_for=["announce"])

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        """disnake's documented hook, which by default waits 5 s before re-identifying."""

    running_bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    await discord.drop_gateway(resumable=False)
    status = await discord.gateway(connected=True, identifies=2)
    assert status["resumes"] == 0
    announced = await discord.slash("sam", "announce", channel="lfg", options={"title": "Azul"})
    assert announced.content == "Azul @everyone: 0 players"


def build_form_bot(guild_id: int) -> commands.InteractionBot:
    """A bot that opens a modal, answers its submit with a deferral, an edit, a follow-up and
    a DM, and autocompletes a game name."""
    bot = commands.InteractionBot(intents=disnake.Intents.default(), test_guilds=[guild_id])

    @bot.slash_command(description="Create a game")
    async def create(inter: ApplicationCommandInteraction[commands.InteractionBot]) -> None:
        await inter.response.send_modal(
            title="New game",
            custom_id="create:v1",
            components=[
                disnake.ui.TextInput(label="Title", custom_id="title"),
                disnake.ui.TextInput(
                    label="Participants",
                    custom_id="participants",
                    style=disnake.TextInputStyle.paragraph,
                    required=False,
                ),
            ],
        )

    @bot.slash_command(description="Pick a game")
    async def pick(
        inter: ApplicationCommandInteraction[commands.InteractionBot], game: str
    ) -> None:
        await inter.response.send_message(f"picked {game}", ephemeral=True)

    @pick.autocomplete("game")
    async def complete(
        inter: ApplicationCommandInteraction[commands.InteractionBot], value: str
    ) -> list[str]:
        return [g for g in ("Catan", "Azul", "Chess") if g.lower().startswith(value.lower())]

    @bot.listen("on_modal_submit")
    async def on_modal(inter: ModalInteraction[commands.InteractionBot]) -> None:
        await inter.response.defer(ephemeral=True)
        title = inter.text_values["title"]
        await inter.edit_original_response(content=f"created {title}")
        await inter.followup.send("see your DMs", ephemeral=True)
        await inter.author.send(f"You host {title}")

    return bot


async def test_real_bot_modal_autocomplete_followup_and_dm(
    launch: Launch, demo_world: World, discord: SandboxDriver
) -> None:
    """A modal opened by the real bot is submitted; deferral, edit, follow-up and DM all arrive."""
    await launch(build_form_bot(demo_world.guilds[0].id))
    await discord.commands(wait_for=["create", "pick"])

    opened = await discord.slash("sam", "create", channel="lfg")
    assert opened.callback_type == 9
    assert opened.modal is not None
    assert opened.modal["custom_id"] == "create:v1"

    submitted = await discord.submit_modal("sam", {"title": "Catan"})
    assert (submitted.callback_type, submitted.content, submitted.ephemeral) == (
        5,
        "created Catan",
        True,
    )
    later = await discord.interaction(submitted.id, followups=1)
    assert [m["content"] for m in later.followups] == ["see your DMs"]
    dms = await discord.dms("sam", at_least=1)
    assert [m["content"] for m in dms] == ["You host Catan"]

    choices = await discord.autocomplete(
        "sam", "pick", channel="lfg", focused="game", options={"game": "c"}
    )
    assert [c["name"] for c in choices] == ["Catan", "Chess"]
    picked = await discord.slash("sam", "pick", channel="lfg", options={"game": "Azul"})
    assert (picked.content, picked.ephemeral) == ("picked Azul", True)
    assert await discord.violations() == []
