"""An operator's retry of a refused reminder DM, end to end with the real worker on the sandbox:
the player who opened their DMs gets the reminder, nobody gets it twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.services import reminders
from tests.support.bot import announce, join
from tests.support.factories import START
from tests.support.fakes import FakeClock
from tests.support.worker import DrivenWorker


def open_dms(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, username: str) -> None:
    """The user opens their DMs to the bot (from now on the sandbox delivers them)."""
    world = sandbox.state.world
    users = tuple(
        replace(u, dms_closed=False) if u.username == username else u for u in world.users
    )
    monkeypatch.setattr(sandbox.state, "world", replace(world, users=users))


async def test_a_retried_reminder_reaches_the_player_who_opened_dms_and_nobody_twice(
    worker: DrivenWorker,
    discord: SandboxDriver,
    sandbox: RunningSandbox,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cleo's reminder DM is refused (closed DMs); she opens them, the operator retries it,
    and the next worker pass sends her the reminder once, while Sam, who got it, gets no
    second one; another pass sends nothing."""
    bot = worker.bot
    game = await announce(bot, max_players=3)
    await join(discord, game, "cleo", "sam")
    clock.now = START - timedelta(minutes=60)
    await worker.drain()
    assert len(await discord.dms("sam", at_least=1)) == 1
    (failure,) = (await reminders.failures(bot.services, game_id=game.id)).items
    assert (failure.member_id, failure.reason) == (bot.user_id("cleo"), "dms_closed")

    open_dms(sandbox, monkeypatch, "cleo")
    clock.now += timedelta(minutes=5)
    retried = await reminders.retry(bot.services, [failure.ref])
    assert retried.rounds[0].recipients == (bot.user_id("cleo"),)
    await worker.drain()
    (dm,) = await discord.dms("cleo", at_least=1)
    assert "Azul" in dm["content"]
    assert len(await discord.dms("sam")) == 1
    assert (await reminders.failures(bot.services, game_id=game.id)).items == ()

    await worker.drain()
    assert len(await discord.dms("cleo")) == 1
    assert await discord.violations() == []
