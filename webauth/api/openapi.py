"""The OpenAPI 3.1 document of the API, served at ``GET /api/v1/openapi.json``.

Every operation is described once in :data:`OPERATIONS`: its parameters, its request body,
its answer and every refusal it may give. Bodies' schemas come from the Pydantic models the
routes validate requests with and build answers from (:mod:`webauth.api.models`), so the
document and the code cannot drift; a test checks that the routes and :data:`OPERATIONS`
name the same operations.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gamesched.domain.status import GameStatus
from gamesched.services.games import MAX_PAGE_SIZE
from webauth.api import models
from webauth.api.errors import PREFIX
from webauth.inputs import PLAIN_TEXT_PATTERN, SNOWFLAKE_PATTERN
from webauth.state import SESSION_COOKIE

VERSION = "1.0.0"

Auth = Literal["none", "origin", "session", "session+csrf"]


@dataclass(frozen=True, slots=True)
class Answer:
    """A success answer: its status, words, and body (a model, or a list of one)."""

    status: int
    description: str
    model: type[BaseModel]
    many: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    """Header name -> its description (always sent)."""


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    """Below :data:`~webauth.api.errors.PREFIX`, as the route is written."""
    summary: str
    description: str
    tag: str
    answer: Answer
    refusals: tuple[int, ...]
    """Statuses of the refusals it may give (each answered with an error body)."""
    auth: Auth = "session"
    parameters: tuple[dict[str, Any], ...] = ()
    body: type[BaseModel] | None = None
    body_required: bool = True
    invalid_model: type[BaseModel] = models.ErrorOut
    """The body of its 422 answers."""


def _id_schema(example: str) -> dict[str, Any]:
    return {"type": "string", "pattern": SNOWFLAKE_PATTERN, "examples": [example]}


def path_id(name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": _id_schema(example),
    }


GUILD_ID = path_id("guild_id", "A Discord server's id.", "1170000000000000001")
CHANNEL_ID = path_id("channel_id", "A Discord channel's id.", "1190000000000000005")
GAME_ID = path_id("id", "A game's number.", "1")
LIST_FILTERS = (
    {
        "name": "guild_id",
        "in": "query",
        "description": "Only this server's games.",
        "schema": _id_schema("1170000000000000001"),
    },
    {
        "name": "channel_id",
        "in": "query",
        "description": "Only this channel's games.",
        "schema": _id_schema("1190000000000000005"),
    },
    {
        "name": "category",
        "in": "query",
        "description": "Only games of this category (after inheritance; case does not matter).",
        "schema": {"type": "string", "pattern": PLAIN_TEXT_PATTERN},
    },
    {
        "name": "status",
        "in": "query",
        "description": "Only games in these statuses (repeat for several); default: scheduled "
        "and in progress.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "enum": list(GameStatus)}},
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Games per page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": models.DEFAULT_PAGE_SIZE,
        },
    },
    {
        "name": "offset",
        "in": "query",
        "description": "Games to skip (`next_offset` of the previous page).",
        "schema": {"type": "integer", "minimum": 0, "maximum": models.MAX_OFFSET, "default": 0},
    },
)
CALLBACK_QUERY = tuple(
    {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}
    for name, description in (
        ("code", "The authorization code Discord sent."),
        ("state", "The state of the login this answers."),
        ("error", "Discord's error, e.g. `access_denied` when the member cancelled."),
    )
)

GAME_NOW = Answer(200, "The game now.", models.GameOut)
READ_REFUSALS = (401, 404, 502)
"""What a member's read of one thing may answer besides its success."""
WRITE_REFUSALS = (401, 403, 404, 413, 502)
"""What any change may answer besides its success (and 400, 409 or 422 where they apply)."""


