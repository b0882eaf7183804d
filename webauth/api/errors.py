"""The API's refusals: always JSON, ``{"error": "<stable code>", "message": "<sentence>"}``.

``error`` is a code a script can branch on: a domain refusal's ``reason`` (``game_not_found``,
``not_host_or_admin``, ``already_joined``...) or one of :data:`GENERIC_CODES`; ``message`` says
what was wrong and how to fix it. Answers the site's shared plumbing gives before a route runs
(unknown addresses, CSRF refusals, oversized bodies, crashes) are JSON on API paths too:
:meth:`webauth.render.Pages.error` hands them to :func:`plumbing_error`.

This module imports nothing of the site's, so the plumbing can use it without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import JSONResponse

from gamesched.domain.errors import (
    Conflict,
    DomainError,
    HostRoleRequired,
    NoHostRoles,
    NotFound,
    PermissionDenied,
    Problem,
    Reason,
    UnknownGame,
    ValidationFailed,
)

PREFIX = "/api/v1"
"""Where the API is mounted."""
OPENAPI_PATH = f"{PREFIX}/openapi.json"
LOGIN_PATH = f"{PREFIX}/auth/login"
"""Starting a login needs a same-origin request but no CSRF token: a visitor who is not
logged in has none yet (the pages' ``GET /login`` needs neither)."""

GENERIC_CODES: dict[int, str] = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    422: "invalid",
    500: "server_error",
    502: "discord_unavailable",
    503: "unavailable",
}
"""The code of a refusal that has no more specific one, by HTTP status."""

LOGIN_REQUIRED = (
    "Log in with Discord first: POST /api/v1/auth/login answers the address to send the "
    "browser to, and the session cookie it sets is the API's login."
)
_PLUMBING_MESSAGES: dict[int, str] = {
    404: ("There is no API route at this address. GET /api/v1/openapi.json describes every route."),
    405: (
        "This API route does not take that method. GET /api/v1/openapi.json lists the methods "
        "each route takes."
    ),
    401: LOGIN_REQUIRED,
}
_PLUMBING_HINTS: dict[str, str] = {
    "csrf_failed": (
        "A script sends the session's token (csrfToken in GET /api/v1/auth/user) in the "
        "X-CSRF-Token header, with this site's Origin."
    ),
    "body_too_large": "Send a smaller JSON body.",
}

REFUSAL_STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (ValidationFailed, 422),
]
"""The HTTP status of each kind of domain refusal (anything else is a 400)."""


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's: its answers are JSON, whatever went wrong."""
    return path == "/api" or path.startswith("/api/")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A refusal as the API answers it."""
    return JSONResponse(error_body(code, message, **extra), status, headers=dict(headers or {}))


class ApiError(Exception):
    """A refusal a route raises in the API's own words."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, **self.extra)


def plumbing_error(
    status: int, detail: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An answer the site's plumbing gives on an API path (see the module doc)."""
    code = code or GENERIC_CODES.get(status, "error")
    message = _PLUMBING_MESSAGES.get(status, detail)
    if hint := _PLUMBING_HINTS.get(code):
        message = f"{message} {hint}"
    return error_response(status, code, message, headers=headers)


def problem_json(problem: Problem, *, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One problem of a submission; ``fields`` renames the use case's field names to the
    API's (``participants`` -> ``initial_participants``)."""
    return {
        "field": (fields or {}).get(problem.field, problem.field),
        "message": problem.message,
        "entry": problem.entry,
    }


def problems_json(
    problems: Sequence[Problem], *, fields: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    return [problem_json(p, fields=fields) for p in problems]


def api_hint(error: DomainError, role_names: Mapping[int, str] | None = None) -> str | None:
    """How an API client fixes ``error``, when there is more to say than its sentence."""
    match error.fault:
        case UnknownGame():
            return "GET /api/v1/games lists the games you can see."
        case NoHostRoles():
            return (
                "Someone with Manage Server can set host roles with "
                "POST /api/v1/guilds/{guild_id}/config."
            )
        case HostRoleRequired(role_ids=role_ids):
            names = role_names or {}
            return (
                "Host roles here: " + ", ".join(names.get(r, f"role {r}") for r in role_ids) + "."
            )
    return None


def api_text(error: DomainError, role_names: Mapping[int, str] | None = None) -> str:
    """The error's neutral sentence, followed by the API's hint when there is one."""
    hint = api_hint(error, role_names)
    return error.message if hint is None else f"{error.message} {hint}"


def refusal_status(error: DomainError) -> int:
    """The HTTP status of a domain refusal, for the pages and the API alike."""
    return next((code for kind, code in REFUSAL_STATUS if isinstance(error, kind)), 400)


def refusal(error: DomainError, role_names: Mapping[int, str] | None = None) -> JSONResponse:
    """A use case said no: its stable reason as the code, its sentence with the API's hint."""
    status = refusal_status(error)
    code = GENERIC_CODES[status] if error.reason is Reason.OTHER else error.reason.value
    message = api_text(error, role_names)
    if isinstance(error, ValidationFailed):
        return error_response(status, code, message, problems=problems_json(error.problems))
    return error_response(status, code, message)
