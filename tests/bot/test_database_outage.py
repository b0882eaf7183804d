"""The bot while its database is unreachable: a short private answer to every click and
command, one log line for the whole outage, and clicks that work again once it is back.

PostgreSQL is reached through a TCP proxy the test cuts and restores; the real server is never
touched.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from gamesched.bot.failures import DATABASE_DOWN
from gamesched.db.engine import Database, create_database
from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.games import get_game
from tests.support.bot import RunningBot, announce
from tests.support.outages import assert_quiet_outage, failed_attempts
from tests.support.tcp_proxy import TcpProxy, proxy_to

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


@pytest.fixture
async def postgres(database_url: str) -> AsyncIterator[TcpProxy]:
    """The way to the test's PostgreSQL database, which the test cuts and restores."""
    async with proxy_to(database_url) as proxy:
        yield proxy


@pytest.fixture
async def database(database_url: str, postgres: TcpProxy) -> AsyncIterator[Database]:
    """The bot's database, reached through :func:`postgres` (replaces the usual fixture)."""
    database = create_database(postgres.url_for(database_url))
    yield database
    await database.dispose()


async def test_clicks_during_a_database_outage_are_answered_and_work_again_after_it(
    gamesched_bot: RunningBot,
    discord: SandboxDriver,
    postgres: TcpProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While PostgreSQL is cut, Join clicks and a command each get the short private "try
    again" answer (no apology for a bug, no traceback), the log has one warning for all of
    them and no error; once it is back a click works without restarting the bot, and the
    log says how long the outage lasted."""
    caplog.set_level(logging.INFO)
    game = await announce(gamesched_bot, max_players=4)
    join = game_custom_id(Action.JOIN, game.id)

    await postgres.cut()
    answers = [
        await discord.click(member, join, message_id=game.message_id)
        for member in ("sam", "zoe", "taylor")
    ]
    answers.append(await discord.slash("sam", "my-games", channel="board-games"))
    assert [(a.content, a.ephemeral) for a in answers] == [(DATABASE_DOWN, True)] * 4

    await postgres.restore()
    joined = await discord.click("sam", join, message_id=game.message_id)
    assert "You're in" in joined.content
    after = await get_game(gamesched_bot.services, game.id)
    assert after.joined == (gamesched_bot.user_id("sam"),)

    back = assert_quiet_outage(caplog, "database")
    assert failed_attempts(back) >= len(answers)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
