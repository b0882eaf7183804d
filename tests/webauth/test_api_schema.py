"""The API against its own OpenAPI document: a bounded property-based run of schemathesis.

Schemathesis generates requests for every operation from the document the site serves (valid
ones, and for operations that take a body or a query also invalid ones); each goes to the app
in-process as a logged-in server owner with the session's CSRF token and the site's Origin,
and every answer must be no server error and match the document: a documented status, its
content type, its headers and its body's schema. Generated ids are often swapped for ones
that exist (the guild, a channel, a fresh game), so answers of success are checked as much as
refusals. The run is seeded (``derandomize``), keeps no example database and has no deadline,
so it is the same run every time.

Requests go through httpx on the test's event loop, where the core's database connections and
the sandbox live, rather than schemathesis's own ASGI client (which runs the app on an event
loop of its own in another thread); schemathesis generates the cases and checks the answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.api import Api, api_as, iso, new_game, soon
from tests.support.demo import BOARD_GAMES, GUILD, allow_game_hosts
from tests.support.web import SITE, Site
from webauth.api.errors import OPENAPI_PATH

Operation = schemathesis.APIOperation[Any, Any, Any, Any]
Case = schemathesis.Case[Any]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12
"""Rounds of the run; each round sends one generated request to every operation."""
WRITES_LAST = {"GET": 0, "POST": 1, "PUT": 2, "DELETE": 3}
"""Reads first, then writes; cancelling the round's game comes last."""
KNOWN_IDS = {"guild_id": str(GUILD), "channel_id": str(BOARD_GAMES)}


@dataclass
class Fuzz:
    """The logged-in owner's client, and the document's operations in the order sent."""

    api: Api
    operations: list[Operation]
    strategies: dict[tuple[str, GenerationMode], st.SearchStrategy[Case]]
    """Each operation's cases: valid ones, and for operations taking input invalid ones too."""

    async def fresh_game(self) -> str:
        """A scheduled game for this round's requests to find (its 201 checked too)."""
        create = next(op for op in self.operations if op.label == "POST /api/v1/games")
        case = create.Case(body=new_game(), media_type="application/json")
        response = await self.send(case)
        assert response.status_code == 201, response.text
        case.validate_response(response, checks=CHECKS)
        game_id: str = response.json()["id"]
        return game_id

    async def send(self, case: Case) -> httpx.Response:
        """``case`` sent to the app as the owner's browser would send it."""
        sent = case.as_transport_kwargs(base_url=SITE)
        headers = {**sent["headers"], **self.api.headers()}
        body: dict[str, Any] = {}
        if "json" in sent:
            body["json"] = sent["json"]
        elif sent.get("data") is not None:
            body["content"] = sent["data"]
        return await self.api.browser.request(
            sent["method"], sent["url"], headers=headers, params=sent.get("params"), **body
        )


@pytest.fixture
async def fuzz(site: Site) -> AsyncIterator[Fuzz]:
    """The served document loaded into schemathesis, and the owner (olivia) logged in."""
    await allow_game_hosts(site)
    api = await api_as(site, "olivia")
    served = await site.browser.get(OPENAPI_PATH)
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json())
    loaded = list(schema.get_all_operations())
    operations = [result.ok() for result in loaded if isinstance(result, Ok)]
    assert len(operations) == len(loaded)  # every operation of the document loads
    operations.sort(key=lambda op: (WRITES_LAST[op.method.upper()], op.path))
    strategies = {
        (op.label, mode): op.as_strategy(mode)
        for op in operations
        for mode in (GenerationMode if has_input(op) else [GenerationMode.POSITIVE])
    }
    yield Fuzz(api, operations, strategies)
    await site.core.sync.wait_idle()


def with_known_ids(case: Case, game_id: str) -> None:
    """Point the case's path at things that exist, and a create at a channel it may use."""
    for name in case.path_parameters or {}:
        case.path_parameters[name] = game_id if name == "id" else KNOWN_IDS[name]
    for name in KNOWN_IDS.keys() & (case.query or {}).keys():
        case.query[name] = KNOWN_IDS[name]
    if case.operation.path == "/api/v1/games" and isinstance(case.body, dict):
        case.body.update(KNOWN_IDS, scheduled_at=iso(soon()))
        case.body.pop("when", None)


def has_input(operation: Operation) -> bool:
    """Whether the operation takes a body or query parameters (what invalid data is made of)."""
    definition = operation.definition.raw
    return "requestBody" in definition or any(
        p.get("in") == "query" for p in definition.get("parameters", [])
    )


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        # One logged-in site serves every example, on purpose: logging in per example
        # would only slow the run down.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_every_answer_matches_the_api_description(fuzz: Fuzz, data: st.DataObject) -> None:
    """Generated requests to every operation never get a 5xx, and every answer has a status,
    content type, headers and body the OpenAPI document describes."""
    game_id = await fuzz.fresh_game()
    for operation in fuzz.operations:
        modes = [mode for label, mode in fuzz.strategies if label == operation.label]
        mode = data.draw(st.sampled_from(modes), label="mode")
        case = data.draw(fuzz.strategies[operation.label, mode], label=operation.label)
        if data.draw(st.booleans(), label="known ids"):
            with_known_ids(case, game_id)
        response = await fuzz.send(case)
        case.validate_response(response, checks=CHECKS)
