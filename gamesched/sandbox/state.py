"""What changes while the sandbox runs: messages, DM channels, commands, guild scheduled
events, the request log.

One :class:`SandboxState` per running sandbox, used from the event loop only. Every change
calls :meth:`SandboxState.notify`, and :meth:`SandboxState.wait_until` lets the control API
await a condition (a callback arrived, commands were synced) without polling or sleeping.
The world itself is immutable, but the control API may swap it for a changed copy (a role
given other permissions, see :meth:`SandboxState.set_role_permissions`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gamesched.discord.limits import (
    MAX_OPEN_SCHEDULED_EVENTS,
    MAX_OPEN_SCHEDULED_EVENTS_CODE,
    UNKNOWN_SCHEDULED_EVENT_CODE,
)
from gamesched.sandbox import limits, mentions, scheduled_events
from gamesched.sandbox.payloads import dm_channel_payload, user_payload
from gamesched.sandbox.scheduled_events import ScheduledEvent
from gamesched.sandbox.world import (
    CREATE_EVENTS,
    MANAGE_EVENTS,
    MENTION_EVERYONE,
    SEND_MESSAGES,
    STAGE_CHANNEL,
    VIEW_CHANNEL,
    VOICE_CHANNEL,
    Channel,
    Guild,
    User,
    World,
)

DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Clock:
    """Wall-clock time that tests can move forward (token expiry, the 3-second rule)."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the Unix epoch, plus every :meth:`advance` so far."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump forward without waiting."""
        self._offset += seconds


RULE_CODES = frozenset({10015, 10062, 40060, 50027, 50035})
"""Error codes that mean the bot broke one of Discord's rules (not a refusal by world state)."""


class DiscordError(Exception):
    """A request Discord would refuse: rendered as Discord's JSON error shape.

    ``rule`` marks a broken Discord rule, recorded in the violations list; it defaults to the
    codes in :data:`RULE_CODES`.
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        rule: bool | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        self.rule = code in RULE_CODES if rule is None else rule

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends."""
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            data["errors"] = self.errors
        return {**data, **self.extra}


def invalid_form_body(problems: Sequence[limits.Violation]) -> DiscordError:
    """Discord's 400 / 50035 with the problems nested under their paths as Discord nests them."""
    errors: dict[str, Any] = {}
    for problem in problems:
        node = errors
        for part in _path_parts(problem.path):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


def _path_parts(path: str) -> list[str]:
    return [part for part in path.replace("[", ".").replace("]", "").split(".") if part]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One REST request the bot made (or a web, with a user's Bearer token)."""

    seq: int
    """Position in the log, from 1."""
    time: float
    """Clock time the request arrived."""
    method: str
    """HTTP method."""
    path: str
    """Path below ``/api/v10``."""
    query: dict[str, str]
    """Query parameters."""
    body: Any
    """Decoded JSON body (``payload_json`` for multipart), None without one."""
    status: int
    """Status code answered."""
    error_code: int | None
    """Discord error code of a refused request."""

    def to_json(self) -> dict[str, Any]:
        """As the control API returns it."""
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "status": self.status,
            "error_code": self.error_code,
        }


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A request refused because it broke one of Discord's rules."""

    time: float
    """Clock time."""
    method: str
    """HTTP method."""
    path: str
    """Path below ``/api/v10``."""
    code: int
    """The Discord error code answered."""
    problems: tuple[str, ...]
    """What was wrong, one line per problem."""

    def to_json(self) -> dict[str, Any]:
        """As the control API returns it."""
        return {
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "code": self.code,
            "problems": list(self.problems),
        }


