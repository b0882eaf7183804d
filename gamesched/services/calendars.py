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

from gamesched.db import calendars as feeds
from gamesched.db.tables import CalendarFeedRow
from gamesched.services.context import Context
from gamesched.services.games import GameRole, my_games
from gamesched.services.views import GameView

FEED_PAST = timedelta(days=30)
"""A feed shows games that started up to this long ago (cancelled ones too), and every later
one: calendar apps drop events a feed no longer lists."""
KEY_LABEL = b"gamesched calendar feed tokens v1"
"""Separates the feeds' key from every other use of the session secret."""
ONE_TICK = timedelta(microseconds=1)


class FeedKind(StrEnum):
    """Whose games a feed shows."""

    MEMBER = "member"
    """The games a member hosts, joined or is waitlisted for."""
    GUILD = "guild"
    """A server's games (public, when the server switched it on)."""
    CHANNEL = "channel"
    """A channel's games (public, when switched on for it)."""


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


async def feed_address(ctx: Context, key: FeedKey, *, kind: FeedKind, owner_id: int) -> FeedAddress:
    """The owner's feed, made now if it has none yet (who may ask is the caller's rule)."""
    async with ctx.transaction() as session:
        row = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
        if row is not None:
            return _address(key, row)
        made_at = ctx.clock()
        token = key.token(kind=kind, owner_id=owner_id, made_at=made_at)
        await feeds.put_feed(
            session,
            kind=kind,
            owner_id=owner_id,
            token_hash=token_hash(token),
            created_at=made_at,
            replace=False,
        )
        row = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
        assert row is not None
        return _address(key, row, new=row.token_hash == token_hash(token))


async def rotate_feed(ctx: Context, key: FeedKey, *, kind: FeedKind, owner_id: int) -> FeedAddress:
    """A new address for the owner's feed (made if it had none); the old one stops working."""
    async with ctx.transaction() as session:
        old = await feeds.feed_of(session, kind=kind, owner_id=owner_id)
        made_at = ctx.clock()
        if old is not None and made_at <= old.created_at:
            made_at = old.created_at + ONE_TICK  # a new instant, so a new token
        token = key.token(kind=kind, owner_id=owner_id, made_at=made_at)
        await feeds.put_feed(
            session,
            kind=kind,
            owner_id=owner_id,
            token_hash=token_hash(token),
            created_at=made_at,
            replace=True,
        )
        return FeedAddress(kind, owner_id, made_at, token, new=True)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One game of a feed."""

    game: GameView
    role: GameRole | None = None
    """The member's part in it, for a member's feed; None in a public feed."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What a feed's address shows."""

    kind: FeedKind
    owner_id: int
    entries: tuple[FeedEntry, ...]


async def read_feed(ctx: Context, *, token: str) -> Feed | None:
    """The games of the feed whose address ends in ``token``; None for an address that is
    unknown or was rotated away."""
    async with ctx.transaction() as session:
        row = await feeds.feed_by_hash(session, token_hash(token))
        if row is None:
            return None
        kind, owner_id = FeedKind(row.kind), row.owner_id
    if kind is not FeedKind.MEMBER:
        return None
    since = ctx.now() - FEED_PAST
    mine = await my_games(ctx, user_id=owner_id, statuses=(), starts_from=since)
    entries = tuple(FeedEntry(m.game, m.role) for m in mine)
    return Feed(kind, owner_id, entries)
