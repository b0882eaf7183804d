"""The sandbox's side of the tests: the demo world, Discord's API description, a bare gateway
client, and finding the world's people and channels."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import aiohttp

from gamesched.discord.rest import DiscordRest
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.sandbox.server import DEMO_WORLD, RunningSandbox
from gamesched.sandbox.state import Clock, LogEntry
from gamesched.sandbox.world import Guild, Limits, Member, User, World, load_world

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"
"""Discord's OpenAPI description, read where the checkout keeps it (tests skip without it)."""

FAST_WINDOW = 0.5
"""Rate-limit window used by the tests, so waiting one out stays cheap."""


def load_demo_world() -> World:
    """The shipped demo world with a short rate-limit window (the ``demo_world`` fixture's,
    and what tests changing that world start from)."""
    world = load_world(DEMO_WORLD)
    return dataclasses.replace(
        world, limits=Limits(channel_messages=5, channel_window_seconds=FAST_WINDOW)
    )


def crowded_world(world: World, *, extra_members: int, response_seconds: float) -> World:
    """``world`` with ``extra_members`` plain members ``player001``... added to its guild.

    ``response_seconds`` replaces Discord's 3-second answer rule: the bot, the sandbox and
    every simulated user share one process, so a burst is slower here than in production.
    """
    (guild,) = world.guilds
    first_id = 1_200_000_000_000_000_000
    users = tuple(
        User(id=first_id + n, username=f"player{n:03}", global_name=f"Player {n}")
        for n in range(1, extra_members + 1)
    )
    member_role = next(role.id for role in guild.roles if role.name == "Member")
    members = tuple(Member(user_id=user.id, role_ids=(member_role,)) for user in users)
    crowded: Guild = dataclasses.replace(guild, members=guild.members + members)
    limits = dataclasses.replace(world.limits, interaction_response_seconds=response_seconds)
    return dataclasses.replace(world, users=world.users + users, guilds=(crowded,), limits=limits)


def user_id_of(world: World, username: str) -> int:
    """The id of the world's user called ``username``."""
    user = world.find_user(username)
    assert user is not None, username
    return user.id


def channel_id_of(world: World, name: str) -> int:
    """The id of the world's channel called ``name``."""
    channel = world.find_channel(name)
    assert channel is not None, name
    return channel.id


def administrator(world: World, username: str = "olivia") -> Actor:
    """``username`` (the demo guild's owner unless named) acting with Administrator."""
    return Actor(user_id=user_id_of(world, username), permissions=int(Permission.ADMINISTRATOR))


BODY_REFUSED = frozenset({50035, 50109})
"""Codes of requests the sandbox refused for their body (tests send those on purpose)."""


@functools.cache
def discord_spec() -> DiscordSpec | None:
    """Discord's OpenAPI description, loaded once; None when the file is not there."""
    return DiscordSpec.load(SPEC_PATH) if SPEC_PATH.is_file() else None


def spec_problems(spec: DiscordSpec, log: list[LogEntry]) -> dict[str, list[str]]:
    """What Discord's API description says is wrong with each logged request body."""
    problems = {}
    for entry in log:
        if entry.error_code in BODY_REFUSED:
            continue
        found = spec.validate_request(entry.method, entry.path, entry.body)
        if found:
            problems[f"#{entry.seq} {entry.method} {entry.path}"] = found
    return problems


def paced_rest(running: RunningSandbox, world: World, clock: Clock) -> DiscordRest:
    """The REST client on a sandbox, waiting out rate limits by moving the sandbox's clock
    instead of sleeping: a burst stays within Discord's limits whatever the machine's speed."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds + 0.001)  # the headers round to milliseconds

    return DiscordRest(base_url=running.base_url, token=world.token, sleep=sleep, clock=clock.now)


class RawGateway:
    """A bare gateway client standing in for a bot, to test the sandbox without disnake."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket

    async def receive(self, *, within: float = 5.0) -> dict[str, Any]:
        """The next frame."""
        message = await self.socket.receive(timeout=within)
        assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message!r}"
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def send(self, op: int, data: Any) -> None:
        """Send a frame."""
        await self.socket.send_str(json.dumps({"op": op, "d": data}))

    async def next_dispatch(self, event: str, *, within: float = 5.0) -> dict[str, Any]:
        """Skip frames until a dispatch of ``event``."""
        while True:
            frame = await self.receive(within=within)
            if frame["op"] == 0 and frame["t"] == event:
                return frame


async def connect_gateway(session: aiohttp.ClientSession, sandbox: RunningSandbox) -> RawGateway:
    """Open a websocket to the sandbox's gateway (HELLO not yet read)."""
    socket = await session.ws_connect(f"ws://{sandbox.host}:{sandbox.port}/gateway")
    return RawGateway(socket)
