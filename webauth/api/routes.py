"""The API's routes, mounted at ``/api/v1`` (each is described in :mod:`webauth.api.openapi`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from webauth.api import auth, games, guilds
from webauth.api.errors import PREFIX
from webauth.api.openapi import document


async def openapi(request: Request) -> Response:
    """The OpenAPI document of this API."""
    return JSONResponse(document())


ROUTES = [
    Route("/openapi.json", openapi, methods=["GET"]),
    Route("/auth/login", auth.login, methods=["POST"]),
    Route("/auth/callback", auth.callback, methods=["GET"]),
    Route("/auth/refresh", auth.refresh, methods=["POST"]),
    Route("/auth/user", auth.user, methods=["GET"]),
    Route("/guilds", guilds.guilds, methods=["GET"]),
    Route("/guilds/{guild_id}/channels", guilds.channels, methods=["GET"]),
    Route("/guilds/{guild_id}/config", guilds.guild_config, methods=["GET"]),
    Route("/guilds/{guild_id}/config", guilds.configure_guild_route, methods=["POST"]),
    Route("/channels/{channel_id}/config", guilds.channel_config, methods=["GET"]),
    Route("/channels/{channel_id}/config", guilds.configure_channel_route, methods=["POST"]),
    Route("/games", games.listing, methods=["GET"]),
    Route("/games", games.create, methods=["POST"]),
    Route("/games/{id}", games.show, methods=["GET"]),
    Route("/games/{id}", games.edit, methods=["PUT"]),
    Route("/games/{id}", games.cancel, methods=["DELETE"]),
    Route("/games/{id}/participants", games.participants, methods=["GET"]),
    Route("/games/{id}/join", games.join, methods=["POST"]),
    Route("/games/{id}/leave", games.leave, methods=["POST"]),
]
"""Paths below :data:`~webauth.api.errors.PREFIX`."""


def routes() -> list[BaseRoute]:
    return [Mount(PREFIX, routes=ROUTES)]
