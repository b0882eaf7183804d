"""The control API: tests, the page and people act as Discord users and inspect the sandbox.

All endpoints are JSON under ``/_sandbox``. Members are named by username or id; channels,
guilds and roles by name or id. Acting endpoints create an interaction, dispatch it to the bot
over the gateway and, unless ``"wait": false``, wait up to ``timeout`` seconds (default 5)
until the bot has answered: a final callback, or a deferral followed by a follow-up or an
edit. Their answer is an *interaction record* (see :func:`record_json`). Usage mistakes
(unknown member, disabled button, missing required option...) answer 400 ``{"error": ...}``;
a bot that is not connected 409; a bot that did not answer in time 504
``{"error", "interaction"}``.

Endpoints:

``GET /_sandbox/world``
    Guilds with channels, roles and members (with display names), the bot, the application.
``GET /_sandbox/commands?wait_for=a,b&timeout=5``
    Synced commands ``{"global": [...], "guilds": {id: [...]}}``; optionally wait until the
    named commands are synced.
``POST /_sandbox/interactions/command``
    ``{member, channel, name, options?: {name: value}, wait?, timeout?}``; ``name`` may hold
    a subcommand path (``"game create"``). User/role/channel options take names or ids.
``POST /_sandbox/interactions/autocomplete``
    ``{member, channel, name, options, focused, timeout?}``; the record's ``choices``.
``POST /_sandbox/interactions/component``
    ``{member, custom_id, channel?, message_id?, values?, wait?, timeout?}``: click a button
    (no ``values``) or choose in a select menu, on the newest message carrying ``custom_id``.
``POST /_sandbox/interactions/modal``
    ``{member, values: {custom_id: value}, custom_id?, wait?, timeout?}``: submit the modal
    the bot last opened for the member.
``GET /_sandbox/interactions/{id}?followups=N&timeout=5``
    An interaction record; optionally wait until it has N follow-ups.
``GET /_sandbox/modals?member=``
    Modals the bot opened and nobody submitted yet.
``GET /_sandbox/channels/{channel}/messages?member=&all_ephemeral=1&count=N&timeout=5``
    Messages oldest first, with ping notes; ephemeral ones only for ``member`` (or all);
    with ``count``, wait until there are at least N.
``GET /_sandbox/users/{member}/dms?count=N&timeout=5``
    The bot's DMs to a member, oldest first (``count`` waits as above), from every DM
    channel the bot had with them.
``DELETE /_sandbox/users/{member}/dm-channel``
    The bot's DM channel with a member is gone: posting to it answers 404 Unknown Channel
    (10003) and the next ``POST /users/@me/channels`` opens a new one. ``{"lost": id}``
    (null when there was none).
``GET /_sandbox/guilds/{guild}/scheduled-events?count=N&timeout=5``
    The guild's scheduled events as the sandbox holds them (ended ones too), oldest first;
    ``count`` waits as above.
``PATCH /_sandbox/guilds/{guild}/roles/{role}``
    ``{grant?: [names], revoke?: [names]}``: change a role's permissions from now on (Discord's
    names, e.g. ``"MANAGE_EVENTS"``); the bot is told with GUILD_ROLE_UPDATE. Take a permission
    away from the bot by revoking it from its role (``"Gamesched"`` in the demo world).
``GET /_sandbox/log?since=0``
    Every REST request the bot (or a web with a user's token) made after sequence number
    ``since``.
``GET /_sandbox/violations``
    Every refused request that broke a Discord rule.
``GET|POST|DELETE /_sandbox/faults`` (``DELETE /_sandbox/faults/{id}``)
    List, add (``{kind: "error"|"latency"|"rate_limit", route, status?, seconds?,
    error_rate?, times?}``) or clear faults.
``GET /_sandbox/gateway?connected=1&identifies=N&resumes=N&timeout=5``
    Gateway counters; optionally wait until they reach the given values.
``POST /_sandbox/gateway/drop``
    ``{resumable?: true}``: close the bot's websocket (it RESUMEs, or re-IDENTIFYs if not
    resumable).
``POST /_sandbox/clock/advance``
    ``{seconds}``: move the sandbox clock forward (token expiry, the 3-second rule).

Logging a member in through OAuth2 needs no control endpoint: POST the authorize URL with
``as=<member>`` (see :mod:`gamesched.sandbox.oauth2_web`); codes and access tokens expire by
the sandbox clock above.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from gamesched.sandbox.context import SANDBOX, Sandbox
from gamesched.sandbox.gateway import GUILDS_INTENT
from gamesched.sandbox.interactions import InteractionRecord, UsageError
from gamesched.sandbox.payloads import channel_payload, role_payload, user_payload
from gamesched.sandbox.state import StoredMessage
from gamesched.sandbox.world import Guild, User, WorldError, permission_bits

PREFIX = "/_sandbox"
DEFAULT_TIMEOUT = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def reply(data: Any, *, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json"},
    )


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn usage mistakes into 400 with a readable message."""
    try:
        return await handler(request)
    except UsageError as exc:
        return reply({"error": str(exc)}, status=400)
    except (ValueError, KeyError, TypeError) as exc:
        if not request.path.startswith(PREFIX):
            raise
        return reply({"error": f"bad request: {exc!r}"}, status=400)


