"""The REST API subset gamesched uses, under ``/api/v10``, answering as Discord does.

Every request is logged (method, path, body, status, time), goes through the active faults,
and needs ``Authorization: Bot <token>`` except interaction callbacks and webhook follow-ups
(Discord authenticates those by the interaction token) and the routes a user's OAuth2 token
may call (:data:`USER_ROUTES`, ``Authorization: Bearer <access token>``, each needing its
scope; every other route refuses a Bearer token). The OAuth2 token endpoints below
``/api/v10/oauth2/token`` authenticate the client themselves
(:mod:`gamesched.sandbox.oauth2_web`) and pass by this module untouched. Bodies are checked with
:mod:`gamesched.sandbox.limits`; refusals use Discord's codes and JSON error shape, and those
that mean a broken rule are also kept in the violations list. Answers carry a ``Date`` header
from the sandbox's clock, so moving that clock makes Discord's time disagree with the machine's.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from typing import Any, Final

from aiohttp import BodyPartReader, web

from gamesched.discord.limits import UNKNOWN_SCHEDULED_EVENT_CODE
from gamesched.sandbox import limits
from gamesched.sandbox.context import SANDBOX, Sandbox
from gamesched.sandbox.gateway import GUILD_SCHEDULED_EVENTS_INTENT
from gamesched.sandbox.payloads import (
    channel_payload,
    guild_payload,
    member_payload,
    partial_guild_payload,
    role_payload,
    self_user_payload,
    user_payload,
)
from gamesched.sandbox.scheduled_events import ScheduledEvent
from gamesched.sandbox.state import DiscordError, StoredMessage, invalid_form_body
from gamesched.sandbox.world import User

_log = logging.getLogger(__name__)

PREFIX = "/api/v10"
_UNAUTHENTICATED = ("/interactions/", "/webhooks/")
_CLIENT_AUTHENTICATED = "/oauth2/token"

USER_ROUTES: Final = {
    "/users/@me": "identify",
    "/users/@me/guilds": "guilds",
    "/users/@me/guilds/{guild_id}/member": "guilds.members.read",
}
"""GET routes a Bearer token may call -> the scope each needs."""
_BEARER_ONLY: Final = frozenset({"/users/@me/guilds/{guild_id}/member"})
"""Routes the bot cannot call with its own token."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BODY: web.RequestKey[Any] = web.RequestKey("body")
"""The decoded JSON body (or multipart ``payload_json``), None without one."""
ATTACHMENTS: web.RequestKey[list[dict[str, Any]]] = web.RequestKey("attachments")
"""Uploaded files as Discord attachment objects."""
CALLER: web.RequestKey[User] = web.RequestKey("caller")
"""Who an authenticated request acts for: the bot, or the user of a Bearer token."""


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly (disnake rejects a charset)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def no_content() -> web.Response:
    """204, as Discord answers callbacks and deletes."""
    return web.Response(status=204)


