"""The web under 50 logged-in members at once: guild page, game page and the create POST.

    python bench/web.py [--users 50] [--requests 20] [--postgres postgresql://user@host/db]

This process runs the sandbox (the demo world) and the load: ``--users`` members logged in
through the sandbox's "Login with Discord", each with a session of its own, all requesting
at once, each ``--requests`` times one after another. The web under test runs in a child
process as ``gamesched web`` serves it (uvicorn on the core; SQLite in a temporary file, or a
scratch PostgreSQL database with --postgres or GAMESCHED_TEST_POSTGRES_URL). The *baseline*
is a bare Starlette endpoint answering a small page, served by uvicorn the same way in a
child process of its own. Latency runs from sending a request to reading its whole answer.
Quote the ratios to the baseline: the absolute figures mostly say how busy the machine was.

Each create POST also posts the game's announcement to the sandbox. Discord allows 5 messages
per 5 seconds in one channel, which would make the figure Discord's pace rather than the
web's, so the sandbox here lifts that per-channel limit (its global 50 requests/s stays).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import os
import re
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import uvicorn
from join_contention import percentile, postgres_database
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from cli.serve import sandbox_login
from gamesched.app import DiscordTarget, open_core, serve_web
from gamesched.config import Config
from gamesched.sandbox import world as w
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.world import World, load_world

GUILD = 1170000000000000001
CHANNEL = 1190000000000000007  # lfg
MODERATOR_ROLE = 1180000000000000003
"""The demo world's role with Manage Server: with no host roles set, it may create games."""
FIRST_HOST_ID = 1_210_000_000_000_000_001
SESSION_SECRET = "a-bench-session-secret-of-at-least-32-characters"
READY_WITHIN = 60.0
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=4.0)
"""The members drop an idle connection before the server's 5 s keep-alive runs out (httpx's
own default is the same 5 s, so a member could reuse a connection just as uvicorn closed it,
as a browser would then quietly retry)."""
BASELINE_PAGE = "<!doctype html><title>ok</title><p>ok</p>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_world(hosts: int) -> World:
    """The demo world plus ``hosts`` members with Manage Server (one login each: Discord
    limits how often one member's token may ask who they are), and no per-channel limit on
    messages (see the module doc)."""
    demo = load_world(DEMO_WORLD)
    users = tuple(
        w.User(id=FIRST_HOST_ID + n, username=f"host{n}", global_name=f"Host {n}")
        for n in range(hosts)
    )
    (guild,) = demo.guilds
    members = tuple(w.Member(user_id=u.id, role_ids=(MODERATOR_ROLE,)) for u in users)
    guild = dataclasses.replace(guild, members=guild.members + members)
    limits = dataclasses.replace(demo.limits, channel_messages=1_000_000)
    return dataclasses.replace(demo, users=demo.users + users, guilds=(guild,), limits=limits)


# --- the servers, each in a process of its own -------------------------------------------------


def web_config(database_url: str, port: int, sandbox: RunningSandbox, world: World) -> Config:
    """The web on 127.0.0.1:``port``, logging in against ``sandbox`` as ``gamesched run`` does."""
    config = Config.model_validate(
        {
            "database": {"url": database_url},
            "web": {
                "host": "127.0.0.1",
                "port": port,
                "public_url": f"http://127.0.0.1:{port}",
                "session_secret": SESSION_SECRET,
            },
        }
    )
    return sandbox_login(config, sandbox, world)


async def run_gamesched_web(config: Config, target: DiscordTarget, control: Connection) -> None:
    async with open_core(config, target) as core:
        serving = asyncio.create_task(serve_web(core))
        control.send("ready")
        await asyncio.to_thread(control.recv)
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)


async def run_baseline(port: int, control: Connection) -> None:
    async def page(_request: Request) -> HTMLResponse:
        return HTMLResponse(BASELINE_PAGE)

    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/", page)]),
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
        )
    )
    serving = asyncio.create_task(server.serve())
    control.send("ready")
    await asyncio.to_thread(control.recv)
    server.should_exit = True
    await serving


def gamesched_main(config: Config, target: DiscordTarget, control: Connection) -> None:
    asyncio.run(run_gamesched_web(config, target, control))


def baseline_main(port: int, control: Connection) -> None:
    asyncio.run(run_baseline(port, control))


@asynccontextmanager
async def child(target: Callable[..., None], *args: object, url: str) -> AsyncIterator[str]:
    """``target(*args, pipe)`` in a child process, until ``url`` answers; stopped afterwards."""
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    process = spawn.Process(target=target, args=(*args, theirs), name="bench-web")
    process.start()
    try:
        await asyncio.to_thread(ours.poll, READY_WITHIN)
        deadline = time.monotonic() + READY_WITHIN
        async with httpx.AsyncClient() as probe:
            while True:
                try:
                    (await probe.get(url)).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or not process.is_alive():
                        raise RuntimeError(f"{url} did not answer (see the output above)") from None
                    await asyncio.sleep(0.1)
        yield url
        ours.send("stop")
        await asyncio.to_thread(process.join, 30)
    finally:
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 10)


# --- the members ---------------------------------------------------------------------------


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def logged_in(site: str, username: str) -> tuple[httpx.AsyncClient, str]:
    """A client with a session of ``username`` (logged in through the sandbox) and its
    CSRF token."""
    client = httpx.AsyncClient(base_url=site, timeout=60, limits=CLIENT_LIMITS)
    started = await client.get("/login")
    async with httpx.AsyncClient() as discord:
        answer = await discord.post(
            started.headers["location"], data={"as": username, "decision": "authorize"}
        )
    back = await client.get(answer.headers["location"])
    found = CSRF.search((await client.get("/")).text)
    if found is None:
        raise RuntimeError(f"{username} did not get logged in: {back.status_code} {back.text}")
    return client, found.group(1)


