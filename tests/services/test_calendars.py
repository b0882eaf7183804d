"""Calendar feeds: a secret address per member, kept only as a hash, made anew on rotation,
showing the member's games from a month back on."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gamesched.db.tables import CalendarFeedRow
from gamesched.domain.errors import Conflict, PermissionDenied
from gamesched.domain.settings import SettingsPatch
from gamesched.services.calendars import (
    FeedKey,
    FeedKind,
    feed_address,
    public_feed_address,
    read_feed,
    rotate_feed,
    rotate_public_feed,
)
from gamesched.services.configuration import configure_channel, configure_guild
from gamesched.services.context import Context
from gamesched.services.games import GameRole, cancel_game
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    OTHER_CHANNEL,
    P1,
    P2,
    P3,
    PLAYER,
    START,
    make_game,
)
from tests.support.fakes import FakeClock

KEY = FeedKey.of("a-calendar-test-secret-of-at-least-32-characters")


async def stored_feeds(ctx: Context) -> list[tuple[str, str, int]]:
    async with ctx.transaction() as session:
        rows = (await session.scalars(select(CalendarFeedRow))).all()
        return [(row.token_hash, row.kind, row.owner_id) for row in rows]


async def test_first_use_makes_the_feed_and_later_uses_show_the_same_address(
    ctx: Context,
) -> None:
    """The first ask makes the member's feed; asking again shows the same address, and the
    database holds only its token's SHA-256, never the token."""
    first = await feed_address(ctx, KEY, user_id=P1)
    again = await feed_address(ctx, KEY, user_id=P1)
    assert first.new
    assert not again.new
    assert first.token is not None
    assert len(first.token) >= 43
    assert again.token == first.token
    digest = hashlib.sha256(first.token.encode()).hexdigest()
    assert await stored_feeds(ctx) == [(digest, "member", P1)]


async def test_rotating_gives_a_new_address_and_the_old_one_shows_nothing(
    ctx: Context, clock: FakeClock
) -> None:
    """After a rotation (even within the same instant) the old token finds no feed and the
    new one does; the member still has exactly one feed."""
    await make_game(ctx, joiners=(P1,))
    old = await feed_address(ctx, KEY, user_id=P1)
    new = await rotate_feed(ctx, KEY, user_id=P1)
    assert old.token is not None
    assert new.token is not None
    assert new.token != old.token
    assert await read_feed(ctx, token=old.token) is None
    feed = await read_feed(ctx, token=new.token)
    assert feed is not None
    assert len(feed.entries) == 1
    assert len(await stored_feeds(ctx)) == 1
    shown = await feed_address(ctx, KEY, user_id=P1)
    assert shown.token == new.token


async def test_an_address_made_under_another_key_works_but_cannot_be_shown(
    ctx: Context,
) -> None:
    """A process with another key (no fixed session secret) cannot show the address again,
    yet the address keeps working until it is rotated."""
    made = await feed_address(ctx, KEY, user_id=P1)
    other = await feed_address(ctx, FeedKey.of(None), user_id=P1)
    assert other.token is None
    assert made.token is not None
    assert await read_feed(ctx, token=made.token) is not None


async def test_two_first_uses_at_once_make_one_feed(ctx: Context) -> None:
    """Two first asks arriving together end with one feed and both show its address."""
    one, two = await asyncio.gather(
        feed_address(ctx, KEY, user_id=P1),
        feed_address(ctx, KEY, user_id=P1),
    )
    assert one.token == two.token
    assert len(await stored_feeds(ctx)) == 1


async def test_a_feed_holds_hosted_joined_waitlisted_and_recently_cancelled_games(
    ctx: Context, clock: FakeClock
) -> None:
    """The member's feed lists games they host, have a seat in or wait for, cancelled ones
    of the last month included; games that started longer ago drop out."""
    old = await make_game(ctx, title="Long ago", joiners=(P1,))
    clock.now = START + timedelta(days=31)
    hosted = await make_game(ctx, title="Hosted", when=START + timedelta(days=40))
    seated = await make_game(ctx, title="Seated", when=START + timedelta(days=35), joiners=(P1,))
    queued = await make_game(
        ctx, title="Queued", when=START + timedelta(days=36), max_players=1, joiners=(P2, P1)
    )
    cancelled = await make_game(ctx, title="Off", when=START + timedelta(days=37), joiners=(P1,))
    await cancel_game(ctx, actor=ADMIN, game_id=cancelled.id)
    await make_game(ctx, title="Not theirs", joiners=(P3,), when=START + timedelta(days=38))

    host_feed = await feed_address(ctx, KEY, user_id=ADMIN.user_id)
    member_feed = await feed_address(ctx, KEY, user_id=P1)
    assert host_feed.token is not None
    assert member_feed.token is not None
    member = await read_feed(ctx, token=member_feed.token)
    assert member is not None
    assert [(e.game.title, e.role) for e in member.entries] == [
        ("Seated", GameRole.JOINED),
        ("Queued", GameRole.WAITLIST),
        ("Off", GameRole.JOINED),
    ]
    assert old.id not in {e.game.id for e in member.entries}
    host = await read_feed(ctx, token=host_feed.token)
    assert host is not None
    assert hosted.id in {e.game.id for e in host.entries if e.role is GameRole.HOST}
    assert {seated.id, queued.id} <= {e.game.id for e in host.entries}


async def test_an_unknown_token_finds_nothing(ctx: Context) -> None:
    """A made-up address answers no feed."""
    assert await read_feed(ctx, token="not-a-token") is None


