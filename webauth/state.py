"""What the web's routes share, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from webauth.render import Pages
from webauth.tokens import TokenVault

if TYPE_CHECKING:  # gamesched.app imports webauth to serve the web
    from gamesched.app import Core

SESSION_COOKIE = "gamesched_session"
"""The signed session cookie: the pages' login and the API's (its OpenAPI document names it)."""
SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60
"""How long a login lasts without being renewed (the cookie, and the tokens kept for it)."""


@dataclass(frozen=True, slots=True)
class Web:
    """The core the pages act on, the templates, and where login tokens are kept."""

    core: Core
    pages: Pages
    tokens: TokenVault


def web_of(request: Request) -> Web:
    web = request.app.state.web
    assert isinstance(web, Web)
    return web
