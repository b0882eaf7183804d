"""Calendar feeds: secret addresses a calendar app subscribes to, and the games they show.

A feed's address ends in a token. The database stores only the token's SHA-256 (a dump of it
holds no working address), and a request finds its feed by that hash. The token itself is
derived, not stored: an HMAC of the feed's kind, owner and creation instant under the
server's key (:class:`FeedKey`, from ``web.session_secret``), so the owner can be shown the
address again at any time. Rotating gives the feed a new creation instant, hence a new token
and hash; the old address then matches nothing (404).

Without a fixed ``web.session_secret`` each process has its own random key: addresses keep
working, but one made by another process (or before a restart) cannot be shown again
(:attr:`FeedAddress.token` is None) until it is rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import calendars as feeds
from gamesched.db import repositories as repo
from gamesched.db.tables import CalendarFeedRow
from gamesched.domain.errors import Conflict
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
)
from gamesched.services._common import views_of
from gamesched.services.context import Context
from gamesched.services.games import GameRole, my_games
from gamesched.services.views import GameView, effective_settings

FEED_PAST = timedelta(days=30)
"""A feed shows games that started up to this long ago (cancelled ones too), and every later
one: calendar apps drop events a feed no longer lists."""
KEY_LABEL = b"gamesched calendar feed tokens v1"
"""Separates the feeds' key from every other use of the session secret."""
ONE_TICK = timedelta(microseconds=1)
MAX_PUBLIC_GAMES = 500
"""A public feed lists at most this many games (the soonest from a month back on)."""


class FeedKind(StrEnum):
    """Whose games a feed shows."""

    MEMBER = "member"
    """The games a member hosts, joined or is waitlisted for."""
    GUILD = "guild"
    """A server's games (public, when the server switched it on)."""
    CHANNEL = "channel"
    """A channel's games (public, when switched on for it)."""

    @property
    def is_public(self) -> bool:
        return self is not FeedKind.MEMBER


PUBLIC_FEED_OFF = {
    FeedKind.GUILD: "This server's public calendar feed is off.",
    FeedKind.CHANNEL: "This channel's public calendar feed is off.",
}


@dataclass(frozen=True, slots=True)
class FeedKey:
    """The server's key feed tokens are derived from."""

    secret: bytes

    @classmethod
    def of(cls, session_secret: str | None) -> FeedKey:
        """The key for ``web.session_secret``; a random one for this process when it is
        empty or None."""
        seed = session_secret.encode() if session_secret else secrets.token_bytes(32)
        return cls(hmac.new(seed, KEY_LABEL, hashlib.sha256).digest())

    def token(self, *, kind: FeedKind, owner_id: int, made_at: datetime) -> str:
        """The feed's token: 43 URL-safe characters (256 bits)."""
        stamp = made_at.astimezone(UTC).isoformat(timespec="microseconds")
        message = f"{kind}:{owner_id}:{stamp}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class FeedAddress:
    """A feed as its owner is shown it."""

    kind: FeedKind
    owner_id: int
    made_at: datetime
    """When its current token was made (at the first use, or the last rotation)."""
    token: str | None
    """The token of its address; None when this process's key did not make it (no fixed
    ``web.session_secret``): rotating makes one that can be shown."""
    new: bool = False
    """It was made (or rotated) by this call."""


def _address(key: FeedKey, row: CalendarFeedRow, *, new: bool = False) -> FeedAddress:
    kind = FeedKind(row.kind)
    token = key.token(kind=kind, owner_id=row.owner_id, made_at=row.created_at)
    shown = token if hmac.compare_digest(token_hash(token), row.token_hash) else None
    return FeedAddress(kind, row.owner_id, row.created_at, shown, new)


async def _made(
    ctx: Context, session: AsyncSession, key: FeedKey, kind: FeedKind, owner_id: int
) -> FeedAddress:
    """The owner's feed, made now if it has none yet."""
    row = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
    if row is not None:
        return _address(key, row)
    token = await _put(session, key, kind, owner_id, made_at=ctx.clock(), replace=False)
    row = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
    assert row is not None
    return _address(key, row, new=row.token_hash == token_hash(token))


async def _renewed(
    ctx: Context, session: AsyncSession, key: FeedKey, kind: FeedKind, owner_id: int
) -> FeedAddress:
    """A new token for the owner's feed (made if it had none); the old one stops working."""
    old = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
    made_at = ctx.clock()
    if old is not None and made_at <= old.created_at:
        made_at = old.created_at + ONE_TICK  # a new instant, so a new token
    token = await _put(session, key, kind, owner_id, made_at=made_at, replace=True)
    return FeedAddress(kind, owner_id, made_at, token, new=True)