def test_tokens_depend_on_the_key_and_the_instant() -> None:
    """Another key or another creation instant gives another token (so rotation and a leaked
    database alone never reveal an address)."""
    made = datetime(2026, 12, 1, 12, 0, tzinfo=START.tzinfo)
    token = KEY.token(kind=FeedKind.MEMBER, owner_id=P1, made_at=made)
    assert token == KEY.token(kind=FeedKind.MEMBER, owner_id=P1, made_at=made)
    assert token != FeedKey.of("x" * 32).token(kind=FeedKind.MEMBER, owner_id=P1, made_at=made)
    later = made + timedelta(microseconds=1)
    assert token != KEY.token(kind=FeedKind.MEMBER, owner_id=P1, made_at=later)


# --- public feeds ---------------------------------------------------------------------------


def sharing(on: bool | None) -> SettingsPatch:
    return SettingsPatch(public_feed=on)


async def test_a_public_feed_is_off_until_switched_on(ctx: Context) -> None:
    """A server's and a channel's public feed do not exist by default: no address is made
    and none can be renewed."""
    await make_game(ctx)
    assert await public_feed_address(ctx, KEY, kind=FeedKind.GUILD, place_id=GUILD) is None
    assert await public_feed_address(ctx, KEY, kind=FeedKind.CHANNEL, place_id=CHANNEL) is None
    with pytest.raises(Conflict, match="public calendar feed is off"):
        await rotate_public_feed(ctx, KEY, actor=ADMIN, kind=FeedKind.GUILD, place_id=GUILD)
    assert await stored_feeds(ctx) == []


async def test_a_servers_feed_lists_the_games_of_channels_that_share(ctx: Context) -> None:
    """Switched on for the server, its feed lists games of every channel; a channel switched
    off is left out (and has no feed of its own); off again, the address answers nothing, and
    on again the same address works."""
    here = await make_game(ctx, title="Here")
    there = await make_game(ctx, title="There", channel_id=OTHER_CHANNEL)
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=sharing(True))
    address = await public_feed_address(ctx, KEY, kind=FeedKind.GUILD, place_id=GUILD)
    assert address is not None
    assert address.token is not None
    feed = await read_feed(ctx, token=address.token)
    assert feed is not None
    assert [(e.game.id, e.role) for e in feed.entries] == [(here.id, None), (there.id, None)]

    await configure_channel(
        ctx, actor=CHANNEL_KEEPER, guild_id=GUILD, channel_id=OTHER_CHANNEL, patch=sharing(False)
    )
    feed = await read_feed(ctx, token=address.token)
    assert feed is not None
    assert [e.game.id for e in feed.entries] == [here.id]
    channel = await public_feed_address(ctx, KEY, kind=FeedKind.CHANNEL, place_id=OTHER_CHANNEL)
    assert channel is None
    shared = await public_feed_address(ctx, KEY, kind=FeedKind.CHANNEL, place_id=CHANNEL)
    assert shared is not None

    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=sharing(None))
    assert await read_feed(ctx, token=address.token) is None
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=sharing(True))
    assert await read_feed(ctx, token=address.token) is not None


async def test_a_channels_own_feed_lists_its_games_only(ctx: Context) -> None:
    """Switched on for one channel only, that channel has a feed of its games and the server
    has none."""
    await make_game(ctx, title="Here")
    there = await make_game(ctx, title="There", channel_id=OTHER_CHANNEL)
    await configure_channel(
        ctx, actor=CHANNEL_KEEPER, guild_id=GUILD, channel_id=OTHER_CHANNEL, patch=sharing(True)
    )
    assert await public_feed_address(ctx, KEY, kind=FeedKind.GUILD, place_id=GUILD) is None
    address = await public_feed_address(ctx, KEY, kind=FeedKind.CHANNEL, place_id=OTHER_CHANNEL)
    assert address is not None
    assert address.token is not None
    feed = await read_feed(ctx, token=address.token)
    assert feed is not None
    assert [e.game.id for e in feed.entries] == [there.id]


async def test_only_those_who_manage_a_place_renew_its_feed(ctx: Context) -> None:
    """A server's feed is renewed with Manage Server, a channel's with Manage Channels; a
    plain member is refused and the address stays."""
    await make_game(ctx)
    await configure_guild(ctx, actor=ADMIN, guild_id=GUILD, patch=sharing(True))
    before = await public_feed_address(ctx, KEY, kind=FeedKind.GUILD, place_id=GUILD)
    assert before is not None
    for actor in (PLAYER, CHANNEL_KEEPER):
        with pytest.raises(PermissionDenied):
            await rotate_public_feed(ctx, KEY, actor=actor, kind=FeedKind.GUILD, place_id=GUILD)
    with pytest.raises(PermissionDenied):
        await rotate_public_feed(ctx, KEY, actor=PLAYER, kind=FeedKind.CHANNEL, place_id=CHANNEL)
    after = await public_feed_address(ctx, KEY, kind=FeedKind.GUILD, place_id=GUILD)
    assert after is not None
    assert after.token == before.token
    renewed = await rotate_public_feed(
        ctx, KEY, actor=CHANNEL_KEEPER, kind=FeedKind.CHANNEL, place_id=CHANNEL
    )
    assert renewed.token is not None
    assert await read_feed(ctx, token=renewed.token) is not None
    renewed_guild = await rotate_public_feed(
        ctx, KEY, actor=ADMIN, kind=FeedKind.GUILD, place_id=GUILD
    )
    assert before.token is not None
    assert await read_feed(ctx, token=before.token) is None
    assert renewed_guild.token is not None
    assert await read_feed(ctx, token=renewed_guild.token) is not None