def add_routes(app: web.Application) -> None:
    """Register the control endpoints."""
    r = app.router
    r.add_get(PREFIX + "/world", get_world)
    r.add_get(PREFIX + "/commands", get_commands)
    r.add_post(PREFIX + "/interactions/command", run_command)
    r.add_post(PREFIX + "/interactions/autocomplete", run_autocomplete)
    r.add_post(PREFIX + "/interactions/component", use_component)
    r.add_post(PREFIX + "/interactions/modal", submit_modal)
    r.add_get(PREFIX + "/interactions/{interaction_id}", get_interaction)
    r.add_get(PREFIX + "/modals", get_modals)
    r.add_get(PREFIX + "/channels/{channel}/messages", get_channel_messages)
    r.add_get(PREFIX + "/users/{member}/dms", get_dms)
    r.add_delete(PREFIX + "/users/{member}/dm-channel", lose_dm_channel)
    r.add_get(PREFIX + "/guilds/{guild}/scheduled-events", get_scheduled_events)
    r.add_patch(PREFIX + "/guilds/{guild}/roles/{role}", change_role)
    r.add_get(PREFIX + "/log", get_log)
    r.add_get(PREFIX + "/violations", get_violations)
    r.add_get(PREFIX + "/faults", get_faults)
    r.add_post(PREFIX + "/faults", add_fault)
    r.add_delete(PREFIX + "/faults", clear_faults)
    r.add_delete(PREFIX + "/faults/{fault_id}", clear_faults)
    r.add_get(PREFIX + "/gateway", get_gateway)
    r.add_post(PREFIX + "/gateway/drop", drop_gateway)
    r.add_post(PREFIX + "/clock/advance", advance_clock)


# --- reading -----------------------------------------------------------------------------------


async def get_world(request: web.Request) -> web.Response:
    """The world, for tests and the page."""
    world = request.app[SANDBOX].state.world
    guilds = []
    for guild in world.guilds:
        members = []
        for member in guild.members:
            user = world.user(member.user_id)
            assert user is not None
            members.append(
                {
                    **user_payload(user),
                    "nick": member.nick,
                    "display_name": member.nick or user.global_name or user.username,
                    "roles": [str(r) for r in member.role_ids],
                    "permissions": str(guild.base_permissions(member)),
                    "dms_closed": user.dms_closed,
                }
            )
        guilds.append(
            {
                "id": str(guild.id),
                "name": guild.name,
                "channels": [channel_payload(c) for c in guild.channels],
                "roles": [role_payload(r) for r in guild.roles],
                "members": members,
            }
        )
    return reply(
        {
            "application_id": str(world.application_id),
            "bot": user_payload(world.bot),
            "guilds": guilds,
        }
    )


