"""Who is asking and what they may do: the plumbing every page and API route shares.

A route asks for the logged-in member with :func:`require_viewer` (no login: pages go to the
login and come back, the API answers 401), and for their rights in a guild with
:func:`acting_member`, which asks Discord through :attr:`Core.rights` (cached for up to five
minutes; pass ``fresh=True`` right before changing anything). Refusals are domain errors, so
they read the same as the bot's; :func:`web_hint` adds the web's way to fix them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request

from gamesched.discord.rights import GuildFacts
from gamesched.domain.errors import (
    DomainError,
    HostRoleRequired,
    NoHostRoles,
    NotFound,
    UnknownGame,
)
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.services.games import get_game
from gamesched.services.views import GameView
from webauth.render import Viewer, viewer_of
from webauth.state import web_of

NOT_A_MEMBER = (
    "You are not a member of that server, or gamesched is not in it. "
    "Pick one of your servers on the start page."
)


class LoginRequired(Exception):
    """The request needs a logged-in member and has none: pages send them to the login."""


def require_viewer(request: Request) -> Viewer:
    """The logged-in member, or :class:`LoginRequired`."""
    viewer = viewer_of(request)
    if viewer is None:
        raise LoginRequired
    return viewer


async def acting_member(
    request: Request, guild_id: int, *, channel_id: int | None = None, fresh: bool = False
) -> Actor:
    """The logged-in member's rights in a guild (in ``channel_id`` when given), from Discord.

    A guild they are not in (or the bot is not in) is :class:`NotFound`, as if it did not exist.
    """
    viewer = require_viewer(request)
    rights = web_of(request).core.rights
    actor = await rights.actor(guild_id, viewer.user_id, channel_id=channel_id, fresh=fresh)
    if actor is None:
        raise NotFound(NOT_A_MEMBER)
    return actor


@dataclass(frozen=True, slots=True)
class MemberGuild:
    """A guild of the member's that has the bot, with their server-wide rights there."""

    facts: GuildFacts
    actor: Actor


async def member_guilds(request: Request) -> list[MemberGuild]:
    """The guilds the logged-in member shares with the bot, by name."""
    viewer = require_viewer(request)
    rights = web_of(request).core.rights
    shared = []
    for guild_id in sorted(await rights.bot_guild_ids()):
        facts = await rights.guild(guild_id)
        actor = await rights.actor(guild_id, viewer.user_id)
        if facts is not None and actor is not None:
            shared.append(MemberGuild(facts=facts, actor=actor))
    return sorted(shared, key=lambda g: g.facts.name.casefold())


async def guild_of(request: Request, guild_id: int, *, fresh: bool = False) -> MemberGuild:
    """One of the member's guilds, or :class:`NotFound`. ``fresh`` asks Discord again
    (before changes): the member's roles and the guild's roles and channels."""
    rights = web_of(request).core.rights
    actor = await acting_member(request, guild_id, fresh=fresh)
    facts = await rights.guild(guild_id)  # just fetched when fresh
    if facts is None:
        raise NotFound(NOT_A_MEMBER)
    return MemberGuild(facts=facts, actor=actor)


@dataclass(frozen=True, slots=True)
class MemberGame:
    """A game the member may see, with its guild's facts and the member's rights there."""

    game: GameView
    facts: GuildFacts
    actor: Actor
    """The member's rights in the game's channel."""


async def game_of(request: Request, game_id: int, *, fresh: bool = False) -> MemberGame:
    """A game of one of the member's guilds, in a channel they can see; anything else is
    :class:`NotFound` as if it did not exist. ``fresh`` asks Discord again (before changes)."""
    viewer = require_viewer(request)
    core = web_of(request).core
    game = await get_game(core.services, game_id)
    actor = await core.rights.actor(
        game.guild_id, viewer.user_id, channel_id=game.channel_id, fresh=fresh
    )
    facts = await core.rights.guild(game.guild_id)  # just fetched when fresh
    if facts is None or actor is None or not actor.has(Permission.VIEW_CHANNEL):
        raise NotFound(UnknownGame(game_id))
    return MemberGame(game=game, facts=facts, actor=actor)


def visible_channel_ids(guild: MemberGuild) -> frozenset[int]:
    """The guild's channels the member can see: the only ones whose games they are shown."""
    return guild.facts.visible_channel_ids(guild.actor.user_id, guild.actor.role_ids)


def web_hint(error: DomainError, role_names: Mapping[int, str] | None = None) -> str | None:
    """The sentence that tells a web user how to fix ``error``, if the site has one;
    ``role_names`` names the roles a refusal mentions (from :class:`GuildFacts`)."""
    match error.fault:
        case UnknownGame():
            return "Your server's page lists its games with their numbers."
        case NoHostRoles():
            return "A server admin can allow a role on the server's settings page."
        case HostRoleRequired(role_ids=role_ids):
            names = role_names or {}
            return (
                "Host roles here: " + ", ".join(names.get(r, f"role {r}") for r in role_ids) + "."
            )
    return None


def web_text(error: DomainError, role_names: Mapping[int, str] | None = None) -> str:
    """The error's neutral sentence, followed by the web's hint when there is one."""
    hint = web_hint(error, role_names)
    return error.message if hint is None else f"{error.message} {hint}"
