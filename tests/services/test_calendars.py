"""Calendar feeds: a secret address per member, kept only as a hash, made anew on rotation,
showing the member's games from a month back on."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select

from gamesched.db.tables import CalendarFeedRow
from gamesched.services.calendars import (
    FeedKey,
    FeedKind,
    feed_address,
    read_feed,
    rotate_feed,
)
from gamesched.services.context import Context
from gamesched.services.games import GameRole, cancel_game
from tests.support.factories import ADMIN, P1, P2, P3, START, make_game
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
    first = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
    again = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
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
    old = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
    new = await rotate_feed(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
    assert old.token is not None
    assert new.token is not None
    assert new.token != old.token
    assert await read_feed(ctx, token=old.token) is None
    feed = await read_feed(ctx, token=new.token)
    assert feed is not None
    assert len(feed.entries) == 1
    assert len(await stored_feeds(ctx)) == 1
    shown = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
    assert shown.token == new.token


async def test_an_address_made_under_another_key_works_but_cannot_be_shown(
    ctx: Context,
) -> None:
    """A process with another key (no fixed session secret) cannot show the address again,
    yet the address keeps working until it is rotated."""
    made = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
    other = await feed_address(ctx, FeedKey.of(None), kind=FeedKind.MEMBER, owner_id=P1)
    assert other.token is None
    assert made.token is not None
    assert await read_feed(ctx, token=made.token) is not None


async def test_two_first_uses_at_once_make_one_feed(ctx: Context) -> None:
    """Two first asks arriving together end with one feed and both show its address."""
    one, two = await asyncio.gather(
        feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1),
        feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1),
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

    host_feed = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=ADMIN.user_id)
    member_feed = await feed_address(ctx, KEY, kind=FeedKind.MEMBER, owner_id=P1)
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