@web.middleware
async def discord_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Log, fault, authenticate and render Discord errors for every ``/api/v10`` request."""
    if not request.path.startswith(PREFIX + "/") or request.path.startswith(
        PREFIX + _CLIENT_AUTHENTICATED
    ):
        return await handler(request)
    path = request.path.removeprefix(PREFIX)
    sandbox = request.app[SANDBOX]
    state = sandbox.state
    arrived = state.clock.now()
    body: Any = None
    error_code: int | None = None
    try:
        body, attachments = await _read_body(request)
        request[BODY], request[ATTACHMENTS] = body, attachments
        await sandbox.faults.apply(request.method, path)
        if not path.startswith(_UNAUTHENTICATED):
            request[CALLER] = _authenticate(request, sandbox)
            if request[CALLER].bot:
                sandbox.global_limit.acquire()
        response = await handler(request)
    except DiscordError as error:
        if error.rule:
            state.record_violation(method=request.method, path=path, error=error)
        error_code = error.code
        response = json_response(error.body(), status=error.status, headers=error.headers)
    except web.HTTPException as exc:
        error_code = 0
        response = json_response(
            {"message": f"{exc.status}: {exc.reason}", "code": 0}, status=exc.status
        )
    except Exception:
        _log.exception("sandbox bug while answering %s %s", request.method, path)
        error_code = 0
        response = json_response({"message": "500: Internal Server Error", "code": 0}, status=500)
    state.record_request(
        method=request.method,
        path=path,
        query=dict(request.query),
        body=body,
        status=response.status,
        error_code=error_code,
        at=arrived,
    )
    response.headers["Date"] = formatdate(state.clock.now(), usegmt=True)  # the world's clock
    return response


def add_routes(app: web.Application) -> None:
    """Register every REST route."""
    routes = [
        ("GET", "/users/@me", get_me),
        ("GET", "/users/@me/guilds", list_my_guilds),
        ("GET", "/users/@me/guilds/{guild_id}/member", get_my_member),
        ("POST", "/users/@me/channels", open_dm),
        ("GET", "/users/{user_id}", get_user),
        ("GET", "/gateway", get_gateway),
        ("GET", "/gateway/bot", get_gateway),
        ("GET", "/oauth2/applications/@me", get_application),
        ("GET", "/applications/{app_id}/commands", list_commands),
        ("PUT", "/applications/{app_id}/commands", overwrite_commands),
        ("POST", "/applications/{app_id}/commands", upsert_command),
        ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", list_commands),
        ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", overwrite_commands),
        ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", upsert_command),
        ("GET", "/channels/{channel_id}", get_channel),
        ("GET", "/channels/{channel_id}/messages", list_messages),
        ("POST", "/channels/{channel_id}/messages", create_message),
        ("GET", "/channels/{channel_id}/messages/{message_id}", get_message),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message),
        ("GET", "/guilds/{guild_id}", get_guild),
        ("GET", "/guilds/{guild_id}/channels", get_guild_channels),
        ("GET", "/guilds/{guild_id}/roles", get_roles),
        ("GET", "/guilds/{guild_id}/members", list_members),
        ("GET", "/guilds/{guild_id}/members/search", search_members),
        ("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
        ("GET", "/guilds/{guild_id}/scheduled-events", list_scheduled_events),
        ("POST", "/guilds/{guild_id}/scheduled-events", create_scheduled_event),
        ("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", get_scheduled_event),
        ("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", modify_scheduled_event),
        ("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", delete_scheduled_event),
        ("POST", "/interactions/{interaction_id}/{token}/callback", interaction_callback),
        ("POST", "/webhooks/{app_id}/{token}", create_followup),
        ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", get_webhook_message),
        ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", edit_webhook_message),
        ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", delete_webhook_message),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, PREFIX + path, handler)


# --- users, gateway, application -----------------------------------------------------------


async def get_me(request: web.Request) -> web.Response:
    """GET /users/@me: the bot, or the user of a Bearer token."""
    return json_response(self_user_payload(request[CALLER]), headers=_user_route_headers(request))


async def list_my_guilds(request: web.Request) -> web.Response:
    """GET /users/@me/guilds?limit=&before=&after=: the caller's guilds, ordered by id."""
    headers = _user_route_headers(request)
    caller = request[CALLER]
    limit = _int_query(request, "limit", default=200, low=1, high=200)
    before = _int_query(request, "before", default=None)
    after = _int_query(request, "after", default=0)
    listed = []
    for guild in sorted(request.app[SANDBOX].state.world.guilds, key=lambda g: g.id):
        member = guild.member(caller.id)
        if member is not None and after < guild.id and (before is None or guild.id < before):
            listed.append(partial_guild_payload(guild, member))
    return json_response(listed[:limit], headers=headers)


async def get_my_member(request: web.Request) -> web.Response:
    """GET /users/@me/guilds/{id}/member: the token's user as a member of a guild."""
    headers = _user_route_headers(request)
    sandbox = request.app[SANDBOX]
    member = _guild(request, sandbox).member(request[CALLER].id)
    if member is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    return json_response(member_payload(member, sandbox.state.world), headers=headers)


async def get_user(request: web.Request) -> web.Response:
    """GET /users/{id}."""
    user = request.app[SANDBOX].state.world.user(_snowflake(request, "user_id"))
    if user is None:
        raise DiscordError(404, 10013, "Unknown User")
    return json_response(user_payload(user))