@dataclass(slots=True)
class StoredMessage:
    """A message the bot sent, as Discord would return it, with who it pinged."""

    payload: dict[str, Any]
    """The Discord message object."""
    pings: mentions.Pings
    """Who was notified when it was created (edits notify nobody)."""
    visible_to: int | None = None
    """For ephemeral messages: the only user who sees it."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """Earlier versions, oldest first."""

    @property
    def id(self) -> int:
        """Message id."""
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        """Channel id."""
        return int(self.payload["channel_id"])

    def to_json(self) -> dict[str, Any]:
        """The message plus the sandbox's notes about it."""
        return {
            **self.payload,
            "sandbox": {
                "pinged_users": sorted(str(u) for u in self.pings.users),
                "pinged_roles": sorted(str(r) for r in self.pings.roles),
                "pinged_everyone": self.pings.everyone,
                "pinged_nobody": self.pings.nobody,
                "visible_to": None if self.visible_to is None else str(self.visible_to),
                "edits": len(self.history),
            },
        }


class SandboxState:
    """All mutable sandbox state around an immutable :class:`World`."""

    def __init__(self, world: World, *, clock: Clock | None = None) -> None:
        self.world = world
        self.clock = clock or Clock()
        self.messages: dict[int, StoredMessage] = {}
        self.nonces: dict[tuple[int, str], int] = {}
        """(channel, nonce) -> message id, for creates sent with ``enforce_nonce``."""
        self.dm_channels: dict[int, int] = {}
        """user id -> the user's DM channel id."""
        self.dm_users: dict[int, int] = {}
        """DM channel id -> user id, for every DM channel ever opened, gone ones too (their
        messages were still DMs to that user)."""
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.scheduled_events: dict[int, ScheduledEvent] = {}
        """Every guild scheduled event by id, ended ones included."""
        self.log: list[LogEntry] = []
        self.violations: list[RuleViolation] = []
        self._counter = itertools.count()
        self._changed: asyncio.Event | None = None

    # --- waiting ---------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_until`."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_until(self, predicate: Callable[[], bool], *, within: float) -> bool:
        """Wait until ``predicate()`` holds (re-checked on every change); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            if self._changed is None:
                self._changed = asyncio.Event()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    # --- ids, log, violations --------------------------------------------------------------

    def snowflake(self) -> int:
        """A new id that sorts by creation time."""
        millis = int(self.clock.now() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._counter) % (1 << 22))

    def timestamp(self) -> str:
        """Now as an ISO timestamp."""
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(self.clock.now()))

    def record_request(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Any,
        status: int,
        error_code: int | None,
        at: float,
    ) -> None:
        """Append to the request log."""
        self.log.append(
            LogEntry(
                seq=len(self.log) + 1,
                time=at,
                method=method,
                path=path,
                query=dict(query),
                body=body,
                status=status,
                error_code=error_code,
            )
        )
        self.notify()

    def record_violation(self, *, method: str, path: str, error: DiscordError) -> None:
        """Remember a refused request that broke a Discord rule."""
        problems = [error.message]
        problems += [
            f"{where}: {item['message']}" for where, item in _flatten_errors(error.errors or {})
        ]
        self.violations.append(
            RuleViolation(
                time=self.clock.now(),
                method=method,
                path=path,
                code=error.code,
                problems=tuple(problems),
            )
        )

    # --- channels --------------------------------------------------------------------------

    def guild_channel(self, channel_id: int) -> Channel | None:
        """A guild channel by id."""
        return self.world.channel(channel_id)

    def dm_recipient(self, channel_id: int) -> User | None:
        """The user a DM channel talks to, if ``channel_id`` is a DM channel that exists."""
        user_id = self.dm_users.get(channel_id)
        if user_id is None or self.dm_channels.get(user_id) != channel_id:
            return None
        return self.world.user(user_id)

    def open_dm(self, user: User) -> dict[str, Any]:
        """The DM channel with ``user``, created on first use (and after it was lost)."""
        channel_id = self.dm_channels.get(user.id)
        if channel_id is None:
            channel_id = self.dm_channels[user.id] = self.snowflake()
            self.dm_users[channel_id] = user.id
        return dm_channel_payload(channel_id, user)

    def lose_dm_channel(self, user: User) -> int | None:
        """Make the DM channel with ``user`` gone, as Discord may: posting to its id answers
        404 Unknown Channel and opening a DM gives a new channel. Returns the lost id."""
        self.notify()
        return self.dm_channels.pop(user.id, None)

    def dms_to(self, user_id: int) -> list[StoredMessage]:
        """The bot's DMs to a user, oldest first, from every DM channel it had with them."""
        found = [m for m in self.messages.values() if self.dm_users.get(m.channel_id) == user_id]
        return sorted(found, key=lambda m: m.id)

    def bot_permissions(self, channel: Channel) -> int:
        """The bot's permissions in a guild channel."""
        guild = self.world.guild(channel.guild_id)
        member = guild.member(self.world.bot.id) if guild else None
        if guild is None or member is None:
            return 0
        return guild.channel_permissions(channel, member)

    def check_can_send(self, channel_id: int) -> None:
        """Raise as Discord does when the bot may not post in the channel."""
        channel = self.guild_channel(channel_id)
        if channel is None:
            recipient = self.dm_recipient(channel_id)
            if recipient is None:
                raise DiscordError(404, 10003, "Unknown Channel")
            if recipient.dms_closed:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
            return
        perms = self.bot_permissions(channel)
        if not perms & VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if not perms & SEND_MESSAGES:
            raise DiscordError(403, 50013, "Missing Permissions")

    def check_can_view(self, channel_id: int) -> None:
        """Raise 10003 for an unknown channel, 50001 for one the bot cannot see."""
        channel = self.guild_channel(channel_id)
        if channel is None:
            if self.dm_recipient(channel_id) is None:
                raise DiscordError(404, 10003, "Unknown Channel")
            return
        if not self.bot_permissions(channel) & VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")

    # --- messages --------------------------------------------------------------------------

    def create_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        *,
        attachments: Sequence[Mapping[str, Any]] = (),
        interaction: Mapping[str, Any] | None = None,
        message_type: int = 0,
        visible_to: int | None = None,
        extra_flags: int = 0,
    ) -> StoredMessage:
        """Store a new bot message; ``body`` has been checked already."""
        channel = self.guild_channel(channel_id)
        reference = body.get("message_reference")
        replied_user = None
        if isinstance(reference, Mapping) and "message_id" in reference:
            target = self.messages.get(int(reference["message_id"]))
            replied_user = int(target.payload["author"]["id"]) if target else None
        pings = mentions.compute_pings(
            content=body.get("content"),
            allowed_mentions=body.get("allowed_mentions"),
            mentionable_role_ids=self._mentionable_roles(channel),
            author_can_mention_everyone=bool(
                channel and self.bot_permissions(channel) & MENTION_EVERYONE
            ),
            replied_user_id=replied_user,
        )
        message_id = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": user_payload(self.world.bot),
            "content": body.get("content") or "",
            "timestamp": self.timestamp(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": pings.everyone,
            "mentions": self._user_objects(pings.users),
            "mention_roles": [str(r) for r in sorted(pings.roles)],
            "attachments": list(attachments),
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "type": message_type,
            "flags": (int(body.get("flags") or 0) & EPHEMERAL) | extra_flags,
        }
        if channel is not None:
            payload["guild_id"] = str(channel.guild_id)
        if isinstance(reference, Mapping):
            payload["message_reference"] = {**reference, "channel_id": str(channel_id)}
        if interaction is not None:
            payload["webhook_id"] = str(self.world.application_id)
            payload["application_id"] = str(self.world.application_id)
            payload["interaction_metadata"] = dict(interaction)
        message = StoredMessage(payload=payload, pings=pings, visible_to=visible_to)
        self.messages[message_id] = message
        self.notify()
        return message

    def edit_message(
        self,
        message: StoredMessage,
        body: Mapping[str, Any],
        *,
        attachments: Sequence[Mapping[str, Any]] | None = None,
    ) -> StoredMessage:
        """Apply an edit: fields present replace the old ones; pings are not sent again."""
        message.history.append(dict(message.payload))
        payload = message.payload
        if "content" in body:
            payload["content"] = body["content"] or ""
            channel = self.guild_channel(message.channel_id)
            pings = mentions.compute_pings(
                content=payload["content"],
                allowed_mentions=body.get("allowed_mentions"),
                mentionable_role_ids=self._mentionable_roles(channel),
            )
            payload["mentions"] = self._user_objects(pings.users)
            payload["mention_roles"] = [str(r) for r in sorted(pings.roles)]
        for key in ("embeds", "components"):
            if key in body:
                payload[key] = list(body[key] or [])
        if attachments is not None:
            payload["attachments"] = list(attachments)
        payload["flags"] = int(payload["flags"]) & ~LOADING
        payload["edited_timestamp"] = self.timestamp()
        self.notify()
        return message

    def delete_message(self, message: StoredMessage) -> None:
        """Remove a message."""
        del self.messages[message.id]
        self.notify()

    def channel_messages(
        self, channel_id: int, *, viewer: int | None = None, include_ephemeral: bool = False
    ) -> list[StoredMessage]:
        """Messages of a channel, oldest first; ephemeral ones only for their viewer."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id
            and (m.visible_to is None or include_ephemeral or m.visible_to == viewer)
        ]

    def find_message(self, channel_id: int, message_id: int) -> StoredMessage:
        """A message of a channel, or Discord's 10008."""
        message = self.messages.get(message_id)
        if message is None or message.channel_id != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    # --- commands --------------------------------------------------------------------------

    def commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        """Global commands, or one guild's commands."""
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, [])

    def overwrite_commands(
        self, guild_id: int | None, commands: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Bulk overwrite; a command keeps its id when its name and type stay."""
        old = {(c["name"], c["type"]): c for c in self.commands_for(guild_id)}
        new = [self._command(guild_id, body, old) for body in commands]
        if guild_id is None:
            self.global_commands = new
        else:
            self.guild_commands[guild_id] = new
        self.notify()
        return new

    def upsert_command(
        self, guild_id: int | None, body: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Create or replace one command by name and type; True when it is new."""
        existing = self.commands_for(guild_id)
        old = {(c["name"], c["type"]): c for c in existing}
        command = self._command(guild_id, body, old)
        key = (command["name"], command["type"])
        created = key not in old
        kept = [c for c in existing if (c["name"], c["type"]) != key]
        self.overwrite_commands(guild_id, [*kept, command])
        return command, created

    def _command(
        self,
        guild_id: int | None,
        body: Mapping[str, Any],
        old: Mapping[tuple[str, int], Mapping[str, Any]],
    ) -> dict[str, Any]:
        kind = int(body.get("type", 1))
        previous = old.get((body["name"], kind))
        command: dict[str, Any] = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **body,
            "id": previous["id"] if previous else str(self.snowflake()),
            "application_id": str(self.world.application_id),
            "version": str(self.snowflake()),
            "type": kind,
        }
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    # --- guild scheduled events ------------------------------------------------------------

    def guild_events(self, guild_id: int) -> list[ScheduledEvent]:
        """A guild's scheduled events, oldest first."""
        return sorted(
            (e for e in self.scheduled_events.values() if e.guild_id == guild_id),
            key=lambda e: e.id,
        )

    def find_event(self, guild_id: int, event_id: int) -> ScheduledEvent:
        """A guild's scheduled event, or Discord's 10070."""
        event = self.scheduled_events.get(event_id)
        if event is None or event.guild_id != guild_id:
            raise DiscordError(404, UNKNOWN_SCHEDULED_EVENT_CODE, "Unknown Guild Scheduled Event")
        return event

    def create_event(self, guild: Guild, body: Any) -> ScheduledEvent:
        """Create a scheduled event for the bot, or raise as Discord does (see
        :mod:`gamesched.sandbox.scheduled_events` for the rules)."""
        blank = scheduled_events.blank_event(
            event_id=self.snowflake(),
            guild_id=guild.id,
            creator_id=self.world.bot.id,
            now=self._now(),
        )
        event = self._reviewed(guild, body, blank, creating=True)
        if sum(e.open for e in self.guild_events(guild.id)) >= MAX_OPEN_SCHEDULED_EVENTS:
            raise DiscordError(
                400,
                MAX_OPEN_SCHEDULED_EVENTS_CODE,
                "Maximum number of uncompleted guild scheduled events reached "
                f"({MAX_OPEN_SCHEDULED_EVENTS})",
            )
        return self._keep(event)

    def modify_event(self, guild: Guild, event_id: int, body: Any) -> ScheduledEvent:
        """Change a scheduled event (fields present replace the old ones), or raise."""
        event = self._reviewed(guild, body, self.find_event(guild.id, event_id), creating=False)
        return self._keep(event)

    def delete_event(self, guild: Guild, event_id: int) -> ScheduledEvent:
        """Delete a scheduled event and return it, or raise."""
        event = self.find_event(guild.id, event_id)
        self.check_can_manage_event(guild, event.channel_id, creator_id=event.creator_id)
        del self.scheduled_events[event.id]
        self.notify()
        return event

    def check_can_manage_event(
        self, guild: Guild, channel_id: int | None, *, creator_id: int
    ) -> None:
        """Raise 50013 unless the bot may create or change an event held in ``channel_id``
        (or outside any channel): Manage Events, or Create Events for an event of its own.

        A voice or stage channel's overwrites count for an event held there, as in Discord.
        """
        member = guild.member(self.world.bot.id)
        channel = guild.channel(channel_id) if channel_id is not None else None
        if member is None:
            perms = 0
        elif channel is not None and channel.type in (VOICE_CHANNEL, STAGE_CHANNEL):
            perms = guild.channel_permissions(channel, member)
        else:
            perms = guild.base_permissions(member)
        if perms & MANAGE_EVENTS:
            return
        if perms & CREATE_EVENTS and creator_id == self.world.bot.id:
            return
        raise DiscordError(403, 50013, "Missing Permissions")

    def _reviewed(
        self, guild: Guild, body: Any, old: ScheduledEvent, *, creating: bool
    ) -> ScheduledEvent:
        """``body`` applied to ``old`` once the bot's permission and every rule allow it."""
        result = scheduled_events.review(body, old, creating=creating, guild=guild, now=self._now())
        self.check_can_manage_event(guild, result.event.channel_id, creator_id=old.creator_id)
        if result.problems:
            raise invalid_form_body(result.problems)
        return result.event

    def _keep(self, event: ScheduledEvent) -> ScheduledEvent:
        self.scheduled_events[event.id] = event
        self.notify()
        return event

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    # --- the world -------------------------------------------------------------------------

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Give a role other permissions from now on (the world is swapped for a changed
        copy; what the bot and members may do follows at once)."""
        self.world = self.world.with_role_permissions(guild_id, role_id, permissions)
        self.notify()

    # --- helpers ---------------------------------------------------------------------------

    def _mentionable_roles(self, channel: Channel | None) -> set[int]:
        guild = self.world.guild(channel.guild_id) if channel else None
        return {role.id for role in guild.roles if role.mentionable} if guild else set()

    def _user_objects(self, ids: frozenset[int]) -> list[dict[str, Any]]:
        return [
            user_payload(user)
            for user_id in sorted(ids)
            if (user := self.world.user(user_id)) is not None
        ]


def _flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in errors.items():
        if key == "_errors":
            found += [(prefix or "(body)", item) for item in value]
        else:
            found += _flatten_errors(value, f"{prefix}.{key}" if prefix else key)
    return found
