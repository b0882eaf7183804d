"""The API's OpenAPI document: served, complete (every route and only the routes), valid."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from gamesched.app import Core
from webauth.api.errors import OPENAPI_PATH, PREFIX
from webauth.api.openapi import document
from webauth.app import create_app

METHODS = {"get", "put", "post", "delete", "patch"}


def served_operations(app: Starlette) -> set[tuple[str, str]]:
    """(method, path) of every API route ``app`` serves (HEAD comes with GET)."""
    (mount,) = [r for r in app.routes if isinstance(r, Mount) and r.path == PREFIX]
    found = set()
    for route in mount.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method.lower(), PREFIX + route.path))
    return found


def documented_operations() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document()["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_route_is_described_and_nothing_else(core: Core) -> None:
    """The document names exactly the routes the site serves under /api/v1: none served
    undescribed, none described that is not served."""
    served = served_operations(create_app(core))
    assert len(served) == 19
    assert served == documented_operations()


def test_every_operation_describes_its_answers_with_schemas() -> None:
    """Each operation has a success answer and its refusals, each a JSON body with a schema;
    every write names the CSRF header, every read but the public ones the session."""
    doc = document()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses: dict[str, Any] = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            for code, answer in responses.items():
                schema = answer["content"]["application/json"]["schema"]
                assert schema, (method, path, code)
            if method != "get" and path != f"{PREFIX}/auth/login":
                assert operation["security"] == [{"session": [], "csrf": []}], (method, path)
                assert "403" in responses
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(responses), (method, path)


def test_the_schemas_are_valid_json_schema() -> None:
    """Every component schema is valid JSON Schema 2020-12 (OpenAPI 3.1's dialect) and every
    reference points at a component that exists."""
    doc = document()
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)

    def refs(value: Any) -> set[str]:
        if isinstance(value, dict):
            own = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
            return own.union(*(refs(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(refs(v) for v in value))
        return set()

    prefix = "#/components/schemas/"
    assert {ref.removeprefix(prefix) for ref in refs(doc)} <= set(schemas)
    assert all(ref.startswith(prefix) for ref in refs(doc))


async def test_the_document_is_served_without_a_login(client: httpx.AsyncClient) -> None:
    """GET /api/v1/openapi.json answers the document as JSON to anyone."""
    response = await client.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == document()