async def open_dm(request: web.Request) -> web.Response:
    """POST /users/@me/channels: the DM channel with a user."""
    state = request.app[SANDBOX].state
    recipient = str((request[BODY] or {}).get("recipient_id", ""))
    user = state.world.user(int(recipient)) if recipient.isdigit() else None
    if user is None or user.bot:
        raise DiscordError(400, 50033, "Invalid Recipient(s)")
    return json_response(state.open_dm(user))


async def get_gateway(request: web.Request) -> web.Response:
    """GET /gateway and /gateway/bot."""
    return json_response(
        {
            "url": f"ws://{request.host}/gateway",
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }
    )


async def get_application(request: web.Request) -> web.Response:
    """GET /oauth2/applications/@me."""
    world = request.app[SANDBOX].state.world
    return json_response(
        {
            "id": str(world.application_id),
            "name": world.bot.global_name or world.bot.username,
            "icon": None,
            "description": "gamesched sandbox application",
            "summary": "",
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": user_payload(world.users[0]) if world.users else user_payload(world.bot),
            "verify_key": "0" * 64,
            "team": None,
            "flags": world.application_flags,
            "bot": user_payload(world.bot),
        }
    )


# --- application commands ------------------------------------------------------------------


def _command_scope(request: web.Request) -> int | None:
    sandbox = request.app[SANDBOX]
    if _snowflake(request, "app_id") != sandbox.state.world.application_id:
        raise DiscordError(403, 50001, "Missing Access")
    if "guild_id" not in request.match_info:
        return None
    guild_id = _snowflake(request, "guild_id")
    if sandbox.state.world.guild(guild_id) is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    return guild_id


async def list_commands(request: web.Request) -> web.Response:
    """GET global or guild commands."""
    guild_id = _command_scope(request)
    return json_response(request.app[SANDBOX].state.commands_for(guild_id))


async def overwrite_commands(request: web.Request) -> web.Response:
    """PUT: bulk overwrite global or guild commands."""
    guild_id = _command_scope(request)
    body = request[BODY]
    problems = limits.check_application_commands(body)
    if problems:
        raise invalid_form_body(problems)
    return json_response(request.app[SANDBOX].state.overwrite_commands(guild_id, body))


async def upsert_command(request: web.Request) -> web.Response:
    """POST: create (201) or replace (200) one command."""
    guild_id = _command_scope(request)
    state = request.app[SANDBOX].state
    body = request[BODY]
    others = [c for c in state.commands_for(guild_id) if c["name"] != (body or {}).get("name")]
    problems = limits.check_application_commands([*others, body])
    if problems:
        raise invalid_form_body(problems)
    command, created = state.upsert_command(guild_id, body)
    return json_response(command, status=201 if created else 200)


# --- channels and messages -----------------------------------------------------------------


async def get_channel(request: web.Request) -> web.Response:
    """GET /channels/{id}."""
    state = request.app[SANDBOX].state
    channel_id = _snowflake(request, "channel_id")
    state.check_can_view(channel_id)
    channel = state.guild_channel(channel_id)
    if channel is not None:
        return json_response(channel_payload(channel))
    recipient = state.dm_recipient(channel_id)
    assert recipient is not None
    return json_response(state.open_dm(recipient))


async def list_messages(request: web.Request) -> web.Response:
    """GET /channels/{id}/messages: newest first, with limit/before/after."""
    state = request.app[SANDBOX].state
    channel_id = _snowflake(request, "channel_id")
    state.check_can_view(channel_id)
    limit = _int_query(request, "limit", default=50, low=1, high=100)
    before = _int_query(request, "before", default=None)
    after = _int_query(request, "after", default=None)
    found = [
        m
        for m in state.channel_messages(channel_id)
        if (before is None or m.id < before) and (after is None or m.id > after)
    ]
    found.sort(key=lambda m: m.id, reverse=True)
    return json_response([m.payload for m in found[:limit]])


async def get_message(request: web.Request) -> web.Response:
    """GET /channels/{id}/messages/{id}."""
    return json_response(_channel_message(request).payload)


