"""Fixtures for running the use cases: the test clock, a service context, a member directory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gamesched.db.engine import Database
from gamesched.services.context import Context
from tests.support.factories import MEMBERS
from tests.support.fakes import FakeClock, StaticDirectory


@pytest.fixture
def clock() -> FakeClock:
    """Now is Tuesday 1 December 2026, 12:00 UTC, until a test moves it."""
    return FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def ctx(database: Database, clock: FakeClock) -> Context:
    """A service context on a fresh database with the test clock."""
    return Context(database=database, clock=clock)


@pytest.fixture
def directory() -> StaticDirectory:
    """A member directory that knows MEMBERS, counting its lookups."""
    return StaticDirectory(MEMBERS)
