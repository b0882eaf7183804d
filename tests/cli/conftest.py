"""Fixtures of the command-line tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Commands that start services configure the root logger with a handler on the runner's
    stderr, which is closed after the command; later tests must not log into it."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No config file, no token, no sandbox to find (port 0), wide tables; tests point the
    database where they need."""
    monkeypatch.chdir(tmp_path)
    for name in ("GAMESCHED_CONFIG", "GAMESCHED_DISCORD__TOKEN", "GAMESCHED_BROKER__URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GAMESCHED_SANDBOX__PORT", "0")
    monkeypatch.setenv("COLUMNS", "200")
    return monkeypatch
