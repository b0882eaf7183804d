"""The site's routes, one module per area."""

from __future__ import annotations

from starlette.routing import BaseRoute

from webauth.routes import game_form, home, login, settings


def routes() -> list[BaseRoute]:
    return [*home.ROUTES, *login.ROUTES, *game_form.ROUTES, *settings.ROUTES]
