"""How a page with a form is routed: one address that shows it (GET) and takes it (POST)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[Response]]


def form_route(path: str, *, show: Endpoint, save: Endpoint) -> Route:
    """``path`` answers GET with ``show`` and POST with ``save`` (a 405 for anything else
    names both methods)."""

    async def endpoint(request: Request) -> Response:
        return await (save if request.method == "POST" else show)(request)

    return Route(path, endpoint, methods=["GET", "POST"])
