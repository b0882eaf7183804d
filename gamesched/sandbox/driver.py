"""A Python helper that acts as Discord users against a running sandbox, for tests.

It speaks the control API (see :mod:`gamesched.sandbox.control`) over HTTP, so it works the
same against a sandbox in this process or in another one::

    async with SandboxDriver(running.url) as discord:
        await discord.commands(wait_for=["create"])
        result = await discord.slash("sam", "create", channel="lfg", options={"title": "Catan"})
        clicked = await discord.click("zoe", result.custom_ids[0])

Acting methods wait (up to ``within`` seconds) until the bot answered and return an
:class:`InteractionResult`; a bot that stays silent raises :class:`InteractionTimeout`, a
usage mistake (disabled button, unknown member...) raises :class:`SandboxUsageError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, cast

import aiohttp

from gamesched.sandbox.interactions import walk_components

DEFAULT_WITHIN = 5.0
"""Seconds the driver waits for the bot unless told otherwise."""


class SandboxUsageError(Exception):
    """The control API refused the request (the message says why)."""


class InteractionTimeout(AssertionError):
    """The bot did not answer in time; ``partial`` holds what it had answered so far."""

    def __init__(self, message: str, partial: Mapping[str, Any] | None) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass(frozen=True, slots=True)
class InteractionResult:
    """What the bot answered to one interaction."""

    raw: Mapping[str, Any]
    """The control API's interaction record."""

    @property
    def id(self) -> int:
        """Interaction id."""
        return int(self.raw["id"])

    @property
    def token(self) -> str:
        """Interaction token (for answering as the bot in tests of the sandbox itself)."""
        return str(self.raw["token"])

    @property
    def settled(self) -> bool:
        """Whether the bot has answered (a final callback, or a deferral and then more)."""
        return bool(self.raw["settled"])

    @property
    def callback_type(self) -> int | None:
        """4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        return cast("int | None", self.raw["callback_type"])

    @property
    def message(self) -> Mapping[str, Any] | None:
        """The message the answer shows: the reply (type 4/5) or the updated message (6/7)."""
        return cast("Mapping[str, Any] | None", self.raw["original"] or self.raw["source_message"])

    @property
    def content(self) -> str:
        """Content of :attr:`message` ("" when there is none)."""
        return str((self.message or {}).get("content", ""))

    @property
    def ephemeral(self) -> bool:
        """Whether the reply is visible to the acting user only."""
        return bool(int((self.message or {}).get("flags", 0)) & 64)

    @property
    def followups(self) -> list[Mapping[str, Any]]:
        """Follow-up messages, in order."""
        return list(self.raw["followups"])

    @property
    def modal(self) -> Mapping[str, Any] | None:
        """The modal the bot opened, if it answered with one."""
        return cast("Mapping[str, Any] | None", self.raw["modal"])

    @property
    def choices(self) -> list[Mapping[str, Any]] | None:
        """Autocomplete choices."""
        return cast("list[Mapping[str, Any]] | None", self.raw["choices"])

    @property
    def rejected(self) -> list[Mapping[str, Any]]:
        """Callbacks the sandbox refused (status, code, message)."""
        return list(self.raw["rejected"])

    @property
    def custom_ids(self) -> list[str]:
        """Custom ids of the components on :attr:`message`, in order."""
        components = (self.message or {}).get("components") or []
        return [c["custom_id"] for c in walk_components(components) if "custom_id" in c]


class SandboxDriver:
    """Acts as Discord users through the control API of the sandbox at ``url``."""

    def __init__(self, url: str, *, within: float = DEFAULT_WITHIN) -> None:
        self._url = url.rstrip("/") + "/_sandbox"
        self._within = within
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- acting as users ---------------------------------------------------------------------

    async def slash(
        self,
        member: str | int,
        name: str,
        *,
        channel: str | int,
        options: Mapping[str, Any] | None = None,
        wait: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Run ``/name`` (``"group sub"`` for subcommands) with ``options`` as ``member``."""
        body = {"member": member, "channel": channel, "name": name, "options": options or {}}
        return await self._act("command", body, wait=wait, within=within)

    async def autocomplete(
        self,
        member: str | int,
        name: str,
        *,
        channel: str | int,
        focused: str,
        options: Mapping[str, Any] | None = None,
        within: float | None = None,
    ) -> list[Mapping[str, Any]]:
        """The bot's autocomplete choices for option ``focused`` with ``options`` typed so far."""
        body = {
            "member": member,
            "channel": channel,
            "name": name,
            "options": options or {},
            "focused": focused,
        }
        result = await self._act("autocomplete", body, wait=True, within=within)
        return list(result.choices or [])

    async def click(
        self,
        member: str | int,
        custom_id: str,
        *,
        channel: str | int | None = None,
        message_id: int | str | None = None,
        wait: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Click the button ``custom_id`` on the newest message (of ``channel``) carrying it."""
        body = {"member": member, "custom_id": custom_id, "channel": channel}
        body["message_id"] = None if message_id is None else str(message_id)
        return await self._act("component", body, wait=wait, within=within)

    async def select(
        self,
        member: str | int,
        custom_id: str,
        values: Sequence[str],
        *,
        channel: str | int | None = None,
        message_id: int | str | None = None,
        wait: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Choose ``values`` in the select menu ``custom_id``."""
        body = {
            "member": member,
            "custom_id": custom_id,
            "channel": channel,
            "message_id": None if message_id is None else str(message_id),
            "values": list(values),
        }
        return await self._act("component", body, wait=wait, within=within)

    async def submit_modal(
        self,
        member: str | int,
        values: Mapping[str, Any],
        *,
        custom_id: str | None = None,
        wait: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Fill and submit the modal the bot last opened for ``member``."""
        body = {"member": member, "values": dict(values), "custom_id": custom_id}
        return await self._act("modal", body, wait=wait, within=within)

    async def interaction(
        self, interaction_id: int, *, followups: int = 0, within: float | None = None
    ) -> InteractionResult:
        """An interaction's record now, or once it has ``followups`` follow-ups."""
        seconds = self._within if within is None else within
        data = await self._request(
            "GET",
            f"/interactions/{interaction_id}",
            params={"followups": str(followups), "timeout": str(seconds)},
            seconds=seconds,
        )
        return InteractionResult(data)

    # --- reading -----------------------------------------------------------------------------

    async def world(self) -> dict[str, Any]:
        """Guilds, channels, roles, members, bot."""
        data: dict[str, Any] = await self._request("GET", "/world")
        return data

    async def commands(
        self, *, wait_for: Iterable[str] = (), within: float | None = None
    ) -> dict[str, Any]:
        """Synced commands; waits until every name in ``wait_for`` is synced."""
        seconds = self._within if within is None else within
        params = {"wait_for": ",".join(wait_for), "timeout": str(seconds)}
        data: dict[str, Any] = await self._request(
            "GET", "/commands", params=params, seconds=seconds
        )
        return data

    async def open_modals(self, member: str | int | None = None) -> list[dict[str, Any]]:
        """Modals the bot opened that nobody submitted."""
        params = {} if member is None else {"member": str(member)}
        data: list[dict[str, Any]] = await self._request("GET", "/modals", params=params)
        return data

    async def messages(
        self,
        channel: str | int,
        *,
        member: str | int | None = None,
        all_ephemeral: bool = False,
        at_least: int = 0,
        within: float | None = None,
    ) -> list[dict[str, Any]]:
        """A channel's messages, oldest first (ephemeral ones for ``member``, or all);
        waits until there are ``at_least`` of them."""
        seconds = self._within if within is None else within
        params = {
            "all_ephemeral": "1" if all_ephemeral else "0",
            "count": str(at_least),
            "timeout": str(seconds),
        }
        if member is not None:
            params["member"] = str(member)
        path = f"/channels/{channel}/messages"
        data: list[dict[str, Any]] = await self._request(
            "GET", path, params=params, seconds=seconds
        )
        return data

    async def dms(
        self, member: str | int, *, at_least: int = 0, within: float | None = None
    ) -> list[dict[str, Any]]:
        """The bot's DMs to ``member``, oldest first; waits until there are ``at_least``."""
        seconds = self._within if within is None else within
        params = {"count": str(at_least), "timeout": str(seconds)}
        data: list[dict[str, Any]] = await self._request(
            "GET", f"/users/{member}/dms", params=params, seconds=seconds
        )
        return data

    async def scheduled_events(
        self, guild: str | int, *, at_least: int = 0, within: float | None = None
    ) -> list[dict[str, Any]]:
        """A guild's scheduled events as the sandbox holds them (ended ones too), oldest
        first; waits until there are ``at_least`` of them."""
        seconds = self._within if within is None else within
        params = {"count": str(at_least), "timeout": str(seconds)}
        data: list[dict[str, Any]] = await self._request(
            "GET", f"/guilds/{guild}/scheduled-events", params=params, seconds=seconds
        )
        return data

    async def lose_dm_channel(self, member: str | int) -> int | None:
        """Make the bot's DM channel with ``member`` gone (Discord answers Unknown Channel to
        it from now on); the lost channel's id, or None when there was none."""
        lost = (await self._request("DELETE", f"/users/{member}/dm-channel"))["lost"]
        return None if lost is None else int(lost)

    async def log(self, *, since: int = 0) -> list[dict[str, Any]]:
        """REST requests the bot made after sequence number ``since``."""
        data: list[dict[str, Any]] = await self._request(
            "GET", "/log", params={"since": str(since)}
        )
        return data

    async def violations(self) -> list[dict[str, Any]]:
        """Every refused request that broke a Discord rule."""
        data: list[dict[str, Any]] = await self._request("GET", "/violations")
        return data

    # --- changing the world -------------------------------------------------------------------

    async def change_role(
        self,
        guild: str | int,
        role: str | int,
        *,
        grant: Sequence[str] = (),
        revoke: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Grant or revoke permissions (Discord's names, e.g. ``"MANAGE_EVENTS"``) of a role;
        returns the role as Discord now shows it."""
        body = {"grant": list(grant), "revoke": list(revoke)}
        data: dict[str, Any] = await self._request(
            "PATCH", f"/guilds/{guild}/roles/{role}", json=body
        )
        return data

    # --- faults, gateway, clock ---------------------------------------------------------------

    async def add_fault(
        self,
        kind: str,
        route: str,
        *,
        status: int = 500,
        seconds: float = 0.0,
        error_rate: float = 1.0,
        times: int | None = None,
    ) -> int:
        """Add a fault (``"error"``, ``"latency"`` or ``"rate_limit"``); returns its id."""
        body = {
            "kind": kind,
            "route": route,
            "status": status,
            "seconds": seconds,
            "error_rate": error_rate,
            "times": times,
        }
        return int((await self._request("POST", "/faults", json=body))["id"])

    async def faults(self) -> list[dict[str, Any]]:
        """Active faults, each with how often it fired (``hits``)."""
        data: list[dict[str, Any]] = await self._request("GET", "/faults")
        return data

    async def clear_faults(self, fault_id: int | None = None) -> None:
        """Remove one fault, or all."""
        await self._request("DELETE", "/faults" if fault_id is None else f"/faults/{fault_id}")

    async def gateway(
        self,
        *,
        connected: bool = False,
        identifies: int = 0,
        resumes: int = 0,
        within: float | None = None,
    ) -> dict[str, Any]:
        """Gateway counters, after waiting until they reach the given values."""
        seconds = self._within if within is None else within
        params = {
            "connected": "1" if connected else "0",
            "identifies": str(identifies),
            "resumes": str(resumes),
            "timeout": str(seconds),
        }
        data: dict[str, Any] = await self._request(
            "GET", "/gateway", params=params, seconds=seconds
        )
        return data

    async def drop_gateway(self, *, resumable: bool = True) -> dict[str, Any]:
        """Close the bot's websocket; it RESUMEs (or re-IDENTIFYs if not ``resumable``)."""
        data: dict[str, Any] = await self._request(
            "POST", "/gateway/drop", json={"resumable": resumable}
        )
        return data

    async def advance_clock(self, seconds: float) -> float:
        """Move the sandbox clock forward; returns the new time."""
        return float(
            (await self._request("POST", "/clock/advance", json={"seconds": seconds}))["now"]
        )

    # --- plumbing -------------------------------------------------------------------------------

    async def _act(
        self, kind: str, body: dict[str, Any], *, wait: bool, within: float | None
    ) -> InteractionResult:
        seconds = self._within if within is None else within
        body = {**body, "wait": wait, "timeout": seconds}
        data = await self._request("POST", f"/interactions/{kind}", json=body, seconds=seconds)
        return InteractionResult(data)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        seconds: float = 0.0,
        **kwargs: Any,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        client_timeout = aiohttp.ClientTimeout(total=seconds + 10.0)
        async with self._session.request(
            method, self._url + path, timeout=client_timeout, **kwargs
        ) as response:
            data = await response.json()
            if response.status == 504:
                raise InteractionTimeout(data["error"], data.get("interaction"))
            if response.status >= 400:
                raise SandboxUsageError(data.get("error", str(data)))
            return data
