"""The use cases build no SQL: statements live in the db repositories."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gamesched.services

SERVICES = Path(gamesched.services.__file__).parent
SESSION_PLUMBING = {
    ("sqlalchemy.ext.asyncio", "AsyncSession"),
    ("sqlalchemy.orm", "Session"),
    ("sqlalchemy.orm", "object_session"),
}
"""What a use case may take from SQLAlchemy: the session it runs in, nothing to build SQL with."""


def sqlalchemy_imports(path: Path) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update((a.name, "*") for a in node.names if a.name.split(".")[0] == "sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names.update((node.module or "", alias.name) for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_services_take_only_the_session_from_sqlalchemy(path: Path) -> None:
    """No service module imports SQL building blocks (select, update, func, ...) from SQLAlchemy."""
    assert sqlalchemy_imports(path) - SESSION_PLUMBING == set()
