"""The sandbox's world: guilds, channels, roles, members and users, loaded from a TOML file.

The world is immutable; what changes while the sandbox runs (messages, commands, interactions)
lives in :mod:`gamesched.sandbox.state`. Objects refer to each other by name in the file
(roles and categories by name, users by username) and by id in the loaded model.

File shape (see ``worlds/demo.toml``)::

    token = "..."                      # the bot token requests must carry
    application_id = "..."
    members_intent = true              # optional: Server Members Intent switched on (default)
    [bot]                              # the bot's own user
    id = "..."; username = "..."
    [limits]                           # optional; Discord's numbers by default
    channel_messages = 5; channel_window_seconds = 5.0
    [oauth2]                           # optional: the application as an OAuth2 client
    client_secret = "..."; redirect_uris = ["https://..."]
    [[users]]                          # id, username, global_name?, dms_closed?
    [[guilds]]                         # id, name, owner (username), everyone_permissions?
    [[guilds.roles]]                   # id, name, permissions, position, mentionable?, color?
    [[guilds.channels]]                # id, name, type ("text"|"voice"|"stage"|"category"),
                                       # parent?, topic?
    [[guilds.channels.overwrites]]     # role = "name" | member = "username"; allow?, deny?
    [[guilds.members]]                 # user (username), nick?, roles = ["name", ...]

Permissions are lists of Discord permission names (``"SEND_MESSAGES"``) or a bitfield string.
A channel without overwrites of its own takes its category's (a synced channel).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import disnake

ALL_PERMISSIONS: Final[int] = disnake.Permissions.all().value
"""Every permission bit Discord defines."""
ADMINISTRATOR: Final[int] = disnake.Permissions(administrator=True).value
VIEW_CHANNEL: Final[int] = disnake.Permissions(view_channel=True).value
SEND_MESSAGES: Final[int] = disnake.Permissions(send_messages=True).value
MENTION_EVERYONE: Final[int] = disnake.Permissions(mention_everyone=True).value
MANAGE_EVENTS: Final[int] = disnake.Permissions(manage_events=True).value
"""Create, edit and delete any guild scheduled event (1 << 33)."""
CREATE_EVENTS: Final[int] = disnake.Permissions(create_events=True).value
"""Create guild scheduled events, and edit and delete one's own (1 << 44)."""

GATEWAY_GUILD_MEMBERS_LIMITED: Final = 1 << 15
"""Application flag: the Server Members Intent is on (for a bot in under 100 servers)."""

TEXT_CHANNEL: Final = 0
DM_CHANNEL: Final = 1
VOICE_CHANNEL: Final = 2
CATEGORY_CHANNEL: Final = 4
STAGE_CHANNEL: Final = 13
_CHANNEL_TYPES: Final = {
    "text": TEXT_CHANNEL,
    "voice": VOICE_CHANNEL,
    "stage": STAGE_CHANNEL,
    "category": CATEGORY_CHANNEL,
}

DEFAULT_EVERYONE: Final = (
    "VIEW_CHANNEL",
    "SEND_MESSAGES",
    "READ_MESSAGE_HISTORY",
    "EMBED_LINKS",
    "ATTACH_FILES",
    "ADD_REACTIONS",
    "USE_APPLICATION_COMMANDS",
)
"""@everyone's permissions when a guild does not say."""


class WorldError(ValueError):
    """The world file is malformed; the message names the entry and what to fix."""


@dataclass(frozen=True, slots=True)
class User:
    """A Discord user."""

    id: int
    """Snowflake."""
    username: str
    """Unique lower-case name."""
    global_name: str | None = None
    """Display name chosen by the user."""
    bot: bool = False
    """True for the bot's own user."""
    dms_closed: bool = False
    """True when the user refuses DMs from the bot (sending one fails with 50007)."""


