"""Reminder DMs through the real scheduling side: lateness of a steady stream, pace of a burst.

    python bench/reminders.py [--scale 1.0] [--scenario steady|burst|both]
                              [--setup single|workers|both] [--lead SECONDS]
                              [--postgres postgresql://user@host:5432/db]
                              [--redis redis://host:6379/0] [--timeout 3600]

Scenarios (sizes times ``--scale``):

- *steady*: 100 games x 10 players, the games' reminders due one after another over 60 s
  (whole seconds, one or two games each second): 1,000 DMs at about 17 a second.
- *burst*: 50 games x 100 players, every reminder due at the same second: 5,000 DMs, twice.
  First to *new* members, whom the bot never wrote to: each DM opens the member's DM channel
  first, two requests. Then, once the workers were stopped and started again, a second
  burst of 50 new games to the same, now *known*, members: their DM channels are remembered
  in the database, so each DM is one request.

Every player is a member of their own. Discord's global limit is 50 requests a second (the
sandbox enforces it, and its per-channel limits); the REST client starts at most 50 in any
1.1 s, about 45 a second. The first burst therefore takes about 220 s by design, and the
second about half that.

Setups:

- *single*: the default deployment, one process with the in-process broker on SQLite (a
  temporary file): a ``gamesched worker`` child process with ``broker.url`` empty, the same
  dispatcher and tasks ``gamesched run`` starts beside the bot. A child process rather than
  this one, so the sandbox's work is not charged to the worker's loop, as with the real
  Discord; running the dispatcher here beside the sandbox measured about the same (steady
  p99 1.28 s against 1.36 s), so the choice does not flatter the figures.
- *workers*: two ``gamesched worker`` processes on Redis (``--redis``, a queue of this run's
  own, deleted afterwards) and PostgreSQL (``--postgres``, a scratch database, dropped
  afterwards).

Each scenario of each setup gets a fresh sandbox and database, in this process on 127.0.0.1.
The games are planned the real way before their reminders fall due: created through
``create_game`` with ``reminder_minutes=(60,)`` and a start an hour and a few seconds ahead,
players added with ``join_game``, announcements posted. Then this process only watches.

Lateness is the time the sandbox created a DM (its snowflake, to the millisecond) minus the
due time of its reminder in the jobs table. A duplicate is a reminder DM beyond one per
(player, game); a loss is an owed DM not delivered by the scenario's deadline. ``429s``
counts the sandbox's rate-limit answers; ``resent`` counts DM posts the sandbox answered
with the message it already had for that nonce (work done twice, not shown twice). For a
burst, ``DMs/s`` is the DMs delivered over the time from the due time to the last DM, and
``req/s`` the bot's requests over the same time (to hold against Discord's 50 a second);
``opened`` counts the DM channels the workers asked Discord to open.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import math
import os
import re
import shlex
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from join_contention import NoMembers, percentile, postgres_database, sqlite_database
from redis.asyncio import Redis
from sqlalchemy import select

from gamesched.db.engine import Database
from gamesched.db.migrate import upgrade
from gamesched.db.tables import GameRow, JobRow
from gamesched.discord.pacing import GLOBAL_REQUESTS_PER_SECOND, PACE_WINDOW_SECONDS
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox import world as w
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.state import DISCORD_EPOCH_MS
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game
from gamesched.services.participation import join_game
from gamesched.services.planning import JobKind

GAMESCHED = Path(sys.executable).with_name("gamesched")
FIRST_PLAYER_ID = 1_300_000_000_000_000_001
FIRST_CHANNEL_ID = 1_310_000_000_000_000_001
CHANNELS = 20
"""Text channels the games are spread over, so posting their announcements is not held up
by the per-channel limit (5 messages per 5 s)."""
PLANNING_CONCURRENCY = 8
"""Games planned at once (each game's joins one after another, as its row lock has them)."""
HEADROOM_SECONDS = 3.0
"""Planning must end at least this long before the first reminder is due."""
SETTLE_SECONDS = 2.0
"""Watching goes on this long after the last owed DM, for duplicates to show up."""
WORKER_READY_WITHIN = 60.0
WORKER_STOP_WITHIN = 30.0
READY_LINE = b"Worker running"
TITLE = re.compile(r"\*\*(Bench \w+ \w+ \d+)\*\*")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    games: int
    players: int
    """Players per game, each a member of their own."""
    spread_seconds: int
    """Reminders fall due over this many seconds (0: all at the same second)."""
    members: str = "new"
    """``new``: members the bot never wrote to; ``known``: members the workers of an earlier
    round wrote to (their DM channels are remembered in the database)."""

    @property
    def owed(self) -> int:
        return self.games * self.players

    @property
    def rounds(self) -> tuple[Scenario, ...]:
        """The rounds run on one sandbox and database: a burst is sent to new members, then
        again to the same members, known by then."""
        if self.spread_seconds:
            return (self,)
        return (self, dataclasses.replace(self, members="known"))

    def due_offset(self, game: int) -> int:
        """Seconds after the first due time at which this game's reminder is due."""
        return game * self.spread_seconds // self.games

    def title(self, game: int) -> str:
        return f"Bench {self.name} {self.members} {game:05}"


def scenarios(scale: float) -> dict[str, Scenario]:
    return {
        "steady": Scenario("steady", max(1, round(100 * scale)), 10, max(5, math.ceil(60 * scale))),
        "burst": Scenario("burst", max(1, round(50 * scale)), 100, 0),
    }


def bench_world(players: int) -> w.World:
    """The demo world plus ``players`` plain members and ``CHANNELS`` text channels, with
    Discord's own limits."""
    demo = w.load_world(DEMO_WORLD)
    (guild,) = demo.guilds
    users = tuple(
        w.User(id=FIRST_PLAYER_ID + n, username=f"player{n:05}", global_name=f"Player {n}")
        for n in range(players)
    )
    member_role = next(role.id for role in guild.roles if role.name == "Member")
    members = tuple(w.Member(user_id=user.id, role_ids=(member_role,)) for user in users)
    channels = tuple(
        w.Channel(
            id=FIRST_CHANNEL_ID + n,
            guild_id=guild.id,
            name=f"bench-{n:02}",
            type=w.TEXT_CHANNEL,
            position=100 + n,
        )
        for n in range(CHANNELS)
    )
    guild = dataclasses.replace(
        guild, members=guild.members + members, channels=guild.channels + channels
    )
    return dataclasses.replace(demo, users=demo.users + users, guilds=(guild,), limits=w.Limits())


# --- planning --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """What was planned: the owed (player, game title) pairs and each title's due time."""

    owed: frozenset[tuple[int, str]]
    due: dict[str, float]
    """Game title -> due time of its reminder (Unix seconds), from the jobs table."""
    first_due: float
    """When the first reminder is due (Unix seconds)."""


async def plan(ctx: Context, sandbox: RunningSandbox, scenario: Scenario, *, lead: float) -> Plan:
    """Create, fill and announce the scenario's games; fail if that took longer than ``lead``."""
    world = sandbox.state.world
    (guild,) = world.guilds
    host = Actor(user_id=guild.owner_id, permissions=int(Permission.ADMINISTRATOR))
    first_due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=math.ceil(lead))
    gate = asyncio.Semaphore(PLANNING_CONCURRENCY)
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token)
    sync = AnnouncementSync(ctx, rest)
    game_ids: list[int] = []
    owed: set[tuple[int, str]] = set()

    async def one(game: int) -> None:
        start = first_due + timedelta(minutes=60, seconds=scenario.due_offset(game))
        new = NewGame(
            guild_id=guild.id,
            channel_id=FIRST_CHANNEL_ID + game % CHANNELS,
            title=scenario.title(game),
            when=start.isoformat(),
            max_players=scenario.players,
            reminder_minutes=(60,),
        )
        async with gate:
            created = await create_game(ctx, actor=host, new=new, directory=NoMembers())
            for seat in range(scenario.players):
                player = FIRST_PLAYER_ID + game * scenario.players + seat
                await join_game(ctx, game_id=created.game.id, user_id=player)
                owed.add((player, new.title))
            await sync.publish(created.game.id)  # after the joins: nothing left to edit
        game_ids.append(created.game.id)

    try:
        await asyncio.gather(*(one(game) for game in range(scenario.games)))
    finally:
        await rest.aclose()
    headroom = first_due.timestamp() - time.time()
    if headroom < HEADROOM_SECONDS:
        raise SystemExit(
            f"planning {scenario.name} took {lead - headroom:.0f} s, more than the lead of "
            f"{lead:.0f} s; give a larger --lead"
        )
    return Plan(frozenset(owed), await reminder_due_times(ctx, game_ids), first_due.timestamp())


