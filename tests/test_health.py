"""The doctor's judgements that need no running services: how far off a clock may be, and
which slash commands the bot registers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gamesched.bot.client import declared_commands
from gamesched.health import Status, judge_skew
from tests.support.bot import RunningBot


@pytest.mark.parametrize(
    ("seconds", "status"),
    [
        (0, Status.OK),
        (2, Status.OK),
        (-2, Status.OK),
        (2.6, Status.WARN),
        (30, Status.WARN),
        (-30, Status.WARN),
        (31, Status.FAIL),
        (-3600, Status.FAIL),
    ],
)
def test_clock_skew_is_ok_within_2_s_a_warning_to_30_s_then_a_failure(
    seconds: float, status: Status
) -> None:
    """Up to 2 s off Discord's clock is ok, up to 30 s a warning, beyond that a failure."""
    assert judge_skew(timedelta(seconds=seconds)).status is status


def test_the_skew_says_which_way_the_clock_is_off() -> None:
    """Discord ahead means this machine is behind, and the other way round."""
    assert "5 s behind Discord's" in judge_skew(timedelta(seconds=5)).detail
    assert "5 s ahead of Discord's" in judge_skew(timedelta(seconds=-5)).detail
    assert judge_skew(timedelta(seconds=5)).fix is not None


async def test_declared_commands_are_the_ones_the_running_bot_registers(
    gamesched_bot: RunningBot,
) -> None:
    """What the doctor compares with Discord is exactly the bot's own application commands."""
    names = {command.name for command in gamesched_bot.bot.application_commands}
    assert declared_commands() == names
    assert "create-game" in names
