"""Read models the front ends render: snapshots taken inside the use case's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from gamesched.db.repositories import Slot
from gamesched.db.tables import ChannelRow, GameRow, GuildRow, SettingsColumns
from gamesched.domain.roster import Roster, SlotStatus
from gamesched.domain.settings import EffectiveSettings, SettingsLayer, resolve
from gamesched.domain.status import GameStatus


def layer_of(row: SettingsColumns | None) -> SettingsLayer | None:
    """The settings a stored level sets (None when the level has no row).

    Channels and guilds also store the settings of the place (host roles and its on/off
    settings); games do not.
    """
    if row is None:
        return None
    place = row if isinstance(row, ChannelRow | GuildRow) else None
    host_roles = None if place is None else place.host_role_ids
    return SettingsLayer(
        max_players=row.max_players,
        reminder_minutes=None if row.reminder_minutes is None else tuple(row.reminder_minutes),
        rules=row.rules,
        duration_minutes=row.duration_minutes,
        category=row.category,
        host_role_ids=None if host_roles is None else tuple(host_roles),
        remind_in_channel=None if place is None else place.remind_in_channel,
        public_feed=None if place is None else place.public_feed,
        mirror_events=None if place is None else place.mirror_events,
    )


def game_columns(layer: SettingsLayer) -> dict[str, Any]:
    """The settings columns a game-level row (a game, or a series' template) stores for
    ``layer``: the inverse of :func:`layer_of` for those rows."""
    minutes = layer.reminder_minutes
    return {
        "max_players": layer.max_players,
        "reminder_minutes": None if minutes is None else list(minutes),
        "rules": layer.rules,
        "duration_minutes": layer.duration_minutes,
        "category": layer.category,
    }


def effective_settings(
    *, game: GameRow | None, channel: ChannelRow | None, guild: GuildRow | None
) -> EffectiveSettings:
    """A game's (or a channel's, with game None) settings after inheritance."""
    return resolve(
        game=layer_of(game),
        channel=layer_of(channel),
        guild=layer_of(guild),
    )


@dataclass(frozen=True, slots=True)
class GameView:
    """Everything shown about a game: its fields, resolved settings and participants."""

    id: int
    guild_id: int
    channel_id: int
    host_id: int
    title: str
    description: str
    start_at: datetime
    status: GameStatus
    version: int
    """Goes up with every change; the announcement shows ``rendered_version``."""
    message_id: int | None
    rendered_version: int
    ping_participants: bool
    settings: EffectiveSettings
    joined: tuple[int, ...]
    waitlist: tuple[int, ...]
    placeholders: tuple[str, ...]
    series_id: int | None = None
    """The recurring series this game is an occurrence of, if any."""
    event_id: int | None = None
    """The Discord scheduled event mirroring the game, once created."""
    event_version: int = 0
    """The version the scheduled event shows (or the mirror last settled)."""

    @property
    def end_at(self) -> datetime:
        """When the game is expected to end (start + resolved duration)."""
        return self.start_at + timedelta(minutes=self.settings.duration_minutes.value)

    @property
    def max_players(self) -> int:
        return self.settings.max_players.value

    @property
    def roster(self) -> Roster:
        return Roster(
            joined=self.joined,
            waitlist=self.waitlist,
            placeholders=self.placeholders,
            max_players=self.max_players,
        )

    def after(
        self,
        *,
        version: int,
        joined: tuple[int, ...] | None = None,
        waitlist: tuple[int, ...] | None = None,
        placeholders: tuple[str, ...] | None = None,
    ) -> GameView:
        """This snapshot after a roster change, without reading the database again."""
        return replace(
            self,
            version=version,
            joined=self.joined if joined is None else joined,
            waitlist=self.waitlist if waitlist is None else waitlist,
            placeholders=self.placeholders if placeholders is None else placeholders,
        )

    @property
    def needs_sync(self) -> bool:
        """The announcement is behind the database (or was never posted)."""
        return self.rendered_version < self.version


def game_view(
    game: GameRow,
    participants: Sequence[Slot],
    *,
    channel: ChannelRow | None,
    guild: GuildRow | None,
) -> GameView:
    """Snapshot of one game; ``participants`` in stored order."""

    def members(status: SlotStatus) -> tuple[int, ...]:
        return tuple(p.user_id for p in participants if p.status == status and p.user_id)

    return GameView(
        id=game.id,
        guild_id=game.guild_id,
        channel_id=game.channel_id,
        host_id=game.host_id,
        title=game.title,
        description=game.description,
        start_at=game.start_at,
        status=GameStatus(game.status),
        version=game.version,
        message_id=game.message_id,
        rendered_version=game.rendered_version,
        ping_participants=game.ping_participants,
        settings=effective_settings(game=game, channel=channel, guild=guild),
        joined=members(SlotStatus.JOINED),
        waitlist=members(SlotStatus.WAITLIST),
        placeholders=tuple(
            p.placeholder
            for p in participants
            if p.status == SlotStatus.PLACEHOLDER and p.placeholder
        ),
        series_id=game.series_id,
        event_id=game.event_id,
        event_version=game.event_version,
    )
