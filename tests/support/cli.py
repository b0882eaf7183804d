"""Running the ``gamesched`` command in tests, as an operator would, and reading its answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from typer.testing import CliRunner, Result

from cli.main import app

runner = CliRunner()


def gamesched(*args: str) -> Result:
    """The command run with ``args``, nothing typed at its prompts."""
    return runner.invoke(app, list(args))


def answered(text: str, *args: str) -> Result:
    """The command run with ``text`` typed at its prompts."""
    return runner.invoke(app, list(args), input=text)


def json_of(result: Result) -> Any:
    """A successful command's JSON answer."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_one_line_error(result: Result, code: int, text: str) -> None:
    """Exit ``code``, ``text`` on stderr as one line, nothing on stdout, no traceback."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


async def gamesched_off_loop(*args: str) -> Result:
    """:func:`gamesched` for async tests: the command runs an event loop of its own, so it
    runs in a thread, as in a separate process."""
    return await asyncio.to_thread(gamesched, *args)


async def answered_off_loop(text: str, *args: str) -> Result:
    """:func:`answered` for async tests."""
    return await asyncio.to_thread(answered, text, *args)
