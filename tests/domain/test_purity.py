"""The domain stays pure: it imports the standard library, itself and the time parser only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import gamesched.domain

DOMAIN = Path(gamesched.domain.__file__).parent
ALLOWED_THIRD_PARTY = {"dateparser"}
"""The well-kept natural-language date parser the time rules build on."""


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            modules.add(node.module or "")
    return modules


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_modules_import_nothing_of_the_outer_layers(path: Path) -> None:
    """No domain module imports db, services, bot, a framework or any other third party."""
    outside = {
        module
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY
        and not (module == "gamesched.domain" or module.startswith("gamesched.domain."))
    }
    assert outside == set()
