"""``/metrics`` and ``/healthz``: what every gamesched process says about itself.

The web service serves both beside its pages (``/metrics`` unless ``metrics.on_web`` is
off). A process may also serve them alone on ``metrics.port`` (:func:`probe_app`): the only
way to watch a worker, or the bot when it runs alone. Neither route needs a login, reads a
session or changes anything, so the login and CSRF checks never stand in their way.

``/healthz`` answers 200 when everything this process needs answers, else 503, with one
entry per check in JSON:

- ``database``: a small read within :data:`CHECK_SECONDS`;
- ``redis``: a PING within the same time, when ``broker.url`` is set (else ``not_used``);
- ``bot``: the gateway connection of the bot this process runs. A bot that is connecting
  (starting, or reconnecting as Discord asks bots to now and then) counts as healthy for
  :data:`CONNECTING_GRACE`; longer is ``down``. A process without the bot (``gamesched web``
  or ``gamesched worker`` alone) cannot see another process's connection and says
  ``elsewhere``, which does not count: ask that process's own ``/healthz``.

What failed is named by the error's kind only (the process log has the whole message), so a
public ``/healthz`` shows no host names or addresses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gamesched.metrics import CONTENT_TYPE, GatewayState, ScrapeTime, count_error, exposition
from gamesched.services.workers import Queue, queue

if TYPE_CHECKING:  # gamesched.app imports webauth to serve the web
    from gamesched.app import Core

log = logging.getLogger(__name__)
T = TypeVar("T")

CHECK_SECONDS = 3.0
"""How long each check may take before it counts as down (a load balancer's probe usually
waits 5 s)."""
CONNECTING_GRACE = 60.0
"""Seconds a bot may spend connecting or reconnecting before ``/healthz`` calls it down."""
NO_STORE = {"Cache-Control": "no-store"}


class Status(StrEnum):
    OK = "ok"
    DOWN = "down"
    """Needed and not working: ``/healthz`` answers 503."""
    CONNECTING = "connecting"
    """The bot is (re)connecting, for less than :data:`CONNECTING_GRACE`."""
    NOT_USED = "not_used"
    ELSEWHERE = "elsewhere"
    """Not in this process (the bot, seen from the web or a worker alone)."""


@dataclass(frozen=True, slots=True)
class Check:
    status: Status
    detail: str
    """What was found, safe to show anyone."""
    logged: str = ""
    """The whole error, for the process log only."""

    def shown(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


class Probes:
    """The two routes for one process's core; logs a check when it goes down or comes back
    (not on every probe: load balancers ask every few seconds)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._last: dict[str, Status] = {}

    async def health(self) -> dict[str, Check]:
        """Every check, run together."""
        database, redis = await asyncio.gather(self._database(), self._redis())
        checks = {"database": database, "redis": redis, "bot": self._bot()}
        for name, check in checks.items():
            self._note(name, check)
        return checks

    async def healthz(self, request: Request) -> Response:
        checks = await self.health()
        healthy = all(check.status is not Status.DOWN for check in checks.values())
        body: dict[str, Any] = {
            "status": Status.OK if healthy else Status.DOWN,
            "checks": {name: check.shown() for name, check in checks.items()},
        }
        return JSONResponse(body, status_code=200 if healthy else 503, headers=NO_STORE)

    async def metrics(self, request: Request) -> Response:
        """This process's metrics, with the queue read now (left out if the database fails)."""
        found = ScrapeTime(gateway=self._core.gateway)
        waiting = await self._queue()
        if isinstance(waiting, Queue):
            found = replace(
                found, due=waiting.due, oldest_due_seconds=waiting.oldest_waited.total_seconds()
            )
        return Response(exposition(found), media_type=CONTENT_TYPE, headers=NO_STORE)

    async def _queue(self) -> Queue | Exception:
        """The queue, or why it could not be read (every failure counted once: the use case's
        transaction counts what the database said, a wait cut short is counted here)."""
        try:
            return await _within(queue(self._core.services))
        except TimeoutError as error:
            count_error("database", error)
            return error
        except Exception as error:
            return error

    async def _database(self) -> Check:
        read = await self._queue()
        return _down(read) if isinstance(read, Exception) else Check(Status.OK, "answered")

    async def _redis(self) -> Check:
        redis = self._core.redis
        if redis is None:
            return Check(Status.NOT_USED, "broker.url is empty: one process, no Redis")
        try:
            await _within(redis.ping())
        except Exception as error:
            count_error("redis", error)
            return _down(error)
        return Check(Status.OK, "answered PING")

    def _bot(self) -> Check:
        gateway = self._core.gateway
        seconds = int(gateway.seconds_in_state)
        if gateway.state is GatewayState.ABSENT:
            return Check(
                Status.ELSEWHERE,
                "the bot does not run in this process; its own /healthz (metrics.port) tells",
            )
        if gateway.state is GatewayState.CONNECTED:
            return Check(Status.OK, f"connected to Discord's gateway for {seconds} s")
        connecting = f"connecting to Discord's gateway for {seconds} s"
        if gateway.seconds_in_state < CONNECTING_GRACE:
            return Check(Status.CONNECTING, connecting)
        return Check(Status.DOWN, connecting)

    def _note(self, name: str, check: Check) -> None:
        before = self._last.get(name)
        self._last[name] = check.status
        if check.status is Status.DOWN and before is not Status.DOWN:
            log.warning("health check %s is down: %s", name, check.logged or check.detail)
        elif before is Status.DOWN and check.status is not Status.DOWN:
            log.info("health check %s is %s again", name, check.status)


async def _within(work: Awaitable[T]) -> T:
    """``work``, or TimeoutError after :data:`CHECK_SECONDS`."""
    return await asyncio.wait_for(work, CHECK_SECONDS)


def _down(error: Exception) -> Check:
    if isinstance(error, TimeoutError):
        return Check(Status.DOWN, f"no answer within {CHECK_SECONDS:g} s")
    cause = getattr(error, "orig", None) or error
    return Check(Status.DOWN, f"failed: {type(cause).__name__}", logged=str(cause))


def probe_routes(core: Core, *, metrics: bool = True) -> list[BaseRoute]:
    """``/healthz``, and ``/metrics`` when ``metrics``, for ``core``'s process."""
    probes = Probes(core)
    routes: list[BaseRoute] = [Route("/healthz", probes.healthz, methods=["GET"])]
    if metrics:
        routes.append(Route("/metrics", probes.metrics, methods=["GET"]))
    return routes


def probe_app(core: Core) -> Starlette:
    """The two routes alone, for ``metrics.port``."""
    return Starlette(routes=probe_routes(core))
