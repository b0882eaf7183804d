"""Interactions: building what a user's action sends the bot, and Discord's rules for answers.

A test (or the page) acts as a member through the control API; this module turns the action
into an INTERACTION_CREATE payload shaped like Discord's, and checks the bot's answers the
way Discord does: one callback per interaction, within the response window, of a type valid
for the interaction; follow-ups only after that and only while the token lives.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gamesched.sandbox import limits
from gamesched.sandbox.payloads import (
    ATTACHMENT_SIZE_LIMIT,
    channel_payload,
    dm_channel_payload,
    member_payload,
    role_payload,
    user_payload,
)
from gamesched.sandbox.state import (
    EPHEMERAL,
    LOADING,
    DiscordError,
    SandboxState,
    StoredMessage,
    invalid_form_body,
)
from gamesched.sandbox.world import Channel, Guild, User

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

_VALID_CALLBACKS: dict[int, set[int]] = {
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5},
}
"""Callback types Discord accepts per interaction type (6/7 also for modals on a message)."""

_SELECT_TYPES = {3, 5, 6, 7, 8}
_TEXT_INPUT = 4


class UsageError(ValueError):
    """The simulated user did something a Discord client would not let them do."""


@dataclass(slots=True)
class InteractionRecord:
    """One interaction and everything the bot answered to it."""

    id: int
    """Interaction id."""
    token: str
    """Interaction token (webhook token for follow-ups)."""
    type: int
    """2 command, 3 component, 4 autocomplete, 5 modal submit."""
    user_id: int
    """Who acted."""
    channel_id: int
    """Where."""
    created_at: float
    """Clock time of creation."""
    payload: dict[str, Any]
    """The INTERACTION_CREATE data sent to the bot."""
    source_message_id: int | None = None
    """The message whose component was used (also for a modal opened from a component)."""
    callback: dict[str, Any] | None = None
    """The accepted callback body."""
    original_message_id: int | None = None
    """The message ``@original`` addresses."""
    followup_ids: list[int] = field(default_factory=list)
    """Follow-up messages, in order."""
    edits: list[int] = field(default_factory=list)
    """Ids of messages edited for this interaction (``@original``, follow-ups, the source)."""
    rejected: list[dict[str, Any]] = field(default_factory=list)
    """Answers Discord refused: status, code, message."""

    @property
    def callback_type(self) -> int | None:
        """The accepted callback's type."""
        return None if self.callback is None else int(self.callback["type"])

    @property
    def settled(self) -> bool:
        """The bot has answered: a final callback, or a deferral and then its completion.

        A deferred reply (5) completes with a follow-up or an edit of its own message; a
        deferred update (6) with a follow-up or an edit of the message the component is on.
        Edits of other messages, such as another interaction's update of the same
        announcement, settle nothing.
        """
        if self.rejected and self.callback is None:
            return True
        if self.callback_type in (5, 6):
            return bool(self.followup_ids) or self.original_message_id in self.edits
        return self.callback is not None


@dataclass(frozen=True, slots=True)
class OpenModal:
    """A modal the bot showed a user, waiting to be submitted."""

    interaction_id: int
    """The interaction the modal answered."""
    user_id: int
    """Who sees it."""
    channel_id: int
    """Where it was opened."""
    data: Mapping[str, Any]
    """The modal: custom_id, title, components."""
    source_message_id: int | None
    """The message it was opened from, when opened by a component."""


