"""A gateway-less Discord REST client: messages, DMs and member lookups with the bot token.

Rate limits are honoured the way Discord documents them. Requests are serialised per bucket
(one in flight at a time, like disnake does); a bucket whose ``X-RateLimit-Remaining`` hit zero
waits ``X-RateLimit-Reset-After`` before its next request; no more than 50 requests start in
any second (Discord's global limit); a 429 waits the body's
``retry_after`` (every bucket waits when it is global) and is retried without counting as a
failure; 5xx answers and broken connections are retried with exponential backoff, then raise
:class:`DiscordUnavailable`. Other 4xx answers raise at once with Discord's code and message.

A DM goes to the member's DM channel, which Discord opens with a request of its own. Its id
is remembered in this process and, given a :class:`DmChannelStore`, for every process and
after restarts, so a DM to a member written to before is one request, not two.

The token never appears in an exception, a repr or a log line: it lives only in the request
headers, and Discord's error texts are scrubbed of it before they are raised.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from typing import Any, Protocol

import httpx

from gamesched.discord.pacing import LocalPacer, Pacer
from gamesched.metrics import DISCORD_RATE_LIMITED, DISCORD_RETRIES

log = logging.getLogger(__name__)

USER_AGENT = f"DiscordBot (https://github.com/gamesched/gamesched, {version('gamesched')})"
BACKOFF_SECONDS = 0.5
"""The first wait after a 5xx or a broken connection; it doubles on each further failure."""

_MINOR_ID = re.compile(r"(?<!/channels)(?<!/guilds)(?<!/webhooks)/\d+")
_MAJOR_ID = re.compile(r"/(?:channels|guilds|webhooks)/(\d+)")

CLOSED_DMS = 50007
"""Discord's code for "Cannot send messages to this user" (the user closed their DMs)."""
UNKNOWN_CHANNEL = 10003
"""Discord's code for "Unknown Channel": deleted, or a DM channel that is gone."""
MISSING_PERMISSIONS = 50013
"""Discord's code for "Missing Permissions"."""

_HINTS = {
    50001: "the bot cannot see that channel; add it to the channel or its category",
    MISSING_PERMISSIONS: "give the bot View Channel, Send Messages and Embed Links in that channel",
    CLOSED_DMS: "the user does not accept direct messages from this server's members",
    UNKNOWN_CHANNEL: "the channel was deleted; pick another one",
    10008: "the message was deleted",
}
"""How to fix the refusals gamesched meets most, appended to Discord's own text."""
EVENTS_PERMISSION_HINT = "give the bot Manage Events (or Create Events) in the server"
"""The fix for a Missing Permissions (50013) on the scheduled-event routes: the message
permissions the general hint names have nothing to do with events."""
_EVENT_HINTS = {MISSING_PERMISSIONS: EVENTS_PERMISSION_HINT}
"""Hints on the scheduled-event routes, ahead of ``_HINTS``."""
_BAD_TOKEN = "check the bot token in the configuration"


class DiscordError(Exception):
    """Discord refused or could not answer a request. The text is safe to log and show."""

    def __init__(self, status: int, code: int, message: str, *, path: str = "") -> None:
        """``path`` is the request's (it picks the hint where a route has its own)."""
        hint = (
            (_EVENT_HINTS.get(code) if "/scheduled-events" in path else None)
            or _HINTS.get(code)
            or (_BAD_TOKEN if status == 401 else None)
        )
        self.status = status
        """The HTTP status (0 when Discord could not be reached at all)."""
        self.code = code
        """Discord's JSON error code (0 when there was none)."""
        self.message = f"{message} ({hint})" if hint else message
        """A short summary for logs and operators."""
        super().__init__(f"Discord answered {status} (code {code}): {self.message}")


class DiscordForbidden(DiscordError):
    """403: missing permissions (50013), missing access (50001), closed DMs (50007)."""


class DiscordNotFound(DiscordError):
    """404: unknown channel (10003), message (10008), member (10007), user (10013)..."""


class DiscordUnavailable(DiscordError):
    """5xx answers or network errors after every retry."""