@dataclass(frozen=True, slots=True)
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    """Snowflake."""
    name: str
    """Shown name."""
    permissions: int
    """Permission bitfield."""
    position: int
    """Higher is more powerful; @everyone is 0."""
    mentionable: bool = False
    """Whether anyone may ping it."""
    color: int = 0
    """RGB colour, 0 for none."""
    hoist: bool = False
    """Shown separately in the member list."""


@dataclass(frozen=True, slots=True)
class Overwrite:
    """A channel permission overwrite."""

    id: int
    """Role or user id."""
    type: int
    """0 for a role, 1 for a member."""
    allow: int
    """Bits granted."""
    deny: int
    """Bits taken away."""


@dataclass(frozen=True, slots=True)
class Channel:
    """A guild text, voice or stage channel, or a category."""

    id: int
    """Snowflake."""
    guild_id: int
    """Owning guild."""
    name: str
    """Channel name."""
    type: int
    """0 text, 2 voice, 4 category, 13 stage."""
    position: int
    """Sort order among siblings."""
    parent_id: int | None = None
    """Category, if any."""
    topic: str | None = None
    """Text channel topic."""
    overwrites: tuple[Overwrite, ...] = ()
    """Effective overwrites (a channel without its own takes its category's)."""


@dataclass(frozen=True, slots=True)
class Member:
    """A user's membership of a guild."""

    user_id: int
    """The user."""
    nick: str | None = None
    """Guild nickname."""
    role_ids: tuple[int, ...] = ()
    """Roles besides @everyone."""
    joined_at: str = "2024-01-01T00:00:00+00:00"
    """ISO timestamp."""