class Interactions:
    """Interaction records, open modals and the rules for answering."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.records: dict[int, InteractionRecord] = {}
        self.open_modals: list[OpenModal] = []

    # --- creating interactions -------------------------------------------------------------

    def command(
        self,
        user: User,
        channel_id: int,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str | None = None,
    ) -> InteractionRecord:
        """A slash command (or, with ``focused``, its autocomplete request)."""
        guild, channel = self._where(channel_id)
        words = name.strip().lstrip("/").split()
        command = self._find_command(words[0] if words else "", guild)
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        resolved: dict[str, dict[str, Any]] = {}
        container = data
        definitions = command.get("options") or []
        for word in words[1:]:
            nested = next(
                (o for o in definitions if o["name"] == word and o["type"] in (1, 2)), None
            )
            if nested is None:
                raise UsageError(f"/{command['name']} has no subcommand {word!r}")
            entry: dict[str, Any] = {"name": word, "type": nested["type"], "options": []}
            container.setdefault("options", []).append(entry)
            container, definitions = entry, nested.get("options") or []
        if any(o["type"] in (1, 2) for o in definitions):
            choices = [o["name"] for o in definitions]
            raise UsageError(f"/{name} needs a subcommand: one of {choices}")
        container["options"] = [
            self._option(definition, options, focused, guild, resolved)
            for definition in definitions
            if definition["name"] in options
        ]
        unknown = set(options) - {d["name"] for d in definitions}
        if unknown:
            known = [d["name"] for d in definitions]
            raise UsageError(f"/{name} has no option(s) {sorted(unknown)}; options: {known}")
        missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in options]
        if missing and focused is None:
            raise UsageError(f"/{name} needs the required option(s) {missing}")
        if resolved:
            data["resolved"] = resolved
        kind = APPLICATION_COMMAND if focused is None else AUTOCOMPLETE
        return self._create(kind, user, guild, channel, data)

    def component(
        self,
        user: User,
        custom_id: str,
        *,
        channel_id: int | None,
        message_id: int | None,
        values: Sequence[str] | None = None,
    ) -> InteractionRecord:
        """A button click (``values`` None) or a select menu choice."""
        message, component = self._find_component(user, custom_id, channel_id, message_id)
        if component.get("disabled"):
            raise UsageError(f"the component {custom_id!r} is disabled; a user cannot use it")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        guild, channel = self._where(message.channel_id)
        if component["type"] == 2:
            if values is not None:
                raise UsageError(f"{custom_id!r} is a button; click it instead of choosing")
        elif component["type"] in _SELECT_TYPES:
            data["values"] = self._select_values(component, values or [], guild, data)
        else:
            raise UsageError(f"{custom_id!r} is not a button or a select menu")
        record = self._create(
            MESSAGE_COMPONENT, user, guild, channel, data, message=message.to_json()
        )
        record.source_message_id = message.id
        return record

    def modal_submit(
        self, user: User, values: Mapping[str, Any], *, custom_id: str | None
    ) -> InteractionRecord:
        """Submit the modal the bot most recently opened for ``user`` (or the one named)."""
        candidates = [
            m
            for m in self.open_modals
            if m.user_id == user.id and custom_id in (None, m.data.get("custom_id"))
        ]
        if not candidates:
            raise UsageError(
                f"no open modal for {user.username}"
                + (f" with custom id {custom_id!r}" if custom_id else "")
                + "; the bot must answer an interaction with a modal (callback type 9) first"
            )
        modal = candidates[-1]
        used: set[str] = set()
        components = [_submitted(c, values, used) for c in modal.data.get("components", [])]
        unknown = set(values) - used
        if unknown:
            raise UsageError(f"the modal has no field(s) {sorted(unknown)}; fields: {sorted(used)}")
        self.open_modals.remove(modal)
        guild, channel = self._where(modal.channel_id)
        message = (
            self.state.messages.get(modal.source_message_id) if modal.source_message_id else None
        )
        data = {"custom_id": modal.data["custom_id"], "components": components}
        record = self._create(
            MODAL_SUBMIT, user, guild, channel, data, message=message.to_json() if message else None
        )
        record.source_message_id = modal.source_message_id
        return record

    # --- answering -------------------------------------------------------------------------

    def respond(
        self,
        interaction_id: int,
        token: str,
        body: Any,
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """POST /interactions/{id}/{token}/callback, with Discord's rules."""
        record = self.records.get(interaction_id)
        if record is None or not secrets.compare_digest(record.token, token):
            raise DiscordError(404, 10062, "Unknown interaction")
        try:
            self._check_callback(record, body)
        except DiscordError as error:
            record.rejected.append(
                {"status": error.status, "code": error.code, "message": error.message}
            )
            self.state.notify()
            raise
        kind = int(body["type"])
        data = body.get("data") or {}
        ephemeral_for = record.user_id if int(data.get("flags") or 0) & EPHEMERAL else None
        if kind == 4:
            record.original_message_id = self._reply(record, data, attachments, ephemeral_for).id
        elif kind == 5:
            message = self._reply(record, {"flags": data.get("flags")}, (), ephemeral_for, LOADING)
            record.original_message_id = message.id
        elif kind in (6, 7):
            record.original_message_id = record.source_message_id
            if kind == 7 and record.source_message_id is not None:
                source = self.state.messages[record.source_message_id]
                self.state.edit_message(source, data, attachments=attachments or None)
        elif kind == 9:
            self.open_modals.append(
                OpenModal(
                    interaction_id=record.id,
                    user_id=record.user_id,
                    channel_id=record.channel_id,
                    data=data,
                    source_message_id=record.source_message_id,
                )
            )
        record.callback = dict(body)
        self.state.notify()

    def _check_callback(self, record: InteractionRecord, body: Any) -> None:
        if record.callback is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        age = self.state.clock.now() - record.created_at
        if age > self.state.world.limits.interaction_response_seconds:
            raise DiscordError(404, 10062, "Unknown interaction")
        problems = limits.check_interaction_callback(body)
        if problems:
            raise invalid_form_body(problems)
        kind = int(body["type"])
        valid = set(_VALID_CALLBACKS[record.type])
        if record.type == MODAL_SUBMIT and record.source_message_id is not None:
            valid |= {6, 7}
        if kind not in valid:
            raise invalid_form_body(
                [
                    limits.Violation(
                        "type",
                        f"callback type {kind} cannot answer interaction type {record.type}; "
                        f"valid here: {sorted(valid)}"
                        + (
                            " (a modal submit cannot be answered with another modal)"
                            if kind == 9 and record.type == MODAL_SUBMIT
                            else ""
                        ),
                    )
                ]
            )

    def webhook_record(self, application_id: int, token: str) -> InteractionRecord:
        """The interaction behind a follow-up webhook, enforcing token lifetime and ack order."""
        record = next((r for r in self.records.values() if r.token == token), None)
        if record is None or application_id != self.state.world.application_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        age = self.state.clock.now() - record.created_at
        if age > self.state.world.limits.token_lifetime_seconds:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        if record.callback is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return record

    def followup(
        self,
        record: InteractionRecord,
        body: Mapping[str, Any],
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> StoredMessage:
        """POST /webhooks/{app}/{token}: a new message answering the interaction."""
        ephemeral_for = record.user_id if int(body.get("flags") or 0) & EPHEMERAL else None
        message = self._reply(record, body, attachments, ephemeral_for)
        record.followup_ids.append(message.id)
        self.state.notify()
        return message

    def webhook_message(self, record: InteractionRecord, message_ref: str) -> StoredMessage:
        """``@original`` or a follow-up of this interaction."""
        if message_ref == "@original":
            message_id = record.original_message_id
        elif message_ref.isdigit() and (
            int(message_ref) in record.followup_ids
            or int(message_ref) == record.original_message_id
        ):
            message_id = int(message_ref)
        else:
            message_id = None
        message = self.state.messages.get(message_id) if message_id is not None else None
        if message is None:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def note_edit(self, message_id: int) -> None:
        """Record an edit of ``message_id`` on every interaction it belongs to."""
        for record in self.records.values():
            if message_id in (
                record.original_message_id,
                record.source_message_id,
                *record.followup_ids,
            ):
                record.edits.append(message_id)
        self.state.notify()

    # --- helpers ---------------------------------------------------------------------------

    def _reply(
        self,
        record: InteractionRecord,
        data: Mapping[str, Any],
        attachments: Sequence[Mapping[str, Any]],
        ephemeral_for: int | None,
        extra_flags: int = 0,
    ) -> StoredMessage:
        user = self.state.world.user(record.user_id)
        assert user is not None
        metadata: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "user": user_payload(user),
            "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
        }
        if record.type == APPLICATION_COMMAND:
            metadata["name"] = record.payload["data"]["name"]
        return self.state.create_message(
            record.channel_id,
            data,
            attachments=attachments,
            interaction=metadata,
            message_type=20 if record.type == APPLICATION_COMMAND else 0,
            visible_to=ephemeral_for,
            extra_flags=extra_flags,
        )

    def _where(self, channel_id: int) -> tuple[Guild | None, Channel | None]:
        channel = self.state.guild_channel(channel_id)
        if channel is None:
            if self.state.dm_recipient(channel_id) is None:
                raise UsageError(f"no channel {channel_id}; use a channel of the world or a DM")
            return None, None
        return self.state.world.guild(channel.guild_id), channel

    def _create(
        self,
        kind: int,
        user: User,
        guild: Guild | None,
        channel: Channel | None,
        data: Mapping[str, Any],
        *,
        message: Mapping[str, Any] | None = None,
    ) -> InteractionRecord:
        state = self.state
        interaction_id = state.snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(state.world.application_id),
            "type": kind,
            "data": dict(data),
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None and channel is not None:
            member = guild.member(user.id)
            if member is None:
                raise UsageError(f"{user.username} is not a member of {guild.name}")
            permissions = guild.channel_permissions(channel, member)
            payload.update(
                guild_id=str(guild.id),
                guild_locale="en-US",
                channel_id=str(channel.id),
                channel={**channel_payload(channel), "permissions": str(permissions)},
                member={**member_payload(member, state.world), "permissions": str(permissions)},
                app_permissions=str(state.bot_permissions(channel)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            dm_id = state.dm_channels.get(user.id)
            if dm_id is None:
                raise UsageError(f"{user.username} has no DM channel with the bot")
            payload.update(
                channel_id=str(dm_id),
                channel=dm_channel_payload(dm_id, user),
                user=user_payload(user),
                app_permissions="0",
                authorizing_integration_owners={"0": str(user.id)},
                context=1,
            )
        if message is not None:
            payload["message"] = {k: v for k, v in message.items() if k != "sandbox"}
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=kind,
            user_id=user.id,
            channel_id=int(payload["channel_id"]),
            created_at=state.clock.now(),
            payload=payload,
        )
        self.records[interaction_id] = record
        state.notify()
        return record

    def _find_command(self, name: str, guild: Guild | None) -> dict[str, Any]:
        pools = [self.state.guild_commands.get(guild.id, []) if guild else []]
        pools.append(self.state.global_commands)
        for pool in pools:
            for command in pool:
                if command["name"] == name and command["type"] == 1:
                    return command
        synced = sorted({c["name"] for pool in pools for c in pool})
        raise UsageError(f"no synced slash command /{name}; synced: {synced}")

    def _option(
        self,
        definition: Mapping[str, Any],
        options: Mapping[str, Any],
        focused: str | None,
        guild: Guild | None,
        resolved: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        name, kind, raw = definition["name"], definition["type"], options[definition["name"]]
        if name == focused:
            return {"name": name, "type": kind, "value": str(raw), "focused": True}
        value: Any
        if kind == 3:
            value = str(raw)
        elif kind in (4, 5, 10):
            value = _typed_value(name, kind, raw)
        elif kind in (6, 7, 8, 9):
            value = self._resolve(kind, raw, guild, resolved)
        else:
            raise UsageError(f"option {name!r} has type {kind}, which the sandbox cannot fill")
        choices = definition.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise UsageError(
                f"option {name!r} only offers {[c['value'] for c in choices]}, not {value!r}"
            )
        return {"name": name, "type": kind, "value": value}

    def _resolve(
        self, kind: int, raw: Any, guild: Guild | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        world = self.state.world
        if kind in (6, 9):
            user = world.find_user(raw)
            if user is not None:
                resolved.setdefault("users", {})[str(user.id)] = user_payload(user)
                member = guild.member(user.id) if guild else None
                if member is not None and guild is not None:
                    resolved.setdefault("members", {})[str(user.id)] = {
                        **member_payload(member, world, with_user=False),
                        "permissions": str(guild.base_permissions(member)),
                    }
                return str(user.id)
        if kind in (8, 9) and guild is not None:
            role = next((r for r in guild.roles if str(raw) in (r.name, str(r.id))), None)
            if role is not None:
                resolved.setdefault("roles", {})[str(role.id)] = role_payload(role)
                return str(role.id)
        if kind == 7:
            channel = world.find_channel(raw, guild_id=guild.id if guild else None)
            if channel is not None:
                resolved.setdefault("channels", {})[str(channel.id)] = {
                    **channel_payload(channel),
                    "permissions": str(self.state.bot_permissions(channel)),
                }
                return str(channel.id)
        raise UsageError(f"cannot resolve {raw!r} to a {_KIND_NAMES[kind]} of this world")

    def _find_component(
        self, user: User, custom_id: str, channel_id: int | None, message_id: int | None
    ) -> tuple[StoredMessage, dict[str, Any]]:
        messages = [
            m
            for m in reversed(self.state.messages.values())
            if (message_id is None or m.id == message_id)
            and (channel_id is None or m.channel_id == channel_id)
            and m.visible_to in (None, user.id)
        ]
        for message in messages:
            for component in walk_components(message.payload.get("components") or []):
                if component.get("custom_id") == custom_id:
                    return message, component
        where = f" in message {message_id}" if message_id else ""
        where += f" in channel {channel_id}" if channel_id else ""
        raise UsageError(
            f"no component with custom id {custom_id!r}{where} visible to {user.username}"
        )

    def _select_values(
        self,
        component: Mapping[str, Any],
        values: Sequence[str],
        guild: Guild | None,
        data: dict[str, Any],
    ) -> list[str]:
        low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
        if not low <= len(values) <= high:
            raise UsageError(f"choose between {low} and {high} values, not {len(values)}")
        if component["type"] == 3:
            offered = [o["value"] for o in component.get("options", [])]
            wrong = [v for v in values if v not in offered]
            if wrong:
                raise UsageError(f"the menu does not offer {wrong}; it offers {offered}")
            return list(values)
        kind = {5: 6, 6: 8, 7: 9, 8: 7}[component["type"]]
        resolved: dict[str, dict[str, Any]] = {}
        ids = [self._resolve(kind, v, guild, resolved) for v in values]
        data["resolved"] = resolved
        return ids


_KIND_NAMES = {6: "user", 7: "channel", 8: "role", 9: "user or role"}
_BOOLEANS = {"true": True, "false": False}


def _typed_value(name: str, kind: int, raw: Any) -> int | bool | float:
    """An integer (4), boolean (5) or number (10) option from JSON or from text a person typed."""
    text = str(raw).strip().lower()
    try:
        if kind == 5:
            return raw if isinstance(raw, bool) else _BOOLEANS[text]
        if isinstance(raw, bool):
            raise ValueError(raw)
        return int(text) if kind == 4 else float(text)
    except (KeyError, ValueError):
        wanted = {4: "an integer", 5: "true or false", 10: "a number"}[kind]
        raise UsageError(f"option {name!r} takes {wanted}, not {raw!r}") from None


def walk_components(components: Sequence[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, nested ones included (rows, containers, sections, labels)."""
    for component in components:
        yield dict(component)
        yield from walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(component.get(key), Mapping):
                yield from walk_components([component[key]])


def _submitted(
    component: Mapping[str, Any], values: Mapping[str, Any], used: set[str]
) -> dict[str, Any]:
    """The modal-submit form of one modal component, filled with the user's values."""
    kind = component["type"]
    if kind == 1:
        return {
            "type": 1,
            "components": [_submitted(c, values, used) for c in component["components"]],
        }
    if kind == 18:
        return {
            "type": 18,
            "id": component.get("id", 0),
            "component": _submitted(component["component"], values, used),
        }
    custom_id = component.get("custom_id")
    if custom_id is None:
        return {"type": kind, "id": component.get("id", 0)}
    used.add(custom_id)
    if kind == _TEXT_INPUT:
        value = str(values.get(custom_id, component.get("value") or ""))
        if component.get("required", True) and not value:
            raise UsageError(f"the field {custom_id!r} is required; give it a value")
        low, high = component.get("min_length", 0), component.get("max_length", 4000)
        if value and not low <= len(value) <= high:
            raise UsageError(f"the field {custom_id!r} takes {low} to {high} characters")
        return {"type": kind, "custom_id": custom_id, "value": value}
    chosen = values.get(custom_id, [])
    return {"type": kind, "custom_id": custom_id, "values": list(chosen)}
