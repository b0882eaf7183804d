"""What the dashboard's header says about the deployment, read every few seconds.

What can be known from here: the database answers; Redis answers (when ``broker.url`` is set);
Discord accepts the bot token (when one is configured; whether the bot process holds its
gateway connection is known only inside that process); a worker wrote its heartbeat lately;
and when the next planned work falls due. Discord and Redis are asked less often than the
database, so the header costs nothing noticeable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from rich.text import Text

from gamesched.app import Operating, ServiceUnavailable, database_in_use
from gamesched.config import Config
from gamesched.discord.rest import DiscordError
from gamesched.health import redis_problem
from gamesched.services import outbox, workers
from tui._format import relative, when

REMOTE_EVERY = timedelta(seconds=30)
"""How often Redis and Discord are asked again."""
REDIS_TIMEOUT_SECONDS = 2.0


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    NONE = "none"
    """Not used here (no Redis configured, no bot token)."""


STYLES = {Level.OK: "green", Level.WARN: "yellow", Level.FAIL: "bold red", Level.NONE: "dim"}


@dataclass(frozen=True, slots=True)
class Part:
    """One item of the header."""

    name: str
    level: Level
    detail: str


@dataclass(frozen=True, slots=True)
class Health:
    database: Part
    redis: Part
    discord: Part
    worker: Part
    next_due: datetime | None
    waiting: int
    """Due work not done yet (what a worker should be doing now)."""

    def text(self, *, now: datetime, zone: tzinfo) -> Text:
        """The header line."""
        line = Text()
        for part in (self.database, self.redis, self.discord, self.worker):
            line.append("● ", style=STYLES[part.level])
            line.append(f"{part.name} {part.detail}  ")
        if self.next_due is None:
            line.append("next work: none planned", style="dim")
        else:
            line.append(f"next work: {when(self.next_due, zone)} ({relative(self.next_due, now)})")
        if self.waiting:
            line.append(f"  {self.waiting} due and waiting", style="yellow")
        return line


class HealthProbe:
    """Reads :class:`Health`; Redis and Discord at most every :data:`REMOTE_EVERY`."""

    def __init__(
        self, op: Operating, config: Config, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._op = op
        self._config = config
        self._clock = clock or op.services.now
        self._remote_at: datetime | None = None
        self._redis = Part("redis", Level.NONE, "not used")
        self._discord = Part("Discord", Level.NONE, "no bot token (sandbox)")

    async def read(self) -> Health:
        now = self._clock()
        if self._remote_at is None or now - self._remote_at >= REMOTE_EVERY:
            self._remote_at = now
            self._redis = await self._read_redis()
            self._discord = await self._read_discord()
        database = Part("database", Level.OK, "ok")
        worker = Part("worker", Level.WARN, "unknown")
        next_due: datetime | None = None
        waiting = 0
        services = self._op.services
        try:
            with database_in_use():
                seen = await workers.workers_seen(services)
                next_due = await outbox.next_due_at(services)
                waiting = await workers.waiting_work(services)
        except ServiceUnavailable as error:
            database = Part("database", Level.FAIL, str(error).split(". Check")[0])
        else:
            alive = [w for w in seen if w.alive]
            if len(alive) > 1:
                worker = Part("workers", Level.OK, f"{len(alive)} alive")
            elif alive:
                worker = Part("worker", Level.OK, "alive")
            else:
                worker = Part("worker", Level.FAIL, "none alive")
        return Health(database, self._redis, self._discord, worker, next_due, waiting)

    def forget_remote(self) -> None:
        """Ask Redis and Discord again at the next read."""
        self._remote_at = None

    async def _read_redis(self) -> Part:
        url = self._config.broker.url
        if not url:
            return replace(self._redis, level=Level.NONE, detail="not used")
        if await redis_problem(url, wait_seconds=REDIS_TIMEOUT_SECONDS) is not None:
            return Part("redis", Level.FAIL, "unreachable")
        return Part("redis", Level.OK, "ok")

    async def _read_discord(self) -> Part:
        core = self._op.core
        if core is None:
            return Part("Discord", Level.NONE, "no bot token (sandbox)")
        try:
            await core.rest.get_bot_user()
        except DiscordError as error:
            refused = error.status == 401
            return Part("Discord", Level.FAIL, "token refused" if refused else "unreachable")
        return Part("Discord", Level.OK, "token ok")
