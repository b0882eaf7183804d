"""The gamesched command: help on every level, config check, database migrations."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app
from gamesched.app import configure_logging
from gamesched.config import load_config
from tests.support.environment import free_port

runner = CliRunner()


def every_command_path() -> list[list[str]]:
    """Every command and group of the app, as argument lists."""
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", every_command_path(), ids=lambda p: " ".join(p) or "gamesched")
def test_every_level_has_help(path: list[str]) -> None:
    """`--help` works on the top level, every group and every command."""
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    "path",
    [["guilds", "list"], ["guilds", "show"], ["channels", "list"], ["channels", "show"],
     ["config", "show"], ["games", "list"], ["games", "show"]],
    ids=" ".join,
)  # fmt: skip
def test_operator_commands_show_an_example_in_their_help(path: list[str]) -> None:
    """Each read command's `--help` ends with a runnable example of itself."""
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert f"Example: gamesched {' '.join(path)}" in result.output


def test_the_exit_codes_are_in_the_top_level_help() -> None:
    """`gamesched --help` lists every exit code a script may meet."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "0 ok, 1 failed, 2 usage, 3 not found, 4 conflict, 5 configuration or connection" in (
        result.output
    )


def test_config_check_accepts_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no file and no variables the defaults are valid: a working SQLite setup."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GAMESCHED_CONFIG", raising=False)
    result = runner.invoke(app, ["config", "check", "--json"])
    assert result.exit_code == 0, result.output
    values = json.loads(result.output)
    assert values["database"]["url"].startswith("sqlite+aiosqlite://")
    assert values["broker"]["url"] == ""


def test_config_check_names_every_bad_key_and_exits_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad port and an unknown key are both named, with what is allowed; exit code 5."""
    monkeypatch.delenv("GAMESCHED_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[web]\nport = 99999\n[database]\nuri = "x"\n')
    result = runner.invoke(app, ["--config", str(config), "config", "check"])
    assert result.exit_code == 5
    assert "web.port" in result.output
    assert "65535" in result.output
    assert "database.uri" in result.output
    assert "database.url" in result.output


def test_config_check_never_prints_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot token is shown as *** and its text appears nowhere in the output."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAMESCHED_DISCORD__TOKEN", "very-secret-token-value")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "very-secret-token-value" not in result.output
    assert 'token = "***"' in result.output


def test_db_upgrade_creates_the_schema_and_current_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`db current` exits 1 on an empty database, `db upgrade` fixes it, then `current` is 0."""
    monkeypatch.setenv("GAMESCHED_DATABASE__URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 1
    assert "gamesched db upgrade" in before.output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "newest" in upgraded.output
    after = runner.invoke(app, ["db", "current"])
    assert after.exit_code == 0, after.output


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://nobody:s3cret-pw@127.0.0.1:1/gamesched",
        "sqlite+aiosqlite:///{tmp}/no/such/folder/gamesched.sqlite3",
    ],
    ids=["unreachable-server", "unwritable-sqlite-path"],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"]])
def test_a_database_that_cannot_be_used_is_a_short_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: list[str]
) -> None:
    """A wrong database URL exits 5 with what the driver said and where to fix it, no traceback."""
    monkeypatch.setenv("GAMESCHED_DATABASE__URL", url.format(tmp=tmp_path))
    result = runner.invoke(app, command)
    assert result.exit_code == 5
    assert "Could not use the database" in result.output
    assert "database.url" in result.output
    assert "Traceback" not in result.output
    assert "s3cret-pw" not in result.output


def test_a_taken_sandbox_port_is_a_short_error_not_a_database_one() -> None:
    """`gamesched sandbox` on a port in use says so and names sandbox.port, exit 5, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["sandbox", "--port", str(port)])
    assert result.exit_code == 5
    assert f"Could not start the sandbox on 127.0.0.1:{port}" in result.output
    assert "sandbox.port" in result.output
    assert "database" not in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_discord_is_a_short_error_naming_the_api_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gamesched bot` that cannot reach Discord says where it tried and what to check, exit 5."""
    port = free_port()
    monkeypatch.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path}/g.sqlite3")
    monkeypatch.setenv("GAMESCHED_DISCORD__TOKEN", "a.sandbox.token")
    monkeypatch.setenv("GAMESCHED_DISCORD__API_BASE_URL", f"http://127.0.0.1:{port}/api/v10")
    result = runner.invoke(app, ["bot"])
    assert result.exit_code == 5
    assert f"Could not reach Discord at http://127.0.0.1:{port}/api/v10" in result.output
    assert "discord.api_base_url" in result.output
    assert "database" not in result.output
    assert "Traceback" not in result.output


def test_logging_json_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    """With logging.json on, each log line is a JSON object with level, logger and message."""
    configure_logging(load_config(None, environ={"GAMESCHED_LOGGING__JSON": "true"}))
    logging.getLogger("gamesched.test").warning("reminder %s sent", 7)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "WARNING",
        "logger": "gamesched.test",
        "message": "reminder 7 sent",
    }


def test_the_web_alone_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """`gamesched web` without discord.token says to set it (or use `run`), exit 5."""
    monkeypatch.delenv("GAMESCHED_DISCORD__TOKEN", raising=False)
    result = runner.invoke(app, ["web"])
    assert result.exit_code == 5
    assert "The web service needs a token" in result.output
    assert "gamesched run" in result.output


def test_a_taken_web_port_is_a_short_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`gamesched web` on a port in use says so and names web.port, exit 5, no traceback."""
    monkeypatch.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path}/g.sqlite3")
    monkeypatch.setenv("GAMESCHED_DISCORD__TOKEN", "a.sandbox.token")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("GAMESCHED_WEB__PORT", str(port))
        result = runner.invoke(app, ["web"])
    assert result.exit_code == 5
    assert f"Could not serve the web on 127.0.0.1:{port}" in result.output
    assert "web.port" in result.output
    assert "Traceback" not in result.output
