"""Wiring: what a gamesched process runs on, built from the configuration in one place.

Every process goes through here: ``gamesched run`` (bot, worker and web together),
``gamesched bot``, ``gamesched worker``, ``gamesched web``, and the operator CLI and TUI. Each
opens one :class:`Core` (the migrated database, the use cases' context, the Discord REST
client, the announcement sync, display names and the wake-up signal) and starts on it what it
serves. Nothing else builds engines, clients or brokers from the configuration.

Where Discord is (:class:`DiscordTarget`) is decided by the caller: the configured Discord, or
a sandbox the command that starts it brought up, so the core never depends on the sandbox.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta

import uvicorn
from redis.asyncio import Redis

from gamesched.bot.client import BotDeps, GameschedBot, point_at
from gamesched.calendar.addresses import CalendarSite
from gamesched.config import Config
from gamesched.db.engine import Database, create_database, database_failure, missing_sqlite_folder
from gamesched.db.migrate import current_revision, head_revision, upgrade
from gamesched.discord.cache import RedisCache
from gamesched.discord.directory import RestDirectory
from gamesched.discord.names import DisplayNames
from gamesched.discord.pacing import RedisPacer
from gamesched.discord.rest import DiscordError, DiscordRest
from gamesched.discord.rights import GuildRights
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.entries import Entries, Member
from gamesched.domain.permissions import Actor
from gamesched.metrics import Gateway
from gamesched.services.calendars import FeedKey
from gamesched.services.context import Context, FrontEnd, MemberDirectory, Origin
from gamesched.services.dm_channels import RememberedDmChannels
from gamesched.services.workers import ALIVE_WITHIN, worker_alive
from gamesched.worker.broker import make_broker
from gamesched.worker.runtime import running_worker
from gamesched.worker.tasks import WorkerDeps
from gamesched.worker.wake import WakeSignal
from webauth.app import create_app
from webauth.probes import probe_app

DATABASE_HINT = (
    "Check database.url (GAMESCHED_DATABASE__URL): the server must be running and the "
    "database must exist, or the SQLite file's folder must be writable."
)
DISCORD_HINT = (
    "Check discord.api_base_url (GAMESCHED_DISCORD__API_BASE_URL) and this machine's network."
)
CHATTY_LIBRARIES = ("httpx", "taskiq")
"""They log every request and task at INFO; at INFO gamesched keeps them to warnings."""


class ServiceUnavailable(Exception):
    """A service the process needs cannot be used; the text says which and how to fix it."""


@contextmanager
def database_in_use() -> Iterator[None]:
    """Turn the database being unreachable, refusing or missing while the block runs into a
    :class:`ServiceUnavailable` that names the setting to check; other errors pass."""
    try:
        yield
    except Exception as error:
        failure = database_failure(error)
        if failure is None:
            raise
        raise _database_unusable(f"{failure}. {DATABASE_HINT}") from error


def _database_unusable(detail: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"Could not use the database: {detail}")


@dataclass(frozen=True, slots=True)
class DiscordTarget:
    """Where the process talks to Discord and with which token."""

    api_base_url: str
    token: str


def configured_discord(config: Config) -> DiscordTarget | None:
    """The Discord of the configuration, or None when no token is set (sandbox mode)."""
    token = config.discord.token.get_secret_value()
    if not token:
        return None
    return DiscordTarget(api_base_url=config.discord.api_base_url, token=token)


class JsonLines(logging.Formatter):
    """One JSON object per record (``logging.json = true``), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(config: Config) -> None:
    """The process's log format and level, from ``logging.*``."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLines()
        if config.logging.json_format
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    logging.basicConfig(level=config.logging.level, handlers=[handler], force=True)
    if config.logging.level == "INFO":
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)


@asynccontextmanager
async def open_database(config: Config) -> AsyncIterator[Database]:
    """The configured database for as long as the block runs (not migrated: see
    :func:`migrate`); a SQLite folder that does not exist is refused before trying."""
    folder = missing_sqlite_folder(config.database.url)
    if folder is not None:
        raise _database_unusable(
            f"the folder {folder} does not exist. Create it, or point database.url "
            "(GAMESCHED_DATABASE__URL) at a file in an existing folder."
        )
    database = create_database(
        config.database.url, echo=config.database.echo, pool_size=config.database.pool_size
    )
    try:
        yield database
    finally:
        await database.dispose()


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where the database's schema stands against this version of gamesched."""

    current: str | None
    """The database's revision; None for an empty database."""
    head: str | None
    """The revision this version of gamesched needs."""

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def migrate(config: Config) -> SchemaState:
    """Create the schema or bring it up to this version; where it stands afterwards."""
    async with open_database(config) as database:
        with database_in_use():
            await upgrade(database)
            return SchemaState(current=await current_revision(database), head=head_revision())


