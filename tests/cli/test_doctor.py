"""`gamesched doctor`: one line per check, each problem named with how to fix it, exit 1 when
something gamesched needs does not work; against the sandbox as Discord, on each engine."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from gamesched.db.engine import Database
from gamesched.db.migrate import current_revision, downgrade, head_revision
from gamesched.domain.permission_bits import Permission
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World
from gamesched.services import workers
from gamesched.services.configuration import configure_channel
from gamesched.services.context import Context
from gamesched.services.participation import leave_game
from tests.support.bot import RunningBot
from tests.support.cli import gamesched
from tests.support.environment import REDIS_URL, free_port
from tests.support.factories import P1, P2, make_game
from tests.support.fake_discord import closed_port_url
from tests.support.sandbox import administrator, channel_id_of


def doctor(*args: str) -> Result:
    return gamesched("doctor", *args)


async def doctor_json() -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """The exit code and the checks by name (a name such as ``channel`` may repeat)."""
    result = await asyncio.to_thread(doctor, "--json")
    assert "Traceback" not in result.output
    by_name: dict[str, list[dict[str, Any]]] = {}
    for check in json.loads(result.stdout):
        assert set(check) == {"check", "status", "detail", "fix"}
        by_name.setdefault(check["check"], []).append(check)
    return result.exit_code, by_name


def the(checks: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    (check,) = checks[name]
    return check


@pytest.fixture
def plain_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> pytest.MonkeyPatch:
    """No config file, no GAMESCHED_ settings but a fresh migrated SQLite database (for the
    checks where the database does not matter)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name == "GAMESCHED_CONFIG" or (name.startswith("GAMESCHED_") and "__" in name):
            monkeypatch.delenv(name)
    path = tmp_path / "gamesched.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("COLUMNS", "200")
    return monkeypatch


@pytest.fixture
def doctor_env(plain_env: pytest.MonkeyPatch, database_url: str) -> pytest.MonkeyPatch:
    """As ``plain_env``, on the test database of each engine."""
    plain_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    return plain_env


def against(env: pytest.MonkeyPatch, world: World, api_base_url: str) -> None:
    """Point the doctor at a Discord (a sandbox) with the world's bot token."""
    env.setenv("GAMESCHED_DISCORD__TOKEN", world.token)
    env.setenv("GAMESCHED_DISCORD__API_BASE_URL", api_base_url)
    env.setenv("GAMESCHED_DISCORD__TEST_GUILD_IDS", str(world.guilds[0].id))


async def worker_running(database: Database) -> None:
    """A heartbeat written just now, as a running worker writes it."""
    await workers.heartbeat(Context(database=database), worker="host:42:abcdef", dispatched=True)


async def configure(ctx: Context, world: World, channel: str) -> None:
    """Give ``channel`` settings of its own, so gamesched knows it."""
    await configure_channel(
        ctx,
        actor=administrator(world),
        guild_id=world.guilds[0].id,
        channel_id=channel_id_of(world, channel),
        patch=SettingsPatch(remind_in_channel=True),
    )


# --- all is well ---------------------------------------------------------------------------


async def test_a_healthy_deployment_is_all_ok(
    gamesched_bot: RunningBot,
    sandbox: RunningSandbox,
    demo_world: World,
    ctx: Context,
    database: Database,
    doctor_env: pytest.MonkeyPatch,
) -> None:
    """Bot connected (its commands registered), a channel configured, a game in another, a
    worker's heartbeat: every check is ok, each channel named, and the exit code is 0."""
    await configure(ctx, demo_world, "board-games")
    await make_game(
        ctx,
        guild_id=demo_world.guilds[0].id,
        channel_id=channel_id_of(demo_world, "rpg"),
        host=administrator(demo_world),
    )
    await worker_running(database)
    against(doctor_env, demo_world, sandbox.base_url)

    code, checks = await doctor_json()

    assert code == 0
    assert {
        name: [c["status"] for c in found] for name, found in checks.items() if name != "channel"
    } == {
        "configuration": ["ok"],
        "database": ["ok"],
        "redis": ["ok"],
        "bot token": ["ok"],
        "members intent": ["ok"],
        "slash commands": ["ok"],
        "events": ["ok"],
        "clock": ["ok"],
        "worker": ["ok"],
    }
    channels = checks["channel"]
    assert [c["status"] for c in channels] == ["ok", "ok"]
    assert {c["detail"].split(" ")[0] for c in channels} == {"#board-games", "#rpg"}
    assert all(c["fix"] is None for found in checks.values() for c in found)
    assert "GAMESCHED_DISCORD__TOKEN" in the(checks, "configuration")["detail"]
    assert "host:42:abcdef" in the(checks, "worker")["detail"]

    table = await asyncio.to_thread(doctor)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert len(lines) == 11
    assert all(line.startswith("ok  ") for line in lines)