@dataclass(frozen=True, slots=True)
class Guild:
    """A guild with its roles, channels and members."""

    id: int
    """Snowflake; also the @everyone role's id."""
    name: str
    """Guild name."""
    owner_id: int
    """The owner, who holds every permission."""
    roles: tuple[Role, ...]
    """Roles including @everyone."""
    channels: tuple[Channel, ...]
    """Channels and categories."""
    members: tuple[Member, ...]
    """Members including the bot."""

    def role(self, role_id: int) -> Role | None:
        """The role with this id."""
        return next((role for role in self.roles if role.id == role_id), None)

    def find_role(self, ref: str | int) -> Role | None:
        """A role by id or name."""
        text = str(ref)
        if text.isdigit():
            return self.role(int(text))
        return next((role for role in self.roles if role.name == text), None)

    def channel(self, channel_id: int) -> Channel | None:
        """The channel with this id."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def member(self, user_id: int) -> Member | None:
        """The member with this user id."""
        return next((m for m in self.members if m.user_id == user_id), None)

    def base_permissions(self, member: Member) -> int:
        """Guild-wide permissions: @everyone plus the member's roles; admins and owner get all."""
        if member.user_id == self.owner_id:
            return ALL_PERMISSIONS
        bits = 0
        for role_id in (self.id, *member.role_ids):
            role = self.role(role_id)
            if role is not None:
                bits |= role.permissions
        return ALL_PERMISSIONS if bits & ADMINISTRATOR else bits

    def channel_permissions(self, channel: Channel, member: Member) -> int:
        """Permissions in a channel, applying overwrites in Discord's order."""
        bits = self.base_permissions(member)
        if bits & ADMINISTRATOR:
            return ALL_PERMISSIONS
        by_id = {(o.type, o.id): o for o in channel.overwrites}
        everyone = by_id.get((0, self.id))
        if everyone is not None:
            bits = (bits & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            role_overwrite = by_id.get((0, role_id))
            if role_overwrite is not None:
                allow |= role_overwrite.allow
                deny |= role_overwrite.deny
        bits = (bits & ~deny) | allow
        own = by_id.get((1, member.user_id))
        if own is not None:
            bits = (bits & ~own.deny) | own.allow
        return bits


@dataclass(frozen=True, slots=True)
class Limits:
    """Discord's timing rules, adjustable so tests stay fast."""

    channel_messages: int = 5
    """Message creates (and, separately, edits) allowed per channel per window."""
    channel_window_seconds: float = 5.0
    """Length of the per-channel rate-limit window."""
    global_requests_per_second: int = 50
    """Discord's global limit: REST requests per second for the bot, all routes together
    (interaction answers and webhooks are exempt)."""
    interaction_response_seconds: float = 3.0
    """Time the bot has to answer an interaction."""
    token_lifetime_seconds: float = 15 * 60.0
    """How long an interaction token accepts follow-ups and edits."""
    oauth2_code_seconds: float = 10 * 60.0
    """How long an OAuth2 authorization code can be exchanged (Discord: 10 minutes)."""
    oauth2_access_token_seconds: float = 7 * 24 * 3600.0
    """How long an OAuth2 access token works (Discord: 604800 seconds, a week)."""


DEFAULT_CLIENT_SECRET: Final = "sandbox-client-secret"
"""The OAuth2 client secret of a world that does not set one (not a secret: the sandbox is
local)."""


@dataclass(frozen=True, slots=True)
class OAuth2Client:
    """The application as an OAuth2 client (its client id is the application id)."""

    client_secret: str = DEFAULT_CLIENT_SECRET
    """What the token endpoint takes as the client's password."""
    redirect_uris: tuple[str, ...] = ()
    """Redirect URIs registered besides loopback ones (``http://127.0.0.1:<any port>/...``,
    ``localhost`` and ``[::1]`` are always accepted: a local web picks its port at run time)."""


@dataclass(frozen=True, slots=True)
class World:
    """Everything the sandbox serves that does not change while it runs."""

    token: str
    """The bot token requests must carry as ``Authorization: Bot <token>``."""
    application_id: int
    """The bot's application id."""
    bot: User
    """The bot's own user."""
    users: tuple[User, ...]
    """Every user except the bot."""
    guilds: tuple[Guild, ...]
    """The guilds the bot is in."""
    limits: Limits = field(default_factory=Limits)
    """Timing rules."""
    oauth2: OAuth2Client = field(default_factory=OAuth2Client)
    """The application's OAuth2 client settings."""
    members_intent: bool = True
    """Whether the application has the Server Members Intent switched on (its flags say so)."""

    @property
    def application_flags(self) -> int:
        """The application's flags as Discord reports them (the members intent's bit)."""
        return GATEWAY_GUILD_MEMBERS_LIMITED if self.members_intent else 0

    def with_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> World:
        """A copy of the world in which one role of one guild holds ``permissions``."""
        guilds = tuple(
            dataclasses.replace(
                guild,
                roles=tuple(
                    dataclasses.replace(role, permissions=permissions)
                    if role.id == role_id
                    else role
                    for role in guild.roles
                ),
            )
            if guild.id == guild_id
            else guild
            for guild in self.guilds
        )
        return dataclasses.replace(self, guilds=guilds)

    def user(self, user_id: int) -> User | None:
        """The user (or the bot) with this id."""
        if user_id == self.bot.id:
            return self.bot
        return next((u for u in self.users if u.id == user_id), None)

    def guild(self, guild_id: int) -> Guild | None:
        """The guild with this id."""
        return next((g for g in self.guilds if g.id == guild_id), None)

    def channel(self, channel_id: int) -> Channel | None:
        """The guild channel with this id, in any guild."""
        for guild in self.guilds:
            found = guild.channel(channel_id)
            if found is not None:
                return found
        return None

    def find_guild(self, ref: str | int) -> Guild | None:
        """A guild by id or name."""
        text = str(ref)
        if text.isdigit():
            return self.guild(int(text))
        return next((g for g in self.guilds if g.name == text), None)

    def find_user(self, ref: str | int) -> User | None:
        """A user by id or username."""
        text = str(ref)
        if text.isdigit():
            return self.user(int(text))
        return next((u for u in (self.bot, *self.users) if u.username == text), None)

    def search_members(self, guild: Guild, query: str) -> list[Member]:
        """Discord's member search: a case-insensitive prefix of the username or nickname."""
        wanted = query.casefold()
        found = []
        for member in guild.members:
            user = self.user(member.user_id)
            names = (user.username if user else "", member.nick or "")
            if any(name.casefold().startswith(wanted) for name in names):
                found.append(member)
        return found

    def find_channel(self, ref: str | int, *, guild_id: int | None = None) -> Channel | None:
        """A guild channel by id or name (optionally within one guild)."""
        text = str(ref).lstrip("#")
        if text.isdigit():
            return self.channel(int(text))
        for guild in self.guilds:
            if guild_id is None or guild.id == guild_id:
                found = next((c for c in guild.channels if c.name == text), None)
                if found is not None:
                    return found
        return None


def load_world(path: str | Path) -> World:
    """Read a world TOML file; raises :class:`WorldError` saying what to fix."""
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise WorldError(f"cannot read world file {source}: {exc}") from exc
    return parse_world(raw)


def parse_world(raw: Mapping[str, Any]) -> World:
    """Build a :class:`World` from the decoded TOML document."""
    bot_raw = _table(raw, "bot", "the document")
    bot = User(
        id=_id(bot_raw, "bot"),
        username=_text(bot_raw, "username", "bot"),
        global_name=bot_raw.get("global_name"),
        bot=True,
    )
    users = tuple(
        User(
            id=_id(entry, f"users[{i}]"),
            username=_text(entry, "username", f"users[{i}]"),
            global_name=entry.get("global_name"),
            dms_closed=bool(entry.get("dms_closed", False)),
        )
        for i, entry in enumerate(_tables(raw, "users"))
    )
    by_name = {user.username: user for user in (bot, *users)}
    if len(by_name) != len(users) + 1:
        raise WorldError("usernames must be unique across [bot] and [[users]]; rename the twin")
    guilds = tuple(
        _parse_guild(entry, f"guilds[{i}]", by_name)
        for i, entry in enumerate(_tables(raw, "guilds"))
    )
    limits_raw = raw.get("limits", {})
    try:
        limits = Limits(**limits_raw)
    except TypeError as exc:
        raise WorldError(f"[limits]: {exc}; allowed keys are {list(Limits.__slots__)}") from exc
    return World(
        token=_text(raw, "token", "the document"),
        application_id=_id(raw, "the document", key="application_id"),
        bot=bot,
        users=users,
        guilds=guilds,
        limits=limits,
        oauth2=_parse_oauth2(raw.get("oauth2", {})),
        members_intent=bool(raw.get("members_intent", True)),
    )


def _parse_oauth2(raw: Mapping[str, Any]) -> OAuth2Client:
    unknown = set(raw) - set(OAuth2Client.__slots__)
    if unknown:
        raise WorldError(
            f"[oauth2]: unknown keys {sorted(unknown)}; allowed are {list(OAuth2Client.__slots__)}"
        )
    secret = raw.get("client_secret", DEFAULT_CLIENT_SECRET)
    uris = raw.get("redirect_uris", [])
    if not isinstance(secret, str) or not secret:
        raise WorldError("[oauth2]: client_secret must be a non-empty string")
    if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
        raise WorldError("[oauth2]: redirect_uris must be a list of URLs")
    return OAuth2Client(client_secret=secret, redirect_uris=tuple(uris))


def permission_bits(value: Any, *, where: str) -> int:
    """A bitfield from a list of permission names or a decimal string."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise WorldError(f"{where}: permissions must be a list of names or a bitfield string")
    bits = 0
    for name in value:
        flag = disnake.Permissions.VALID_FLAGS.get(str(name).lower())
        if flag is None:
            raise WorldError(f"{where}: unknown permission {name!r}; use Discord's names")
        bits |= flag
    return bits


def _parse_guild(raw: Mapping[str, Any], where: str, users: Mapping[str, User]) -> Guild:
    guild_id = _id(raw, where)
    everyone = Role(
        id=guild_id,
        name="@everyone",
        permissions=permission_bits(
            raw.get("everyone_permissions", list(DEFAULT_EVERYONE)), where=where
        ),
        position=0,
    )
    roles = (
        everyone,
        *(
            Role(
                id=_id(entry, f"{where}.roles[{i}]"),
                name=_text(entry, "name", f"{where}.roles[{i}]"),
                permissions=permission_bits(
                    entry.get("permissions", []), where=f"{where}.roles[{i}]"
                ),
                position=int(entry.get("position", i + 1)),
                mentionable=bool(entry.get("mentionable", False)),
                color=int(entry.get("color", 0)),
                hoist=bool(entry.get("hoist", False)),
            )
            for i, entry in enumerate(_tables(raw, "roles"))
        ),
    )
    role_ids = {role.name: role.id for role in roles}

    def user_id(name: Any, at: str) -> int:
        if name not in users:
            raise WorldError(f"{at}: no user named {name!r}; add it to [[users]]")
        return users[name].id

    members = tuple(
        Member(
            user_id=user_id(entry.get("user"), f"{where}.members[{i}]"),
            nick=entry.get("nick"),
            role_ids=tuple(
                _lookup(role_ids, name, f"{where}.members[{i}].roles", "role")
                for name in entry.get("roles", [])
            ),
        )
        for i, entry in enumerate(_tables(raw, "members"))
    )
    channels_raw = _tables(raw, "channels")
    categories = {entry["name"]: entry for entry in channels_raw if entry.get("type") == "category"}
    category_ids = {name: _id(entry, f"{where}.channels") for name, entry in categories.items()}
    channels = []
    for i, entry in enumerate(channels_raw):
        at = f"{where}.channels[{i}]"
        kind = _lookup(_CHANNEL_TYPES, entry.get("type", "text"), at, "channel type")
        parent = entry.get("parent")
        own = entry.get("overwrites")
        inherited = categories[parent].get("overwrites") if parent in categories else None
        overwrites_raw = own if own is not None else inherited or []
        channels.append(
            Channel(
                id=_id(entry, at),
                guild_id=guild_id,
                name=_text(entry, "name", at),
                type=kind,
                position=int(entry.get("position", i)),
                parent_id=None if parent is None else _lookup(category_ids, parent, at, "category"),
                topic=entry.get("topic"),
                overwrites=tuple(
                    _overwrite(o, f"{at}.overwrites[{j}]", role_ids, user_id, guild_id)
                    for j, o in enumerate(overwrites_raw)
                ),
            )
        )
    return Guild(
        id=guild_id,
        name=_text(raw, "name", where),
        owner_id=user_id(raw.get("owner"), where),
        roles=roles,
        channels=tuple(channels),
        members=members,
    )


def _overwrite(
    raw: Mapping[str, Any],
    where: str,
    role_ids: Mapping[str, int],
    user_id: Any,
    guild_id: int,
) -> Overwrite:
    if "member" in raw:
        target, kind = user_id(raw["member"], where), 1
    elif raw.get("role") == "@everyone":
        target, kind = guild_id, 0
    else:
        target, kind = _lookup(role_ids, raw.get("role"), where, "role"), 0
    return Overwrite(
        id=target,
        type=kind,
        allow=permission_bits(raw.get("allow", []), where=where),
        deny=permission_bits(raw.get("deny", []), where=where),
    )


def _lookup(table: Mapping[str, int], name: Any, where: str, what: str) -> int:
    if name not in table:
        raise WorldError(f"{where}: unknown {what} {name!r}; known: {sorted(table)}")
    return table[name]


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise WorldError(f"{where} needs a [{key}] table")
    return value


def _tables(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise WorldError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise WorldError(f"{where} needs a non-empty string {key!r}")
    return value


def _id(raw: Mapping[str, Any], where: str, *, key: str = "id") -> int:
    value = raw.get(key)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise WorldError(f"{where} needs {key!r}: a snowflake id as a string of digits")