async def get_commands(request: web.Request) -> web.Response:
    """Synced commands, optionally waiting for some names."""
    state = request.app[SANDBOX].state
    wanted = {n for n in request.query.get("wait_for", "").split(",") if n}

    def synced() -> set[str]:
        pools = [state.global_commands, *state.guild_commands.values()]
        return {c["name"] for pool in pools for c in pool}

    if not await state.wait_until(lambda: wanted <= synced(), within=_timeout(request.query)):
        return reply(
            {"error": f"commands {sorted(wanted - synced())} were not synced in time"},
            status=504,
        )
    return reply(
        {
            "global": state.global_commands,
            "guilds": {str(k): v for k, v in state.guild_commands.items()},
        }
    )


async def get_interaction(request: web.Request) -> web.Response:
    """One interaction record, optionally after N follow-ups arrived."""
    sandbox = request.app[SANDBOX]
    record = sandbox.interactions.records.get(int(request.match_info["interaction_id"]))
    if record is None:
        return reply({"error": "no such interaction"}, status=404)
    wanted = int(request.query.get("followups", 0))
    arrived = await sandbox.state.wait_until(
        lambda: len(record.followup_ids) >= wanted, within=_timeout(request.query)
    )
    if not arrived:
        return reply(
            {
                "error": f"fewer than {wanted} follow-ups arrived in time",
                "interaction": record_json(sandbox, record),
            },
            status=504,
        )
    return reply(record_json(sandbox, record))


async def get_modals(request: web.Request) -> web.Response:
    """Open modals, optionally of one member."""
    sandbox = request.app[SANDBOX]
    member = request.query.get("member")
    user_id = _user(sandbox, member).id if member else None
    return reply(
        [
            {
                "interaction_id": str(m.interaction_id),
                "user_id": str(m.user_id),
                "channel_id": str(m.channel_id),
                "data": m.data,
            }
            for m in sandbox.interactions.open_modals
            if user_id in (None, m.user_id)
        ]
    )


async def get_channel_messages(request: web.Request) -> web.Response:
    """A channel's messages, oldest first; ``count=N`` waits until there are N."""
    sandbox = request.app[SANDBOX]
    channel = sandbox.state.world.find_channel(request.match_info["channel"])
    if channel is None:
        raise UsageError(f"no channel {request.match_info['channel']!r} in the world")
    member = request.query.get("member")
    viewer = _user(sandbox, member).id if member else None
    everything = request.query.get("all_ephemeral") == "1"
    return await _messages_when_counted(
        sandbox,
        request,
        lambda: sandbox.state.channel_messages(
            channel.id, viewer=viewer, include_ephemeral=everything
        ),
    )


async def get_dms(request: web.Request) -> web.Response:
    """The bot's DMs to one member; ``count=N`` waits until there are N."""
    sandbox = request.app[SANDBOX]
    user = _user(sandbox, request.match_info["member"])

    return await _messages_when_counted(sandbox, request, lambda: sandbox.state.dms_to(user.id))


async def lose_dm_channel(request: web.Request) -> web.Response:
    """The bot's DM channel with a member is gone (Unknown Channel from now on)."""
    sandbox = request.app[SANDBOX]
    lost = sandbox.state.lose_dm_channel(_user(sandbox, request.match_info["member"]))
    return reply({"lost": None if lost is None else str(lost)})


async def _messages_when_counted(
    sandbox: Sandbox, request: web.Request, read: Callable[[], list[StoredMessage]]
) -> web.Response:
    wanted = int(request.query.get("count", 0))
    if not await sandbox.state.wait_until(
        lambda: len(read()) >= wanted, within=_timeout(request.query)
    ):
        return reply(
            {"error": f"fewer than {wanted} messages arrived in time", "interaction": None},
            status=504,
        )
    return reply([m.to_json() for m in read()])


async def get_scheduled_events(request: web.Request) -> web.Response:
    """A guild's scheduled events, oldest first; ``count=N`` waits until there are N."""
    sandbox = request.app[SANDBOX]
    guild = _guild(sandbox, request.match_info["guild"])
    state = sandbox.state
    wanted = int(request.query.get("count", 0))
    if not await state.wait_until(
        lambda: len(state.guild_events(guild.id)) >= wanted, within=_timeout(request.query)
    ):
        return reply(
            {"error": f"fewer than {wanted} scheduled events were created in time"}, status=504
        )
    return reply([e.payload(state.world) for e in state.guild_events(guild.id)])