def read(
    path: str,
    summary: str,
    description: str,
    tag: str,
    answer: Answer,
    *,
    parameters: tuple[dict[str, Any], ...] = (),
    refusals: tuple[int, ...] = READ_REFUSALS,
) -> Operation:
    """A GET for the logged-in member."""
    return Operation(
        "GET", path, summary, description, tag, answer, refusals, parameters=parameters
    )


def change(
    method: str,
    path: str,
    summary: str,
    description: str,
    tag: str,
    answer: Answer,
    *,
    refusals: tuple[int, ...],
    parameters: tuple[dict[str, Any], ...] = (),
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    invalid_model: type[BaseModel] = models.ErrorOut,
) -> Operation:
    """A request that changes something: it needs the session and its CSRF token."""
    return Operation(
        method,
        path,
        summary,
        description,
        tag,
        answer,
        refusals,
        auth="session+csrf",
        parameters=parameters,
        body=body,
        body_required=body_required,
        invalid_model=invalid_model,
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/openapi.json",
        "This document",
        "The OpenAPI description of the API.",
        "meta",
        Answer(200, "The OpenAPI 3.1 document.", models.OpenApiOut),
        refusals=(),
        auth="none",
    ),
    Operation(
        "POST",
        "/auth/login",
        "Start a login with Discord",
        "Keeps a new login's state and PKCE verifier in the session and answers the address "
        "of Discord's authorize page. Discord then sends the browser to the site's `/callback` "
        "(the redirect registered in the developer portal), which logs it in and goes on to "
        "`next`. Needs a same-origin `Origin` but no CSRF token.",
        "auth",
        Answer(200, "Where to send the browser.", models.AuthorizeOut),
        refusals=(400, 403, 413, 422, 503),
        auth="origin",
        body=models.LoginStart,
        body_required=False,
    ),
    Operation(
        "GET",
        "/auth/callback",
        "Finish a login",
        "Takes Discord's answer to a login started here (its query, as Discord sends it to "
        "`/callback`), starts a new session and answers who is logged in.",
        "auth",
        Answer(200, "The member now logged in.", models.UserOut),
        refusals=(400, 401, 502, 503),
        auth="none",
        parameters=CALLBACK_QUERY,
    ),
    change(
        "POST",
        "/auth/refresh",
        "Renew the Discord login now",
        "Trades the login's refresh token for a new pair at Discord. A refresh Discord refuses "
        "ends the login (401).",
        "auth",
        Answer(200, "When the new access token expires.", models.RefreshOut),
        refusals=(401, 403, 413, 502),
    ),
    read(
        "/auth/user",
        "Who is logged in",
        "The logged-in member, and the session's CSRF token for `X-CSRF-Token`.",
        "auth",
        Answer(200, "The logged-in member.", models.UserOut),
        refusals=(401, 502),
    ),
    read(
        "/guilds",
        "Your servers",
        "The member's servers that gamesched is in, by name.",
        "guilds",
        Answer(200, "The servers.", models.GuildOut, many=True),
        refusals=(401, 502),
    ),
    read(
        "/guilds/{guild_id}/channels",
        "A server's channels",
        "The server's text channels the member can see, in Discord's order, with their "
        "settings (and where each comes from), whether gamesched may post there, whether the "
        "member may create games there, and whether they may change the channel's settings.",
        "guilds",
        Answer(200, "The channels.", models.ChannelOut, many=True),
        parameters=(GUILD_ID,),
    ),
    read(
        "/guilds/{guild_id}/config",
        "A server's settings",
        "The server's settings, each with where it comes from (`guild` or `default`).",
        "guilds",
        Answer(200, "The settings.", models.GuildConfigOut),
        parameters=(GUILD_ID,),
    ),
    change(
        "POST",
        "/guilds/{guild_id}/config",
        "Change a server's settings",
        "Needs Manage Server (asked of Discord right before the change). Fields left out keep "
        "their value; `null` makes a setting inherit the built-in default again. Games that "
        "inherit a changed setting follow it.",
        "guilds",
        Answer(200, "The settings now.", models.GuildConfigOut),
        refusals=(400, *WRITE_REFUSALS, 422),
        parameters=(GUILD_ID,),
        body=models.GuildConfig,
        body_required=False,
    ),
    read(
        "/channels/{channel_id}/config",
        "A channel's settings",
        "The channel's settings, each with where it comes from (`channel`, `guild` or `default`).",
        "guilds",
        Answer(200, "The settings.", models.ChannelConfigOut),
        parameters=(CHANNEL_ID,),
    ),
    change(
        "POST",
        "/channels/{channel_id}/config",
        "Change a channel's settings",
        "Needs Manage Channels in the channel (asked of Discord right before the change). "
        "Fields left out keep their value; `null` makes a setting inherit the server's again.",
        "guilds",
        Answer(200, "The settings now.", models.ChannelConfigOut),
        refusals=(400, *WRITE_REFUSALS, 422),
        parameters=(CHANNEL_ID,),
        body=models.ChannelConfig,
        body_required=False,
    ),
    read(
        "/games",
        "Games",
        "Games in the channels the member can see in their servers, soonest first, a page at "
        "a time.",
        "games",
        Answer(200, "A page of games.", models.GamePageOut),
        refusals=(401, 404, 422, 502),
        parameters=LIST_FILTERS,
    ),
    change(
        "POST",
        "/games",
        "Create a game",
        "Creates the game with the logged-in member as host (a host role of the channel, or "
        "Manage Server when none is set, asked of Discord right before) and posts its "
        "announcement before answering. Any problem answers 422 with every problem at once: "
        "participant entries that name no one member come in `invalid_mentions` with "
        "suggestions, and the body is echoed in `form_data`; nothing is created.",
        "games",
        Answer(
            201,
            "The game, announced.",
            models.GameOut,
            headers={"Location": "The game's address in this API."},
        ),
        refusals=(400, *WRITE_REFUSALS, 422),
        body=models.CreateGame,
        invalid_model=models.GameInvalidOut,
    ),
    read(
        "/games/{id}",
        "A game",
        "The game with its people by display name (resolved now) and its settings with their "
        "sources.",
        "games",
        Answer(200, "The game.", models.GameOut),
        parameters=(GAME_ID,),
    ),
    change(
        "PUT",
        "/games/{id}",
        "Change a game",
        "For its host, or someone with Manage Server. Fields left out keep their value; `null` "
        "makes a setting inherit the channel's again. Moving the start tells its players. Any "
        "problem answers 422 with every problem and the body echoed; nothing is changed.",
        "games",
        GAME_NOW,
        refusals=(400, *WRITE_REFUSALS, 409, 422),
        parameters=(GAME_ID,),
        body=models.EditGame,
        invalid_model=models.GameInvalidOut,
    ),
    change(
        "DELETE",
        "/games/{id}",
        "Cancel a game",
        "For its host, or someone with Manage Server. The game stays, as cancelled; its "
        "players are told.",
        "games",
        Answer(200, "The cancelled game.", models.GameOut),
        refusals=(*WRITE_REFUSALS, 409),
        parameters=(GAME_ID,),
    ),
    read(
        "/games/{id}/participants",
        "A game's people",
        "Joined members, then the waitlist in order, then placeholders; the host is marked.",
        "games",
        Answer(200, "The people.", models.ParticipantOut, many=True),
        parameters=(GAME_ID,),
    ),
    change(
        "POST",
        "/games/{id}/join",
        "Join a game",
        "Takes a free seat, else a place at the end of the waitlist.",
        "games",
        GAME_NOW,
        refusals=(*WRITE_REFUSALS, 409),
        parameters=(GAME_ID,),
    ),
    change(
        "POST",
        "/games/{id}/leave",
        "Leave a game",
        "Gives up a seat (the first on the waitlist gets it) or a place on the waitlist.",
        "games",
        GAME_NOW,
        refusals=(*WRITE_REFUSALS, 409),
        parameters=(GAME_ID,),
    ),
)

