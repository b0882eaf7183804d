"""Whether a deployment can work: the checks behind ``gamesched doctor`` (the TUI shows them too).

Each check says ``ok``, ``warn`` or ``fail``, what it found, and how to fix anything that is not
ok. Nothing it finds raises: an unreachable database, Redis or Discord is a failed check, and the
checks that need it report themselves skipped. The database is only read, never migrated.

What is checked, in order: the configuration; the database and its schema revision; Redis when
``broker.url`` is set; with a bot token, Discord: the token and application, the Server Members
Intent, the registered slash commands, the bot's permissions in every channel gamesched knows
(channels with settings or games), its right to create scheduled events in every server where
games are mirrored as events, and this machine's clock against Discord's; last, whether a
worker is running. Without a token the Discord checks are skipped (the sandbox is used).

A channel needs View Channel, Send Messages and Embed Links for the bot to announce there.
Games that ping their players, and reminders posted in the channel, mention members by id, and
Discord asks no permission for that (Mention @everyone only governs @everyone, @here and roles
that are not mentionable, which gamesched never pings), so it is not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gamesched.app import (
    DATABASE_HINT,
    DISCORD_HINT,
    DiscordTarget,
    ServiceUnavailable,
    configured_discord,
    database_in_use,
    open_database,
    schema_state,
)
from gamesched.bot.client import declared_commands
from gamesched.config import Config, config_sources
from gamesched.discord.rest import DiscordError, DiscordRest, DiscordUnavailable
from gamesched.discord.rights import BOT_POSTS, GuildRights
from gamesched.domain.permission_bits import Permission
from gamesched.services import overview, workers
from gamesched.services.context import Context
from gamesched.services.overview import ChannelOverview


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    """It works, but not as well as it could, or it was not checked."""
    FAIL = "fail"
    """Something gamesched needs does not work."""


@dataclass(frozen=True, slots=True)
class Check:
    """One finding."""

    check: str
    """What was checked (``database``, ``worker``...); the same names in every run."""
    status: Status
    detail: str
    """What was found."""
    fix: str | None = None
    """How to make it ok; None when it is."""


SKEW_WARN = timedelta(seconds=2)
"""A clock further off than this from Discord's is worth fixing: reminders and status
changes go out by this machine's clock, announcements show times by Discord's."""
SKEW_FAIL = timedelta(seconds=30)
"""Further off than this, reminders and "starting now" changes are visibly early or late."""
DISCORD_TIMEOUT_SECONDS = 5.0
"""How long one request to Discord may take before it counts as unreachable."""
EVENT_RIGHTS = Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS
"""Either lets the bot create (and change its own) scheduled events."""
MEMBERS_INTENT_FLAGS = (1 << 14) | (1 << 15)
"""Application flags GATEWAY_GUILD_MEMBERS and GATEWAY_GUILD_MEMBERS_LIMITED: either means the
Server Members Intent is switched on."""

AFTER_TOKEN = ("members intent", "slash commands", "channel", "events", "clock")
"""The checks that ask Discord once the bot token worked, in the order they are reported;
when they cannot run, one ``discord`` line says so."""
NO_TOKEN = (
    "no bot token, and no sandbox answering at sandbox.host:sandbox.port; gamesched runs "
    "against its bundled sandbox"
)
NO_DATABASE = "skipped: the database cannot be used (see above)"
START_WORKER = "Start `gamesched run` or `gamesched worker`."
MEMBERS_INTENT_SWITCH = (
    "Switch on Server Members Intent in the Discord Developer Portal "
    "(your application -> Bot -> Privileged Gateway Intents)"
)
CLOCK_FIX = "Keep this machine's clock synchronised (NTP: `timedatectl set-ntp true`, or chrony)."


def _ok(check: str, detail: str) -> Check:
    return Check(check, Status.OK, detail)


def _warn(check: str, detail: str, fix: str) -> Check:
    return Check(check, Status.WARN, detail, fix)


def _fail(check: str, detail: str, fix: str) -> Check:
    return Check(check, Status.FAIL, detail, fix)


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def diagnose(
    config: Config,
    *,
    config_path: Path | None = None,
    clock: Callable[[], datetime] = _utc_now,
    target: DiscordTarget | None = None,
) -> list[Check]:
    """Every check, in the order they are reported; ``config_path`` as ``load_config`` took
    it (to say where the configuration came from), ``clock`` this machine's, ``target`` the
    Discord to check (default: the configured one; the CLI passes a running sandbox when no
    token is set)."""
    found = [_configuration(config_path)]
    async with AsyncExitStack() as stack:
        schema = await _schema(config)
        found.append(schema)
        services = None
        if schema.status is Status.OK:
            database = await stack.enter_async_context(open_database(config))
            services = Context(database=database, clock=clock)
        found.append(await _redis(config.broker.url))
        target = target or configured_discord(config)
        if target is None:
            found.append(
                _skipped_discord(
                    ("bot token", *AFTER_TOKEN),
                    NO_TOKEN,
                    "Set discord.token (GAMESCHED_DISCORD__TOKEN) to check a real bot, or "
                    "start `gamesched run` to check its sandbox.",
                )
            )
        else:
            found += await _discord(config, target, services, clock)
        found.append(await _worker(services))
    return found


def failed(checks: Sequence[Check]) -> bool:
    """Whether any check failed."""
    return any(check.status is Status.FAIL for check in checks)


def _configuration(config_path: Path | None) -> Check:
    file, variables = config_sources(config_path)
    sources = ([str(file)] if file else []) + list(variables)
    return _ok("configuration", f"valid ({', '.join(sources) or 'built-in defaults only'})")


async def _schema(config: Config) -> Check:
    try:
        state = await schema_state(config)
    except ServiceUnavailable as error:
        return _fail("database", str(error).replace(DATABASE_HINT, "").strip(), DATABASE_HINT)
    if state.up_to_date:
        return _ok("database", f"reachable, schema at revision {state.current} (the newest)")
    found = f"at revision {state.current}" if state.current else "without gamesched's tables"
    return _fail(
        "database",
        f"reachable, but {found}; this version of gamesched needs {state.head}",
        "Run `gamesched db upgrade`.",
    )


async def redis_problem(url: str, *, wait_seconds: float = 5.0) -> Exception | None:
    """Why Redis at ``url`` did not answer PING within ``wait_seconds``, or None if it did."""
    redis = Redis.from_url(url, socket_connect_timeout=wait_seconds, socket_timeout=wait_seconds)
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        return error
    finally:
        await redis.aclose()
    return None


async def _redis(url: str) -> Check:
    if not url:
        return _ok("redis", "not used (single process)")
    problem = await redis_problem(url)
    if problem is not None:
        return _fail(
            "redis",
            f"cannot reach Redis at broker.url: {problem}",
            "Start Redis, or fix broker.url (GAMESCHED_BROKER__URL); leave it empty to run "
            "the bot, worker and web in one process without Redis.",
        )
    return _ok("redis", "reachable (PING answered)")


# ----- Discord --------------------------------------------------------------------------------


async def _discord(
    config: Config,
    target: DiscordTarget,
    services: Context | None,
    clock: Callable[[], datetime],
) -> list[Check]:
    async with httpx.AsyncClient(timeout=DISCORD_TIMEOUT_SECONDS) as client:
        rest = DiscordRest(
            base_url=target.api_base_url, token=target.token, client=client, max_retries=0
        )
        try:
            bot_user = await rest.get_bot_user()
            application = await rest.get_application()
        except DiscordError as error:
            return [
                _token_refused(error, target),
                _skipped_discord(AFTER_TOKEN, "the bot token check failed", "Fix that first."),
            ]
        known = await _known_channels(services)
        rights = GuildRights(rest)
        return [
            _token(config, bot_user, application),
            _members_intent(config, int(application.get("flags") or 0)),
            await _commands(config, rest, int(application["id"])),
            *await _channels(known, rights),
            *await _events(known, rights),
            await _clock(rest, clock),
        ]


def _skipped_discord(checks: Sequence[str], reason: str, fix: str) -> Check:
    return _warn("discord", f"skipped ({', '.join(checks)}): {reason}", fix)


def _token_refused(error: DiscordError, target: DiscordTarget) -> Check:
    if isinstance(error, DiscordUnavailable):
        return _fail(
            "bot token",
            f"cannot reach Discord at {target.api_base_url}: {error.message}",
            DISCORD_HINT,
        )
    if error.status == 401:
        return _fail(
            "bot token",
            "Discord refused the bot token (401 Unauthorized)",
            "Copy the token from the Discord Developer Portal (your application -> Bot -> "
            "Reset Token) into discord.token (GAMESCHED_DISCORD__TOKEN).",
        )
    return _fail("bot token", str(error), DISCORD_HINT)


def _token(config: Config, bot_user: dict[str, object], application: dict[str, object]) -> Check:
    app_id = int(str(application["id"]))
    bot = f"bot {bot_user.get('username')} ({bot_user.get('id')})"
    configured = config.discord.application_id
    if configured and configured != app_id:
        return _fail(
            "bot token",
            f"the token is {bot} of application {app_id}, but discord.application_id is "
            f"{configured}",
            f"Set discord.application_id to {app_id}, or to 0 to ask Discord.",
        )
    return _ok("bot token", f"valid: {bot}, application {application.get('name')} ({app_id})")


def _members_intent(config: Config, flags: int) -> Check:
    switched_on = bool(flags & MEMBERS_INTENT_FLAGS)
    wanted = config.discord.members_intent
    if switched_on and wanted:
        return _ok("members intent", "Server Members Intent is on")
    if switched_on:
        return _warn(
            "members intent",
            "on in the Developer Portal, but discord.members_intent is false: @name entries "
            "are looked up over REST",
            "Set discord.members_intent = true (GAMESCHED_DISCORD__MEMBERS_INTENT).",
        )
    if wanted:
        return _fail(
            "members intent",
            "Server Members Intent is off, but discord.members_intent asks for it: Discord "
            "refuses the bot's gateway connection (close code 4014)",
            f"{MEMBERS_INTENT_SWITCH}, or set discord.members_intent = false.",
        )
    return _warn(
        "members intent",
        "Server Members Intent is off: @name entries are looked up over REST",
        f"{MEMBERS_INTENT_SWITCH}, then set discord.members_intent = true.",
    )


async def _commands(config: Config, rest: DiscordRest, application_id: int) -> Check:
    declared = declared_commands()
    guild_ids = config.discord.test_guild_ids
    scopes: list[tuple[str, int | None]] = (
        [(f"server {guild_id}", guild_id) for guild_id in guild_ids]
        if guild_ids
        else [("globally", None)]
    )
    missing: list[str] = []
    try:
        for where, guild_id in scopes:
            registered = await rest.get_commands(application_id, guild_id=guild_id)
            absent = sorted(declared - {str(command["name"]) for command in registered})
            missing += [f"/{name} ({where})" for name in absent]
    except DiscordError as error:
        return _fail("slash commands", f"could not list them: {error.message}", DISCORD_HINT)
    if missing:
        return _warn(
            "slash commands",
            f"not registered: {', '.join(missing)}",
            "They register when the bot starts: run `gamesched run` or `gamesched bot`.",
        )
    where = ", ".join(where for where, _ in scopes)
    return _ok("slash commands", f"all {len(declared)} registered ({where})")


async def _known_channels(services: Context | None) -> list[ChannelOverview] | None:
    """The channels gamesched knows; None when the database cannot be used."""
    if services is None:
        return None
    with database_in_use():
        return await overview.channels(services)


async def _channels(known: list[ChannelOverview] | None, rights: GuildRights) -> list[Check]:
    if known is None:
        return [_warn("channel", NO_DATABASE, "Fix the database first.")]
    if not known:
        return [_ok("channel", "no channels configured and no games announced yet")]
    found = []
    for channel in known:
        try:
            found.append(await _channel(rights, channel.guild_id, channel.channel_id))
        except DiscordError as error:
            found.append(
                _fail(
                    "channel",
                    f"{channel.channel_id}: could not ask Discord: {error.message}",
                    DISCORD_HINT,
                )
            )
    return found


async def _channel(rights: GuildRights, guild_id: int, channel_id: int) -> Check:
    facts = await rights.guild(guild_id, fresh=True)
    if facts is None:
        return _fail(
            "channel",
            f"{channel_id} in server {guild_id}: the bot is not in that server",
            "Invite the bot to the server again (Developer Portal -> OAuth2 -> URL Generator, "
            "scopes bot and applications.commands).",
        )
    channel = facts.channel(channel_id)
    if channel is None:
        return _fail(
            "channel",
            f"{channel_id} in {facts.name}: Discord does not list it (deleted?)",
            "Games announced there cannot be updated: cancel them or announce them elsewhere.",
        )
    bot_id = await rights.bot_user_id()
    roles = await rights.member_roles(guild_id, bot_id, fresh=True) or frozenset()
    granted = facts.channel_permissions(channel_id, bot_id, roles)
    missing = [p for p in Permission if p & BOT_POSTS and not granted & p]
    where = f"#{channel.name} ({channel_id}) in {facts.name}"
    if missing:
        names = ", ".join(p.label for p in missing)
        return _fail(
            "channel",
            f"{where}: the bot lacks {names}",
            f"Allow {names} for the bot (or its role) in the channel's or its category's "
            "permissions (Edit Channel -> Permissions).",
        )
    return _ok("channel", f"{where}: the bot can view, send and embed links")


async def _events(known: list[ChannelOverview] | None, rights: GuildRights) -> list[Check]:
    if known is None:
        return [_warn("events", NO_DATABASE, "Fix the database first.")]
    guild_ids = sorted({c.guild_id for c in known if c.settings.mirror_events.value})
    if not guild_ids:
        return [_ok("events", "no server or channel mirrors games as scheduled events")]
    found = []
    for guild_id in guild_ids:
        try:
            found.append(await _event_rights(rights, guild_id))
        except DiscordError as error:
            found.append(
                _fail(
                    "events",
                    f"server {guild_id}: could not ask Discord: {error.message}",
                    DISCORD_HINT,
                )
            )
    return found


async def _event_rights(rights: GuildRights, guild_id: int) -> Check:
    facts = await rights.guild(guild_id, fresh=True)
    if facts is None:
        return _fail(
            "events",
            f"server {guild_id} mirrors games as scheduled events, but the bot is not in it",
            "Invite the bot to the server again, or switch mirroring off there.",
        )
    bot_id = await rights.bot_user_id()
    roles = await rights.member_roles(guild_id, bot_id, fresh=True) or frozenset()
    granted = facts.base_permissions(bot_id, roles)
    where = f"{facts.name} ({guild_id})"
    if granted & EVENT_RIGHTS:
        return _ok("events", f"{where}: the bot may create the scheduled events mirroring games")
    return _fail(
        "events",
        f"{where} mirrors games as scheduled events, but the bot lacks "
        f"{Permission.MANAGE_EVENTS.label} and {Permission.CREATE_EVENTS.label}: games are "
        "announced without an event",
        f"Give the bot's role {Permission.MANAGE_EVENTS.label} (or "
        f"{Permission.CREATE_EVENTS.label}) in Server Settings -> Roles, or switch mirroring off.",
    )


async def _clock(rest: DiscordRest, clock: Callable[[], datetime]) -> Check:
    before = clock()
    try:
        discord_now = await rest.discord_time()
    except DiscordError as error:
        return _fail("clock", f"could not ask Discord the time: {error.message}", DISCORD_HINT)
    after = clock()
    if discord_now is None:
        return _warn("clock", "not measured: Discord's answer had no Date header", CLOCK_FIX)
    # Date is whole seconds, cut down: Discord's time was half a second later on average.
    return judge_skew(discord_now + timedelta(seconds=0.5) - (before + (after - before) / 2))


def judge_skew(skew: timedelta) -> Check:
    """How far this machine's clock is off from Discord's (``skew`` = Discord's - ours)."""
    off = abs(skew.total_seconds())
    if off <= SKEW_WARN.total_seconds():
        return _ok("clock", f"within {SKEW_WARN.seconds} s of Discord's")
    side = "behind" if skew > timedelta(0) else "ahead of"
    detail = f"this machine's clock is {off:.0f} s {side} Discord's"
    if off <= SKEW_FAIL.total_seconds():
        return _warn("clock", detail, CLOCK_FIX)
    return _fail("clock", f"{detail}: reminders go out that much off", CLOCK_FIX)


# ----- the worker -----------------------------------------------------------------------------


async def _worker(services: Context | None) -> Check:
    if services is None:
        return _warn("worker", NO_DATABASE, "Fix the database first.")
    with database_in_use():
        seen = await workers.workers_seen(services)
        alive = [worker for worker in seen if worker.alive]
        if alive:
            latest = alive[0]
            now = services.now()
            dispatched = (
                f"last dispatched work {_ago(now - latest.dispatched_at)}"
                if latest.dispatched_at
                else "no work dispatched since it started"
            )
            running = f"{len(alive)} running; " if len(alive) > 1 else ""
            return _ok(
                "worker",
                f"{running}{latest.name} seen {_ago(now - latest.seen_at)}, {dispatched}",
            )
        waiting = await workers.waiting_work(services)
    within = int(workers.ALIVE_WITHIN.total_seconds())
    detail = f"no worker seen in the last {within} s"
    if seen:
        detail += f" (the last, {seen[0].name}, at {seen[0].seen_at.isoformat()})"
    if waiting:
        detail += f"; due and waiting for one: {waiting} (reminders, status changes, DMs)"
    return _fail("worker", detail, START_WORKER)


def _ago(elapsed: timedelta) -> str:
    seconds = max(int(elapsed.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
