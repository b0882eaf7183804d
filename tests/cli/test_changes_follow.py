"""End to end: a change made with the CLI while gamesched's worker runs reaches the Discord
announcement and the players' DMs, as in the sandbox a member would see them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from gamesched.services.games import list_games
from tests.support.cli import gamesched
from tests.support.live import FOLLOW_WITHIN, START, Live, live_game, shows
from tests.support.sandbox import channel_id_of, user_id_of


@pytest.fixture
async def live(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    tmp_path: Path,
    cli_env: pytest.MonkeyPatch,
) -> AsyncIterator[Live]:
    """`gamesched run`'s core and worker on a SQLite file, talking to the sandbox; the CLI is
    configured for the same database and Discord."""
    url = f"sqlite+aiosqlite:///{tmp_path}/live.sqlite3"
    for name, value in {
        "GAMESCHED_DATABASE__URL": url,
        "GAMESCHED_DISCORD__TOKEN": demo_world.token,
        "GAMESCHED_DISCORD__API_BASE_URL": sandbox.base_url,
    }.items():
        cli_env.setenv(name, value)
    async with live_game(url, sandbox, demo_world, discord) as live:
        yield live


async def operator(*args: str) -> None:
    """Run a `gamesched` command as the operator would, off the test's loop."""
    result = await asyncio.to_thread(gamesched, *args)
    assert result.exit_code == 0, result.output


async def last_dm(live: Live, username: str) -> str:
    dms = await live.discord.dms(user_id_of(live.world, username), at_least=1, within=FOLLOW_WITHIN)
    return json.dumps(dms[-1])


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message)


async def test_a_new_start_time_reaches_the_announcement_and_the_players(live: Live) -> None:
    """`games edit --when`: the announcement shows the new start and every player gets the
    "moved" DM the bot would send."""
    new_start = START + timedelta(days=1, hours=2)
    stamp = f"<t:{int(new_start.timestamp())}:"
    await operator(
        "games", "edit", str(live.game.id), "--when", new_start.strftime("%Y-%m-%d %H:%M"),
        "--tz", "UTC",
    )  # fmt: skip

    await shows(live, lambda message: stamp in text_of(message))
    for player in ("sam", "zoe", "alex_r"):
        dm = await last_dm(live, player)
        assert "was moved: it now starts" in dm
        assert stamp in dm


async def test_a_cancel_reaches_the_announcement_and_the_players(live: Live) -> None:
    """`games cancel --yes`: the announcement says Cancelled and the players are told."""
    await operator("games", "cancel", str(live.game.id), "--yes")

    message = await shows(live, lambda m: "[Cancelled]" in text_of(m))
    assert "Catan night" in text_of(message)
    for player in ("sam", "zoe", "alex_r"):
        assert "was cancelled" in await last_dm(live, player)


async def test_removing_a_player_reaches_the_announcement_and_both_players(live: Live) -> None:
    """`games remove-player`: the announcement lists the waitlisted player in the freed seat
    instead of the removed one; the removed one is told, and so is the one who got the seat."""
    sam, alex = (user_id_of(live.world, n) for n in ("sam", "alex_r"))
    await operator("games", "remove-player", str(live.game.id), str(sam), "--yes")

    def seated(message: dict[str, Any]) -> bool:
        fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
        participants = next(v for k, v in fields.items() if k.startswith("Participants"))
        return f"<@{alex}>" in participants and f"<@{sam}>" not in participants

    await shows(live, seated)
    assert "You were taken off **Catan night**" in await last_dm(live, "sam")
    assert "You got a seat in **Catan night**" in await last_dm(live, "alex_r")


async def test_without_a_token_the_cli_posts_to_the_running_sandbox(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    ctx: Context,
    database_url: str,
    cli_env: pytest.MonkeyPatch,
) -> None:
    """In sandbox mode (no token) a game created with the CLI is announced at once in the
    sandbox `gamesched run` serves, as with a real Discord."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("GAMESCHED_SANDBOX__PORT", str(sandbox.port))
    channel = channel_id_of(demo_world, "lfg")
    host = str(user_id_of(demo_world, "olivia"))
    await operator(
        "games", "create", "--guild", str(demo_world.guilds[0].id), "--channel", str(channel),
        "--host", host, "--title", "Sandbox night", "--when", START.strftime("%Y-%m-%d %H:%M"),
    )  # fmt: skip

    (posted,) = await discord.messages(channel, at_least=1)
    assert "Sandbox night" in text_of(posted)
    (game,) = (await list_games(ctx)).items
    assert game.message_id == int(posted["id"])
