"""A gateway-less Discord REST client: messages, DMs and member lookups with the bot token.

Rate limits are honoured the way Discord documents them: a bucket whose ``Remaining`` hit
zero waits ``Reset-After`` before its next request, a 429 waits ``retry_after`` and retries,
and 5xx answers or broken connections are retried with exponential backoff. The token never
appears in an exception, a repr or a log line.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

log = logging.getLogger(__name__)

USER_AGENT = "DiscordBot (https://github.com/gamesched/gamesched, 0.1)"
MAJOR_PARAMETER = re.compile(r"/(channels|guilds|webhooks)/(\d+)")
NUMBER = re.compile(r"/\d+")
BACKOFF_SECONDS = 0.5


class DiscordError(Exception):
    """Discord refused or could not answer a request. The text is safe to log."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"Discord answered {status} (code {code}): {message}")
        self.status = status
        self.code = code
        self.message = message


class DiscordForbidden(DiscordError):
    """403: missing permission (50013), missing access (50001), closed DMs (50007)."""


class DiscordNotFound(DiscordError):
    """404: unknown channel, message, member or user."""


class DiscordUnavailable(DiscordError):
    """5xx answers or network errors after every retry."""


CLOSED_DMS = 50007
"""Discord's code for "Cannot send messages to this user"."""


def _route_key(method: str, path: str) -> str:
    """The rate-limit route: method and path with ids replaced, major parameters kept."""
    major = ":".join(m.group(2) for m in MAJOR_PARAMETER.finditer(path))
    return f"{method} {NUMBER.sub('/{id}', path)} {major}"


class DiscordRest:
    """Discord's REST API with the bot token."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        client: httpx.AsyncClient | None = None,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT}
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0))
        self._owns_client = client is None
        self._max_retries = max_retries
        self._sleep = sleep
        self._bucket_of_route: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._reset_at: dict[str, float] = {}
        self._dm_channels: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"DiscordRest(base_url={self._base_url!r})"

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # ----- the calls gamesched makes --------------------------------------------------

    async def create_message(self, channel_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await self._json("POST", f"/channels/{channel_id}/messages", payload)

    async def edit_message(
        self, channel_id: int, message_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        return await self._json("PATCH", f"/channels/{channel_id}/messages/{message_id}", payload)

    async def delete_message(self, channel_id: int, message_id: int) -> None:
        await self._request("DELETE", f"/channels/{channel_id}/messages/{message_id}")

    async def get_message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        return await self._json("GET", f"/channels/{channel_id}/messages/{message_id}")

    async def send_dm(self, user_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Open (once per user) the DM channel and post into it."""
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            channel = await self._json(
                "POST", "/users/@me/channels", {"recipient_id": str(user_id)}
            )
            channel_id = self._dm_channels[user_id] = int(channel["id"])
        return await self.create_message(channel_id, payload)

    async def get_channel(self, channel_id: int) -> dict[str, Any]:
        return await self._json("GET", f"/channels/{channel_id}")

    async def get_guild(self, guild_id: int) -> dict[str, Any]:
        return await self._json("GET", f"/guilds/{guild_id}")

    async def get_roles(self, guild_id: int) -> list[dict[str, Any]]:
        return await self._json("GET", f"/guilds/{guild_id}/roles")  # type: ignore[return-value]

    async def get_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self._json("GET", f"/guilds/{guild_id}/members/{user_id}")

    async def list_members(
        self, guild_id: int, *, limit: int = 1000, after: int = 0
    ) -> list[dict[str, Any]]:
        path = f"/guilds/{guild_id}/members?limit={limit}&after={after}"
        return await self._json("GET", path)  # type: ignore[return-value]

    async def search_members(
        self, guild_id: int, query: str, *, limit: int = 1000
    ) -> list[dict[str, Any]]:
        params = httpx.QueryParams({"query": query, "limit": limit})
        path = f"/guilds/{guild_id}/members/search?{params}"
        return await self._json("GET", path)  # type: ignore[return-value]

    # ----- plumbing -------------------------------------------------------------------

    async def _json(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self._request(method, path, payload)
        data: dict[str, Any] = response.json()
        return data

    async def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        route = _route_key(method, path.split("?")[0])
        failures = 0
        while True:
            bucket = self._bucket_of_route.get(route, route)
            lock = self._locks.setdefault(bucket, asyncio.Lock())
            async with lock:
                await self._wait_for_bucket(bucket)
                response: httpx.Response | None = None
                try:
                    response = await self._client.request(
                        method,
                        self._base_url + path,
                        json=None if payload is None else dict(payload),
                        headers=self._headers,
                    )
                except httpx.TransportError as error:
                    problem = type(error).__name__
                else:
                    self._note_bucket(route, response)
            if response is not None and response.status_code == 429:
                await self._sleep(_retry_after(response))
                continue
            if response is not None and response.status_code < 500:
                if response.is_success:
                    return response
                raise _error_for(response)
            failures += 1
            if response is not None:
                problem = f"HTTP {response.status_code}"
            if failures > self._max_retries:
                raise DiscordUnavailable(
                    response.status_code if response is not None else 0,
                    0,
                    f"{method} {route.split(' ')[1]} failed {failures} times ({problem})",
                )
            log.info("Discord %s on %s %s; retry %d", problem, method, route, failures)
            await self._sleep(BACKOFF_SECONDS * 2 ** (failures - 1))

    async def _wait_for_bucket(self, bucket: str) -> None:
        delay = self._reset_at.pop(bucket, 0.0) - time.monotonic()
        if delay > 0:
            await self._sleep(delay)

    def _note_bucket(self, route: str, response: httpx.Response) -> None:
        headers = response.headers
        bucket = headers.get("X-RateLimit-Bucket")
        if bucket:
            self._bucket_of_route[route] = bucket
        key = self._bucket_of_route.get(route, route)
        if headers.get("X-RateLimit-Remaining") == "0":
            reset_after = float(headers.get("X-RateLimit-Reset-After", "0") or 0)
            self._reset_at[key] = time.monotonic() + reset_after


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.json().get("retry_after", 1.0))
    except (ValueError, AttributeError):
        return float(response.headers.get("Retry-After", "1") or 1)


def _error_for(response: httpx.Response) -> DiscordError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = int(body.get("code", 0)) if isinstance(body, dict) else 0
    message = str(body.get("message", response.reason_phrase)) if isinstance(body, dict) else ""
    kind = {403: DiscordForbidden, 404: DiscordNotFound}.get(response.status_code, DiscordError)
    return kind(response.status_code, code, message)
