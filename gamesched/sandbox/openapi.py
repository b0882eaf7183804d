"""Validating request bodies against Discord's own OpenAPI description.

The description (discord/discord-api-spec, ``specs/openapi.json``) is OpenAPI 3.1, whose
schemas are JSON Schema 2020-12 with ``$ref`` pointers into ``components/schemas``. Each
operation's ``application/json`` request schema is compiled once into a
:class:`jsonschema.Draft202012Validator` whose references resolve inside the whole document.

Two things about the document shape matter to callers:

- Interaction callbacks and webhook executions describe their body as ``anyOf`` the possible
  request kinds (marked ``x-discord-union: oneOf``). Plain ``anyOf`` validation is right for
  them: webhook "create" and "update" bodies overlap, so ``oneOf`` would reject valid bodies.
  When no branch matches, the branch selected by the body's ``type`` (or else the closest one)
  is the one whose errors are reported, so a bad callback reads like a bad message.
- ``SnowflakeType`` (ids) is a decimal string in the document. Discord's API also accepts ids
  as JSON integers, and disnake sends some that way (e.g. ``allowed_mentions.users``), so
  integers are accepted as ids here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URI: Final = "urn:discord-api-spec"
"""The URI the whole document is registered under; operation schemas point into it."""
API_PREFIX: Final = re.compile(r"^/api(?:/v\d+)?(?=/|$)")
"""The versioned prefix of concrete request paths (the document's server is ``/api/v10``)."""
HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
"""Keys of an OpenAPI path item that are operations."""
MAX_SHOWN_VALUE: Final = 60
"""Longest rendering of an offending value inside a message before it is cut."""
MAX_SHOWN_MESSAGE: Final = 200
"""Longest validator message passed through as it is before it is cut."""
UNION_KEYWORDS: Final = frozenset({"anyOf", "oneOf"})
"""Keywords whose failures are explained through the most fitting branch."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One HTTP operation of Discord's API."""

    method: str
    """Upper-case HTTP method, e.g. ``POST``."""
    path_template: str
    """The templated path, e.g. ``/channels/{channel_id}/messages``."""
    operation_id: str | None
    """Discord's name for it, e.g. ``create_message``."""
    json_body_pointer: str | None
    """JSON pointer to the ``application/json`` request schema; None when there is none."""
    body_required: bool
    """Whether the request body is required."""


@dataclass(frozen=True, slots=True)
class _Route:
    """A path template split for matching."""

    template: str
    """The templated path as the document spells it."""
    segments: tuple[str | None, ...]
    """Literal segments, or None where the template has a ``{parameter}``."""
    methods: Mapping[str, Operation]
    """The path's operations by upper-case HTTP method."""


class DiscordSpec:
    """Discord's OpenAPI description, for finding operations and validating request bodies."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Wrap a parsed document (left unchanged); :meth:`load` reads one from a file."""
        document = _with_integer_snowflakes(document)
        self._routes = tuple(_routes(document))
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, DRAFT202012.create_resource(document)
        )
        self._validators: dict[str, Draft202012Validator] = {}

    @classmethod
    def load(cls, path: Path) -> DiscordSpec:
        """Read the document from ``path`` (it is large: load it once and share it)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The operation a concrete request path addresses, or None.

        ``path`` may carry the ``/api/v10`` prefix and a query string. When several templates
        match, the one with literal segments earliest wins, so ``/messages/@original`` beats
        ``/messages/{message_id}``.
        """
        wanted = method.upper()
        segments = _segments(path)
        best: tuple[tuple[bool, ...], Operation] | None = None
        for route in self._routes:
            operation = route.methods.get(wanted)
            if operation is None or not _matches(route.segments, segments):
                continue
            specificity = tuple(segment is not None for segment in route.segments)
            if best is None or specificity > best[0]:
                best = (specificity, operation)
        return None if best is None else best[1]

    def validate_request(self, method: str, path: str, body: Any) -> list[str]:
        """Problems with ``body`` as the JSON body of ``method path``; [] when Discord accepts it.

        ``body`` is the decoded JSON, or None when the request has no body.
        """
        operation = self.find_operation(method, path)
        if operation is None:
            return [
                f"{method.upper()} {path} is not an operation in Discord's API description; "
                "check the method and the URL"
            ]
        where = f"{operation.method} {operation.path_template}"
        if operation.json_body_pointer is None:
            if body is None:
                return []
            return [f"{where} takes no JSON body; send the request without one"]
        if body is None:
            return [f"{where} needs a JSON body"] if operation.body_required else []
        return self._problems(operation.json_body_pointer, body)

    def validate_schema(self, schema: str, value: Any) -> list[str]:
        """Problems with ``value`` as an instance of the document's ``components/schemas``
        entry ``schema`` (e.g. an object as Discord answers it); [] when it fits."""
        return self._problems(_pointer("components", "schemas", schema), value)

    def _problems(self, pointer: str, value: Any) -> list[str]:
        validator = self._validator(pointer)
        errors = sorted(validator.iter_errors(value), key=lambda e: _path(e.absolute_path))
        return [message for error in errors for message in _explain(error)]

    def _validator(self, pointer: str) -> Draft202012Validator:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry
            )
            self._validators[pointer] = validator
        return validator