async def get_log(request: web.Request) -> web.Response:
    """The REST request log."""
    since = int(request.query.get("since", 0))
    return reply([e.to_json() for e in request.app[SANDBOX].state.log if e.seq > since])


async def get_violations(request: web.Request) -> web.Response:
    """Rule violations so far."""
    return reply([v.to_json() for v in request.app[SANDBOX].state.violations])


# --- acting ------------------------------------------------------------------------------------


async def run_command(request: web.Request) -> web.Response:
    """Run a slash command as a member."""
    sandbox, body = request.app[SANDBOX], await request.json()
    record = sandbox.interactions.command(
        _user(sandbox, body["member"]),
        _channel_id(sandbox, body["channel"]),
        body["name"],
        body.get("options") or {},
    )
    return await _dispatch_and_wait(sandbox, record, body)


async def run_autocomplete(request: web.Request) -> web.Response:
    """Ask the bot for autocomplete choices."""
    sandbox, body = request.app[SANDBOX], await request.json()
    record = sandbox.interactions.command(
        _user(sandbox, body["member"]),
        _channel_id(sandbox, body["channel"]),
        body["name"],
        body.get("options") or {},
        focused=body["focused"],
    )
    return await _dispatch_and_wait(sandbox, record, body)


async def use_component(request: web.Request) -> web.Response:
    """Click a button or choose in a select menu."""
    sandbox, body = request.app[SANDBOX], await request.json()
    channel = body.get("channel")
    message_id = body.get("message_id")
    record = sandbox.interactions.component(
        _user(sandbox, body["member"]),
        body["custom_id"],
        channel_id=_channel_id(sandbox, channel) if channel else None,
        message_id=int(message_id) if message_id else None,
        values=body.get("values"),
    )
    return await _dispatch_and_wait(sandbox, record, body)


async def submit_modal(request: web.Request) -> web.Response:
    """Submit the modal the bot opened for a member."""
    sandbox, body = request.app[SANDBOX], await request.json()
    record = sandbox.interactions.modal_submit(
        _user(sandbox, body["member"]), body.get("values") or {}, custom_id=body.get("custom_id")
    )
    return await _dispatch_and_wait(sandbox, record, body)


async def change_role(request: web.Request) -> web.Response:
    """Grant or revoke permissions of a role; the bot hears of it as from Discord."""
    sandbox, body = request.app[SANDBOX], await request.json()
    if not isinstance(body, dict):
        raise UsageError('send {"grant": [names], "revoke": [names]}')
    guild = _guild(sandbox, request.match_info["guild"])
    role = guild.find_role(request.match_info["role"])
    if role is None:
        raise UsageError(
            f"no role {request.match_info['role']!r} in {guild.name}; "
            f"known: {[r.name for r in guild.roles]}"
        )
    try:
        grant = permission_bits(body.get("grant", []), where="grant")
        revoke = permission_bits(body.get("revoke", []), where="revoke")
    except WorldError as exc:
        raise UsageError(str(exc)) from exc
    changed = dataclasses.replace(role, permissions=(role.permissions | grant) & ~revoke)
    sandbox.state.set_role_permissions(guild.id, role.id, changed.permissions)
    payload = role_payload(changed)
    await sandbox.gateway.dispatch(
        "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": payload}, intent=GUILDS_INTENT
    )
    return reply(payload)


# --- faults, gateway, clock ---------------------------------------------------------------------


async def get_faults(request: web.Request) -> web.Response:
    """Active faults."""
    return reply(request.app[SANDBOX].faults.to_json())


async def add_fault(request: web.Request) -> web.Response:
    """Add a fault."""
    faults = request.app[SANDBOX].faults
    try:
        fault = faults.add(**(await request.json()))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return reply({"id": fault.id, "faults": faults.to_json()}, status=201)


async def clear_faults(request: web.Request) -> web.Response:
    """Remove one fault or all of them."""
    faults = request.app[SANDBOX].faults
    fault_id = request.match_info.get("fault_id")
    faults.remove(int(fault_id) if fault_id else None)
    return reply(faults.to_json())