async def reminder_due_times(ctx: Context, game_ids: list[int]) -> dict[str, float]:
    """Game title -> when its planned reminder is due, read back from the jobs table."""
    async with ctx.transaction() as session:
        rows = await session.execute(
            select(GameRow.title, JobRow.due_at)
            .join(JobRow, JobRow.game_id == GameRow.id)
            .where(GameRow.id.in_(game_ids), JobRow.kind == JobKind.REMINDER)
        )
        return {title: due.timestamp() for title, due in rows.all()}


def default_lead(scenario: Scenario) -> float:
    """Seconds to plan in: about twice what a busy 2-core machine needs (a join takes some
    12 ms, creating and announcing a game some 60 ms)."""
    return 10 + 0.025 * scenario.owed + 0.1 * scenario.games


# --- the workers -------------------------------------------------------------------------------


def worker_environment(
    database_url: str, sandbox: RunningSandbox, *, broker_url: str, queue: str
) -> dict[str, str]:
    """This process's environment without any GAMESCHED_* setting, plus the worker's own."""
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("GAMESCHED_")}
    return clean | {
        "GAMESCHED_DATABASE__URL": database_url,
        "GAMESCHED_DISCORD__TOKEN": sandbox.state.world.token,
        "GAMESCHED_DISCORD__API_BASE_URL": sandbox.base_url,
        "GAMESCHED_BROKER__URL": broker_url,
        "GAMESCHED_BROKER__QUEUE_NAME": queue,
    }


