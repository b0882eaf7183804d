"""SQLAlchemy 2.0 tables. Discord ids only, never names: names are resolved at render time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    or_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine (SQLite has no time zones: store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; gamesched stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, aware UTC, second precision."""
    return datetime.now(UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same."""

    metadata = MetaData(naming_convention=NAMING)


class SettingsColumns:
    """The inheritable settings every level stores; NULL inherits from the level above."""

    max_players: Mapped[int | None] = mapped_column(Integer)
    reminder_minutes: Mapped[list[int] | None] = mapped_column(JSON)
    rules: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(50))


class GuildRow(SettingsColumns, Base):
    """A Discord server that uses gamesched."""

    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    host_role_ids: Mapped[list[int] | None] = mapped_column(JSON)
    remind_in_channel: Mapped[bool | None] = mapped_column(Boolean)
    public_feed: Mapped[bool | None] = mapped_column(Boolean)
    """Whether the server's games are published as a calendar feed anyone with its link reads."""
    mirror_events: Mapped[bool | None] = mapped_column(Boolean)
    """Whether games are mirrored as Discord scheduled events."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChannelRow(SettingsColumns, Base):
    """A channel games are announced in; only its settings are stored."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    host_role_ids: Mapped[list[int] | None] = mapped_column(JSON)
    remind_in_channel: Mapped[bool | None] = mapped_column(Boolean)
    public_feed: Mapped[bool | None] = mapped_column(Boolean)
    mirror_events: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SeriesRow(SettingsColumns, Base):
    """A recurring game: the rule its occurrences follow and the template each occurrence (a
    normal game) is made from. Times are local wall time in an IANA zone, never a UTC rule,
    so 19:00 Berlin stays 19:00 Berlin across daylight-saving changes."""

    __tablename__ = "series"
    __table_args__ = (CheckConstraint("status IN ('active', 'ended', 'cancelled')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    host_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    ping_participants: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    """The IANA zone the wall time is read in."""
    wall_time: Mapped[time] = mapped_column(Time)
    """Local start time of every occurrence."""
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The recurrence pattern as the domain's rule value stores it."""
    starts_on: Mapped[date] = mapped_column(Date)
    """The local date the pattern counts from (its first possible occurrence)."""
    until_on: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Local dates (ISO) that have no occurrence."""
    ahead_days: Mapped[int | None] = mapped_column(Integer)
    """Occurrences are created this many days before their start; None: the next one once
    the current one starts."""
    carry_roster: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether a new occurrence starts with the previous one's players and placeholders."""
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the next occurrence is to be created; None once the series has no more."""
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


SERIES_DUE = SeriesRow.next_due_at.is_not(None)
"""A series with an occurrence still to create: indexed apart, by due time, like open jobs."""
Index(
    "ix_series_next_due",
    SeriesRow.next_due_at,
    SeriesRow.id,
    postgresql_where=SERIES_DUE,
    sqlite_where=SERIES_DUE,
)


class UserRow(Base):
    """A Discord user's preferences; never their name."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GameRow(SettingsColumns, Base):
    """One scheduled game session. ``version`` goes up with every change."""

    __tablename__ = "games"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'in_progress', 'completed', 'cancelled')", name="status"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_games_guild_status_start", "guild_id", "status", "start_at"),
        Index("ix_games_channel_start", "channel_id", "start_at"),
        Index("ix_games_updated_at", "updated_at", "id"),
        UniqueConstraint("series_id", "occurrence_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    host_id: Mapped[int] = mapped_column(BigInteger, index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    version: Mapped[int] = mapped_column(Integer, default=1)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    """The announcement message, once posted."""
    rendered_version: Mapped[int] = mapped_column(Integer, default=0)
    """The version the announcement shows; behind ``version`` means a sync is due."""
    ping_participants: Mapped[bool] = mapped_column(Boolean, default=False)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    """The series this game is an occurrence of, if any."""
    occurrence_on: Mapped[date | None] = mapped_column(Date)
    """The series' local date this occurrence stands for (kept when the game is moved), so a
    series never gets two games for one date."""
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    """The Discord scheduled event mirroring the game, once created."""
    event_version: Mapped[int] = mapped_column(Integer, default=0)
    """The game version the scheduled event shows."""
    event_problem: Mapped[str | None] = mapped_column(String(32))
    """Why the game is not mirrored (e.g. the server's events are full), once the host was
    told, so they are told once."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


ANNOUNCEMENT_BEHIND = or_(GameRow.message_id.is_(None), GameRow.rendered_version < GameRow.version)
"""A game whose announcement is not posted or shows an older version: a few games at a time,
indexed apart so the worker's sweep does not read every game. A query uses that index when
this very condition is one of its terms."""
Index(
    "ix_games_announcement_behind",
    GameRow.id,
    postgresql_where=ANNOUNCEMENT_BEHIND,
    sqlite_where=ANNOUNCEMENT_BEHIND,
)


class ParticipantRow(Base):
    """A member in a game (joined or waitlisted) or a placeholder text slot."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("game_id", "user_id"),
        CheckConstraint(
            "(status = 'placeholder' AND user_id IS NULL AND placeholder IS NOT NULL) OR "
            "(status IN ('joined', 'waitlist') AND user_id IS NOT NULL AND placeholder IS NULL)",
            name="member_or_placeholder",
        ),
        Index("ix_participants_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    placeholder: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16))
    sort_key: Mapped[int] = mapped_column(Integer)
    """Order within the status: the game version at which the row entered it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobRow(Base):
    """A planned side effect of a game: a reminder or a status change, claimed once when due."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("kind IN ('reminder', 'start', 'complete')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    """Minutes before the start, for reminders; 0 for status changes."""
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    """``sent``, ``missed`` or ``skipped`` once done."""
    channel_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the reminder was posted in the game's channel for players with closed DMs."""


OPEN_JOB = JobRow.done_at.is_(None)
"""A job still to be done. Done jobs stay as the record, so the open ones are indexed apart
(by due time): the dispatcher's next due job and its claims read only those."""
Index(
    "ix_jobs_open_due", JobRow.due_at, JobRow.id, postgresql_where=OPEN_JOB, sqlite_where=OPEN_JOB
)


class NotificationRow(Base):
    """A direct message owed to one member (promotion, cancellation, new time), sent once."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(24))
    game_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When a worker took it; a claim older than the lease is taken over (crashed worker)."""
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(64))
    """Why it could not be delivered (e.g. ``dms_closed``); set together with sent_at."""


OWED_NOTIFICATION = NotificationRow.sent_at.is_(None)
"""A DM not sent yet (nor refused). Sent ones stay as the record: the owed ones are indexed
apart, oldest first, so the dispatcher's claims read only those."""
Index(
    "ix_notifications_owed",
    NotificationRow.id,
    postgresql_where=OWED_NOTIFICATION,
    sqlite_where=OWED_NOTIFICATION,
)


class DeliveryRow(Base):
    """One reminder DM to one player: written before sending, so nobody gets it twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("job_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(64))
    """``dms_closed`` when Discord refused the DM: the player is unreachable for this game."""


class WebSessionRow(Base):
    """A web login's OAuth tokens, sealed by the web service: the database never sees them
    in the clear, and the row is useless without the session secret."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The session's opaque random id (what the session cookie carries)."""
    tokens: Mapped[bytes] = mapped_column(LargeBinary)
    """The encrypted token blob; opaque here."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """After this the row is treated as gone (and removed when next seen)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HistoryRow(Base):
    """One change to a game or to a server's or channel's settings: who made it, from which
    front end, and each changed field's old and new value. Written in the change's own
    transaction, so a change and its record land together or not at all."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_guild_id_at", "guild_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    """The channel concerned (a game's, or the one whose settings changed); None for a
    server-wide setting."""
    game_id: Mapped[int | None] = mapped_column(
        ForeignKey("games.id", ondelete="CASCADE"), index=True
    )
    """None for a settings change."""
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    """The Discord member who made the change; None for an operator or the worker."""
    operator: Mapped[str | None] = mapped_column(String(64))
    """The login name of the operator at the terminal (CLI, TUI); None otherwise."""
    origin: Mapped[str] = mapped_column(String(16))
    """The front end: bot, web, cli, tui or worker."""
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{field: [old, new]}`` for what changed; ``{}`` when the action says it all."""


class WorkerRow(Base):
    """A worker's heartbeat: the doctor and the front ends tell whether one is alive."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The dispatcher's own label (host, process id and a random suffix)."""
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """When it last wrote its heartbeat."""
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When it last handed due work (a reminder, a status change, a DM) to the broker."""


class DmChannelRow(Base):
    """A member's DM channel with the bot, remembered so that a DM costs one request (the
    post) instead of two (opening the channel, then posting), in every process and after
    restarts. Only Discord's ids, like everything here."""

    __tablename__ = "dm_channels"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the bot opened it (again, after Discord said the remembered one was gone)."""


class CalendarFeedRow(Base):
    """A secret calendar feed address: a member's own feed, or a server's or channel's public
    one. Only a hash of the address's token is stored, so the database never holds a working
    address; a new token replaces the old one (the old address then answers 404)."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("kind IN ('member', 'guild', 'channel')", name="kind"),
        UniqueConstraint("kind", "owner_id"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the token, hex."""
    kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    """The member's, server's or channel's Discord id."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