async def get_gateway(request: web.Request) -> web.Response:
    """Gateway status, optionally after waiting for a connection / identifies / resumes."""
    sandbox = request.app[SANDBOX]
    gateway, query = sandbox.gateway, request.query
    want_connected = query.get("connected") == "1"
    identifies, resumes = int(query.get("identifies", 0)), int(query.get("resumes", 0))

    def reached() -> bool:
        return (
            (gateway.connected or not want_connected)
            and gateway.identifies >= identifies
            and gateway.resumes >= resumes
        )

    if not await sandbox.state.wait_until(reached, within=_timeout(query)):
        return reply(
            {**gateway.status(), "error": "the gateway did not reach the wanted state in time"},
            status=504,
        )
    return reply(gateway.status())


async def drop_gateway(request: web.Request) -> web.Response:
    """Drop the bot's websocket."""
    sandbox = request.app[SANDBOX]
    body = await request.json() if request.can_read_body else {}
    dropped = await sandbox.gateway.drop(resumable=bool(body.get("resumable", True)))
    if not dropped:
        return reply({"error": "the bot is not connected"}, status=409)
    return reply(sandbox.gateway.status())


async def advance_clock(request: web.Request) -> web.Response:
    """Move the clock forward."""
    state = request.app[SANDBOX].state
    seconds = float((await request.json())["seconds"])
    if seconds < 0:
        raise UsageError("the clock only moves forward; give seconds >= 0")
    state.clock.advance(seconds)
    state.notify()
    return reply({"now": state.clock.now()})


# --- helpers -------------------------------------------------------------------------------------


def record_json(sandbox: Sandbox, record: InteractionRecord) -> dict[str, Any]:
    """An interaction and everything the bot answered, messages in their current state."""
    messages = sandbox.state.messages

    def message(message_id: int | None) -> Any:
        found = messages.get(message_id) if message_id is not None else None
        return found.to_json() if found else None

    callback = record.callback or {}
    data = callback.get("data") or {}
    return {
        "id": str(record.id),
        "token": record.token,
        "type": record.type,
        "user_id": str(record.user_id),
        "channel_id": str(record.channel_id),
        "settled": record.settled,
        "callback": record.callback,
        "callback_type": record.callback_type,
        "original": message(record.original_message_id),
        "source_message": message(record.source_message_id),
        "followups": [m for i in record.followup_ids if (m := message(i)) is not None],
        "edits": [str(i) for i in record.edits],
        "modal": data if record.callback_type == 9 else None,
        "choices": data.get("choices") if record.callback_type == 8 else None,
        "rejected": record.rejected,
    }


async def _dispatch_and_wait(
    sandbox: Sandbox, record: InteractionRecord, body: dict[str, Any]
) -> web.Response:
    if not await sandbox.gateway.dispatch("INTERACTION_CREATE", record.payload):
        return reply(
            {"error": "the bot has not connected to the gateway; start it first"}, status=409
        )
    if body.get("wait", True) is False:
        return reply(record_json(sandbox, record))
    timeout = _timeout(body)
    if not await sandbox.state.wait_until(lambda: record.settled, within=timeout):
        return reply(
            {
                "error": f"the bot did not answer interaction {record.id} within {timeout} s",
                "interaction": record_json(sandbox, record),
            },
            status=504,
        )
    return reply(record_json(sandbox, record))


def _timeout(source: Any) -> float:
    return float(source.get("timeout", DEFAULT_TIMEOUT))


def _user(sandbox: Sandbox, ref: Any) -> User:
    user = sandbox.state.world.find_user(ref)
    if user is None or user.bot:
        raise UsageError(f"no member {ref!r}; name a user of the world by username or id")
    return user


def _guild(sandbox: Sandbox, ref: Any) -> Guild:
    guild = sandbox.state.world.find_guild(ref)
    if guild is None:
        raise UsageError(f"no guild {ref!r}; name a guild of the world by name or id")
    return guild


def _channel_id(sandbox: Sandbox, ref: Any) -> int:
    channel = sandbox.state.world.find_channel(ref)
    if channel is None:
        raise UsageError(f"no channel {ref!r}; name a text channel of the world by name or id")
    return channel.id
