"""The start page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webauth.state import web_of


async def home(request: Request) -> Response:
    return web_of(request).pages.page(request, "home.html")


ROUTES = [Route("/", home, methods=["GET"])]
