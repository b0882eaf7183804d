"""Typed text pings nobody, and a huge game renders within Discord's limits and its schema."""

from __future__ import annotations

import dataclasses

import pytest

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.domain.entries import MAX_PLACEHOLDER_LENGTH
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.settings import MAX_CATEGORY_LENGTH, MAX_RULES_LENGTH
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.world import MENTION_EVERYONE, World
from gamesched.services.participation import join_game
from tests.support.bot import RunningBot, announcement_of, create_via_form, embed_fields
from tests.support.sandbox import crowded_world, load_demo_world

MODERATOR_ROLE = 1180000000000000003
"""The demo world's mentionable Moderator role."""
PLAYERS = 150
"""Extra members: 100 seated and 50 waitlisted in the largest game."""


@pytest.fixture
def demo_world() -> World:
    """The demo world with 150 more members, where the bot itself may mention everyone.

    With that permission only the bot's ``allowed_mentions`` stand between typed text and a
    ping, so the ping checks below cannot pass merely because the bot lacks the right.
    """
    crowded = crowded_world(load_demo_world(), extra_members=PLAYERS, response_seconds=30.0)
    (guild,) = crowded.guilds
    roles = tuple(
        dataclasses.replace(role, permissions=role.permissions | MENTION_EVERYONE)
        if role.name == "Gamesched"
        else role
        for role in guild.roles
    )
    return dataclasses.replace(crowded, guilds=(dataclasses.replace(guild, roles=roles),))


NOISY = f"@everyone @here <@&{MODERATOR_ROLE}> <@1160000000000000008>"
"""Every kind of mention, as someone might type it."""


async def test_mentions_typed_into_the_game_ping_nobody(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """@everyone, @here, role and user mentions in title, description and rules ping nobody."""
    game = await create_via_form(
        discord,
        gamesched_bot,
        options={"rules": f"Rules {NOISY}"},
        title=f"Catan {NOISY}"[:MAX_TITLE_LENGTH],
        description=f"Come along {NOISY}",
        participants="@sam",
    )
    olivia = str(gamesched_bot.user_id("olivia"))
    (confirmation,) = [
        m
        for m in await discord.messages("board-games", member="olivia")
        if m["sandbox"]["visible_to"] == olivia
    ]
    assert "Created" in confirmation["content"]
    assert confirmation["sandbox"]["pinged_nobody"]
    message = await announcement_of(discord, gamesched_bot, game)
    assert message["content"] == ""
    assert message["sandbox"]["pinged_nobody"]
    assert NOISY in message["embeds"][0]["description"]

    joined = await discord.click("hana", game_custom_id(Action.JOIN, game.id))
    assert NOISY[:20] in joined.content
    assert joined.message is not None
    assert joined.message["sandbox"]["pinged_nobody"]
    await discord.slash("olivia", "cancel-game", channel="board-games", options={"game": game.id})
    cancelled = await discord.click("olivia", game_custom_id(Action.CANCEL_YES, game.id))
    assert cancelled.message is not None
    assert cancelled.message["sandbox"]["pinged_nobody"]


async def test_participants_are_pinged_only_when_the_host_asks(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """With ping_participants the listed players, and nobody else, get a notification."""
    quiet = await create_via_form(discord, gamesched_bot, participants="@sam\n@zoe")
    assert (await announcement_of(discord, gamesched_bot, quiet))["sandbox"]["pinged_nobody"]

    loud = await create_via_form(
        discord,
        gamesched_bot,
        options={"ping_participants": True},
        title=f"Loud {NOISY}"[:MAX_TITLE_LENGTH],
        participants="@sam\n@zoe",
    )
    pings = (await announcement_of(discord, gamesched_bot, loud))["sandbox"]
    sam, zoe = gamesched_bot.user_id("sam"), gamesched_bot.user_id("zoe")
    assert pings["pinged_users"] == sorted([str(sam), str(zoe)])
    assert pings["pinged_roles"] == []
    assert not pings["pinged_everyone"]


async def test_largest_game_renders_within_every_limit_and_the_schema(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """100 players, 50 waitlisted, 20 placeholders and longest texts: exact counts, overflow
    summarised, no limit broken (the sandbox fixture also checks every body against Discord's
    API description)."""
    placeholders = [f"Guest {n:02} ".ljust(MAX_PLACEHOLDER_LENGTH, "x") for n in range(1, 21)]
    seated_by_form = [f"@player{n:03}" for n in range(1, 81)]
    title = "T" * MAX_TITLE_LENGTH
    game = await create_via_form(
        discord,
        gamesched_bot,
        options={
            "rules": "R" * MAX_RULES_LENGTH,
            "category": "C" * MAX_CATEGORY_LENGTH,
            "ping_participants": True,
        },
        title=title,
        description="D" * MAX_DESCRIPTION_LENGTH,
        max_players="100",
        participants="\n".join(seated_by_form + placeholders),
    )
    for n in range(81, PLAYERS):
        user_id = gamesched_bot.user_id(f"player{n:03}")
        await join_game(gamesched_bot.services, game_id=game.id, user_id=user_id)
    last = await discord.click(f"player{PLAYERS:03}", game_custom_id(Action.JOIN, game.id))
    assert "position 50" in last.content

    message = await announcement_of(discord, gamesched_bot, game)
    assert await discord.violations() == []
    (embed,) = message["embeds"]
    assert embed["title"] == title
    assert embed["description"] == "D" * MAX_DESCRIPTION_LENGTH
    fields = embed_fields(message)
    assert fields["Players"] == "100/100 · waitlist 50"
    assert fields["Rules"] == "R" * MAX_RULES_LENGTH
    assert _listed(embed["fields"], "Participants") == 100 + len(placeholders)
    assert _listed(embed["fields"], "Waitlist") == 50
    lines = [line for field in embed["fields"] for line in field["value"].splitlines()]
    assert any(line.startswith("… and ") for line in lines)
    first_waiting = gamesched_bot.user_id("player101")
    assert fields["Waitlist"].startswith(f"**1.** <@{first_waiting}>")
    assert message["sandbox"]["pinged_users"]


def _listed(fields: list[dict[str, str]], name: str) -> int:
    """How many entries the ``name`` fields account for: shown lines plus "… and N more"."""
    count = 0
    for field in fields:
        if field["name"] not in (name, f"{name} (continued)"):
            continue
        for line in field["value"].splitlines():
            if line.startswith("… and "):
                count += int(line.split()[2])
            else:
                count += 1
    return count


async def test_markdown_in_a_title_does_not_break_the_bots_replies(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A title holding ** and _ is shown escaped inside the bold of the bot's replies."""
    game = await create_via_form(discord, gamesched_bot, title="**Big** _night_")
    joined = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert r"You're in **\*\*Big\*\* \_night\_** (1/4 seats)" in joined.content
    left = await discord.click("sam", game_custom_id(Action.LEAVE, game.id))
    assert left.content.startswith(r"You left **\*\*Big\*\* \_night\_**;")