async def create_message(request: web.Request) -> web.Response:
    """POST /channels/{id}/messages."""
    sandbox = request.app[SANDBOX]
    channel_id = _snowflake(request, "channel_id")
    sandbox.state.check_can_send(channel_id)
    body = _message_body(request, creating=True)
    headers = sandbox.ratelimits.acquire("create", channel_id)
    nonce = body.get("nonce") if body.get("enforce_nonce") else None
    if nonce is not None and (earlier := sandbox.state.nonces.get((channel_id, str(nonce)))):
        # Discord: "If another message was created by the same author with the same nonce,
        # that message will be returned and no new message will be created."
        return json_response(sandbox.state.messages[earlier].payload, headers=headers)
    message = sandbox.state.create_message(channel_id, body, attachments=_uploads(request))
    if nonce is not None:
        sandbox.state.nonces[(channel_id, str(nonce))] = int(message.payload["id"])
    return json_response(message.payload, headers=headers)


async def edit_message(request: web.Request) -> web.Response:
    """PATCH /channels/{id}/messages/{id}."""
    sandbox = request.app[SANDBOX]
    message = _channel_message(request)
    body = _message_body(request, creating=False)
    headers = sandbox.ratelimits.acquire("edit", message.channel_id)
    sandbox.state.edit_message(message, body, attachments=_edited_attachments(request))
    sandbox.interactions.note_edit(message.id)
    return json_response(message.payload, headers=headers)


async def delete_message(request: web.Request) -> web.Response:
    """DELETE /channels/{id}/messages/{id}."""
    request.app[SANDBOX].state.delete_message(_channel_message(request))
    return no_content()


# --- guilds ----------------------------------------------------------------------------------


async def get_guild(request: web.Request) -> web.Response:
    """GET /guilds/{id}."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    data = guild_payload(guild)
    if request.query.get("with_counts") == "true":
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return json_response(data)


async def get_guild_channels(request: web.Request) -> web.Response:
    """GET /guilds/{id}/channels."""
    guild = _guild(request, request.app[SANDBOX])
    return json_response([channel_payload(c) for c in guild.channels])


async def get_roles(request: web.Request) -> web.Response:
    """GET /guilds/{id}/roles."""
    guild = _guild(request, request.app[SANDBOX])
    return json_response([role_payload(r) for r in guild.roles])


async def list_members(request: web.Request) -> web.Response:
    """GET /guilds/{id}/members?limit=&after= (ordered by user id)."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    limit = _int_query(request, "limit", default=1, low=1, high=1000)
    after = _int_query(request, "after", default=0)
    members = sorted((m for m in guild.members if m.user_id > after), key=lambda m: m.user_id)
    world = sandbox.state.world
    return json_response([member_payload(m, world) for m in members[:limit]])


async def search_members(request: web.Request) -> web.Response:
    """GET /guilds/{id}/members/search?query=&limit=: prefix of username or nickname."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    query = request.query.get("query")
    if query is None:
        raise invalid_form_body([limits.Violation("query", "This field is required")])
    limit = _int_query(request, "limit", default=1, low=1, high=1000)
    world = sandbox.state.world
    found = world.search_members(guild, query)[:limit]
    return json_response([member_payload(m, world) for m in found])


async def get_member(request: web.Request) -> web.Response:
    """GET /guilds/{id}/members/{user_id}."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    member = guild.member(_snowflake(request, "user_id"))
    if member is None:
        raise DiscordError(404, 10007, "Unknown Member")
    return json_response(member_payload(member, sandbox.state.world))


# --- guild scheduled events ----------------------------------------------------------------


_EVENTS_BUCKET = "scheduled-events"
"""The rate-limit bucket of a guild's event changes (counted like a channel's messages)."""


async def list_scheduled_events(request: web.Request) -> web.Response:
    """GET /guilds/{id}/scheduled-events?with_user_count=: the guild's events, oldest first."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    counted = _bool_query(request, "with_user_count")
    world = sandbox.state.world
    return json_response(
        [e.payload(world, with_user_count=counted) for e in sandbox.state.guild_events(guild.id)]
    )


async def get_scheduled_event(request: web.Request) -> web.Response:
    """GET /guilds/{id}/scheduled-events/{id}?with_user_count=."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    event = sandbox.state.find_event(guild.id, _event_id(request))
    counted = _bool_query(request, "with_user_count")
    return json_response(event.payload(sandbox.state.world, with_user_count=counted))


