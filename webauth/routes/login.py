"""Login with Discord and logout (the flow itself is :mod:`webauth.login`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webauth import login as flow
from webauth.redirects import safe_next


async def login(request: Request) -> Response:
    """Off to Discord's authorize page; ``?next=/path`` is where to come back to."""
    target = flow.start(request, safe_next(request.query_params.get("next")))
    return RedirectResponse(target, status_code=302)


async def callback(request: Request) -> Response:
    """Discord's answer: logged in and on to the page the login was for."""
    return RedirectResponse(await flow.finish(request), status_code=303)


async def logout(request: Request) -> Response:
    """Logged out here and at Discord; back to the start page."""
    await flow.logout(request)
    return RedirectResponse("/", status_code=303)


ROUTES = [
    Route("/login", login, methods=["GET"]),
    Route(flow.CALLBACK_PATH, callback, methods=["GET"]),
    Route("/logout", logout, methods=["POST"]),
]
