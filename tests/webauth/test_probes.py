"""``/healthz`` and ``/metrics``: on the web service, and on a process's own listener
(``metrics.port``), as a load balancer and Prometheus ask for them."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import disnake
import httpx
import pytest

from gamesched.app import DiscordTarget, ServiceUnavailable, open_core, serve_bot, serve_probes
from gamesched.config import Config
from gamesched.db.engine import create_database
from gamesched.metrics import Gateway
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from tests.support.environment import REDIS_URL, free_port
from tests.support.metrics import NOWHERE, counted, parse, scrape, web_client
from tests.support.web import PUBLIC_URL, SECRET, client_for, web_config
from webauth.app import create_app
from webauth.probes import CONNECTING_GRACE

GAMESCHED_METRICS = {
    "gamesched_interactions": "counter",
    "gamesched_interaction_seconds": "histogram",
    "gamesched_interactions_deferred": "counter",
    "gamesched_discord_gateway_connected": "gauge",
    "gamesched_reminders": "counter",
    "gamesched_reminder_lateness_seconds": "histogram",
    "gamesched_notices": "counter",
    "gamesched_jobs_finished": "counter",
    "gamesched_discord_rate_limited": "counter",
    "gamesched_discord_retries": "counter",
    "gamesched_errors": "counter",
    "gamesched_jobs_due": "gauge",
    "gamesched_oldest_due_job_seconds": "gauge",
}
"""Every gamesched metric, with its type (the README's table lists the same)."""


def config(database_url: str, **sections: dict[str, Any]) -> Config:
    """The web's test configuration with ``sections`` added."""
    return Config.model_validate(
        {
            "database": {"url": database_url},
            "web": {"public_url": PUBLIC_URL, "session_secret": SECRET},
            **sections,
        }
    )


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/gamesched.sqlite3"


async def health(client: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    answer = await client.get("/healthz")
    assert answer.headers["cache-control"] == "no-store"
    body: dict[str, Any] = answer.json()
    return answer.status_code, body


async def test_healthz_is_ok_without_a_login_when_the_database_answers(database_url: str) -> None:
    """The web alone, without Redis, answers 200 with the database ok, Redis not used and
    the bot elsewhere, to a visitor who never logged in, and sets no cookie."""
    async with web_client(web_config(database_url)) as web:
        answer = await web.get("/healthz")
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    body = answer.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "not_used",
        "bot": "elsewhere",
    }


async def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    """With the database unreachable /healthz answers 503 naming the database and the kind
    of failure, never the address; the failure is counted and /metrics leaves the queue out
    instead of showing it stale."""
    port = free_port()
    unreachable = create_database(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/gone")
    cut_off = lambda core: replace(core, services=Context(database=unreachable))  # noqa: E731
    failures = {"component": "database", "kind": "ConnectionRefusedError"}
    before = counted("gamesched_errors_total", **failures)
    try:
        async with web_client(web_config(sqlite_url(tmp_path)), adjust=cut_off) as web:
            status, body = await health(web)
            counted_by_healthz = counted("gamesched_errors_total", **failures) - before
            metrics = await scrape(web)
    finally:
        await unreachable.dispose()
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["database"] == {
        "status": "down",
        "detail": "failed: ConnectionRefusedError",
    }
    assert str(port) not in str(body)
    assert counted_by_healthz == 1
    assert not metrics.has("gamesched_jobs_due")
    assert metrics("gamesched_errors_total", **failures) - before == 2  # and the scrape's read


async def test_healthz_is_503_when_redis_is_unreachable(tmp_path: Path) -> None:
    """With broker.url pointing at a Redis that does not answer, /healthz answers 503 with
    Redis down (the database still ok), and the failure is counted."""
    broker = {"url": f"redis://127.0.0.1:{free_port()}/0"}
    failures = {"component": "redis", "kind": "ConnectionError"}
    before = counted("gamesched_errors_total", **failures)
    async with web_client(config(sqlite_url(tmp_path), broker=broker)) as web:
        status, body = await health(web)
    assert status == 503
    assert body["checks"]["redis"] == {"status": "down", "detail": "failed: ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"
    assert counted("gamesched_errors_total", **failures) - before == 1


@pytest.mark.redis
async def test_healthz_pings_the_configured_redis(tmp_path: Path) -> None:
    """With broker.url set to a running Redis, /healthz says it answered."""
    if not REDIS_URL:
        pytest.skip("GAMESCHED_TEST_REDIS_URL is not set")
    async with web_client(config(sqlite_url(tmp_path), broker={"url": REDIS_URL})) as web:
        status, body = await health(web)
    assert status == 200
    assert body["checks"]["redis"] == {"status": "ok", "detail": "answered PING"}


async def test_in_one_process_healthz_follows_the_bot_as_it_connects_and_resumes(
    sandbox: RunningSandbox,
    demo_world: World,
    discord: SandboxDriver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the bot and the web on one core (``gamesched run``), /healthz and /metrics report
    the bot connected once it is, and still after Discord dropped it and it resumed."""
    monkeypatch.setattr(disnake.http.Route, "BASE", disnake.http.Route.BASE)  # serve_bot moves it
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(web_config(sqlite_url(tmp_path)), target) as core:
        bot = asyncio.create_task(serve_bot(core))
        try:
            async with client_for(create_app(core)) as web:
                await discord.gateway(connected=True, identifies=1, within=30)
                connected = await _bot_check_until(web, "ok")
                metrics = await scrape(web)
                await discord.drop_gateway(resumable=True)
                await discord.gateway(connected=True, resumes=1, within=30)
                resumed = await _bot_check_until(web, "ok")
        finally:
            bot.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bot
    assert connected["detail"].startswith("connected to Discord's gateway for")
    assert metrics("gamesched_discord_gateway_connected") == 1
    assert resumed["status"] == "ok"


async def _bot_check_until(web: httpx.AsyncClient, status: str) -> dict[str, str]:
    """The bot's /healthz entry once it says ``status`` (the bot notes its connection a
    moment after the sandbox saw it)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        _, body = await health(web)
        check: dict[str, str] = body["checks"]["bot"]
        if check["status"] == status or asyncio.get_running_loop().time() > deadline:
            return check
        await asyncio.sleep(0.05)


async def test_a_bot_connecting_for_too_long_is_down(tmp_path: Path) -> None:
    """A bot (re)connecting counts as healthy for the grace period, then /healthz says 503
    with how long it has been connecting."""
    now = [1000.0]
    gateway = Gateway(clock=lambda: now[0])
    gateway.starting()
    with_bot = lambda core: replace(core, gateway=gateway)  # noqa: E731
    async with web_client(web_config(sqlite_url(tmp_path)), adjust=with_bot) as web:
        starting, early = await health(web)
        now[0] += CONNECTING_GRACE + 1
        stuck, late = await health(web)
        gateway.connected()
        back, _ = await health(web)
    assert (starting, early["checks"]["bot"]["status"]) == (200, "connecting")
    assert (stuck, late["checks"]["bot"]["status"]) == (503, "down")
    assert late["checks"]["bot"]["detail"] == "connecting to Discord's gateway for 61 s"
    assert back == 200


async def test_metrics_lists_every_gamesched_metric_to_anyone(database_url: str) -> None:
    """/metrics answers in Prometheus's text format without a login or a cookie, with every
    metric the README lists (but the bot's connection, where no bot runs), each of its type,
    and the process's own."""
    async with web_client(web_config(database_url)) as web:
        answer = await web.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "set-cookie" not in answer.headers
    found = parse(answer.text)
    served = {name: kind for name, kind in found.types.items() if name.startswith("gamesched_")}
    without_bot = dict(GAMESCHED_METRICS)
    del without_bot["gamesched_discord_gateway_connected"]  # no bot runs in this process
    assert served == without_bot
    assert set(GAMESCHED_METRICS) == documented_metrics()
    assert found.has("process_cpu_seconds_total")


def documented_metrics() -> set[str]:
    """The metrics the README's "Metrics and health" table lists (counters without _total)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Metrics and health", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(gamesched_[a-z_]+)", section, flags=re.MULTILINE)
    return {name.removesuffix("_total") for name in rows}


async def test_metrics_can_be_kept_off_the_web(tmp_path: Path) -> None:
    """With metrics.on_web false the web answers /metrics with its 404 page; /healthz stays."""
    settings = config(sqlite_url(tmp_path), metrics={"on_web": False})
    async with web_client(settings) as web:
        metrics, healthz = await web.get("/metrics"), await web.get("/healthz")
    assert metrics.status_code == 404
    assert healthz.status_code == 200


async def test_a_process_serves_metrics_and_health_on_metrics_port(tmp_path: Path) -> None:
    """With metrics.port set, a process serves /metrics and /healthz there, and stops serving
    when it stops."""
    port = free_port()
    settings = config(sqlite_url(tmp_path), metrics={"port": port})
    async with open_core(settings, NOWHERE) as core:
        serving = asyncio.create_task(serve_probes(core))
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", transport=httpx.AsyncHTTPTransport(retries=3)
            ) as listener:
                status, body = await health(listener)
                found = await scrape(listener)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
    assert status == 200, body
    assert found.types["gamesched_jobs_due"] == "gauge"
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as late:
            await late.get(f"http://127.0.0.1:{port}/healthz")


async def test_no_listener_without_metrics_port(tmp_path: Path) -> None:
    """With metrics.port 0 (the default) a process opens no listener."""
    async with open_core(config(sqlite_url(tmp_path)), NOWHERE) as core:
        await asyncio.wait_for(serve_probes(core), timeout=30)  # returns at once


async def test_a_taken_metrics_port_is_a_short_error(tmp_path: Path) -> None:
    """A metrics port in use stops the process with the setting to change."""
    port = free_port()
    taken = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        settings = config(sqlite_url(tmp_path), metrics={"port": port})
        async with open_core(settings, NOWHERE) as core:
            with pytest.raises(
                ServiceUnavailable, match=r"metrics\.port \(GAMESCHED_METRICS__PORT\)"
            ):
                await serve_probes(core)
    finally:
        taken.close()
        await taken.wait_closed()