@asynccontextmanager
async def workers(count: int, environment: dict[str, str]) -> AsyncIterator[list[str]]:
    """``count`` ``gamesched worker`` processes, ready; stopped with Ctrl+C afterwards.

    Yields a list that, once the block has ended and the workers stopped, holds the error
    and warning lines they logged.
    """
    trouble: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        processes: list[asyncio.subprocess.Process] = []
        logs = [Path(folder) / f"worker{n}.log" for n in range(count)]
        try:
            for log in logs:
                with log.open("wb") as stderr:
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            str(GAMESCHED),
                            "worker",
                            cwd=folder,
                            env=environment,
                            stdout=asyncio.subprocess.PIPE,
                            stderr=stderr,
                        )
                    )
            for process, log in zip(processes, logs, strict=True):
                await ready(process, log)
            yield trouble
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    await asyncio.wait_for(process.wait(), WORKER_STOP_WITHIN)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            trouble += await asyncio.to_thread(log_trouble, logs)


async def ready(process: asyncio.subprocess.Process, log: Path) -> None:
    """Wait until the worker says it runs."""
    assert process.stdout is not None
    try:
        async with asyncio.timeout(WORKER_READY_WITHIN):
            while READY_LINE not in (line := await process.stdout.readline()):
                if not line:
                    break
    except TimeoutError:
        pass
    if process.returncode is not None or READY_LINE not in line:
        output = await asyncio.to_thread(log.read_text)
        raise RuntimeError(f"a worker did not start:\n{output[-3000:]}")


def log_trouble(logs: list[Path]) -> list[str]:
    """The workers' error and warning lines, without their time, each with the exception
    that ended its traceback, if any."""
    trouble: list[str] = []
    for log in logs:
        lines = log.read_text().splitlines()
        for n, line in enumerate(lines):
            if " ERROR " in line or " WARNING " in line:
                trouble.append(line.split(" ", 2)[-1] + exception_after(lines[n + 1 :]))
    return trouble


def trouble_notes(trouble: list[str], *, kinds: int = 3) -> list[str]:
    """The most frequent kinds of the workers' error and warning lines (numbers masked), so
    a silent degradation (pacing alone, retries) shows beside the figures."""
    counted = Counter(re.sub(r"\d+(\.\d+)?", "N", line) for line in trouble)
    return [f"worker log: {n} x {kind}" for kind, n in counted.most_common(kinds)]


def exception_after(lines: list[str]) -> str:
    """`` -> <exception>`` when ``lines`` start with a traceback, else nothing."""
    if not lines or not lines[0].startswith("Traceback"):
        return ""
    end = next((line for line in lines[1:] if line and not line[0].isspace()), "")
    return f" -> {end}"


# --- watching ----------------------------------------------------------------------------------