async def test_sandbox_mode_skips_discord_and_still_passes(
    database: Database, doctor_env: pytest.MonkeyPatch
) -> None:
    """Without a bot token the Discord checks are one warning saying they were skipped (the
    bundled sandbox is used); the rest runs, and with a worker running the exit code is 0."""
    await worker_running(database)
    doctor_env.setenv("GAMESCHED_SANDBOX__PORT", str(closed_port()))

    result = await asyncio.to_thread(doctor)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "configuration"],
        ["ok", "database"],
        ["ok", "redis"],
        ["warn", "discord"],
        ["ok", "worker"],
    ]
    assert "skipped" in lines[3]
    assert "no bot token, and no sandbox answering" in lines[3]
    assert "Fix: Set discord.token" in lines[3]
    assert "start `gamesched run` to check its sandbox" in lines[3]
    assert "not used (single process)" in lines[2]


async def test_sandbox_mode_checks_the_running_sandbox(
    sandbox: RunningSandbox, plain_env: pytest.MonkeyPatch
) -> None:
    """Without a token but with `gamesched run`'s sandbox answering at sandbox.port, the
    Discord checks run against that sandbox instead of being skipped."""
    plain_env.setenv("GAMESCHED_SANDBOX__PORT", str(sandbox.port))

    _, checks = await doctor_json()

    assert "discord" not in checks
    assert the(checks, "bot token")["status"] == "ok"
    assert the(checks, "clock")["status"] == "ok"


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_configuration_that_cannot_be_loaded_is_exit_5(
    plain_env: pytest.MonkeyPatch,
) -> None:
    """As every command: configuration problems are listed on stderr and the exit code is 5."""
    plain_env.setenv("GAMESCHED_WEB__PORT", "eighty")
    result = await asyncio.to_thread(doctor)
    assert result.exit_code == 5
    assert "web.port" in result.stderr
    assert result.stdout == ""


# --- what it finds -------------------------------------------------------------------------


async def test_a_bad_token_fails_saying_where_to_get_one(
    sandbox: RunningSandbox, demo_world: World, plain_env: pytest.MonkeyPatch
) -> None:
    """Discord refusing the token is a failed check naming the setting; the Discord checks
    that need the token are reported skipped, not as tracebacks."""
    against(plain_env, demo_world, sandbox.base_url)
    plain_env.setenv("GAMESCHED_DISCORD__TOKEN", "not-the-bot-token")

    code, checks = await doctor_json()

    assert code == 1
    token = the(checks, "bot token")
    assert token["status"] == "fail"
    assert "refused the bot token" in token["detail"]
    assert "discord.token (GAMESCHED_DISCORD__TOKEN)" in token["fix"]
    assert the(checks, "discord")["status"] == "warn"
    assert "skipped" in the(checks, "discord")["detail"]
    assert "not-the-bot-token" not in json.dumps(checks)


async def test_discord_unreachable_is_a_failed_check(
    demo_world: World, plain_env: pytest.MonkeyPatch
) -> None:
    """Nothing listening at discord.api_base_url: one failed line saying so, exit 1."""
    against(plain_env, demo_world, closed_port_url())

    result = await asyncio.to_thread(doctor)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    token = next(line for line in result.stdout.splitlines() if "bot token" in line)
    assert token.startswith("fail")
    assert "cannot reach Discord" in token
    assert "Fix: Check discord.api_base_url" in token


