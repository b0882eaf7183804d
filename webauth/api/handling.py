"""How an API request is read and how its refusals are answered.

Each route is wrapped in :func:`endpoint`, which answers every refusal as JSON (see
:mod:`webauth.api.errors`); :func:`body_of` reads a JSON body into its request model (400
``bad_json`` when it is not JSON, 422 with a problem per field when it does not fit).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gamesched.discord.rest import DiscordError
from gamesched.domain.errors import DomainError
from webauth.access import LoginRequired
from webauth.api.errors import LOGIN_REQUIRED, ApiError, error_response, refusal
from webauth.inputs import read_id
from webauth.login import LoginFailed

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Request], Awaitable[Response]]

LOGIN_FAILED_CODES = {401: "login_required", 502: "discord_unavailable", 503: "login_unavailable"}
DISCORD_DOWN = "Discord could not be asked just now, so nothing was changed. Try again in a moment."
MAX_DEPTH = 16
"""The deepest a JSON body may nest: the API's requests nest two levels, and a body nested
hundreds deep would exhaust the parsers' recursion instead of being refused."""
TOO_DEEP = (
    f"The body nests deeper than {MAX_DEPTH} levels; no request of this API does. Send the "
    "JSON object GET /api/v1/openapi.json describes."
)


def endpoint(handler: Handler) -> Handler:
    """``handler`` with every refusal answered as the API's JSON error."""

    @functools.wraps(handler)
    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error.response()
        except LoginRequired:
            return error_response(401, "login_required", LOGIN_REQUIRED)
        except LoginFailed as error:
            code = LOGIN_FAILED_CODES.get(error.status, "login_failed")
            return error_response(error.status, code, error.detail)
        except DomainError as error:
            return refusal(error)
        except DiscordError as error:
            log.warning("Discord failed during %s %s: %s", request.method, request.url.path, error)
            return error_response(502, "discord_unavailable", DISCORD_DOWN)

    return answer


def answer(model: BaseModel | list[Any], status: int = 200, **headers: str) -> JSONResponse:
    """A response model (or a list of them) as the API's JSON."""
    if isinstance(model, list):
        content: Any = [item.model_dump(mode="json") for item in model]
    else:
        content = model.model_dump(mode="json")
    return JSONResponse(content, status, headers=headers or None)


async def raw_json(request: Request) -> Any:
    """The request body as JSON (an empty body is ``{}``), or a 400 ``bad_json``."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:  # not UTF-8, or not JSON
        raise ApiError(
            400,
            "bad_json",
            "The body is not valid JSON. Send a JSON object (UTF-8) with "
            "Content-Type: application/json.",
        ) from None
    except RecursionError:
        raise ApiError(400, "bad_json", TOO_DEEP) from None
    if _too_deep(data):
        raise ApiError(400, "bad_json", TOO_DEEP)
    return data


def _too_deep(data: Any) -> bool:
    """Whether lists and objects nest more than :data:`MAX_DEPTH` levels in parsed JSON."""
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if level > MAX_DEPTH:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


def parse(model: type[M], data: Any) -> M:
    """``data`` (parsed JSON) as ``model``; ValidationError (with the pydantic errors) when it
    does not fit; a 400 ``bad_json`` for text JSON allows but a model cannot hold (lone
    surrogates)."""
    try:
        return model.model_validate_json(json.dumps(data))
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise ApiError(
                400,
                "bad_json",
                "The body holds text that is not valid Unicode (a lone surrogate escape). "
                "Send UTF-8 text.",
            ) from None
        raise


async def body_of(request: Request, model: type[M]) -> M:
    """The request's JSON body as ``model``, or a 400/422 refusal that says what to fix."""
    data = await raw_json(request)
    try:
        return parse(model, data)
    except ValidationError as error:
        problems = pydantic_problems(error)
        raise ApiError(422, "invalid", problems_message(problems), problems=problems) from None


def pydantic_problems(
    error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each of pydantic's complaints as a problem of the API: the field, and a sentence."""
    return [_problem(detail, fields or {}) for detail in error.errors()]


def problems_message(problems: list[dict[str, Any]]) -> str:
    lines = [f"{p['field']}: {p['message']}" for p in problems]
    return "\n".join(lines) or "The request is not valid."


def _problem(detail: ErrorDetails, fields: Mapping[str, str]) -> dict[str, Any]:
    location = [str(part) for part in detail["loc"]]
    field = fields.get(location[0], location[0]) if location else "body"
    kind = detail["type"]
    message = detail["msg"].removeprefix("Value error, ")
    if kind == "missing":
        message = "This field is required."
    elif kind == "extra_forbidden":
        message = "This request has no such field; check its spelling in the API description."
    elif kind == "model_type":
        message = "The body must be a JSON object."
    else:
        message = message[0].upper() + message[1:] if message else "This value is not valid."
        if not message.endswith("."):
            message += "."
    if len(location) > 1 and location[1].isdigit():
        message = f"Item {int(location[1]) + 1}: {message}"
    return {"field": field, "message": message, "entry": None}


def path_id(request: Request, name: str) -> int | None:
    """The path's ``name`` as an id; None when it is not one (no such thing: a 404)."""
    return read_id(str(request.path_params[name]))