async def create_scheduled_event(request: web.Request) -> web.Response:
    """POST /guilds/{id}/scheduled-events."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    headers = sandbox.ratelimits.acquire(_EVENTS_BUCKET, guild.id)
    event = sandbox.state.create_event(guild, request[BODY])
    payload = await _dispatch_event(sandbox, "GUILD_SCHEDULED_EVENT_CREATE", event)
    return json_response(payload, headers=headers)


async def modify_scheduled_event(request: web.Request) -> web.Response:
    """PATCH /guilds/{id}/scheduled-events/{id}: change fields, or start or end the event."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    headers = sandbox.ratelimits.acquire(_EVENTS_BUCKET, guild.id)
    event = sandbox.state.modify_event(guild, _event_id(request), request[BODY])
    payload = await _dispatch_event(sandbox, "GUILD_SCHEDULED_EVENT_UPDATE", event)
    return json_response(payload, headers=headers)


async def delete_scheduled_event(request: web.Request) -> web.Response:
    """DELETE /guilds/{id}/scheduled-events/{id}: 204."""
    sandbox = request.app[SANDBOX]
    guild = _guild(request, sandbox)
    headers = sandbox.ratelimits.acquire(_EVENTS_BUCKET, guild.id)
    event = sandbox.state.delete_event(guild, _event_id(request))
    await _dispatch_event(sandbox, "GUILD_SCHEDULED_EVENT_DELETE", event)
    return web.Response(status=204, headers=headers)


async def _dispatch_event(sandbox: Sandbox, dispatch: str, event: ScheduledEvent) -> Any:
    """The event as Discord returns it, also dispatched over the gateway if the bot identified
    with the GUILD_SCHEDULED_EVENTS intent."""
    payload = event.payload(sandbox.state.world)
    await sandbox.gateway.dispatch(dispatch, payload, intent=GUILD_SCHEDULED_EVENTS_INTENT)
    return payload


def _event_id(request: web.Request) -> int:
    return _snowflake(
        request, "event_id", code=UNKNOWN_SCHEDULED_EVENT_CODE, what="Unknown Guild Scheduled Event"
    )


# --- interactions and webhooks ---------------------------------------------------------------


async def interaction_callback(request: web.Request) -> web.Response:
    """POST /interactions/{id}/{token}/callback."""
    interaction_id = _snowflake(request, "interaction_id", code=10062, what="Unknown interaction")
    request.app[SANDBOX].interactions.respond(
        interaction_id, request.match_info["token"], request[BODY], _uploads(request)
    )
    return no_content()


async def create_followup(request: web.Request) -> web.Response:
    """POST /webhooks/{app}/{token}: a follow-up message."""
    interactions = request.app[SANDBOX].interactions
    record = interactions.webhook_record(_snowflake(request, "app_id"), request.match_info["token"])
    body = _message_body(request, creating=True)
    message = interactions.followup(record, body, _uploads(request))
    if request.query.get("wait", "false").lower() in ("true", "1"):
        return json_response(message.payload)
    return no_content()


async def get_webhook_message(request: web.Request) -> web.Response:
    """GET /webhooks/{app}/{token}/messages/{id|@original}."""
    return json_response(_webhook_message(request).payload)


async def edit_webhook_message(request: web.Request) -> web.Response:
    """PATCH /webhooks/{app}/{token}/messages/{id|@original}."""
    sandbox = request.app[SANDBOX]
    message = _webhook_message(request)
    body = _message_body(request, creating=False)
    sandbox.state.edit_message(message, body, attachments=_edited_attachments(request))
    sandbox.interactions.note_edit(message.id)
    return json_response(message.payload)


async def delete_webhook_message(request: web.Request) -> web.Response:
    """DELETE /webhooks/{app}/{token}/messages/{id|@original}."""
    request.app[SANDBOX].state.delete_message(_webhook_message(request))
    return no_content()


# --- helpers ---------------------------------------------------------------------------------


