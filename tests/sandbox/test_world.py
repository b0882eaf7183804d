"""World loading: the demo world's collisions and permissions, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamesched.sandbox.server import DEMO_WORLD
from gamesched.sandbox.world import (
    ALL_PERMISSIONS,
    DEFAULT_CLIENT_SECRET,
    SEND_MESSAGES,
    OAuth2Client,
    WorldError,
    load_world,
)


def test_demo_world_has_the_name_collisions_mention_matching_needs() -> None:
    """Two nicks 'Alex', two global names 'Sam Smith', a nick equal to a username, Unicode
    names and a closed-DM user exist."""
    world = load_world(DEMO_WORLD)
    guild = world.guilds[0]
    nicks = [m.nick for m in guild.members if m.nick]
    usernames = {u.username for u in world.users}
    assert nicks.count("Alex") == 2
    assert [u.global_name for u in world.users].count("Sam Smith") == 2
    assert usernames & set(nicks) == {"samantha"}
    assert {"sam", "samantha"} <= usernames
    assert any(not (u.global_name or "").isascii() for u in world.users)
    assert [u.username for u in world.users if u.dms_closed] == ["cleo"]
    assert guild.name == "Game Night"
    assert len(guild.members) == 13


def test_permissions_follow_roles_admin_and_overwrites() -> None:
    """ADMINISTRATOR grants everything; a channel overwrite denies the bot SEND_MESSAGES."""
    world = load_world(DEMO_WORLD)
    guild = world.guilds[0]
    olivia = guild.member(1160000000000000001)
    mia = guild.member(1160000000000000010)
    bot = guild.member(world.bot.id)
    assert olivia is not None
    assert mia is not None
    assert bot is not None
    announcements = world.find_channel("announcements")
    lfg = world.find_channel("lfg")
    assert announcements is not None
    assert lfg is not None
    assert guild.base_permissions(olivia) == ALL_PERMISSIONS
    assert not guild.channel_permissions(announcements, bot) & SEND_MESSAGES
    assert guild.channel_permissions(announcements, mia) & SEND_MESSAGES
    assert guild.channel_permissions(lfg, bot) & SEND_MESSAGES
    assert lfg.parent_id == world.find_channel("Games").id  # type: ignore[union-attr]


def test_bad_world_files_say_what_to_fix(tmp_path: Path) -> None:
    """An unknown role or permission name is reported with the entry it is in."""
    base = DEMO_WORLD.read_text(encoding="utf-8")
    unknown_role = tmp_path / "role.toml"
    unknown_role.write_text(base.replace('roles = ["Admin"]', 'roles = ["Admn"]'), encoding="utf-8")
    with pytest.raises(WorldError, match="unknown role 'Admn'"):
        load_world(unknown_role)
    bad_permission = tmp_path / "perm.toml"
    bad_permission.write_text(
        base.replace('permissions = ["MANAGE_CHANNELS"]', 'permissions = ["MANAGE_CHANELS"]'),
        encoding="utf-8",
    )
    with pytest.raises(WorldError, match="unknown permission 'MANAGE_CHANELS'"):
        load_world(bad_permission)


def test_the_oauth2_table_is_optional_and_checked(tmp_path: Path) -> None:
    """Without [oauth2] a world gets the default client secret and no listed redirect URIs;
    a misspelt key or a non-list of URIs is reported."""
    base = DEMO_WORLD.read_text(encoding="utf-8")
    demo = load_world(DEMO_WORLD)
    without = tmp_path / "without.toml"
    without.write_text(
        base[: base.index("[oauth2]")] + base[base.index("[[users]]") :], encoding="utf-8"
    )
    assert load_world(without).oauth2 == OAuth2Client()
    assert demo.oauth2 == OAuth2Client(client_secret=DEFAULT_CLIENT_SECRET)
    for wrong, message in (
        ("redirect_uri = []", "unknown keys \\['redirect_uri'\\]"),
        ('redirect_uris = "http://x"', "redirect_uris must be a list"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(base.replace("redirect_uris = []", wrong), encoding="utf-8")
        with pytest.raises(WorldError, match=message):
            load_world(bad)
