"""The dashboard's health header, and starting it with `gamesched tui`."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from gamesched.config import Config
from gamesched.services import workers
from gamesched.services.context import Context
from tests.support.cli import assert_one_line_error, gamesched
from tests.support.environment import REDIS_URL, free_port
from tests.support.factories import make_game
from tests.tui.conftest import DashboardFactory, settle, text_of


async def test_the_header_says_what_works_and_when_work_is_next_due(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The header shows the database, Redis not used, Discord without a token, no worker
    alive until one writes its heartbeat, and the next planned work in the operator's zone."""
    await make_game(ctx, reminder_minutes=(60,))
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        shown = text_of(app.query_one("#health", Static))
        assert "● database ok  ● redis not used  ● Discord no bot token (sandbox)" in shown
        assert "● worker none alive" in shown
        assert "next work: Sat 05 Dec 19:00 (in 4 d 6 h)" in shown
        await workers.heartbeat(ctx, worker="w1")
        await app.action_reload()
        assert "● worker alive" in text_of(app.query_one("#health", Static))


async def test_the_header_says_redis_cannot_be_reached(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """With broker.url set to a Redis nobody answers at, the header says it is unreachable."""
    config = Config.model_validate({"broker": {"url": f"redis://127.0.0.1:{free_port()}/0"}})
    app = dashboard(config)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert "● redis unreachable" in text_of(app.query_one("#health", Static))


@pytest.mark.redis
async def test_the_header_says_redis_answers(ctx: Context, dashboard: DashboardFactory) -> None:
    """With broker.url set to a running Redis, the header says it is fine."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    app = dashboard(Config.model_validate({"broker": {"url": REDIS_URL}}))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert "● redis ok" in text_of(app.query_one("#health", Static))


@pytest.fixture
def tui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No config file, no token, no Redis."""
    monkeypatch.chdir(tmp_path)
    for name in ("GAMESCHED_CONFIG", "GAMESCHED_DISCORD__TOKEN", "GAMESCHED_BROKER__URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_gamesched_tui_on_a_database_it_cannot_use_is_one_line_and_exit_5(
    tui_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A database folder that does not exist: one line saying so, exit 5, nothing drawn."""
    missing = tmp_path / "nowhere" / "gamesched.sqlite3"
    tui_env.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{missing}")
    assert_one_line_error(gamesched("tui"), 5, "Could not use the database")


def test_gamesched_tui_on_an_empty_database_says_to_upgrade_it(
    tui_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A database without gamesched's tables: exit 5 saying to run `gamesched db upgrade`."""
    tui_env.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    assert_one_line_error(gamesched("tui"), 5, "gamesched db upgrade")


def test_gamesched_tui_refuses_an_unknown_zone(tui_env: pytest.MonkeyPatch) -> None:
    """--tz takes an IANA zone; anything else is a usage error (exit 2), as in every command."""
    assert_one_line_error(gamesched("tui", "--tz", "Mars/Olympus"), 2, "--tz")
