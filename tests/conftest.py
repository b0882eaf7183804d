"""Fixtures shared by several test directories, registered once as plugins.

They live in ``tests/support`` (pytest reads ``pytest_plugins`` only in the top-level
conftest); a directory's own conftest keeps what only its tests use.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.fixtures_db",
    "tests.support.fixtures_services",
    "tests.support.fixtures_sandbox",
    "tests.support.fixtures_bot",
    "tests.support.fixtures_browser",
]
