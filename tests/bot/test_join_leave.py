"""Joining and leaving with the announcement's buttons, and what the announcement shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.domain.status import GameStatus
from gamesched.sandbox.driver import SandboxDriver, SandboxUsageError
from gamesched.sandbox.server import RunningSandbox
from gamesched.services.games import cancel_game, get_game
from tests.support.bot import (
    RunningBot,
    announcement_of,
    buttons,
    create_via_form,
    embed_fields,
    running_bot,
    set_status,
)
from tests.support.fakes import FakeClock

ADMIN = Actor(user_id=0, permissions=int(Permission.ADMINISTRATOR))


async def test_joining_after_the_last_reminder_promises_none(
    gamesched_bot: RunningBot, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Ten minutes before the start, past the 15-minute reminder, Join does not promise one."""
    game = await create_via_form(discord, gamesched_bot, max_players="2")
    clock.now = game.start_at - timedelta(minutes=10)
    joined = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert "You're in **Catan night**" in joined.content
    assert "remind" not in joined.content


async def test_join_answers_privately_and_the_announcement_counts_the_seat(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Join answers at once and privately; the announcement then shows 1/2 and the player."""
    game = await create_via_form(discord, gamesched_bot, max_players="2")
    joined = await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    assert joined.ephemeral
    assert "You're in **Catan night** (1/2 seats)" in joined.content
    assert "I'll remind you before" in joined.content

    message = await announcement_of(discord, gamesched_bot, game)
    fields = embed_fields(message)
    assert fields["Players"] == "1/2"
    assert fields["Participants"] == f"<@{gamesched_bot.user_id('sam')}>"


async def test_joining_twice_says_so_and_changes_nothing(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A second Join by the same member is told they already joined; the seat count stays."""
    game = await create_via_form(discord, gamesched_bot, max_players="3")
    join = game_custom_id(Action.JOIN, game.id)
    await discord.click("sam", join)
    again = await discord.click("sam", join)
    assert again.ephemeral
    assert again.content == "You have already joined this game."
    assert len((await get_game(gamesched_bot.services, game.id)).joined) == 1


async def test_full_game_waitlists_with_position_and_turns_join_into_a_waitlist_join(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Once full, Join is labelled Join waitlist and later joiners hear their place in line."""
    game = await create_via_form(discord, gamesched_bot, max_players="1")
    join = game_custom_id(Action.JOIN, game.id)
    await discord.click("sam", join)
    message = await announcement_of(discord, gamesched_bot, game)
    assert [b["label"] for b in buttons(message)] == ["Join waitlist", "Leave"]

    first = await discord.click("zoe", join)
    second = await discord.click("hana", join)
    assert first.ephemeral
    assert second.ephemeral
    assert "full" in first.content
    assert "position 1" in first.content
    assert "position 2" in second.content
    already = await discord.click("hana", join)
    assert already.content == "You are already on the waitlist (position 2)."

    fields = embed_fields(await announcement_of(discord, gamesched_bot, game))
    zoe, hana = gamesched_bot.user_id("zoe"), gamesched_bot.user_id("hana")
    assert fields["Players"] == "1/1 · waitlist 2"
    assert fields["Waitlist"] == f"**1.** <@{zoe}>\n**2.** <@{hana}>"


async def test_leaving_frees_the_seat_for_the_first_in_line(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Leave answers privately; the first waitlisted member takes the seat on the announcement."""
    game = await create_via_form(discord, gamesched_bot, max_players="1")
    join = game_custom_id(Action.JOIN, game.id)
    for member in ("sam", "zoe", "hana"):
        await discord.click(member, join)
    left = await discord.click("sam", game_custom_id(Action.LEAVE, game.id))
    assert left.ephemeral
    assert left.content == "You left **Catan night**; your seat is free again."

    message = await announcement_of(discord, gamesched_bot, game)
    fields = embed_fields(message)
    zoe, hana = gamesched_bot.user_id("zoe"), gamesched_bot.user_id("hana")
    assert fields["Players"] == "1/1 · waitlist 1"
    assert fields["Participants"] == f"<@{zoe}>"
    assert fields["Waitlist"] == f"**1.** <@{hana}>"

    waitlisted_leaves = await discord.click("hana", game_custom_id(Action.LEAVE, game.id))
    assert "waitlist place is free again" in waitlisted_leaves.content
    message = await announcement_of(discord, gamesched_bot, game)
    assert "Waitlist" not in embed_fields(message)
    assert [b["label"] for b in buttons(message)] == ["Join waitlist", "Leave"]


async def test_leaving_a_game_one_is_not_in_says_so(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Leave by a member who never joined is told there is nothing to leave."""
    game = await create_via_form(discord, gamesched_bot)
    answer = await discord.click("zoe", game_custom_id(Action.LEAVE, game.id))
    assert answer.ephemeral
    assert answer.content == "You are not in this game, so there is nothing to leave."


async def test_buttons_of_a_cancelled_game_answer_clearly_then_turn_off(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A click that beats the update of a cancelled game is told why; then both buttons are off."""
    game = await create_via_form(discord, gamesched_bot)
    await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    await announcement_of(discord, gamesched_bot, game)
    # Cancelled elsewhere (web, CLI): the announcement still shows live buttons until synced.
    await cancel_game(gamesched_bot.services, actor=ADMIN, game_id=game.id)
    join = await discord.click("zoe", game_custom_id(Action.JOIN, game.id))
    assert join.ephemeral
    assert join.content == "This game is cancelled, so you can no longer join it."
    leave = await discord.click("sam", game_custom_id(Action.LEAVE, game.id))
    assert leave.content == "This game is cancelled, so you can no longer leave it."

    gamesched_bot.sync.request(game.id)
    message = await announcement_of(discord, gamesched_bot, game)
    assert message["embeds"][0]["title"].startswith("[Cancelled]")
    assert [b["disabled"] for b in buttons(message)] == [True, True]
    with pytest.raises(SandboxUsageError, match="disabled"):
        await discord.click("zoe", game_custom_id(Action.JOIN, game.id))


@pytest.mark.parametrize("status", [GameStatus.IN_PROGRESS, GameStatus.COMPLETED])
async def test_buttons_are_disabled_once_the_game_starts_or_ends(
    gamesched_bot: RunningBot, discord: SandboxDriver, status: GameStatus
) -> None:
    """A game in progress or completed shows its status and no usable button."""
    game = await create_via_form(discord, gamesched_bot)
    await set_status(gamesched_bot.services, game.id, status)
    gamesched_bot.sync.request(game.id)
    message = await announcement_of(discord, gamesched_bot, game)
    assert message["embeds"][0]["title"].startswith(f"[{status.label.capitalize()}]")
    assert [b["disabled"] for b in buttons(message)] == [True, True]


async def test_buttons_posted_before_a_restart_keep_working(
    gamesched_bot: RunningBot, discord: SandboxDriver, sandbox: RunningSandbox
) -> None:
    """After the bot restarts on the same database, Join on the old announcement still works."""
    game = await create_via_form(discord, gamesched_bot, max_players="2")
    await discord.click("sam", game_custom_id(Action.JOIN, game.id))
    await announcement_of(discord, gamesched_bot, game)
    await gamesched_bot.bot.close()

    services, world = gamesched_bot.services, gamesched_bot.world
    async with running_bot(sandbox, world, discord, services) as restarted:
        joined = await discord.click(
            "zoe", game_custom_id(Action.JOIN, game.id), message_id=game.message_id
        )
        assert joined.ephemeral
        assert "You're in **Catan night** (2/2 seats)" in joined.content
        message = await announcement_of(discord, restarted, game)
    fields = embed_fields(message)
    assert fields["Players"] == "2/2"
    assert [b["label"] for b in buttons(message)] == ["Join waitlist", "Leave"]


async def test_a_button_from_an_older_version_is_answered_as_stale(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A button whose id this version no longer reads gets a private "out of date" answer."""
    old = {
        "content": "An announcement from an older version",
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 3, "label": "Join", "custom_id": "game:join:v0:1"}
                ],
            }
        ],
        "allowed_mentions": {"parse": []},
    }
    await gamesched_bot.bot.deps.rest.create_message(gamesched_bot.channel_id("lfg"), old)
    answer = await discord.click("sam", "game:join:v0:1")
    assert answer.ephemeral
    assert "out of date" in answer.content
