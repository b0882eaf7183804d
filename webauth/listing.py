"""Games as lines of a list (the start page and a guild's page): where and when, seats, and
the member's part in each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gamesched.discord.rights import GuildFacts
from gamesched.services.games import GameRole
from gamesched.services.views import GameView
from webauth.times import Moment, moment

ROLE_LABELS = {
    GameRole.HOST: "hosting",
    GameRole.JOINED: "joined",
    GameRole.WAITLIST: "waitlisted",
}
"""The member's part in a game, as a list marks it."""
DELETED_CHANNEL = "a deleted channel"


@dataclass(frozen=True, slots=True)
class GameLine:
    """One game in a list."""

    game: GameView
    start: Moment
    guild: str
    """The guild's name."""
    channel: str
    """``#name`` of the game's channel."""
    role: str | None = None
    """The member's part in it (``hosting``, ``joined``, ``waitlisted``), where the list says."""

    @property
    def seats(self) -> str:
        return f"{len(self.game.joined)}/{self.game.max_players}"


def channel_label(facts: GuildFacts, channel_id: int) -> str:
    """``#name`` of a channel of the guild (or :data:`DELETED_CHANNEL`)."""
    channel = facts.channel(channel_id)
    return DELETED_CHANNEL if channel is None else f"#{channel.name}"


def game_line(
    game: GameView, facts: GuildFacts, *, now: datetime, role: GameRole | None = None
) -> GameLine:
    return GameLine(
        game=game,
        start=moment(game.start_at, now=now),
        guild=facts.name,
        channel=channel_label(facts, game.channel_id),
        role=None if role is None else ROLE_LABELS[role],
    )
