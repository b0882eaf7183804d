"""The ``next`` helper sends people only to pages of this site."""

from __future__ import annotations

import pytest

from webauth.redirects import MAX_NEXT_LENGTH, safe_next


@pytest.mark.parametrize(
    "value", ["/", "/games", "/games/12?tab=players#seats", "/search?q=a%2Fb", "/caf%C3%A9"]
)
def test_paths_of_this_site_are_kept(value: str) -> None:
    """A plain path (with query and fragment) is where the person is sent."""
    assert safe_next(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "games",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        "/games\r\nSet-Cookie: x=1",
        "/\x00",
        "/\x7f",
        "/\u2028x",
        "/ games",
        "/" + "a" * MAX_NEXT_LENGTH,
    ],
)
def test_anything_else_falls_back_to_the_default(value: str | None) -> None:
    """Other sites, scheme tricks, backslashes, control characters and huge values go home."""
    assert safe_next(value) == "/"
    assert safe_next(value, default="/games") == "/games"
