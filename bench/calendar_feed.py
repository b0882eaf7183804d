"""What a calendar app's fetch of a feed costs when the database holds many games.

    python bench/calendar_feed.py [--games 1000 10000] [--fetches 100]
                                  [--postgres postgresql://user@host:5432/db]

Calendar apps fetch every subscribed feed every few minutes to hours, for every member who
subscribed, so a fetch must stay cheap however many games the server has. The database is
filled with ``--games`` games of 5 players each, as ``bench/startup.py`` fills it (one hour
apart, over the demo server's channels, from a pool of 3,000 players: each player is in about
``games / 600`` of them), and the server's public feed is switched on. The web runs in a
child process as ``gamesched web`` serves it; this process fetches one player's feed and the
server's public feed (at most 500 games) ``--fetches`` times each, one after another, over
HTTP, and prints the latency (request sent to whole answer read) with the feed's size, beside
a bare Starlette page served by uvicorn in a child process the same way (the ``bare page``
row: what any request costs here, whatever it asks). SQLite always runs (a temporary file);
PostgreSQL when --postgres or GAMESCHED_TEST_POSTGRES_URL is given (a scratch database,
dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

import httpx
from join_contention import percentile, postgres_database, sqlite_database
from startup import FIRST_PLAYER, fill
from web import baseline_main, child, free_port, gamesched_main, web_config

from gamesched.app import DiscordTarget
from gamesched.db.engine import Database
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox, start_sandbox
from gamesched.sandbox.world import load_world
from gamesched.services.calendars import FeedKey, FeedKind, feed_address, public_feed_address
from gamesched.services.configuration import configure_guild
from gamesched.services.context import Context


async def addresses(database: Database, guild_id: int, key: FeedKey) -> dict[str, str]:
    """The first player's feed token and the server's public one (switched on first)."""
    ctx = Context(database=database)
    await configure_guild(
        ctx, actor=Actor.operator(), guild_id=guild_id, patch=SettingsPatch(public_feed=True)
    )
    member = await feed_address(ctx, key, user_id=FIRST_PLAYER)
    public = await public_feed_address(ctx, key, kind=FeedKind.GUILD, place_id=guild_id)
    if member.token is None or public is None or public.token is None:
        raise RuntimeError("the feed addresses could not be made")
    return {"member feed": member.token, "server feed": public.token}


async def fetch_times(
    client: httpx.AsyncClient, path: str, fetches: int
) -> tuple[list[float], str]:
    """Seconds per fetch, and the last answer's text."""
    seconds = []
    body = ""
    for _ in range(fetches):
        began = time.perf_counter()
        answer = await client.get(path)
        answer.raise_for_status()
        body = answer.text
        seconds.append(time.perf_counter() - began)
    return seconds, body


async def bench(
    database: Database, engine: str, games: int, sandbox: RunningSandbox, fetches: int
) -> None:
    world = sandbox.state.world
    (guild,) = world.guilds
    await fill(database, world, games)
    port = free_port()
    url = database.engine.url.render_as_string(hide_password=False)
    config = web_config(url, port, sandbox, world)
    key = FeedKey.of(config.web.session_secret.get_secret_value())
    tokens = await addresses(database, guild.id, key)
    target = DiscordTarget(api_base_url=sandbox.base_url, token=world.token)
    base_port = free_port()
    async with (
        child(gamesched_main, config, target, url=f"http://127.0.0.1:{port}/") as site,
        child(baseline_main, base_port, url=f"http://127.0.0.1:{base_port}/") as bare,
        httpx.AsyncClient(base_url=site, timeout=60) as client,
        httpx.AsyncClient(base_url=bare, timeout=60) as bare_client,
    ):
        fetched = [("bare page", bare_client, "/")] + [
            (name, client, f"/calendar/{token}.ics") for name, token in tokens.items()
        ]
        for name, fetcher, path in fetched:
            await fetch_times(fetcher, path, 3)  # warm up: connections, caches
            seconds, body = await fetch_times(fetcher, path, fetches)
            events = body.count("BEGIN:VEVENT")
            ms = [s * 1000 for s in seconds]
            print(
                f"{engine:<11}{games:>7}  {name:<12}{events:>7}{len(body) / 1024:>9.0f}"
                f"{statistics.median(ms):>9.1f}{percentile(ms, 0.95):>9.1f}"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--fetches", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("GAMESCHED_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sandbox = await start_sandbox(load_world(DEMO_WORLD))
    print("engine       games  feed         events      KiB  p50 ms   p95 ms")
    try:
        for games in args.games:
            async with sqlite_database() as database:
                await bench(database, "sqlite", games, sandbox, args.fetches)
            if args.postgres:
                async with postgres_database(args.postgres) as database:
                    await bench(database, "postgresql", games, sandbox, args.fetches)
    finally:
        await sandbox.close()


if __name__ == "__main__":
    asyncio.run(main())
