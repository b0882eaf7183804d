"""The start page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webauth.login import access_token
from webauth.render import viewer_of
from webauth.state import web_of


async def home(request: Request) -> Response:
    """The start page; for a member, only once their login still holds (renewed if due)."""
    if viewer_of(request) is not None:
        await access_token(request)
    return web_of(request).pages.page(request, "home.html")


ROUTES = [Route("/", home, methods=["GET"])]
