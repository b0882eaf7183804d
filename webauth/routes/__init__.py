"""The site's routes, one module per area."""

from __future__ import annotations

from starlette.routing import BaseRoute

from webauth.routes import api, home, login


def routes() -> list[BaseRoute]:
    return [*home.ROUTES, *login.ROUTES, *api.ROUTES]
