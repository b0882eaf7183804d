"""The bot's answers in the metrics: a click and a command through the sandbox, read from the
web's ``/metrics`` of the same process (as ``gamesched run`` serves it)."""

from __future__ import annotations

from gamesched.sandbox.driver import SandboxDriver
from tests.support.bot import RunningBot, announce, join
from tests.support.metrics import Scrape, counted, scrape, scrape_until, web_client
from tests.support.web import web_config

JOIN = {"kind": "component", "action": "game:join:v1"}
EDIT = {"kind": "command", "action": "edit-game"}
WAITS = "gamesched_interaction_seconds_count"


def interactions(found: Scrape, outcome: str, labels: dict[str, str]) -> float:
    return found("gamesched_interactions_total", outcome=outcome, **labels)


async def test_a_click_and_a_refused_command_are_counted_and_timed(
    gamesched_bot: RunningBot, discord: SandboxDriver, database_url: str
) -> None:
    """A Join click counts once as an answered component with its wait in the histogram, and
    a command the bot refuses counts once as refused, on the web's /metrics."""
    async with web_client(web_config(database_url)) as web:
        game = await announce(gamesched_bot, max_players=4)
        before = await scrape(web)
        await join(discord, game, "sam")
        clicked = await scrape_until(
            web,
            lambda now: (
                interactions(now, "answered", JOIN) > interactions(before, "answered", JOIN)
            ),
        )
        refusal = await discord.slash(
            "sam", "edit-game", channel="board-games", options={"game": game.id + 1000}
        )
        assert refusal.ephemeral, refusal.raw
        refused = await scrape_until(
            web,
            lambda now: interactions(now, "refused", EDIT) > interactions(before, "refused", EDIT),
        )

    assert interactions(clicked, "answered", JOIN) - interactions(before, "answered", JOIN) == 1
    assert interactions(clicked, "failed", JOIN) == interactions(before, "failed", JOIN)
    assert clicked(WAITS, kind="component") - before(WAITS, kind="component") == 1
    every_wait = clicked("gamesched_interaction_seconds_bucket", kind="component", le="+Inf")
    assert every_wait == clicked(WAITS, kind="component")
    assert interactions(refused, "refused", EDIT) - interactions(before, "refused", EDIT) == 1
    assert refused(WAITS, kind="command") - before(WAITS, kind="command") == 1
    assert clicked.types["gamesched_interactions"] == "counter"
    assert clicked.types["gamesched_interaction_seconds"] == "histogram"


async def test_a_429_the_bots_library_waits_out_is_counted(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A 429 on the bot's answer, which disnake waits out itself, counts as rate-limited for
    the bot's client, and the click is still answered."""
    game = await announce(gamesched_bot, max_players=4)
    before = counted("gamesched_discord_rate_limited_total", client="bot")
    await discord.add_fault("rate_limit", r"POST /interactions/\d+/", seconds=0.05, times=1)
    await join(discord, game, "sam")
    assert counted("gamesched_discord_rate_limited_total", client="bot") - before == 1