class Seen:
    """The reminder DMs of one round the sandbox holds: when each (player, game) pair first
    got one. Read as they arrive, only the messages new since the last look, so watching
    does not stall the sandbox (it runs on this process's loop) as messages pile up."""

    def __init__(self, sandbox: RunningSandbox, titles: Collection[str]) -> None:
        self.first: dict[tuple[int, str], float] = {}
        self.total = 0
        self._state = sandbox.state
        self._titles = titles
        self._newest = 0

    def look(self) -> Seen:
        """Take in the messages stored since the last look (their ids grow with time)."""
        messages = reversed(self._state.messages.values())
        fresh = list(itertools.takewhile(lambda m: m.id > self._newest, messages))
        for message in fresh:
            user = self._state.dm_users.get(message.channel_id)
            found = TITLE.search(message.payload["content"]) if user is not None else None
            if user is None or found is None or found.group(1) not in self._titles:
                continue
            self.total += 1
            at = ((message.id >> 22) + DISCORD_EPOCH_MS) / 1000
            key = (user, found.group(1))
            self.first[key] = min(at, self.first.get(key, at))
        self._newest = fresh[0].id if fresh else self._newest
        return self


async def watch(sandbox: RunningSandbox, plan: Plan, *, deadline: float) -> Seen:
    """Until every owed DM arrived (and a little longer), or the deadline."""
    seen = Seen(sandbox, plan.due)
    while time.time() < deadline:
        if plan.owed <= seen.look().first.keys():
            await asyncio.sleep(SETTLE_SECONDS)
            break
        await asyncio.sleep(0.5)
    return seen.look()


def deadline_of(scenario: Scenario, plan: Plan) -> float:
    """Three times the time the global limit needs for the DMs, after the last due time."""
    return max(plan.due.values()) + 30 + 3 * 2 * scenario.owed / 50


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    setup: str
    scenario: Scenario
    delivered: int
    duplicates: int
    lost: int
    lateness: list[float]
    total_seconds: float
    requests: int
    """The bot's requests from the first due time to the last DM."""
    opened: int
    rate_limited: int
    resent: int
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a round starts in the sandbox's request log and list of rule violations."""

    log: int
    violations: int


def mark(sandbox: RunningSandbox) -> Mark:
    return Mark(log=len(sandbox.state.log), violations=len(sandbox.state.violations))


def figures(
    setup: str, scenario: Scenario, plan: Plan, sandbox: RunningSandbox, got: Seen, since: Mark
) -> Figures:
    """The round's figures as they stood when watching ended."""
    delivered = {pair: at for pair, at in got.first.items() if pair in plan.owed}
    lateness = [at - plan.due[title] for (_, title), at in delivered.items()]
    log = sandbox.state.log[since.log :]
    dm_posts = sum(
        1
        for entry in log
        if entry.method == "POST"
        and entry.status == 200
        and (channel := re.fullmatch(r"/channels/(\d+)/messages", entry.path)) is not None
        and int(channel.group(1)) in sandbox.state.dm_users
    )
    last = max(delivered.values(), default=plan.first_due)
    notes = []
    if strays := len(got.first.keys() - plan.owed):
        notes.append(f"{strays} reminder DM(s) to players who were not owed one")
    violations = len(sandbox.state.violations) - since.violations
    if broken := violations - sum(e.status == 429 for e in log):
        notes.append(f"{broken} Discord rule violation(s) besides 429s")
    return Figures(
        setup=setup,
        scenario=scenario,
        delivered=len(delivered),
        duplicates=got.total - len(got.first),
        lost=len(plan.owed) - len(delivered),
        lateness=lateness,
        total_seconds=last - plan.first_due,
        requests=sum(plan.first_due <= entry.time <= last for entry in log),
        opened=sum(
            (e.method, e.path, e.status) == ("POST", "/users/@me/channels", 200) for e in log
        ),
        rate_limited=sum(entry.status == 429 for entry in log),
        resent=dm_posts - got.total,
        notes=tuple(notes),
    )


HEADER = (
    f"{'setup':<24} {'scenario':<8} {'members':<7} {'delivered':>11} {'dup':>4} {'lost':>5} "
    f"{'p50 s':>6} {'p99 s':>6} {'max s':>6} {'total s':>8} {'DMs/s':>6} {'req/s':>6} "
    f"{'opened':>6} {'429s':>5} {'resent':>6}"
)


def row(f: Figures) -> str:
    late = f.lateness or [math.nan]
    burst = f.scenario.spread_seconds == 0 and f.total_seconds > 0
    total = f"{f.total_seconds:>8.1f}" if burst else f"{'-':>8}"
    dms = f"{f.delivered / f.total_seconds:>6.1f}" if burst else f"{'-':>6}"
    requests = f"{f.requests / f.total_seconds:>6.1f}" if burst else f"{'-':>6}"
    return (
        f"{f.setup:<24} {f.scenario.name:<8} {f.scenario.members:<7} "
        f"{f'{f.delivered}/{f.scenario.owed}':>11} {f.duplicates:>4} {f.lost:>5} "
        f"{percentile(late, 0.5):>6.2f} {percentile(late, 0.99):>6.2f} {max(late):>6.2f} "
        f"{total} {dms} {requests} {f.opened:>6} {f.rate_limited:>5} {f.resent:>6}"
    )


