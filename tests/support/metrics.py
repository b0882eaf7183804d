"""Reading a process's ``/metrics`` as Prometheus reads it, and a web app to read it from.

The metrics of one process live in one registry, so a test compares what it reads before and
after it acts (other tests of the same run counted too).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.config import Config
from gamesched.metrics import REGISTRY
from tests.support.web import client_for
from webauth.app import create_app

NOWHERE = DiscordTarget(api_base_url="http://127.0.0.1:9/api/v10", token="unused")
"""A Discord for web apps whose tests never ask it anything."""


@dataclass(frozen=True)
class Scrape:
    """One read of ``/metrics``."""

    samples: Mapping[tuple[str, frozenset[tuple[str, str]]], float]
    """(sample name, labels) -> value."""
    types: Mapping[str, str]
    """Metric family name -> its type (counter, gauge, histogram...)."""

    def __call__(self, name: str, **labels: str) -> float:
        """The sample's value; 0 for one not counted yet."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def has(self, name: str) -> bool:
        """Whether any sample of that name was served."""
        return any(sample == name for sample, _ in self.samples)


def counted(name: str, **labels: str) -> float:
    """A sample of this process's registry as it stands (0 before anything was counted), for
    tests of one counting point that need no web app."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def parse(text: str) -> Scrape:
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return Scrape(samples, types)


async def scrape(client: httpx.AsyncClient, url: str = "/metrics") -> Scrape:
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain"), answer.headers
    return parse(answer.text)


async def scrape_until(
    client: httpx.AsyncClient, ready: Callable[[Scrape], bool], *, within: float = 30.0
) -> Scrape:
    """Scrape until ``ready`` holds: the bot counts an answer just after Discord received it."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = await scrape(client)
        if ready(found):
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/metrics did not show it within {within} s")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def web_client(
    config: Config,
    target: DiscordTarget = NOWHERE,
    *,
    adjust: Callable[[Core], Core] = lambda core: core,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the web app of a core opened on ``config`` (changed by ``adjust`` first:
    another clock, database or bot)."""
    async with open_core(config, target) as core, client_for(create_app(adjust(core))) as client:
        yield client
