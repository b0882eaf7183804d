"""Members' rights worked out from Discord's data with the bot token, against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gamesched.discord.cache import MemoryCache, RedisCache
from gamesched.discord.rest import DiscordRest
from gamesched.discord.rights import ChannelFacts, GuildFacts, GuildRights, Overwrite
from gamesched.domain.permission_bits import Permission
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import ALL_PERMISSIONS, World

GUILD = 1170000000000000001
GENERAL, ANNOUNCEMENTS, LOBBY = 1190000000000000002, 1190000000000000003, 1190000000000000001
OLIVIA, SAM, SAMANTHA, MIA = (
    1160000000000000001,
    1160000000000000002,
    1160000000000000003,
    1160000000000000010,
)
GAME_HOST_ROLE = 1180000000000000005
STRANGER = 1160000000000009999


@pytest.fixture
async def bot_rest(sandbox: RunningSandbox, demo_world: World) -> AsyncIterator[DiscordRest]:
    """The bot's REST client on the sandbox."""
    client = DiscordRest(base_url=sandbox.base_url, token=demo_world.token)
    yield client
    await client.aclose()


async def test_permissions_match_what_discord_sends_in_interactions(
    bot_rest: DiscordRest, demo_world: World
) -> None:
    """Every member's permissions in every channel equal the ones Discord computes itself."""
    rights = GuildRights(bot_rest)
    guild = demo_world.guild(GUILD)
    assert guild is not None
    for member in guild.members:
        for channel in guild.channels:
            actor = await rights.actor(GUILD, member.user_id, channel_id=channel.id)
            assert actor is not None
            expected = guild.channel_permissions(channel, member)
            # Owner and admins hold every bit; Discord only lists the ones it has defined.
            assert actor.permissions & ALL_PERMISSIONS == expected, (member.user_id, channel.name)
            assert actor.role_ids == frozenset(member.role_ids)
            assert actor.guild_id == GUILD


async def test_overwrites_take_away_and_give_back_a_right(bot_rest: DiscordRest) -> None:
    """#announcements denies posting to everyone but moderators; the owner may do anything."""
    rights = GuildRights(bot_rest)
    samantha = await rights.actor(GUILD, SAMANTHA, channel_id=ANNOUNCEMENTS)
    mia = await rights.actor(GUILD, MIA, channel_id=ANNOUNCEMENTS)
    olivia = await rights.actor(GUILD, OLIVIA, channel_id=ANNOUNCEMENTS)
    assert samantha is not None
    assert mia is not None
    assert olivia is not None
    assert not samantha.has(Permission.SEND_MESSAGES)
    assert mia.has(Permission.SEND_MESSAGES)
    assert olivia.has(Permission.MANAGE_GUILD)
    assert olivia.has(Permission.MANAGE_CHANNELS)


async def test_guild_wide_rights_without_a_channel(bot_rest: DiscordRest) -> None:
    """Without a channel the member's server-wide rights count (Manage Server for settings)."""
    rights = GuildRights(bot_rest)
    mia = await rights.actor(GUILD, MIA)
    sam = await rights.actor(GUILD, SAM)
    assert mia is not None
    assert sam is not None
    assert mia.is_guild_admin
    assert not sam.is_guild_admin
    assert GAME_HOST_ROLE in sam.role_ids


async def test_someone_outside_the_guild_or_a_guild_without_the_bot_has_no_rights(
    bot_rest: DiscordRest,
) -> None:
    """A stranger, or a guild the bot is not in, gives no actor at all rather than an error."""
    rights = GuildRights(bot_rest)
    assert await rights.actor(GUILD, STRANGER) is None
    assert await rights.actor(1170000000000009999, SAM) is None


async def test_a_channel_discord_does_not_list_grants_nothing(bot_rest: DiscordRest) -> None:
    """A channel id that is not in the guild gives no permission, not the guild-wide ones."""
    actor = await GuildRights(bot_rest).actor(GUILD, MIA, channel_id=1190000000000009999)
    assert actor is not None
    assert actor.permissions == 0