def _authenticate(request: web.Request, sandbox: Sandbox) -> User:
    """The bot for its token; a user for a Bearer token with the route's scope; else 401."""
    world = sandbox.state.world
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    route = _route(request)
    if scheme == "Bot" and secrets.compare_digest(credentials.encode(), world.token.encode()):
        if route in _BEARER_ONLY:
            raise DiscordError(401, 0, "401: Unauthorized")
        return world.bot
    scope = USER_ROUTES.get(route) if request.method == "GET" else None
    grant = sandbox.oauth2.bearer(credentials) if scheme == "Bearer" and scope else None
    if grant is None:
        raise DiscordError(401, 0, "401: Unauthorized")
    if scope not in grant.scopes:
        raise DiscordError(403, 50001, "Missing Access")
    user = world.user(grant.user_id)
    assert user is not None, "codes are only issued to the world's users"
    return user


def _route(request: web.Request) -> str:
    """The matched route's template below ``/api/v10`` (empty when nothing matched)."""
    resource = request.match_info.route.resource
    return "" if resource is None else resource.canonical.removeprefix(PREFIX)


def _user_route_headers(request: web.Request) -> dict[str, str]:
    """The route's rate-limit headers for a user's token (the bot is not counted here)."""
    caller = request[CALLER]
    if caller.bot:
        return {}
    route = _route(request)
    return request.app[SANDBOX].user_limits[route].acquire(route, caller.id)


async def _read_body(request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
    """The JSON body (or multipart ``payload_json``) and uploaded files as attachments."""
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[dict[str, Any]] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                body = _decode(data)
            else:
                files.append(_attachment(len(files), part.filename or "file", data))
        return body, files
    return _decode(await request.read()), []


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc


def _attachment(index: int, filename: str, data: bytes) -> dict[str, Any]:
    url = f"https://cdn.sandbox.invalid/attachments/{index}/{filename}"
    return {
        "id": str(index),
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url,
        "content_type": "application/octet-stream",
    }


def _uploads(request: web.Request) -> list[dict[str, Any]]:
    return request[ATTACHMENTS]


def _edited_attachments(request: web.Request) -> list[dict[str, Any]] | None:
    body = request[BODY] or {}
    if "attachments" not in body and not _uploads(request):
        return None
    return list(_uploads(request))


def _message_body(request: web.Request, *, creating: bool) -> dict[str, Any]:
    body = request[BODY]
    if body is None:
        body = {}
    problems = limits.check_message(body, creating=creating)
    if _uploads(request) and creating:
        problems = [p for p in problems if p.path != ""]
    if problems:
        raise invalid_form_body(problems)
    return dict(body)


def _channel_message(request: web.Request) -> StoredMessage:
    state = request.app[SANDBOX].state
    channel_id = _snowflake(request, "channel_id")
    state.check_can_view(channel_id)
    message = state.find_message(
        channel_id, _snowflake(request, "message_id", code=10008, what="Unknown Message")
    )
    if message.visible_to is not None:
        raise DiscordError(404, 10008, "Unknown Message")
    return message


def _webhook_message(request: web.Request) -> StoredMessage:
    interactions = request.app[SANDBOX].interactions
    record = interactions.webhook_record(_snowflake(request, "app_id"), request.match_info["token"])
    return interactions.webhook_message(record, request.match_info["message_id"])


def _guild(request: web.Request, sandbox: Sandbox) -> Any:
    guild = sandbox.state.world.guild(
        _snowflake(request, "guild_id", code=10004, what="Unknown Guild")
    )
    if guild is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    return guild


def _snowflake(request: web.Request, key: str, *, code: int = 0, what: str = "") -> int:
    raw = request.match_info[key]
    if not raw.isdigit():
        if code:
            raise DiscordError(404, code, what)
        raise invalid_form_body([limits.Violation(key, f"Value {raw!r} is not snowflake.")])
    return int(raw)


def _bool_query(request: web.Request, key: str) -> bool:
    """A boolean query parameter as Discord reads one (``true``/``1`` or ``false``/``0``)."""
    raw = request.query.get(key, "false").lower()
    if raw not in ("true", "1", "false", "0"):
        raise invalid_form_body([limits.Violation(key, f"must be true or false, not {raw!r}")])
    return raw in ("true", "1")


def _int_query(
    request: web.Request, key: str, *, default: Any, low: int = 0, high: int = 1 << 63
) -> Any:
    raw = request.query.get(key)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_form_body(
            [limits.Violation(key, f"must be an integer between {low} and {high}, not {raw!r}")]
        )
    return int(raw)
