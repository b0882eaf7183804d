"""Guild scheduled events: what Discord keeps of one, and the rules a change must follow.

:func:`review` applies a create or modify body to an event (a blank one when creating) and
returns what the event would become, with every broken rule. The rules come from Discord's
documentation of Guild Scheduled Events and its OpenAPI description
(``ExternalScheduledEventCreateRequest`` and its voice and stage siblings); the numbers live in
:mod:`gamesched.discord.limits`:

- a name of 1-100 characters, a description of at most 1000, privacy level GUILD_ONLY, entity
  type STAGE_INSTANCE, VOICE or EXTERNAL; a create names all of these but the description;
- an EXTERNAL event has a location (1-100 characters) and an end time and no channel; a VOICE
  or STAGE_INSTANCE event has a channel of that type in the guild and no entity metadata;
- a SCHEDULED event's start, whenever it is set, lies in the future; an ACTIVE event's start
  cannot be set at all (not even to the same time); the end comes after the start;
- the status moves SCHEDULED -> ACTIVE or CANCELED and ACTIVE -> COMPLETED; a COMPLETED or
  CANCELED event cannot be changed any more.

The shape of the fields is checked first; the rules between fields only once the shape is
right, so one mistake is not reported three times. Refusals become Discord's 400 / 50035
Invalid Form Body with a code per field: ``GUILD_SCHEDULED_EVENT_SCHEDULE_PAST``,
``GUILD_SCHEDULED_EVENT_SCHEDULE_INVALID_START_BY_STATUS`` and
``GUILD_SCHEDULED_EVENT_ENTITY_METADATA_UNSUPPORTED`` are codes Discord is seen to send,
``BASE_TYPE_*`` are its generic ones; where Discord's spelling is not documented (an end before
the start, a status that may not follow, a channel of the wrong kind, a change to an ended
event) the code is the sandbox's own, named alike. The guild's cap of open events and the bot's
permissions are checked by :class:`~gamesched.sandbox.state.SandboxState`, which keeps the
events.

Not modelled: cover images (``image`` is accepted and stays null), recurrence rules (kept as
sent, never expanded), subscribers (``user_count`` is 0), and Discord starting or ending events
by itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from gamesched.discord.limits import (
    EVENT_ACTIVE,
    EVENT_CANCELED,
    EVENT_COMPLETED,
    EVENT_SCHEDULED,
    EVENT_STATUS_TRANSITIONS,
    EXTERNAL_EVENT,
    GUILD_ONLY,
    MAX_SCHEDULED_EVENT_DESCRIPTION,
    SCHEDULED_EVENT_LOCATION_RANGE,
    SCHEDULED_EVENT_NAME_RANGE,
    STAGE_EVENT,
    VOICE_EVENT,
)
from gamesched.sandbox.limits import Violation
from gamesched.sandbox.payloads import user_payload
from gamesched.sandbox.world import STAGE_CHANNEL, VOICE_CHANNEL, Guild, World

STATUS_NAMES: Final = {
    EVENT_SCHEDULED: "SCHEDULED",
    EVENT_ACTIVE: "ACTIVE",
    EVENT_COMPLETED: "COMPLETED",
    EVENT_CANCELED: "CANCELED",
}
"""``GuildScheduledEventStatuses`` by value."""
ENTITY_TYPE_NAMES: Final = {
    STAGE_EVENT: "STAGE_INSTANCE",
    VOICE_EVENT: "VOICE",
    EXTERNAL_EVENT: "EXTERNAL",
}
"""``GuildScheduledEventEntityTypes`` a request may name, by value."""
CHANNEL_TYPE_FOR: Final = {STAGE_EVENT: STAGE_CHANNEL, VOICE_EVENT: VOICE_CHANNEL}
"""The kind of channel an event held in a channel needs."""
REQUIRED_ON_CREATE: Final = ("name", "privacy_level", "scheduled_start_time", "entity_type")
"""``ExternalScheduledEventCreateRequest.required`` minus ``entity_metadata``, whose need
depends on the entity type."""
NOT_NULL: Final = ("name", "privacy_level", "scheduled_start_time")
"""Fields a modify may leave out but not set to null."""

SCHEDULE_PAST: Final = "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST"
START_BY_STATUS: Final = "GUILD_SCHEDULED_EVENT_SCHEDULE_INVALID_START_BY_STATUS"
METADATA_UNSUPPORTED: Final = "GUILD_SCHEDULED_EVENT_ENTITY_METADATA_UNSUPPORTED"
END_BEFORE_START: Final = "GUILD_SCHEDULED_EVENT_END_BEFORE_START"
INVALID_TRANSITION: Final = "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION"
INVALID_CHANNEL: Final = "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL"
ALREADY_ENDED: Final = "GUILD_SCHEDULED_EVENT_ALREADY_ENDED"
REQUIRED: Final = "BASE_TYPE_REQUIRED"
BAD_LENGTH: Final = "BASE_TYPE_BAD_LENGTH"
MAX_LENGTH: Final = "BASE_TYPE_MAX_LENGTH"
CHOICES: Final = "BASE_TYPE_CHOICES"


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """One guild scheduled event as the sandbox keeps it."""

    id: int
    """Snowflake."""
    guild_id: int
    """The guild it belongs to."""
    creator_id: int
    """Who created it (the bot, for every event made through the REST API)."""
    name: str
    """1-100 characters."""
    entity_type: int
    """STAGE_INSTANCE (1), VOICE (2) or EXTERNAL (3); 0 only on a blank event being created."""
    start: datetime
    """``scheduled_start_time``, aware, in UTC."""
    end: datetime | None = None
    """``scheduled_end_time``, required for EXTERNAL events."""
    description: str | None = None
    """Up to 1000 characters."""
    channel_id: int | None = None
    """The voice or stage channel it is held in; None for EXTERNAL events."""
    location: str | None = None
    """``entity_metadata.location`` of an EXTERNAL event."""
    status: int = EVENT_SCHEDULED
    """SCHEDULED, ACTIVE, COMPLETED or CANCELED."""
    recurrence_rule: Any = None
    """Kept as sent; the sandbox does not expand it."""

    @property
    def open(self) -> bool:
        """SCHEDULED or ACTIVE: what counts against the guild's cap."""
        return self.status in (EVENT_SCHEDULED, EVENT_ACTIVE)

    def payload(self, world: World, *, with_user_count: bool = False) -> dict[str, Any]:
        """The guild scheduled event object Discord returns and dispatches."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": None if self.channel_id is None else str(self.channel_id),
            "creator_id": str(self.creator_id),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": self.start.isoformat(),
            "scheduled_end_time": None if self.end is None else self.end.isoformat(),
            "privacy_level": GUILD_ONLY,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": (
                {"location": self.location} if self.entity_type == EXTERNAL_EVENT else None
            ),
            "image": None,
            "recurrence_rule": self.recurrence_rule,
            "guild_scheduled_event_exceptions": [],
        }
        creator = world.user(self.creator_id)
        if creator is not None:
            data["creator"] = user_payload(creator)
        if with_user_count:
            data["user_count"] = 0
        return data


@dataclass(frozen=True, slots=True)
class Review:
    """What a body makes of an event."""

    event: ScheduledEvent
    """The event as it would be (meaningless while there are problems, except its channel)."""
    problems: list[Violation]
    """Every broken rule; empty when Discord accepts the body."""


def blank_event(*, event_id: int, guild_id: int, creator_id: int, now: datetime) -> ScheduledEvent:
    """The event a create body is applied to."""
    return ScheduledEvent(
        id=event_id, guild_id=guild_id, creator_id=creator_id, name="", entity_type=0, start=now
    )


def review(
    body: Any, old: ScheduledEvent, *, creating: bool, guild: Guild, now: datetime
) -> Review:
    """Apply a create (to a :func:`blank_event`) or modify body to ``old``, checking the rules."""
    if not isinstance(body, Mapping):
        problem = Violation("", f"must be a JSON object, not {type(body).__name__}")
        return Review(old, [problem])
    if not creating and not old.open:
        status = STATUS_NAMES[old.status]
        problem = Violation(
            "status", f"the event is {status}; an ended event cannot be changed", ALREADY_ENDED
        )
        return Review(old, [problem])
    problems: list[Violation] = []
    changes = _read(body, problems, creating=creating)
    if creating:
        problems += [
            Violation(key, "This field is required", REQUIRED)
            for key in REQUIRED_ON_CREATE
            if body.get(key) is None
        ]
    metadata = changes.pop("entity_metadata", None)
    event = dataclasses.replace(old, **changes)
    if event.entity_type != EXTERNAL_EVENT:
        event = dataclasses.replace(event, location=None)
    if not problems:
        problems = _rules(event, old, changes, metadata, guild=guild, now=now)
    return Review(event, problems)


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (naive ones are UTC); None if it is not
    one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _read(body: Mapping[str, Any], out: list[Violation], *, creating: bool) -> dict[str, Any]:
    """The fields the body sets, by :class:`ScheduledEvent` attribute (``entity_metadata`` as
    sent), reporting each malformed one."""
    changes: dict[str, Any] = {}
    if not creating:
        out += [
            Violation(key, "cannot be null; leave it out to keep it", REQUIRED)
            for key in NOT_NULL
            if key in body and body[key] is None
        ]
    given = {key: value for key, value in body.items() if value is not None}
    if "name" in given:
        low, high = SCHEDULED_EVENT_NAME_RANGE
        if _text_within(out, "name", given["name"], low, high):
            changes["name"] = given["name"]
    if "description" in body:
        description = body["description"]
        if _text_within(out, "description", description, 0, MAX_SCHEDULED_EVENT_DESCRIPTION):
            changes["description"] = description or None
    if "privacy_level" in given and given["privacy_level"] != GUILD_ONLY:
        out.append(
            Violation(
                "privacy_level",
                f"is {given['privacy_level']!r}; the only privacy level is GUILD_ONLY "
                f"({GUILD_ONLY})",
                CHOICES,
            )
        )
    if "entity_type" in given:
        if _is_int(given["entity_type"]) and given["entity_type"] in ENTITY_TYPE_NAMES:
            changes["entity_type"] = given["entity_type"]
        else:
            out.append(
                Violation(
                    "entity_type",
                    f"is {given['entity_type']!r}; use one of {ENTITY_TYPE_NAMES}",
                    CHOICES,
                )
            )
    if "channel_id" in body:
        channel_id = body["channel_id"]
        if channel_id is None or _is_snowflake(channel_id):
            changes["channel_id"] = None if channel_id is None else int(channel_id)
        else:
            out.append(Violation("channel_id", f"{channel_id!r} is not a snowflake"))
    if "entity_metadata" in body:
        metadata = body["entity_metadata"]
        changes["entity_metadata"] = metadata
        changes["location"] = None
        if isinstance(metadata, Mapping):
            low, high = SCHEDULED_EVENT_LOCATION_RANGE
            location = metadata.get("location")
            if location is not None and _text_within(
                out, "entity_metadata.location", location, low, high
            ):
                changes["location"] = location
        elif metadata is not None:
            out.append(Violation("entity_metadata", "must be a JSON object or null"))
    for key, attribute in (("scheduled_start_time", "start"), ("scheduled_end_time", "end")):
        if key in given:
            moment = parse_timestamp(given[key])
            if moment is None:
                out.append(Violation(key, f"{given[key]!r} is not an ISO 8601 timestamp"))
            else:
                changes[attribute] = moment
        elif attribute == "end" and key in body:
            changes["end"] = None
    if "status" in given and not creating:  # a create request has no status; it is ignored
        if _is_int(given["status"]) and given["status"] in STATUS_NAMES:
            changes["status"] = given["status"]
        else:
            out.append(
                Violation("status", f"is {given['status']!r}; use one of {STATUS_NAMES}", CHOICES)
            )
    if "recurrence_rule" in body:
        changes["recurrence_rule"] = body["recurrence_rule"]
    return changes


def _rules(
    event: ScheduledEvent,
    old: ScheduledEvent,
    changes: Mapping[str, Any],
    metadata: Any,
    *,
    guild: Guild,
    now: datetime,
) -> list[Violation]:
    """The rules between fields, for a body whose fields are each well-formed."""
    out: list[Violation] = []
    if event.status != old.status and event.status not in EVENT_STATUS_TRANSITIONS[old.status]:
        out.append(
            Violation(
                "status",
                f"cannot go from {STATUS_NAMES[old.status]} to {STATUS_NAMES[event.status]}; "
                "SCHEDULED may become ACTIVE or CANCELED, ACTIVE may become COMPLETED",
                INVALID_TRANSITION,
            )
        )
    if "start" in changes:
        if old.status == EVENT_ACTIVE:
            message = "the event has started; its start cannot be set, leave it out"
            out.append(Violation("scheduled_start_time", message, START_BY_STATUS))
        elif event.start <= now:
            message = "Cannot schedule event in the past."
            out.append(Violation("scheduled_start_time", message, SCHEDULE_PAST))
    if event.end is not None and event.end <= event.start:
        out.append(
            Violation("scheduled_end_time", "must be after scheduled_start_time", END_BEFORE_START)
        )
    if event.entity_type == EXTERNAL_EVENT:
        out += _external_rules(event)
    else:
        out += _channel_rules(event, metadata, guild)
    return out


def _external_rules(event: ScheduledEvent) -> list[Violation]:
    out = []
    if event.location is None:
        out.append(
            Violation(
                "entity_metadata.location",
                "an EXTERNAL event needs entity_metadata with a location of "
                f"{SCHEDULED_EVENT_LOCATION_RANGE[0]} to {SCHEDULED_EVENT_LOCATION_RANGE[1]} "
                "characters",
                REQUIRED,
            )
        )
    if event.end is None:
        out.append(Violation("scheduled_end_time", "an EXTERNAL event needs an end time", REQUIRED))
    if event.channel_id is not None:
        out.append(
            Violation("channel_id", "an EXTERNAL event has no channel; send null", INVALID_CHANNEL)
        )
    return out


def _channel_rules(event: ScheduledEvent, metadata: Any, guild: Guild) -> list[Violation]:
    out = []
    kind = ENTITY_TYPE_NAMES[event.entity_type]
    wanted = "voice" if event.entity_type == VOICE_EVENT else "stage"
    if metadata is not None:
        message = f"a {kind} event takes no entity_metadata; leave it out"
        out.append(Violation("entity_metadata", message, METADATA_UNSUPPORTED))
    if event.channel_id is None:
        message = f"a {kind} event needs the id of a {wanted} channel"
        out.append(Violation("channel_id", message, REQUIRED))
        return out
    channel = guild.channel(event.channel_id)
    if channel is None or channel.type != CHANNEL_TYPE_FOR[event.entity_type]:
        message = f"{event.channel_id} is not a {wanted} channel of this guild"
        out.append(Violation("channel_id", message, INVALID_CHANNEL))
    return out


def _text_within(out: list[Violation], path: str, value: Any, low: int, high: int) -> bool:
    """Whether ``value`` is a string of ``low`` to ``high`` characters (None passes as empty)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        out.append(Violation(path, f"must be a string, not {type(value).__name__}"))
        return False
    if low <= len(value) <= high:
        return True
    code = MAX_LENGTH if low == 0 else BAD_LENGTH
    out.append(
        Violation(path, f"is {len(value)} characters long; it must be {low} to {high}", code)
    )
    return False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_snowflake(value: Any) -> bool:
    return (isinstance(value, str) and value.isdigit()) or (_is_int(value) and value >= 0)
