"""What every response gets: security headers, a body-size limit, and a page for crashes."""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webauth.render import Pages

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
MAX_BODY_BYTES = 64 * 1024
"""The site's forms are a few KiB; anything far larger is refused unread."""


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, error pages included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerErrors:
    """A crash is logged with the request it happened in and answered with a plain 500 page:
    no traceback ever reaches the browser."""

    def __init__(self, app: ASGIApp, *, pages: Pages) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("Error answering %s %s", scope["method"], scope["path"])
            if started:  # too late for a page: let the server drop the connection
                raise
            response = self.pages.error(
                Request(scope),
                500,
                "Something went wrong on our side. Please try again.",
                code="server_error",
            )
            await response(scope, receive, send)


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was being read."""


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413: at once when Content-Length says so, else as
    soon as the streamed body passes the limit, so an oversized body is never read whole."""

    def __init__(self, app: ASGIApp, *, pages: Pages, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.pages = pages
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(request, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watch)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(request, receive, send)

    async def _refuse(self, request: Request, receive: Receive, send: Send) -> None:
        response = self.pages.error(
            request,
            413,
            f"The request is larger than this site accepts ({self.max_bytes // 1024} KiB).",
            headers={"Connection": "close"},
            code="body_too_large",
        )
        await response(request.scope, receive, send)