class DmChannelStore(Protocol):
    """Where members' DM channel ids are remembered beyond this process (the database)."""

    async def recall(self, user_ids: Collection[int]) -> Mapping[int, int]:
        """User id -> DM channel id, for those of ``user_ids`` that have one remembered."""
        ...

    async def remember(self, user_id: int, channel_id: int) -> None:
        """Remember the DM channel Discord opened for ``user_id``."""
        ...

    async def forget(self, user_id: int, channel_id: int) -> None:
        """Forget ``channel_id`` (Discord no longer knows it), unless a newer one replaced it."""
        ...


def _route(method: str, path: str) -> str:
    """The rate-limit route: method and path template, major parameters kept as they are."""
    return f"{method} {_MINOR_ID.sub('/{id}', path)}"


class DiscordRest:
    """Discord's REST API with the bot token. One instance per process; close with aclose()."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        client: httpx.AsyncClient | None = None,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
        dm_channels: DmChannelStore | None = None,
    ) -> None:
        """``pacer`` keeps requests under Discord's global limit: by default this process
        alone; pass a :class:`~gamesched.discord.pacing.RedisPacer` to share the limit with
        the other processes of a deployment. ``dm_channels`` remembers members' DM channels
        for every process; without it they are remembered by this process alone."""
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._headers = {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT}
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0))
        self._owns_client = client is None
        self._max_retries = max_retries
        self._sleep = sleep
        self._clock = clock
        self._bucket_of_route: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._reset_at: dict[str, float] = {}
        self._global_reset_at = 0.0
        self._dm_channels: dict[int, int | None] = {}
        """User id -> DM channel id; None when the store had none for the user."""
        self._dm_store = dm_channels
        self._pacer = pacer or LocalPacer(clock=clock, sleep=sleep)

    def __repr__(self) -> str:
        return f"DiscordRest(base_url={self._base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP client if this instance created it."""
        if self._owns_client:
            await self._client.aclose()

    # ----- the calls gamesched makes --------------------------------------------------

    async def create_message(self, channel_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await self._object("POST", f"/channels/{channel_id}/messages", body=payload)

    async def edit_message(
        self, channel_id: int, message_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        path = f"/channels/{channel_id}/messages/{message_id}"
        return await self._object("PATCH", path, body=payload)

    async def delete_message(self, channel_id: int, message_id: int) -> None:
        await self._request("DELETE", f"/channels/{channel_id}/messages/{message_id}")

    async def get_message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        return await self._object("GET", f"/channels/{channel_id}/messages/{message_id}")

    async def send_dm(self, user_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Post into the user's DM channel: the remembered one, else one opened now and
        remembered. When Discord no longer knows a remembered channel (Unknown Channel),
        it is forgotten and the DM goes, once, to a channel opened afresh.

        Raises :class:`DiscordForbidden` with code ``CLOSED_DMS`` when the user refuses DMs.
        """
        await self.recall_dm_channels((user_id,))
        channel_id = self._dm_channels.get(user_id)
        if channel_id is not None:
            try:
                return await self.create_message(channel_id, payload)
            except DiscordNotFound as error:
                if error.code != UNKNOWN_CHANNEL:
                    raise
                log.info("The DM channel of user %s is gone; opening a new one", user_id)
                await self._forget_dm_channel(user_id, channel_id)
        channel_id = await self._open_dm_channel(user_id)
        return await self.create_message(channel_id, payload)

    async def recall_dm_channels(self, user_ids: Iterable[int]) -> None:
        """Look up, in one go, the remembered DM channels of users about to get a DM (a
        reminder round's players), so their DMs need no lookup each."""
        unknown = [user for user in dict.fromkeys(user_ids) if user not in self._dm_channels]
        if not unknown:
            return
        found = await self._dm_store.recall(unknown) if self._dm_store is not None else {}
        for user_id in unknown:
            self._dm_channels.setdefault(user_id, found.get(user_id))

    async def _open_dm_channel(self, user_id: int) -> int:
        body = {"recipient_id": str(user_id)}
        channel_id = int((await self._object("POST", "/users/@me/channels", body=body))["id"])
        self._dm_channels[user_id] = channel_id
        if self._dm_store is not None:
            await self._dm_store.remember(user_id, channel_id)
        return channel_id

    async def _forget_dm_channel(self, user_id: int, channel_id: int) -> None:
        if self._dm_channels.get(user_id) == channel_id:
            self._dm_channels[user_id] = None
        if self._dm_store is not None:
            await self._dm_store.forget(user_id, channel_id)

    async def get_channel(self, channel_id: int) -> dict[str, Any]:
        return await self._object("GET", f"/channels/{channel_id}")

    async def get_guild(self, guild_id: int) -> dict[str, Any]:
        return await self._object("GET", f"/guilds/{guild_id}")

    async def get_guild_channels(self, guild_id: int) -> list[dict[str, Any]]:
        return await self._list(f"/guilds/{guild_id}/channels")

    async def get_bot_user(self) -> dict[str, Any]:
        """The bot's own user (its id tells its member entry apart in a guild)."""
        return await self._object("GET", "/users/@me")

    async def list_bot_guilds(self) -> list[dict[str, Any]]:
        """Every guild the bot is in (partial guild objects), paged by Discord's 200 a call."""
        guilds: list[dict[str, Any]] = []
        while True:
            after = guilds[-1]["id"] if guilds else 0
            page = await self._list("/users/@me/guilds", params={"limit": 200, "after": after})
            guilds += page
            if len(page) < 200:
                return guilds

    async def get_roles(self, guild_id: int) -> list[dict[str, Any]]:
        return await self._list(f"/guilds/{guild_id}/roles")

    async def get_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self._object("GET", f"/guilds/{guild_id}/members/{user_id}")

    async def list_members(
        self, guild_id: int, *, limit: int = 1000, after: int = 0
    ) -> list[dict[str, Any]]:
        """One page of members with ids above ``after`` (needs the Server Members intent)."""
        params = {"limit": limit, "after": after}
        return await self._list(f"/guilds/{guild_id}/members", params=params)

    async def search_members(
        self, guild_id: int, query: str, *, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Members whose username or nickname starts with ``query``."""
        params: dict[str, str | int] = {"query": query, "limit": limit}
        return await self._list(f"/guilds/{guild_id}/members/search", params=params)

    # ----- plumbing -------------------------------------------------------------------

    async def _object(
        self, method: str, path: str, *, body: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = (await self._request(method, path, body=body)).json()
        return data

    async def _list(
        self, path: str, *, params: Mapping[str, str | int] | None = None
    ) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = (await self._request("GET", path, params=params)).json()
        return data

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx.Response:
        route = _route(method, path)
        failures = 0
        while True:
            bucket = self._bucket_of_route.get(route, route)
            async with self._locks.setdefault(bucket, asyncio.Lock()):
                if bucket != self._bucket_of_route.get(route, route):
                    continue  # an answer just named the route's shared bucket: queue there
                await self._wait_until(self._reset_at.pop(bucket, 0.0))
                await self._wait_until(self._global_reset_at)
                await self._pacer.wait()
                try:
                    response = await self._client.request(
                        method,
                        self._base_url + path,
                        json=None if body is None else dict(body),
                        params=params,
                        headers=self._headers,
                    )
                except httpx.TransportError as error:
                    status, problem = 0, type(error).__name__
                else:
                    status, problem = response.status_code, f"HTTP {response.status_code}"
                    self._note_limits(route, path, response)
                    if response.status_code == 429:
                        continue  # _note_limits stored the wait; a 429 is not a failure
                    if response.is_success:
                        return response
                    if response.status_code < 500:
                        raise self._error(response, path)
            failures += 1
            if failures > self._max_retries:
                raise DiscordUnavailable(
                    status, 0, f"{route} failed {failures} times ({problem}); try again later"
                )
            delay = BACKOFF_SECONDS * 2 ** (failures - 1)
            log.warning("Discord %s on %s; retry %d in %.1fs", problem, route, failures, delay)
            DISCORD_RETRIES.labels("unreachable" if status == 0 else "server_error").inc()
            await self._sleep(delay)

    async def _wait_until(self, deadline: float) -> None:
        delay = deadline - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def _note_limits(self, route: str, path: str, response: httpx.Response) -> None:
        """Learn the route's bucket and when it may be used again from Discord's answer."""
        headers = response.headers
        if name := headers.get("X-RateLimit-Bucket"):
            major = _MAJOR_ID.search(path)
            self._bucket_of_route[route] = f"{name}:{major.group(1) if major else ''}"
        bucket = self._bucket_of_route.get(route, route)
        wait = 0.0
        if headers.get("X-RateLimit-Remaining") == "0":
            wait = float(headers.get("X-RateLimit-Reset-After") or 0)
        if response.status_code == 429:
            retry_after = _retry_after(response)
            log.warning("Discord rate-limited %s; waiting %.2fs", route, retry_after)
            DISCORD_RATE_LIMITED.labels("rest").inc()
            if headers.get("X-RateLimit-Global") == "true" or _json_field(response, "global"):
                self._global_reset_at = self._clock() + retry_after
            else:
                wait = max(wait, retry_after)
        if wait > 0:
            self._reset_at[bucket] = self._clock() + wait

    def _error(self, response: httpx.Response, path: str) -> DiscordError:
        """The exception for a 4xx answer, with Discord's code and its text minus the token."""
        code = _json_field(response, "code")
        message = _json_field(response, "message") or response.reason_phrase
        kind = {403: DiscordForbidden, 404: DiscordNotFound}.get(response.status_code, DiscordError)
        text = str(message)
        safe = text.replace(self._token, "[token]") if self._token else text
        return kind(response.status_code, code if isinstance(code, int) else 0, safe, path=path)

    # ----- what the doctor asks ---------------------------------------------------------

    async def get_application(self) -> dict[str, Any]:
        """The bot's application: its id, name and flags (which privileged intents are on)."""
        return await self._object("GET", "/oauth2/applications/@me")

    async def get_commands(
        self, application_id: int, *, guild_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The application's slash commands registered globally, or in one guild."""
        scope = "" if guild_id is None else f"/guilds/{guild_id}"
        return await self._list(f"/applications/{application_id}{scope}/commands")

    async def discord_time(self) -> datetime | None:
        """Discord's clock as its answer's ``Date`` header gives it (to the second); None
        when the answer has none."""
        response = await self._request("GET", "/gateway")
        try:
            return parsedate_to_datetime(response.headers["Date"])
        except (KeyError, TypeError, ValueError):
            return None

    # ----- guild scheduled events -----------------------------------------------------

    async def list_scheduled_events(
        self, guild_id: int, *, with_user_count: bool = False
    ) -> list[dict[str, Any]]:
        """The guild's scheduled events (with ``user_count`` each when asked)."""
        params = {"with_user_count": "true"} if with_user_count else None
        return await self._list(f"/guilds/{guild_id}/scheduled-events", params=params)

    async def create_scheduled_event(
        self, guild_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Create an event; 400 code 30038 when the guild has 100 scheduled or active ones."""
        path = f"/guilds/{guild_id}/scheduled-events"
        return await self._object("POST", path, body=payload)

    async def get_scheduled_event(self, guild_id: int, event_id: int) -> dict[str, Any]:
        """One event (its ``status`` says whether it is scheduled, active or ended)."""
        return await self._object("GET", f"/guilds/{guild_id}/scheduled-events/{event_id}")

    async def edit_scheduled_event(
        self, guild_id: int, event_id: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Change an event's fields, or start, end or cancel it through ``status``."""
        path = f"/guilds/{guild_id}/scheduled-events/{event_id}"
        return await self._object("PATCH", path, body=payload)

    async def delete_scheduled_event(self, guild_id: int, event_id: int) -> None:
        await self._request("DELETE", f"/guilds/{guild_id}/scheduled-events/{event_id}")


def _json_field(response: httpx.Response, name: str) -> Any:
    """A top-level field of a JSON object body, or None."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait after a 429: the body's ``retry_after``, else the header, else 1."""
    value = _json_field(response, "retry_after") or response.headers.get("Retry-After") or 1
    return float(value)
