"""The site's routes, one module per area."""

from __future__ import annotations

from starlette.routing import BaseRoute

from webauth.routes import api, calendars, game_form, games, guilds, home, login, settings


def routes() -> list[BaseRoute]:
    return [
        *home.ROUTES,
        *login.ROUTES,
        *guilds.ROUTES,
        *game_form.ROUTES,
        *games.ROUTES,
        *calendars.ROUTES,
        *settings.ROUTES,
        *api.ROUTES,
    ]