async def schema_state(config: Config) -> SchemaState:
    """Where the configured database's schema stands, without changing it."""
    async with open_database(config) as database:
        with database_in_use():
            return SchemaState(current=await current_revision(database), head=head_revision())


@dataclass(frozen=True, slots=True)
class Core:
    """What the front ends and the worker of one process share."""

    config: Config
    discord: DiscordTarget
    """Where this process talks to Discord."""
    services: Context
    """The use cases' database and clock; after a commit that planned work it wakes the
    dispatchers (through :attr:`wake`)."""
    rest: DiscordRest
    sync: AnnouncementSync
    names: DisplayNames
    """Display names for the web, CLI and TUI (cached in Redis when ``broker.url`` is set)."""
    rights: GuildRights
    """Members' rights from Discord's data, for front ends without interactions (cached like
    names)."""
    directory: RestDirectory
    """Finds the members that typed ``@name`` entries mean, for front ends without a gateway."""
    wake: WakeSignal
    redis: Redis | None
    """The Redis of ``broker.url`` (shared caches; ``/healthz`` pings it); None without one."""
    gateway: Gateway
    """The gateway connection of the bot this process runs, if it runs one (``/healthz``)."""
    calendars: CalendarSite
    """The key of calendar feed addresses and where the web serves them (bot and web)."""


def wake_signal(config: Config) -> WakeSignal:
    """How this process wakes the dispatchers after writing work: its own, and over Redis
    (``broker.url``) every worker's. Close it with ``aclose`` to finish pending wake-ups."""
    return WakeSignal(config.broker.url, channel=f"{config.broker.queue_name}:wake")


@asynccontextmanager
async def open_core(config: Config, target: DiscordTarget) -> AsyncIterator[Core]:
    """The migrated database, the REST client, the announcement sync and display names of
    this process, closed in reverse order when the block ends."""
    async with AsyncExitStack() as stack:
        database = await stack.enter_async_context(open_database(config))
        with database_in_use():
            await upgrade(database)
        shared = config.broker.url  # several processes share pacing, wake-ups and names
        pacer = None
        if shared:
            pacer = RedisPacer(shared, key=f"{config.broker.queue_name}:discord-global")
            stack.push_async_callback(pacer.aclose)
        wake = wake_signal(config)
        stack.push_async_callback(wake.aclose)
        services = Context(database=database, on_due_work=wake.notify)
        rest = DiscordRest(
            base_url=target.api_base_url,
            token=target.token,
            pacer=pacer,
            dm_channels=RememberedDmChannels(services),
        )
        stack.push_async_callback(rest.aclose)
        name_cache = rights_cache = redis = None
        if shared:
            redis = Redis.from_url(shared)
            stack.push_async_callback(redis.aclose)
            name_cache = RedisCache(redis, prefix=f"{config.broker.queue_name}:name:")
            rights_cache = RedisCache(redis, prefix=f"{config.broker.queue_name}:rights:")
        rights = GuildRights(rest, cache=rights_cache)
        sync = AnnouncementSync(services, rest, rights=rights)
        stack.push_async_callback(sync.wait_idle)
        yield Core(
            config=config,
            discord=target,
            services=services,
            rest=rest,
            sync=sync,
            names=DisplayNames(rest, cache=name_cache),
            rights=rights,
            directory=RestDirectory(rest),
            wake=wake,
            redis=redis,
            gateway=Gateway(),
            calendars=calendar_site(config),
        )