def new_game_form(csrf: str, number: int) -> dict[str, str]:
    """A create-form submission: a game a week ahead, two typed participants."""
    start = datetime.now(UTC) + timedelta(days=7, minutes=number)
    return {
        "csrf_token": csrf,
        "channel": str(CHANNEL),
        "title": f"Bench game {number}",
        "start_local": start.strftime("%Y-%m-%dT%H:%M"),
        "tz": "UTC",
        "description": "Benchmark",
        "participants": "@samantha, Reserved",
    }


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    seconds: list[float]
    failures: int
    elapsed: float

    def line(self, baseline: Result | None) -> str:
        p50, p99 = percentile(self.seconds, 0.5), percentile(self.seconds, 0.99)
        ratio = ""
        if baseline is not None:
            ratio = (
                f"  x{p50 / percentile(baseline.seconds, 0.5):5.1f} p50"
                f"  x{p99 / percentile(baseline.seconds, 0.99):5.1f} p99"
            )
        rate = len(self.seconds) / self.elapsed
        return (
            f"{self.name:<22} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
            f"{rate:6.0f} req/s  failures {self.failures}{ratio}"
        )


Send = Callable[[httpx.AsyncClient, str, int], Awaitable[httpx.Response]]


async def load(
    name: str,
    members: list[tuple[httpx.AsyncClient, str]],
    requests: int,
    send: Send,
    ok: Callable[[httpx.Response], bool],
) -> Result:
    """Every member sends ``requests`` requests one after another, all members at once."""
    seconds: list[float] = []
    failures = 0

    async def member(index: int, client: httpx.AsyncClient, csrf: str) -> None:
        nonlocal failures
        for n in range(requests):
            began = time.perf_counter()
            response = await send(client, csrf, index * requests + n)
            seconds.append(time.perf_counter() - began)
            failures += not ok(response)

    began = time.perf_counter()
    await asyncio.gather(*(member(i, c, t) for i, (c, t) in enumerate(members)))
    return Result(name, seconds, failures, time.perf_counter() - began)


async def bench(
    database_url: str, engine: str, sandbox: RunningSandbox, args: argparse.Namespace
) -> None:
    world = sandbox.state.world
    port = free_port()
    config = web_config(database_url, port, sandbox, world)
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    base_port = free_port()
    async with (
        child(gamesched_main, config, target, url=f"http://127.0.0.1:{port}/") as site,
        child(baseline_main, base_port, url=f"http://127.0.0.1:{base_port}/") as bare,
    ):
        hosts = [await logged_in(site, f"host{n}") for n in range(args.users)]
        seed_client, seed_csrf = hosts[0]
        game_ids = []
        for n in range(20):  # a guild page with games on it, and games to open
            seeded = await seed_client.post(
                f"/guilds/{GUILD}/games/new",
                data=new_game_form(seed_csrf, -n - 1),
                headers={"Origin": site},
            )
            if seeded.status_code != 303:
                raise RuntimeError(f"creating a game failed: {seeded.status_code} {seeded.text}")
            game_ids.append(int(seeded.headers["location"].rsplit("/", 1)[1]))
        bare_clients = [
            (httpx.AsyncClient(base_url=bare, timeout=60, limits=CLIENT_LIMITS), "") for _ in hosts
        ]

        def get(path: Callable[[int], str]) -> Send:
            async def send(client: httpx.AsyncClient, _csrf: str, n: int) -> httpx.Response:
                return await client.get(path(n))

            return send

        async def create(client: httpx.AsyncClient, csrf: str, n: int) -> httpx.Response:
            return await client.post(
                f"/guilds/{GUILD}/games/new", data=new_game_form(csrf, n), headers={"Origin": site}
            )

        def is_ok(response: httpx.Response) -> bool:
            return response.status_code == 200

        def is_created(response: httpx.Response) -> bool:
            return response.status_code == 303

        # Warm up: names and rights reach the caches, connections open.
        await load("warm-up", hosts, 2, get(lambda n: f"/guilds/{GUILD}"), is_ok)
        await load("warm-up", bare_clients, 2, get(lambda n: "/"), is_ok)
        baseline = await load(
            "bare Starlette page", bare_clients, args.requests, get(lambda n: "/"), is_ok
        )
        guild = await load(
            "guild page", hosts, args.requests, get(lambda n: f"/guilds/{GUILD}"), is_ok
        )
        game = await load(
            "game page",
            hosts,
            args.requests,
            get(lambda n: f"/games/{game_ids[n % len(game_ids)]}"),
            is_ok,
        )
        asked_before = len(sandbox.state.log)
        created = await load("create POST", hosts, max(1, args.requests // 4), create, is_created)
        per_create = (len(sandbox.state.log) - asked_before) / len(created.seconds)
        print(f"{engine}: {args.users} logged-in members at once, {args.requests} requests each")
        for result in (baseline, guild, game, created):
            print("  " + result.line(None if result is baseline else baseline))
        print(
            f"  each create asked Discord {per_create:.1f} times (rights afresh, the post): "
            f"its global 50 requests/s allow about {50 / per_create:.0f} creates/s per bot"
        )
        for client, _ in hosts + bare_clients:
            await client.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sandbox = await start_sandbox(bench_world(args.users))
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            await bench(url, "SQLite", sandbox, args)
        if args.postgres:
            async with postgres_database(args.postgres) as database:
                url = database.engine.url.render_as_string(hide_password=False)
                await database.dispose()  # the web process opens its own
                await bench(url, "PostgreSQL", sandbox, args)
    finally:
        await sandbox.close()


if __name__ == "__main__":
    asyncio.run(main())
