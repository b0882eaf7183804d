"""The site's routes, one module per area."""

from __future__ import annotations

from starlette.routing import BaseRoute

from webauth.routes import games, guilds, home, login


def routes() -> list[BaseRoute]:
    return [*home.ROUTES, *login.ROUTES, *guilds.ROUTES, *games.ROUTES]