async def test_a_channel_the_bot_cannot_post_in_fails_naming_it(
    sandbox: RunningSandbox,
    demo_world: World,
    ctx: Context,
    database: Database,
    doctor_env: pytest.MonkeyPatch,
) -> None:
    """#announcements denies @everyone Send Messages and the bot's role has no overwrite
    there: configured in gamesched, it fails with its name and the missing permission."""
    await configure(ctx, demo_world, "announcements")
    await worker_running(database)
    against(doctor_env, demo_world, sandbox.base_url)

    code, checks = await doctor_json()

    assert code == 1
    channel = the(checks, "channel")
    assert channel["status"] == "fail"
    assert channel["detail"].startswith("#announcements (")
    assert "lacks Send Messages" in channel["detail"]
    assert "Allow Send Messages for the bot" in channel["fix"]


async def test_mirroring_events_without_the_bots_permission_fails_naming_it(
    sandbox: RunningSandbox,
    demo_world: World,
    ctx: Context,
    database: Database,
    doctor_env: pytest.MonkeyPatch,
) -> None:
    """A channel mirrors games as scheduled events but the bot's role lost Manage Events and
    Create Events: the events check fails naming the server and both permissions."""
    await configure_channel(
        ctx,
        actor=administrator(demo_world),
        guild_id=demo_world.guilds[0].id,
        channel_id=channel_id_of(demo_world, "board-games"),
        patch=SettingsPatch(mirror_events=True),
    )
    guild = demo_world.guilds[0]
    role = guild.find_role("Gamesched")
    assert role is not None
    revoked = role.permissions & ~(Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS)
    sandbox.state.set_role_permissions(guild.id, role.id, revoked)
    await worker_running(database)
    against(doctor_env, demo_world, sandbox.base_url)

    code, checks = await doctor_json()

    assert code == 1
    events = the(checks, "events")
    assert events["status"] == "fail"
    assert events["detail"].startswith("Game Night (")
    assert "lacks Manage Events and Create Events" in events["detail"]
    assert "Give the bot's role Manage Events (or Create Events)" in events["fix"]


async def test_a_database_behind_on_migrations_fails_saying_to_upgrade(
    database: Database, doctor_env: pytest.MonkeyPatch
) -> None:
    """One revision behind: the database check fails with `gamesched db upgrade`, and the
    checks that read it are skipped rather than crashing on missing tables."""
    await downgrade(database, "-1")
    behind = await current_revision(database)

    code, checks = await doctor_json()

    assert code == 1
    found = the(checks, "database")
    assert found["status"] == "fail"
    assert f"at revision {behind}" in found["detail"]
    assert f"needs {head_revision()}" in found["detail"]
    assert found["fix"] == "Run `gamesched db upgrade`."
    assert the(checks, "worker")["status"] == "warn"
    assert "skipped" in the(checks, "worker")["detail"]


async def test_an_unreachable_database_fails_and_skips_what_reads_it(
    plain_env: pytest.MonkeyPatch,
) -> None:
    """Nothing listening at database.url: a failed line naming the setting, the worker check
    skipped, exit 1 and no traceback."""
    plain_env.setenv("GAMESCHED_DATABASE__URL", f"postgresql://gamesched@127.0.0.1:{free_port()}/x")

    code, checks = await doctor_json()

    assert code == 1
    found = the(checks, "database")
    assert found["status"] == "fail"
    assert found["detail"].startswith("Could not use the database")
    assert "database.url (GAMESCHED_DATABASE__URL)" in found["fix"]
    assert the(checks, "worker")["status"] == "warn"


async def test_no_worker_fails_and_counts_the_work_waiting(
    database: Database, doctor_env: pytest.MonkeyPatch
) -> None:
    """A worker last seen five minutes ago is not running: the check fails, names it, says how
    much due work waits (a DM owed to a promoted player) and how to start a worker."""
    services = Context(database=database)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    game = await make_game(services, when=tomorrow, max_players=1, joiners=(P1, P2))
    await leave_game(services, game_id=game.id, user_id=P1)  # P2's seat DM is owed
    five_minutes_ago = datetime.now(UTC) - timedelta(minutes=5)
    await workers.heartbeat(
        Context(database=database, clock=lambda: five_minutes_ago), worker="old-host:7:aaaaaa"
    )

    code, checks = await doctor_json()

    assert code == 1
    found = the(checks, "worker")
    assert found["status"] == "fail"
    assert found["detail"].startswith("no worker seen in the last 30 s")
    assert "old-host:7:aaaaaa" in found["detail"]
    assert "due and waiting for one: 1" in found["detail"]
    assert found["fix"] == "Start `gamesched run` or `gamesched worker`."


