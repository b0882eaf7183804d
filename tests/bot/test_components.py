"""The component router: each button reaches the one feature owning its custom-id prefix."""

from __future__ import annotations

import asyncio
from typing import Any

import disnake
from disnake.interactions import MessageInteraction

from gamesched.bot.components import OUT_OF_DATE
from gamesched.sandbox.driver import InteractionResult, SandboxDriver
from tests.support.bot import RunningBot

SETTLE_SECONDS = 0.5
"""How long a second answer to the same click is given to show up before the test looks."""


async def post_buttons(running: RunningBot, *custom_ids: str) -> None:
    """A message in #lfg, as if the bot had sent it, with one button per custom id."""
    buttons = [
        {"type": 2, "style": 2, "label": custom_id, "custom_id": custom_id}
        for custom_id in custom_ids
    ]
    message = {
        "content": "Buttons from somewhere",
        "components": [{"type": 1, "components": buttons}],
        "allowed_mentions": {"parse": []},
    }
    await running.bot.deps.rest.create_message(running.channel_id("lfg"), message)


async def settled_answer(discord: SandboxDriver, answer: InteractionResult) -> InteractionResult:
    """The interaction's record once any late second answer had time to arrive."""
    await asyncio.sleep(SETTLE_SECONDS)
    return await discord.interaction(answer.id)


async def test_a_component_nobody_owns_gets_exactly_one_out_of_date_answer(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A click on an id no extension owns is answered once, privately, as out of date."""
    await post_buttons(gamesched_bot, "trivia:answer:v1:3")
    answer = await settled_answer(discord, await discord.click("sam", "trivia:answer:v1:3"))
    assert answer.callback_type == 4
    assert answer.ephemeral
    assert answer.content == OUT_OF_DATE
    assert (answer.raw["edits"], answer.followups, answer.rejected) == ([], [], [])


async def test_a_component_reaches_only_the_extension_owning_its_prefix(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Another feature's button is answered by that feature alone, not as out of date."""
    clicked: list[str] = []

    async def trivia(inter: MessageInteraction[Any]) -> None:
        clicked.append(inter.component.custom_id or "")
        await inter.response.send_message("Correct!", ephemeral=True)

    gamesched_bot.bot.components.route_components("trivia:", trivia)
    await post_buttons(gamesched_bot, "trivia:answer:v1:3")
    answer = await settled_answer(discord, await discord.click("sam", "trivia:answer:v1:3"))
    assert clicked == ["trivia:answer:v1:3"]
    assert answer.content == "Correct!"
    assert (answer.raw["edits"], answer.followups, answer.rejected) == ([], [], [])


async def test_a_form_nobody_owns_gets_exactly_one_out_of_date_answer(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A submitted form whose id no extension owns is answered once, privately, as out of date."""

    async def open_quiz(inter: MessageInteraction[Any]) -> None:
        await inter.response.send_modal(
            title="Quiz",
            custom_id="quiz:form:v1:3",  # a form id nobody routes
            components=[disnake.ui.TextInput(label="Answer", custom_id="answer")],
        )

    gamesched_bot.bot.components.route_components("quiz:", open_quiz)
    await post_buttons(gamesched_bot, "quiz:open:v1:3")
    opened = await discord.click("sam", "quiz:open:v1:3")
    assert opened.modal is not None, opened.content
    submitted = await discord.submit_modal("sam", {"answer": "42"})
    answer = await settled_answer(discord, submitted)
    assert answer.ephemeral
    assert answer.content == OUT_OF_DATE
    assert (answer.raw["edits"], answer.followups, answer.rejected) == ([], [], [])
