"""`gamesched run` without a bot token: the sandbox it starts is also the web's Discord login."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cli.serve import discord_or_sandbox
from gamesched.app import open_core
from gamesched.config import Config
from tests.support.web import SECRET, client_for
from webauth.app import create_app

SITE = "http://127.0.0.1:8080"


async def test_run_on_the_sandbox_logs_the_web_in_against_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no token and no OAuth2 settings, the web's login goes to the sandbox started for
    the run and logs a member of its world in; the sandbox's message points at the web."""
    config = Config.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/run.sqlite3"},
            "web": {"session_secret": SECRET},
            "sandbox": {"port": 0},
        }
    )
    async with discord_or_sandbox(config) as (running, target):
        assert running.sandbox == config.sandbox
        async with open_core(running, target) as core, client_for(create_app(core), SITE) as web:
            started = await web.get("/login")
            assert started.status_code == 302
            async with httpx.AsyncClient() as discord:
                answer = await discord.post(started.headers["location"], data={"as": "sam"})
            assert answer.status_code == 302
            assert answer.headers["location"].startswith(SITE + "/callback?")
            assert (await web.get(answer.headers["location"])).status_code == 303
            assert "Signed in as <strong>Sam Smith</strong>" in (await web.get("/")).text
    assert f"On the web ({SITE}) log in with Discord" in capsys.readouterr().out