async def _put(
    session: AsyncSession,
    key: FeedKey,
    kind: FeedKind,
    owner_id: int,
    *,
    made_at: datetime,
    replace: bool,
) -> str:
    """Store the hash of the owner's token made at ``made_at`` (over the old one when
    ``replace``, else only if the owner has none) and return the token."""
    token = key.token(kind=kind, owner_id=owner_id, made_at=made_at)
    await feeds.put_feed(
        session,
        kind=kind,
        owner_id=owner_id,
        token_hash=token_hash(token),
        created_at=made_at,
        replace=replace,
    )
    return token


async def feed_address(ctx: Context, key: FeedKey, *, user_id: int) -> FeedAddress:
    """The member's own feed, made now if they have none yet (only they may ask)."""
    async with ctx.transaction() as session:
        return await _made(ctx, session, key, FeedKind.MEMBER, user_id)


async def rotate_feed(ctx: Context, key: FeedKey, *, user_id: int) -> FeedAddress:
    """A new address for the member's own feed; the old one stops working."""
    async with ctx.transaction() as session:
        return await _renewed(ctx, session, key, FeedKind.MEMBER, user_id)


async def _public_on(session: AsyncSession, kind: FeedKind, place_id: int) -> bool:
    """Whether the server's or channel's public feed is on (after inheritance)."""
    if kind is FeedKind.GUILD:
        guild = await repo.get_guild(session, place_id)
        return effective_settings(game=None, channel=None, guild=guild).public_feed.value
    channel = await repo.get_channel(session, place_id)
    if channel is None:
        return False
    guild = await repo.get_guild(session, channel.guild_id)
    return effective_settings(game=None, channel=channel, guild=guild).public_feed.value


async def public_feed_address(
    ctx: Context, key: FeedKey, *, kind: FeedKind, place_id: int
) -> FeedAddress | None:
    """A server's or channel's public feed, made on the first ask; None while it is off.
    Anyone may see it: it is meant to be shared."""
    async with ctx.transaction() as session:
        if not await _public_on(session, kind, place_id):
            return None
        return await _made(ctx, session, key, kind, place_id)


async def rotate_public_feed(
    ctx: Context, key: FeedKey, *, actor: Actor, kind: FeedKind, place_id: int
) -> FeedAddress:
    """A new address for a server's feed (Manage Server) or a channel's (Manage Channels
    there, as ``actor`` holds it); the old one stops working. Refused while the feed is off."""
    if kind is FeedKind.GUILD:
        require_can_configure_guild(actor)
    else:
        require_can_configure_channel(actor)
    async with ctx.transaction() as session:
        if not await _public_on(session, kind, place_id):
            raise Conflict(PUBLIC_FEED_OFF[kind])
        return await _renewed(ctx, session, key, kind, place_id)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One game of a feed."""

    game: GameView
    role: GameRole | None = None
    """The member's part in it, for a member's feed; None in a public feed or a file."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What a feed's address shows."""

    kind: FeedKind
    owner_id: int
    entries: tuple[FeedEntry, ...]


async def read_feed(ctx: Context, *, token: str) -> Feed | None:
    """The games of the feed whose address ends in ``token``; None for an address that is
    unknown or was rotated away, and for a public feed that is off."""
    since = ctx.now() - FEED_PAST
    async with ctx.transaction() as session:
        row = await feeds.feed_by_hash(session, token_hash(token))
        if row is None:
            return None
        kind, owner_id = FeedKind(row.kind), row.owner_id
        if kind.is_public:
            return await _public_feed(session, kind, owner_id, since=since)
    mine = await my_games(ctx, user_id=owner_id, statuses=(), starts_from=since)
    return Feed(kind, owner_id, tuple(FeedEntry(m.game, m.role) for m in mine))


async def _public_feed(
    session: AsyncSession, kind: FeedKind, place_id: int, *, since: datetime
) -> Feed | None:
    """A server's or channel's games, of the channels whose public feed is on (a server's
    feed leaves out a channel switched off), or None while the feed itself is off."""
    if not await _public_on(session, kind, place_id):
        return None
    guild = kind is FeedKind.GUILD
    _, rows = await repo.page_of_games(
        session,
        guild_id=place_id if guild else None,
        channel_id=None if guild else place_id,
        starts_from=since,
        limit=MAX_PUBLIC_GAMES,
        offset=0,
    )
    games = [game for game in await views_of(session, rows) if game.settings.public_feed.value]
    return Feed(kind, place_id, tuple(FeedEntry(game) for game in games))
