"""The demo world as the web tests name it: its guild, channels, roles and members by id,
its settings changed through the use cases, roles changing in Discord, and a variant where
#rpg is for hosts only."""

from __future__ import annotations

import dataclasses
from typing import Any

from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.world import Member, Overwrite, Role, User, World
from gamesched.services.configuration import configure_channel, configure_guild
from tests.support.sandbox import load_demo_world
from tests.support.web import Site

GUILD = 1170000000000000001
"""The demo world's one guild, "Game Night"."""
ANNOUNCEMENTS = 1190000000000000003
"""Only moderators may post here: the bot cannot announce games in it."""
BOARD_GAMES = 1190000000000000005
RPG = 1190000000000000006
MODERATOR = 1180000000000000003
"""The "Moderator" role: Manage Server (mia_mod holds it)."""
GAME_HOST = 1180000000000000005
"""The "Game Host" role (sam and alex_r hold it)."""
OLIVIA, SAM, SAMANTHA, ALEX_R, ALEXANDRA = (
    1160000000000000001,
    1160000000000000002,
    1160000000000000003,
    1160000000000000005,
    1160000000000000006,
)


async def server_sets(site: Site, **settings: Any) -> None:
    """The demo guild sets ``settings`` (a :class:`SettingsPatch`'s fields) for itself."""
    await configure_guild(
        site.core.services,
        actor=Actor.operator(),
        guild_id=GUILD,
        patch=SettingsPatch(**settings),
    )


async def channel_sets(site: Site, channel_id: int, **settings: Any) -> None:
    """A channel of the demo guild sets ``settings`` for itself."""
    await configure_channel(
        site.core.services,
        actor=Actor.operator(),
        guild_id=GUILD,
        channel_id=channel_id,
        patch=SettingsPatch(**settings),
    )


async def allow_game_hosts(site: Site) -> None:
    """Let the "Game Host" role create games in the demo guild (no host roles are set at
    first, so only Manage Server could)."""
    await server_sets(site, host_role_ids=(GAME_HOST,))


def demote(site: Site, *usernames: str) -> None:
    """In Discord, ``usernames`` lose every role but Member, as if a moderator took them
    away; what the site cached about their rights still says otherwise (for five minutes)."""
    world = site.sandbox.state.world
    (guild,) = world.guilds
    member_role = next(role.id for role in guild.roles if role.name == "Member")
    user_ids = {user.id for name in usernames if (user := world.find_user(name)) is not None}
    assert len(user_ids) == len(usernames), usernames
    members = tuple(
        dataclasses.replace(m, role_ids=(member_role,)) if m.user_id in user_ids else m
        for m in guild.members
    )
    guild = dataclasses.replace(guild, members=members)
    site.sandbox.state.world = dataclasses.replace(world, guilds=(guild,))


def add_role(site: Site, role_id: int, name: str) -> None:
    """In Discord, the demo guild gets a new role (no permissions, held by nobody); what the
    site cached about the guild does not list it yet (for five minutes)."""
    world = site.sandbox.state.world
    (guild,) = world.guilds
    role = Role(id=role_id, name=name, permissions=0, position=len(guild.roles))
    guild = dataclasses.replace(guild, roles=(*guild.roles, role))
    site.sandbox.state.world = dataclasses.replace(world, guilds=(guild,))


QUIET = User(id=1160000000000000099, username="quietfox")
"""A member with no global name (and, in :func:`hosts_only_rpg`'s guild, no nickname)."""


def hosts_only_rpg() -> World:
    """The demo world where #rpg is for game hosts only (plain members cannot see it), with
    one more member, :data:`QUIET`, who set no names."""
    world = load_demo_world()
    (guild,) = world.guilds
    roles = {role.name: role.id for role in guild.roles}
    view = int(Permission.VIEW_CHANNEL)
    hosts_only = (
        Overwrite(id=roles["Member"], type=0, allow=0, deny=view),
        Overwrite(id=roles["Game Host"], type=0, allow=view, deny=0),
    )
    channels = tuple(
        dataclasses.replace(c, overwrites=hosts_only) if c.name == "rpg" else c
        for c in guild.channels
    )
    quiet = Member(user_id=QUIET.id, role_ids=(roles["Member"],))
    guild = dataclasses.replace(guild, channels=channels, members=(*guild.members, quiet))
    return dataclasses.replace(world, users=(*world.users, QUIET), guilds=(guild,))