async def test_bot_can_post_only_where_discord_lets_it(bot_rest: DiscordRest) -> None:
    """The bot may announce in #general but not in #announcements (denied) or a category."""
    rights = GuildRights(bot_rest)
    facts = await rights.guild(GUILD)
    assert facts is not None
    assert await rights.bot_can_post(facts, GENERAL)
    assert not await rights.bot_can_post(facts, ANNOUNCEMENTS)
    postable = [c.channel_id for c in facts.postable_channels()]
    assert GENERAL in postable
    assert LOBBY not in postable


async def test_facts_are_reused_for_five_minutes_and_asked_again_when_fresh(
    bot_rest: DiscordRest, sandbox: RunningSandbox
) -> None:
    """Pages reuse Discord's answers for at most 5 minutes; a change re-asks at once."""
    now = [0.0]
    rights = GuildRights(bot_rest, cache=MemoryCache(clock=lambda: now[0]))
    await rights.actor(GUILD, SAM, channel_id=GENERAL)
    asked = len(sandbox.state.log)
    await rights.actor(GUILD, SAM, channel_id=GENERAL)
    assert len(sandbox.state.log) == asked
    await rights.actor(GUILD, SAM, channel_id=GENERAL, fresh=True)
    assert len(sandbox.state.log) > asked
    asked = len(sandbox.state.log)
    now[0] = 301.0
    await rights.actor(GUILD, SAM, channel_id=GENERAL)
    assert len(sandbox.state.log) > asked


async def test_bot_guilds_are_the_guilds_it_is_in(bot_rest: DiscordRest) -> None:
    """The home page's guilds come from the guilds the bot is actually in."""
    assert await GuildRights(bot_rest).bot_guild_ids() == frozenset({GUILD})


@pytest.mark.redis
async def test_processes_share_what_discord_said_through_redis(
    bot_rest: DiscordRest, sandbox: RunningSandbox, redis_cache: tuple[Redis, str]
) -> None:
    """A second web process reuses the first one's answers from Redis instead of asking
    Discord again, and they expire there after five minutes."""
    redis, prefix = redis_cache
    first = GuildRights(bot_rest, cache=RedisCache(redis, prefix=prefix))
    seen = await first.actor(GUILD, SAM, channel_id=GENERAL)
    assert seen is not None
    asked = len(sandbox.state.log)
    second = GuildRights(bot_rest, cache=RedisCache(redis, prefix=prefix))
    assert await second.actor(GUILD, SAM, channel_id=GENERAL) == seen
    assert len(sandbox.state.log) == asked
    assert 0 < await redis.ttl(f"{prefix}guild:{GUILD}") <= 300


def test_visible_channels_follow_view_channel_after_overwrites() -> None:
    """A channel whose overwrites take View Channel from a member's role is not among the
    channels they see; a role allowing it back, the owner and admins see it again."""
    view = int(Permission.VIEW_CHANNEL)
    member_role, host_role, admin_role = 11, 12, 13
    hidden = ChannelFacts(
        channel_id=2,
        name="hosts-only",
        kind=0,
        position=1,
        parent_id=None,
        overwrites=(
            Overwrite(target_id=member_role, kind=0, allow=0, deny=view),
            Overwrite(target_id=host_role, kind=0, allow=view, deny=0),
        ),
    )
    facts = GuildFacts(
        guild_id=GUILD,
        name="Game Night",
        icon=None,
        owner_id=OLIVIA,
        role_permissions={GUILD: view, admin_role: int(Permission.ADMINISTRATOR)},
        role_names={},
        channels=(
            ChannelFacts(
                channel_id=1, name="general", kind=0, position=0, parent_id=None, overwrites=()
            ),
            hidden,
        ),
    )
    assert facts.visible_channel_ids(SAMANTHA, frozenset({member_role})) == {1}
    assert facts.visible_channel_ids(SAM, frozenset({member_role, host_role})) == {1, 2}
    assert facts.visible_channel_ids(MIA, frozenset({member_role, admin_role})) == {1, 2}
    assert facts.visible_channel_ids(OLIVIA, frozenset({member_role})) == {1, 2}
