"""The gateway: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME, member chunks, dispatch.

Dispatches that belong to an intent (a role's change: GUILDS; a scheduled event's creation,
change or deletion: GUILD_SCHEDULED_EVENTS) reach the bot only if it identified with it.

Frames are plain JSON text (disnake asks for zlib-stream but reads text frames as they come).
A session outlives its websocket: dispatches made while the bot is disconnected are buffered
and replayed on RESUME. :meth:`Gateway.drop` closes the connection on demand (code 4000, which
disnake answers with RESUME); ``resumable=False`` also invalidates the session, so the RESUME
gets op 9 and disnake identifies afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from gamesched.sandbox.payloads import guild_create_payload, member_payload, self_user_payload
from gamesched.sandbox.state import SandboxState

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS = 0, 1, 2, 6, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41_250
HEARTBEAT_ACK_DELAY_SECONDS = 0.05
"""A stand-in for the network round trip before Discord's HEARTBEAT_ACK. disnake notes when a
heartbeat was sent only after its sending thread wakes up; an ACK arriving before that makes
it measure from the previous heartbeat and log "Can't keep up ... 41 s behind"."""
GUILDS_INTENT = 1 << 0
GUILD_MEMBERS_INTENT = 1 << 1
GUILD_SCHEDULED_EVENTS_INTENT = 1 << 16
PRESENCE_UPDATE, VOICE_STATE_UPDATE = 3, 4
OPCODES = frozenset(
    {HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE, RESUME, REQUEST_MEMBERS}
)
"""Opcodes a client may send; presence and voice updates are accepted and ignored."""
DROPPED, UNKNOWN_OPCODE, DECODE_ERROR, AUTHENTICATION_FAILED = 4000, 4001, 4002, 4004


@dataclass(slots=True)
class Session:
    """A gateway session (one per IDENTIFY)."""

    id: str
    """session_id sent in READY."""
    intents: int
    """Intents the bot identified with."""
    seq: int = 0
    """Last sequence number used."""
    buffer: list[dict[str, Any]] = field(default_factory=list)
    """Every dispatch sent in this session, for replay on RESUME."""
    socket: web.WebSocketResponse | None = None
    """The connection currently carrying it."""
    valid: bool = True
    """False once invalidated: RESUME is refused."""


class Gateway:
    """All gateway sessions of one sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.sessions: dict[str, Session] = {}
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0

    @property
    def current(self) -> Session | None:
        """The newest valid session."""
        valid = [s for s in self.sessions.values() if s.valid]
        return valid[-1] if valid else None

    @property
    def connected(self) -> bool:
        """Whether the newest session has a live connection."""
        session = self.current
        return session is not None and session.socket is not None

    def status(self) -> dict[str, Any]:
        """Counters and the current session, as the control API shows them."""
        session = self.current
        return {
            "connected": self.connected,
            "session_id": session.id if session else None,
            "seq": session.seq if session else None,
            "identifies": self.identifies,
            "resumes": self.resumes,
            "heartbeats": self.heartbeats,
        }

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket endpoint."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        url = f"ws://{request.host}/gateway"
        await _send(socket, {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        session: Session | None = None
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(message.data)
                    op, data = frame.get("op"), frame.get("d")
                except (ValueError, AttributeError):
                    await socket.close(code=DECODE_ERROR, message=b"Error while decoding payload.")
                    break
                if op not in OPCODES:
                    await socket.close(code=UNKNOWN_OPCODE, message=b"Unknown opcode.")
                    break
                if op == HEARTBEAT:
                    self.heartbeats += 1
                    await asyncio.sleep(HEARTBEAT_ACK_DELAY_SECONDS)
                    await _send(socket, {"op": HEARTBEAT_ACK})
                elif op in (IDENTIFY, RESUME) and not self._token_ok(data):
                    await socket.close(
                        code=AUTHENTICATION_FAILED, message=b"Authentication failed."
                    )
                elif op == IDENTIFY:
                    session = await self._identify(socket, data, url)
                elif op == RESUME:
                    session = await self._resume(socket, data)
                elif op == REQUEST_MEMBERS and session is not None:
                    await self._chunk(socket, data)
        finally:
            if session is not None and session.socket is socket:
                session.socket = None
                self.state.notify()
        return socket

    async def dispatch(self, event: str, data: dict[str, Any], *, intent: int = 0) -> bool:
        """Send a dispatch in the current session; False when there is no session at all.

        An event that belongs to an ``intent`` is sent only if the bot identified with it.
        """
        session = self.current
        if session is None:
            return False
        if intent and not session.intents & intent:
            return True
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(frame)
        if session.socket is not None and not session.socket.closed:
            with contextlib.suppress(ConnectionError):  # the frame stays buffered for RESUME
                await _send(session.socket, frame)
        return True

    async def drop(self, *, resumable: bool = True) -> bool:
        """Close the bot's connection; False when it was not connected."""
        session = self.current
        if session is None or session.socket is None:
            return False
        if not resumable:
            session.valid = False
        await session.socket.close(code=DROPPED, message=b"sandbox dropped the connection")
        return True

    async def close(self) -> None:
        """Close every connection (server shutdown)."""
        for session in self.sessions.values():
            if session.socket is not None:
                await session.socket.close(code=1001, message=b"sandbox shutting down")

    def _token_ok(self, data: Any) -> bool:
        token = str((data or {}).get("token", ""))
        return secrets.compare_digest(token.removeprefix("Bot "), self.state.world.token)

    async def _identify(self, socket: web.WebSocketResponse, data: Any, url: str) -> Session:
        world = self.state.world
        session = Session(id=secrets.token_hex(16), intents=int(data.get("intents", 0)))
        session.socket = socket
        self.sessions[session.id] = session
        self.identifies += 1
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self_user_payload(world.bot),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in world.guilds],
                "session_id": session.id,
                "resume_gateway_url": url,
                "application": {"id": str(world.application_id), "flags": world.application_flags},
                "shard": [0, 1],
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "_trace": ["gamesched-sandbox"],
            },
        )
        with_members = bool(session.intents & GUILD_MEMBERS_INTENT)
        for guild in world.guilds:
            events = [e.payload(world) for e in self.state.guild_events(guild.id)]
            payload = guild_create_payload(
                guild, world, with_members=with_members, scheduled_events=events
            )
            await self.dispatch("GUILD_CREATE", payload)
        self.state.notify()
        return session

    async def _resume(self, socket: web.WebSocketResponse, data: Any) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid:
            await _send(socket, {"op": INVALID_SESSION, "d": False})
            return None
        if session.socket is not None and session.socket is not socket:
            await session.socket.close(code=DROPPED, message=b"resumed elsewhere")
        session.socket = socket
        self.resumes += 1
        seen = int(data.get("seq") or 0)
        for frame in session.buffer:
            if frame["s"] > seen:
                await _send(socket, frame)
        await self.dispatch("RESUMED", {"_trace": ["gamesched-sandbox"]})
        self.state.notify()
        return session

    async def _chunk(self, socket: web.WebSocketResponse, data: Any) -> None:
        world = self.state.world
        guild_ids = data.get("guild_id")
        for guild_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = world.guild(int(guild_id)) if str(guild_id).isdigit() else None
            if guild is None:
                continue
            user_ids = [int(u) for u in data.get("user_ids") or [] if str(u).isdigit()]
            limit = int(data.get("limit") or 0)
            if user_ids:
                members = [m for m in guild.members if m.user_id in user_ids]
            else:
                members = world.search_members(guild, str(data.get("query") or ""))
            if limit:
                members = members[:limit]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [member_payload(m, world) for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            if user_ids:
                found = {m.user_id for m in members}
                chunk["not_found"] = [str(u) for u in user_ids if u not in found]
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)


async def _send(socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
    frame.setdefault("s", None)
    frame.setdefault("t", None)
    frame.setdefault("d", None)
    await socket.send_str(json.dumps(frame))