def calendar_site(config: Config) -> CalendarSite:
    """Feed addresses from ``web.session_secret``, at ``web.public_url`` (or the web's
    listening address when it runs); no address when neither is set."""
    web = config.web
    return CalendarSite(
        key=FeedKey.of(web.session_secret.get_secret_value()),
        base_url=web.base_url if web.public_url or web.enabled else None,
    )


@asynccontextmanager
async def serving_worker(core: Core) -> AsyncIterator[None]:
    """Dispatch due reminders, status changes and DMs (and run tasks) while the block runs."""
    config = core.config
    lease = timedelta(seconds=config.broker.lease_seconds)
    services = core.services.acting_from(Origin(FrontEnd.WORKER))
    deps = WorkerDeps(services=services, rest=core.rest, sync=core.sync, lease=lease)
    async with running_worker(
        deps,
        make_broker(config.broker.url, queue_name=config.broker.queue_name),
        wake=core.wake,
        lease=lease,
        idle_check=config.broker.idle_check_seconds,
    ):
        yield


async def serve_bot(core: Core) -> None:
    """Connect the bot to the core's Discord and serve until cancelled."""
    point_at(core.discord.api_base_url)
    bot = GameschedBot(
        BotDeps(
            services=core.services,
            rest=core.rest,
            sync=core.sync,
            gateway=core.gateway,
            calendars=core.calendars,
        ),
        test_guild_ids=core.config.discord.test_guild_ids,
        members_intent=core.config.discord.members_intent,
    )
    try:
        await bot.start(core.discord.token)
    except OSError as error:  # refused or unreachable while logging in or connecting
        raise ServiceUnavailable(
            f"Could not reach Discord at {core.discord.api_base_url}: {error}. {DISCORD_HINT}"
        ) from error
    finally:
        await bot.close()


WEB_GRACE_SECONDS = 5
"""How long open web requests may finish when the process stops."""


