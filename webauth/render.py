"""Pages: the Jinja2 templates, the viewer shown in the header, and error answers.

Error answers are a page for browsers and a small JSON object for scripts that ask for JSON
(on the API's paths, always the API's JSON error), so a refused request always says why in
words and never shows a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from webauth.api.errors import is_api_path, plumbing_error
from webauth.csrf import csrf_token
from webauth.flash import take_flashes

USER_KEY = "user"
"""Session key of the logged-in member: ``{"id": "<snowflake>", "name": "<display name>",
"username": "<Discord username>"}`` (sessions from before usernames were kept lack it)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The member a request comes from."""

    user_id: int
    name: str


def viewer_of(request: Request) -> Viewer | None:
    """Who is logged in; None when nobody is (or the request has no session, as in errors
    answered before the session is read)."""
    session = request.scope.get("session")
    user = session.get(USER_KEY) if isinstance(session, dict) else None
    if not isinstance(user, dict):
        return None
    return Viewer(user_id=int(user["id"]), name=str(user["name"]))


def _layout(request: Request) -> dict[str, Any]:
    viewer = viewer_of(request)
    return {
        "viewer": viewer,
        "csrf_token": csrf_token(request.session) if viewer else "",
        "flashes": take_flashes(request),
    }


def wants_json(request: Request) -> bool:
    """A script that asked for JSON rather than a browser asking for a page."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class Pages:
    """Renders the site's templates with the layout's values (who is logged in)."""

    def __init__(self) -> None:
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("webauth", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self._templates = Jinja2Templates(env=environment, context_processors=[_layout])

    def page(
        self, request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> Response:
        return self._templates.TemplateResponse(request, name, context or {}, status_code=status)

    def error(
        self,
        request: Request,
        status: int,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> Response:
        """The answer to a request that failed with ``status``: ``detail`` says why in words.
        On the API's paths it is the API's JSON error, with ``code`` as its stable code."""
        if is_api_path(request.url.path):
            return plumbing_error(status, detail, code=code, headers=headers)
        title = HTTPStatus(status).phrase
        if wants_json(request):
            return JSONResponse({"error": title, "detail": detail}, status, headers=headers)
        response = self.page(request, "error.html", {"title": title, "detail": detail}, status)
        response.headers.update(headers or {})
        return response