async def test_redis_unreachable_fails(plain_env: pytest.MonkeyPatch) -> None:
    """broker.url pointing at a closed port: the redis check fails saying how to fix it."""
    plain_env.setenv("GAMESCHED_BROKER__URL", f"redis://127.0.0.1:{free_port()}/0")

    code, checks = await doctor_json()

    assert code == 1
    found = the(checks, "redis")
    assert found["status"] == "fail"
    assert found["detail"].startswith("cannot reach Redis at broker.url")
    assert "GAMESCHED_BROKER__URL" in found["fix"]


async def test_a_reachable_redis_is_ok(plain_env: pytest.MonkeyPatch) -> None:
    """With broker.url set to a running Redis the check answers ok (PING)."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    plain_env.setenv("GAMESCHED_BROKER__URL", REDIS_URL)
    _, checks = await doctor_json()
    assert the(checks, "redis") == {
        "check": "redis",
        "status": "ok",
        "detail": "reachable (PING answered)",
        "fix": None,
    }


@pytest.mark.parametrize(("ahead", "status"), [(5, "warn"), (45, "fail")])
async def test_a_clock_off_from_discords_is_reported(
    ahead: float,
    status: str,
    sandbox: RunningSandbox,
    sandbox_clock: Clock,
    demo_world: World,
    plain_env: pytest.MonkeyPatch,
) -> None:
    """Discord's Date a few seconds ahead is a warning, half a minute or more a failure; both
    say which way this machine's clock is off and to synchronise it."""
    sandbox_clock.advance(ahead)
    against(plain_env, demo_world, sandbox.base_url)

    _, checks = await doctor_json()

    found = the(checks, "clock")
    assert found["status"] == status
    assert "s behind Discord's" in found["detail"]
    assert "NTP" in found["fix"]


async def test_slash_commands_not_registered_are_a_warning(
    sandbox: RunningSandbox, demo_world: World, plain_env: pytest.MonkeyPatch
) -> None:
    """The bot never started against this Discord: its commands are listed as missing, with
    the hint that they register when the bot starts."""
    against(plain_env, demo_world, sandbox.base_url)

    _, checks = await doctor_json()

    found = the(checks, "slash commands")
    assert found["status"] == "warn"
    assert f"/create-game (server {demo_world.guilds[0].id})" in found["detail"]
    assert "register when the bot starts" in found["fix"]


@pytest.fixture
async def no_members_intent(demo_world: World) -> AsyncIterator[RunningSandbox]:
    """A sandbox whose application has the Server Members Intent switched off."""
    running = await start_sandbox(dataclasses.replace(demo_world, members_intent=False))
    yield running
    await running.close()


@pytest.mark.parametrize(("requested", "status"), [("true", "fail"), ("false", "warn")])
async def test_the_members_intent_switched_off_says_where_to_switch_it_on(
    requested: str,
    status: str,
    no_members_intent: RunningSandbox,
    demo_world: World,
    plain_env: pytest.MonkeyPatch,
) -> None:
    """Off in the Developer Portal: a failure while discord.members_intent asks for it (Discord
    would refuse the connection), a warning otherwise; both say where to switch it on."""
    against(plain_env, demo_world, no_members_intent.base_url)
    plain_env.setenv("GAMESCHED_DISCORD__MEMBERS_INTENT", requested)

    _, checks = await doctor_json()

    found = the(checks, "members intent")
    assert found["status"] == status
    assert "Privileged Gateway Intents" in found["fix"]


async def test_a_non_ok_line_carries_its_fix_on_the_same_line(
    database: Database, doctor_env: pytest.MonkeyPatch
) -> None:
    """Human output: one line per check; the failed worker line ends with how to fix it."""
    result = await asyncio.to_thread(doctor)
    assert result.exit_code == 1
    worker = result.stdout.splitlines()[-1]
    assert worker.startswith("fail  worker")
    assert worker.endswith(". Fix: Start `gamesched run` or `gamesched worker`.")