REFUSALS: dict[int, str] = {
    400: "The body is not JSON (`bad_json`), or a login step failed (`login_failed`).",
    401: "Nobody is logged in, or the login ended at Discord (`login_required`).",
    403: "The member may not do this (the code names the missing right, e.g. "
    "`not_host_or_admin`), or the request failed the CSRF check (`csrf_failed`: no "
    "X-CSRF-Token of the session, or not this site's Origin). Nothing was changed.",
    404: "No such thing among what the member can see (`game_not_found`, `not_found`).",
    409: "It does not fit the game's state (`already_joined`, `not_in_game`, `game_not_open`, "
    "`already_in_status`...). Nothing was changed.",
    413: "The body is larger than the site accepts (`body_too_large`).",
    422: "The request has problems (`invalid`); each is listed by field. Nothing was changed.",
    502: "Discord could not be asked (`discord_unavailable`). Nothing was changed.",
    503: "Login with Discord is not set up on this site (`login_unavailable`).",
}

SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    "none": [],
    "origin": [],
    "session": [{"session": []}],
    "session+csrf": [{"session": [], "csrf": []}],
}


def _schemas() -> tuple[dict[tuple[type[BaseModel], str], dict[str, Any]], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for operation in OPERATIONS:
        wanted.append((operation.answer.model, "serialization"))
        if operation.body is not None:
            wanted.append((operation.body, "validation"))
        if 422 in operation.refusals:
            wanted.append((operation.invalid_model, "serialization"))
    wanted.append((models.ErrorOut, "serialization"))
    refs, top = models_json_schema(
        list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}"
    )
    return {(model, mode): dict(refs[(model, mode)]) for model, mode in wanted}, top["$defs"]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(op: Operation, refs: dict[tuple[type[BaseModel], str], dict[str, Any]]) -> Any:
    answer_schema = refs[(op.answer.model, "serialization")]
    if op.answer.many:
        answer_schema = {"type": "array", "items": answer_schema}
    success: dict[str, Any] = {
        "description": op.answer.description,
        "content": _json(answer_schema),
    }
    if op.answer.headers:
        success["headers"] = {
            name: {"description": words, "required": True, "schema": {"type": "string"}}
            for name, words in op.answer.headers.items()
        }
    responses: dict[str, Any] = {str(op.answer.status): success}
    for status in op.refusals:
        model = op.invalid_model if status == 422 else models.ErrorOut
        responses[str(status)] = {
            "description": REFUSALS[status],
            "content": _json(refs[(model, "serialization")]),
        }
    described: dict[str, Any] = {
        "operationId": re.sub(r"[^a-z0-9]+", "_", f"{op.method} {op.path}".lower()).strip("_"),
        "summary": op.summary,
        "description": op.description,
        "tags": [op.tag],
        "security": SECURITY[op.auth],
        "responses": responses,
    }
    if op.parameters:
        described["parameters"] = list(op.parameters)
    if op.body is not None:
        described["requestBody"] = {
            "required": op.body_required,
            "content": _json(refs[(op.body, "validation")]),
        }
    return described


@functools.cache
def document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    refs, schemas = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gamesched",
            "version": VERSION,
            "description": (
                "Schedule game sessions on Discord: the same use cases as the bot and the "
                "web pages. Log in with Discord (the session cookie of the site); every POST, "
                "PUT and DELETE also sends the session's CSRF token (`csrfToken` of "
                "GET /api/v1/auth/user) as `X-CSRF-Token` and comes from the site's origin. "
                "Ids are strings; times are ISO 8601 in UTC. Every refusal is "
                '`{"error": "<stable code>", "message": "<what to fix>"}`.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "The site's login session (log in with Discord).",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRF-Token",
                    "description": (
                        "The session's CSRF token (`csrfToken` of GET /api/v1/auth/user)."
                    ),
                },
            },
        },
    }
