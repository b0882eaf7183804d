"""A burst of 200 clicks by 200 members on one game: every click answered, the message true."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.sandbox.driver import InteractionResult, SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.games import get_game
from gamesched.services.participation import join_game
from tests.support.bot import RunningBot, announcement_of, create_via_form
from tests.support.sandbox import crowded_world, load_demo_world

CROWD = 200
"""Members added to the demo world; half are in the game before the burst, half join."""
SEATS = 40
CLICK_WITHIN = 120.0
"""Seconds each simulated click may wait for its answer: generous, so a slow machine passes."""
DRIVERS = 4
"""Separate HTTP sessions for the clicks, so all 200 are in flight at once (a session keeps
at most 100 connections)."""


@pytest.fixture
def demo_world() -> World:
    """The demo world with 200 more members."""
    return crowded_world(load_demo_world(), extra_members=CROWD, response_seconds=CLICK_WITHIN)


@pytest.fixture
async def drivers(sandbox: RunningSandbox) -> AsyncIterator[list[SandboxDriver]]:
    """Independent drivers to spread the burst over."""
    pool = [SandboxDriver(sandbox.url, within=CLICK_WITHIN) for _ in range(DRIVERS)]
    yield pool
    for driver in pool:
        await driver.close()


async def test_two_hundred_concurrent_clicks_converge_to_the_database(
    gamesched_bot: RunningBot, discord: SandboxDriver, drivers: list[SandboxDriver]
) -> None:
    """100 Leaves and 100 Joins at once: each answered, and the announcement equals the rows."""
    game = await create_via_form(discord, gamesched_bot, max_players=str(SEATS))
    players = [f"player{n:03}" for n in range(1, CROWD + 1)]
    leavers, joiners = players[: CROWD // 2], players[CROWD // 2 :]
    for name in leavers:
        await join_game(
            gamesched_bot.services, game_id=game.id, user_id=gamesched_bot.user_id(name)
        )
    gamesched_bot.sync.request(game.id)
    await announcement_of(discord, gamesched_bot, game)

    join, leave = game_custom_id(Action.JOIN, game.id), game_custom_id(Action.LEAVE, game.id)
    clicks = [(name, leave) for name in leavers] + [(name, join) for name in joiners]
    results: list[InteractionResult] = await asyncio.gather(
        *(
            drivers[index % DRIVERS].click(name, custom_id, message_id=game.message_id)
            for index, (name, custom_id) in enumerate(clicks)
        )
    )

    for (name, custom_id), result in zip(clicks, results, strict=True):
        assert result.settled, name
        assert result.rejected == [], (name, result.rejected)
        assert result.ephemeral, name
        if custom_id == leave:
            assert result.content.startswith("You left"), (name, result.content)
        else:
            assert "You're in" in result.content or "waitlist" in result.content, result.content

    final = await get_game(gamesched_bot.services, game.id)
    ids = {gamesched_bot.user_id(name): name for name in joiners}
    assert sorted(final.joined + final.waitlist) == sorted(ids)
    assert len(final.joined) == SEATS

    message = await announcement_of(discord, gamesched_bot, game)
    (embed,) = message["embeds"]
    fields = embed["fields"]
    seated = _lines(fields, "Participants")
    waiting = _lines(fields, "Waitlist")
    assert seated == [f"<@{user_id}>" for user_id in final.joined]
    assert waiting == [f"**{n}.** <@{user_id}>" for n, user_id in enumerate(final.waitlist, 1)]
    players_field = next(f["value"] for f in fields if f["name"] == "Players")
    assert players_field == f"{SEATS}/{SEATS} · waitlist {len(final.waitlist)}"
    assert await discord.violations() == []


def _lines(fields: list[dict[str, str]], name: str) -> list[str]:
    """Every line of the fields called ``name`` or ``name (continued)``, in order."""
    lines: list[str] = []
    for field in fields:
        if field["name"] in (name, f"{name} (continued)"):
            lines += field["value"].splitlines()
    return lines
