"""Cross-site request forgery: every request that changes something must prove it comes
from this site's own pages.

Two checks, both required for POST, PUT, PATCH and DELETE: the browser's ``Origin`` header
(else its ``Referer``) names this site's origin (``web.public_url``), and the request carries
the session's CSRF token in the ``csrf_token`` form field or the ``X-CSRF-Token`` header.
A request failing either is answered 403 before any route runs, so nothing is written.
The few ``origin_only`` paths (starting a login through the API, which a visitor has no token
for yet) are checked for the origin alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # the pages put the token in the header's logout form
    from webauth.render import Pages

log = logging.getLogger(__name__)

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token for a form or script, made on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an absolute http(s) URL (ports spelled out, case folded);
    None for anything else, such as the ``null`` origin of sandboxed frames."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or _DEFAULT_PORTS[scheme]}"


class CsrfGuard:
    """Refuses state-changing requests that fail the origin or token check (see module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        public_url: str,
        pages: Pages,
        origin_only: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        origin = origin_of(public_url)
        assert origin is not None, "web.public_url is validated as an http(s) URL"
        self.origin = origin
        self.pages = pages
        self.origin_only = origin_only
        """Paths that need this site's origin but no token: starting a login, which a
        visitor without a session (and so without a token) must be able to do."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        problem = self._foreign_origin(request)
        if problem is None and scope["path"] not in self.origin_only:
            sent = request.headers.get(CSRF_HEADER)
            if sent is None:
                body = await request.body()  # bounded by the body limit outside
                receive = _replay(body)
                sent = await _form_token(scope, body)
            if not _matches(sent, request.session.get(CSRF_SESSION_KEY)):
                problem = "The form's security token is missing or out of date."
        if problem is None:
            await self.app(scope, receive, send)
            return
        log.warning("Refused %s %s: %s", scope["method"], scope["path"], problem)
        response = self.pages.error(
            request,
            403,
            f"{problem} Nothing was changed. Reload the page and try again.",
            code="csrf_failed",
        )
        await response(scope, receive, send)

    def _foreign_origin(self, request: Request) -> str | None:
        """Why the request does not come from this site, or None when it does."""
        sent = request.headers.get("origin")
        header = "Origin"
        if sent is None:
            sent, header = request.headers.get("referer"), "Referer"
        if sent is None:
            return "The request did not say which site it came from (no Origin or Referer)."
        if origin_of(sent) != self.origin:
            return f"The request came from another site ({header} {sent[:100]!r})."
        return None


def _matches(sent: str | None, expected: object) -> bool:
    if not sent or not isinstance(expected, str):
        return False
    return secrets.compare_digest(sent.encode(), expected.encode())


async def _form_token(scope: Scope, body: bytes) -> str | None:
    """The ``csrf_token`` field of a urlencoded or multipart form body."""
    content_type = Request(scope).headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        async with Request(scope, _replay(body)).form() as form:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else None
    return None


def _replay(body: bytes) -> Receive:
    """A ``receive`` that gives the already-read body again, to the route after the check."""
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        return {"type": "http.disconnect"}

    return receive