def _with_integer_snowflakes(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """A copy of the document whose ``SnowflakeType`` also admits non-negative integers."""
    components = document["components"]
    schemas = components["schemas"]
    snowflake = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    return {
        **document,
        "components": {**components, "schemas": {**schemas, "SnowflakeType": snowflake}},
    }


def _routes(document: Mapping[str, Any]) -> Iterator[_Route]:
    for template, item in document["paths"].items():
        methods: dict[str, Operation] = {}
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            body = operation.get("requestBody") or {}
            has_json = "application/json" in body.get("content", {})
            pointer = (
                _pointer(
                    "paths",
                    template,
                    method,
                    "requestBody",
                    "content",
                    "application/json",
                    "schema",
                )
                if has_json
                else None
            )
            methods[method.upper()] = Operation(
                method=method.upper(),
                path_template=template,
                operation_id=operation.get("operationId"),
                json_body_pointer=pointer,
                body_required=bool(body.get("required")),
            )
        segments = tuple(
            None if part.startswith("{") and part.endswith("}") else part
            for part in _segments(template)
        )
        yield _Route(template=template, segments=segments, methods=methods)


def _pointer(*parts: str) -> str:
    """A URI-fragment JSON pointer (RFC 6901 escaping, then percent-encoding)."""
    return "".join("/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


def _segments(path: str) -> tuple[str, ...]:
    bare = API_PREFIX.sub("", path.split("?", 1)[0])
    return tuple(part for part in bare.strip("/").split("/"))


def _matches(template: tuple[str | None, ...], concrete: tuple[str, ...]) -> bool:
    return len(template) == len(concrete) and all(
        part == want if want is not None else part != ""
        for want, part in zip(template, concrete, strict=True)
    )


def _path(parts: Iterable[str | int]) -> str:
    """``embeds[0].fields[3].value`` from ``["embeds", 0, "fields", 3, "value"]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _explain(error: ValidationError) -> Iterator[str]:
    """Readable messages for one error, looking inside ``anyOf``/``oneOf`` for the real fault."""
    if error.validator in UNION_KEYWORDS and error.context:
        constants = _constants(error)
        if constants:
            where = _path(error.absolute_path) or "(body)"
            yield f"{where}: {_show(error.instance)} is not one of {constants}"
            return
        branch = _closest_branch(error)
        if branch is not None:
            for inner in sorted(branch, key=lambda e: _path(e.absolute_path)):
                yield from _explain(inner)
            return
        allowed = _discriminators(error)
        if allowed:
            kind = error.instance.get("type") if isinstance(error.instance, Mapping) else None
            yield (
                f"{_path([*error.absolute_path, 'type'])}: {kind!r} is not allowed here; "
                f"use one of {sorted(allowed)}"
            )
            return
    yield f"{_path(error.absolute_path) or '(body)'}: {_describe(error)}"


def _closest_branch(error: ValidationError) -> list[ValidationError] | None:
    """The failing errors of the union branch that fits the instance best, if one fits at all.

    A branch does not fit when the instance has the wrong JSON type for it or names another
    ``type`` (the discriminator Discord uses for components and callbacks). Of the fitting
    branches, the one with the fewest errors is chosen.
    """
    branches: dict[Any, list[ValidationError]] = {}
    for inner in error.context or ():
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    fitting = [errors for errors in branches.values() if not any(map(_wrong_kind, errors))]
    return min(fitting, key=len) if fitting else None


def _wrong_kind(error: ValidationError) -> bool:
    relative = list(error.relative_path)
    if error.validator == "type" and not relative:
        return True
    return relative == ["type"] and error.validator in ("enum", "const")


def _constants(error: ValidationError) -> list[Any]:
    """The allowed values of an enumeration written as a union of ``const`` branches."""
    inner = error.context or []
    if all(e.validator == "const" and not e.relative_path for e in inner):
        return [e.validator_value for e in inner]
    return []


def _discriminators(error: ValidationError) -> set[Any]:
    """The ``type`` values the branches of a union accept, when they are told apart by it."""
    allowed: set[Any] = set()
    for inner in error.context or ():
        if list(inner.relative_path) == ["type"] and inner.validator == "enum":
            allowed.update(cast(list[Any], inner.validator_value))  # the enum's allowed list
    return allowed


def _describe(error: ValidationError) -> str:
    value: Any = error.instance  # the offending part of the payload, set on every error
    limit = error.validator_value
    match error.validator:
        case "maxLength":
            return f"is {len(value)} characters long; Discord allows at most {limit}"
        case "minLength":
            return f"is {len(value)} characters long; it needs at least {limit}"
        case "maxItems":
            return f"has {len(value)} items; Discord allows at most {limit}"
        case "minItems":
            return f"has {len(value)} items; it needs at least {limit}"
        case "type":
            return f"{_show(value)} has the wrong type; expected {limit}"
        case "maximum" | "minimum":
            return f"{value} is out of range ({error.validator} {limit})"
        case "enum":
            return f"{_show(value)} is not one of {limit}"
    return _cut(error.message, MAX_SHOWN_MESSAGE)


def _show(value: Any) -> str:
    return _cut(json.dumps(value, ensure_ascii=False, default=str), MAX_SHOWN_VALUE)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