# --- running a setup ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setup:
    name: str
    workers: int
    redis: str = ""
    postgres: str = ""

    @asynccontextmanager
    async def database(self) -> AsyncIterator[Database]:
        if self.postgres:
            async with postgres_database(self.postgres) as database:
                yield database
        else:
            async with sqlite_database() as database:
                yield database


async def run_scenario(
    setup: Setup, scenario: Scenario, world: w.World, lead: float
) -> AsyncIterator[Figures]:
    """The scenario's rounds on one fresh sandbox and database, each with workers started
    afresh before planning (so a second round finds the DM channels in the database, not in
    a worker's memory)."""
    sandbox = await start_sandbox(world)
    queue = f"gamesched-bench-{uuid.uuid4().hex[:8]}"
    try:
        async with setup.database() as database:
            await upgrade(database)
            url = database.engine.url.render_as_string(hide_password=False)
            environment = worker_environment(url, sandbox, broker_url=setup.redis, queue=queue)
            front = Context(database=database)
            for done, round_ in enumerate(scenario.rounds, 1):
                since = mark(sandbox)
                async with workers(setup.workers, environment) as trouble:
                    planned = await plan(front, sandbox, round_, lead=lead)
                    got = await watch(sandbox, planned, deadline=deadline_of(round_, planned))
                    result = figures(setup.name, round_, planned, sandbox, got, since)
                    outcomes = await job_outcomes(front)
                notes = list(result.notes)
                if outcomes != Counter({"sent": scenario.games * done}):
                    notes.append(f"reminder jobs by outcome: {dict(outcomes)}")
                notes += trouble_notes(trouble)
                yield dataclasses.replace(result, notes=tuple(notes))
    finally:
        await sandbox.close()
        if setup.redis:
            await forget_queue(setup.redis, queue)


async def job_outcomes(ctx: Context) -> Counter[str]:
    async with ctx.transaction() as session:
        outcomes = await session.scalars(
            select(JobRow.outcome).where(JobRow.kind == JobKind.REMINDER)
        )
        return Counter(outcome or "unfinished" for outcome in outcomes.all())


async def forget_queue(url: str, queue: str) -> None:
    redis = Redis.from_url(url)
    with contextlib.suppress(Exception):
        await redis.delete(queue)
    await redis.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the game counts")
    parser.add_argument("--scenario", choices=("steady", "burst", "both"), default="both")
    parser.add_argument("--setup", choices=("single", "workers", "both"), default="both")
    parser.add_argument("--lead", type=float, help="seconds to plan in (default: by size)")
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    parser.add_argument("--redis", default=os.environ.get("GAMESCHED_TEST_REDIS_URL", ""))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds for the whole run")
    args = parser.parse_args()
    chosen = [s for name, s in scenarios(args.scale).items() if args.scenario in (name, "both")]
    setups = []
    if args.setup in ("single", "both"):
        setups.append(Setup("single (sqlite, inproc)", workers=1))
    if args.setup in ("workers", "both"):
        if args.postgres and args.redis:
            setups.append(
                Setup("2 workers (pg + redis)", workers=2, redis=args.redis, postgres=args.postgres)
            )
        else:
            print("2 workers skipped (give --postgres and --redis)")
    world = bench_world(max(s.owed for s in chosen))
    print("$", shlex.join(["python", *sys.argv]))
    for s in chosen:
        spread = f"over {s.spread_seconds} s" if s.spread_seconds else "at the same second"
        again = ", to new members, then to the same (known) members" if s.rounds[1:] else ""
        print(f"{s.name}: {s.games} games x {s.players} players, reminders due {spread}{again}")
    print(
        f"Discord's global limit: {GLOBAL_REQUESTS_PER_SECOND} requests/s; the REST client "
        f"starts at most {GLOBAL_REQUESTS_PER_SECOND} in any {PACE_WINDOW_SECONDS} s "
        f"({GLOBAL_REQUESTS_PER_SECOND / PACE_WINDOW_SECONDS:.1f}/s)"
    )
    print(HEADER)
    async with asyncio.timeout(args.timeout):
        for setup in setups:
            for scenario in chosen:
                lead = args.lead or default_lead(scenario)
                async for result in run_scenario(setup, scenario, world, lead):
                    print(row(result), flush=True)
                    for note in result.notes:
                        print(f"{'':<24} {note}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