class _SharedSignals(uvicorn.Server):
    """A uvicorn server that leaves signals to the process: Ctrl+C stops the bot, the worker
    and the web together instead of the web alone."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_web(core: Core) -> None:
    """Serve the web on ``web.host:web.port`` until cancelled, then let open requests finish."""
    web = core.config.web
    await _serve(
        create_app(core), web.host, web.port, what="the web", port_key="web.port", url=web.base_url
    )


async def serve_probes(core: Core) -> None:
    """Serve this process's ``/metrics`` and ``/healthz`` on ``metrics.host:metrics.port``
    until cancelled (not at all when the port is 0)."""
    metrics = core.config.metrics
    if metrics.port:
        shown = f"[{metrics.host}]" if ":" in metrics.host else metrics.host
        await _serve(
            probe_app(core),
            metrics.host,
            metrics.port,
            what="metrics",
            port_key="metrics.port",
            url=f"http://{shown}:{metrics.port}/metrics",
        )


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port``, made with the protocol named (``IPPROTO_TCP``):
    asyncio turns Nagle's algorithm off only on connections whose socket says TCP, and
    ``socket.create_server`` leaves the protocol 0, so each answer written in more than one
    piece waited about 40 ms for the client's delayed acknowledgement."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen()
    except OSError:
        listener.close()
        raise
    return listener


async def _serve(
    app: Callable[..., Awaitable[None]], host: str, port: int, *, what: str, port_key: str, url: str
) -> None:
    """Serve ``app`` on ``host:port`` until cancelled, then let open requests finish."""
    try:
        listener = listening_socket(host, port)
    except OSError as error:
        env = "GAMESCHED_" + port_key.upper().replace(".", "__")
        raise ServiceUnavailable(
            f"Could not serve {what} on {host}:{port}: {error.strerror or error}. "
            f"Stop what uses that port, or set {port_key} ({env})."
        ) from error
    server = _SharedSignals(
        uvicorn.Config(
            app,
            log_config=None,
            # The OAuth callback's query carries the authorization code: keep URLs out of logs.
            access_log=False,
            timeout_graceful_shutdown=WEB_GRACE_SECONDS,
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    logging.getLogger(__name__).info("Serving %s at %s", what, url)
    try:
        await asyncio.shield(serving)
    finally:
        server.should_exit = True
        await serving
        listener.close()


# --- the operator at a terminal (CLI and TUI) ---------------------------------------------

UNKNOWN_OPERATOR = "operator"
"""Recorded as the operator when this machine gives no login name (e.g. a container user
without a passwd entry)."""


@dataclass(frozen=True, slots=True)
class Operating:
    """What an operator's command or dashboard works with."""

    services: Context
    """The use cases, recording each change as the operator's, from the CLI or the TUI."""
    actor: Actor
    """The operator: full rights in every server."""
    core: Core | None
    """Discord (REST, members' rights, role names, display names) when a bot token is
    configured; None without one."""

    @property
    def directory(self) -> MemberDirectory:
        """Finds the members typed ``@name`` entries mean; without Discord, nobody."""
        return _NobodyKnown() if self.core is None else self.core.directory

    async def what_follows(self) -> str:
        """What happens next in Discord, said to the operator after a change."""
        if await worker_alive(self.services):
            return "The running worker brings the announcement up to date and sends the DMs."
        seconds = int(ALIVE_WITHIN.total_seconds())
        return (
            f"No worker was seen in the last {seconds} s: the announcement catches up and the "
            "DMs go out once `gamesched run` or `gamesched worker` runs."
        )


class _NobodyKnown:
    """Without Discord no member can be looked up: typed mentions are refused as unknown."""

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]:
        return ()


def operator_name() -> str:
    """This machine's login name, as the history shows who changed something."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return UNKNOWN_OPERATOR


async def require_current_schema(config: Config) -> None:
    """A ServiceUnavailable saying what to run when the database is not set up for this
    version: the operator's tools never migrate it by the way."""
    state = await schema_state(config)
    if not state.up_to_date:
        found = f"is at revision {state.current}" if state.current else "has no gamesched tables"
        raise ServiceUnavailable(
            f"The database {found}; this version needs {state.head}. Check database.url "
            "(GAMESCHED_DATABASE__URL), or run `gamesched db upgrade`."
        )


@asynccontextmanager
async def operating(
    config: Config, front_end: FrontEnd, target: DiscordTarget | None
) -> AsyncIterator[Operating]:
    """:class:`Operating` for the block, changes recorded as this machine's operator's from
    ``front_end``: the core on ``target`` (Discord, or a running sandbox), else the database
    alone (with the same wake-up signal). A database not set up for this version is a
    ServiceUnavailable saying what to run."""
    await require_current_schema(config)
    origin = Origin(front_end, operator=operator_name())
    if target is not None:
        async with open_core(config, target) as core:
            with database_in_use(), discord_in_use(core):
                yield Operating(core.services.acting_from(origin), Actor.operator(), core)
        return
    async with open_database(config) as database, aclosing(wake_signal(config)) as wake:
        with database_in_use():
            services = Context(database=database, on_due_work=wake.notify, origin=origin)
            yield Operating(services, Actor.operator(), None)


@contextmanager
def discord_in_use(core: Core) -> Iterator[None]:
    """Discord refusing or failing a request the block made (a bad token, an outage) is a
    ServiceUnavailable naming the API; answers a caller handles itself (no such channel)
    are caught before they get here."""
    try:
        yield
    except DiscordError as error:
        raise ServiceUnavailable(
            f"Could not use Discord at {core.discord.api_base_url}: {error}. {DISCORD_HINT}"
        ) from error
