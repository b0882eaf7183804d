"""Queries the services need, one place per table family. Every function takes the open session."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db.engine import changed_any
from gamesched.db.tables import (
    ANNOUNCEMENT_BEHIND,
    ChannelRow,
    DmChannelRow,
    GameRow,
    GuildRow,
    HistoryRow,
    JobRow,
    NotificationRow,
    ParticipantRow,
    UserRow,
    WorkerRow,
)


async def _insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the primary key exists (safe under concurrent callers)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    await session.execute(insert(table).values(**values).on_conflict_do_nothing())


async def ensure_guild(session: AsyncSession, guild_id: int) -> GuildRow:
    """The guild's row, created empty on first use."""
    await _insert_ignore(session, GuildRow.__table__, {"id": guild_id})
    row = await session.get(GuildRow, guild_id)
    assert row is not None
    return row


async def ensure_channel(session: AsyncSession, *, channel_id: int, guild_id: int) -> ChannelRow:
    """The channel's row, created empty on first use (its guild too)."""
    await ensure_guild(session, guild_id)
    await _insert_ignore(session, ChannelRow.__table__, {"id": channel_id, "guild_id": guild_id})
    row = await session.get(ChannelRow, channel_id)
    assert row is not None
    return row


async def get_guild(session: AsyncSession, guild_id: int) -> GuildRow | None:
    return await session.get(GuildRow, guild_id)


async def get_channel(session: AsyncSession, channel_id: int) -> ChannelRow | None:
    return await session.get(ChannelRow, channel_id)


async def list_guilds(session: AsyncSession) -> Sequence[GuildRow]:
    return (await session.scalars(select(GuildRow).order_by(GuildRow.id))).all()


async def list_channels(session: AsyncSession, guild_id: int | None = None) -> Sequence[ChannelRow]:
    """The channels of one guild (of every guild when None), by id."""
    query = select(ChannelRow).order_by(ChannelRow.id)
    if guild_id is not None:
        query = query.where(ChannelRow.guild_id == guild_id)
    return (await session.scalars(query)).all()


async def channel_counts(session: AsyncSession) -> dict[int, int]:
    """How many channels have a row (settings, or games announced there), per guild."""
    query = select(ChannelRow.guild_id, func.count()).group_by(ChannelRow.guild_id)
    return {guild_id: count for guild_id, count in await session.execute(query)}


async def scheduled_game_counts(session: AsyncSession, *, per_channel: bool) -> dict[int, int]:
    """How many games are still to start, per guild (or per channel)."""
    key = GameRow.channel_id if per_channel else GameRow.guild_id
    query = select(key, func.count()).where(GameRow.status == "scheduled").group_by(key)
    return {place_id: count for place_id, count in await session.execute(query)}


async def ensure_user(session: AsyncSession, user_id: int) -> UserRow:
    await _insert_ignore(session, UserRow.__table__, {"id": user_id})
    row = await session.get(UserRow, user_id)
    assert row is not None
    return row


async def get_user(session: AsyncSession, user_id: int) -> UserRow | None:
    return await session.get(UserRow, user_id)


MAX_GAME_ID = 2**31 - 1
"""Game numbers are INTEGER keys: a number beyond names no game (and PostgreSQL would refuse
to compare with it)."""


async def get_game(session: AsyncSession, game_id: int, *, lock: bool = False) -> GameRow | None:
    """One game; with ``lock`` the row stays locked until commit (PostgreSQL row lock;
    SQLite already holds the database write lock from BEGIN IMMEDIATE)."""
    if not 0 < game_id <= MAX_GAME_ID:
        return None
    query = select(GameRow).where(GameRow.id == game_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def bump_game(session: AsyncSession, game_id: int) -> GameRow | None:
    """One game, its version already one up and its row locked until commit, in one
    statement (UPDATE ... RETURNING): the lock and the bump every change needs. A change
    refused afterwards rolls the bump back with it."""
    if not 0 < game_id <= MAX_GAME_ID:
        return None
    query = (
        update(GameRow)
        .where(GameRow.id == game_id)
        .values(version=GameRow.version + 1)
        .returning(GameRow)
        .execution_options(synchronize_session=False)
    )
    return (await session.scalars(query)).one_or_none()


async def places_of(
    session: AsyncSession, *, guild_id: int, channel_id: int
) -> tuple[GuildRow | None, ChannelRow | None]:
    """A game's guild and channel rows (None for a level without a row): from the session
    when it has both already, else in one query."""
    identities = session.sync_session.identity_map
    guild = identities.get(session.identity_key(GuildRow, guild_id))
    channel = identities.get(session.identity_key(ChannelRow, channel_id))
    if isinstance(guild, GuildRow) and isinstance(channel, ChannelRow):
        return guild, channel
    query = (
        select(GuildRow, ChannelRow)
        .outerjoin(ChannelRow, ChannelRow.id == channel_id)
        .where(GuildRow.id == guild_id)
    )
    row = (await session.execute(query)).one_or_none()
    return (None, None) if row is None else (row[0], row[1])


@dataclass(frozen=True, slots=True)
class Slot:
    """One participant row, without ORM overhead (rosters are read on every click)."""

    user_id: int | None
    placeholder: str | None
    status: str


async def participants_of(session: AsyncSession, game_ids: Iterable[int]) -> dict[int, list[Slot]]:
    """Participant slots per game, each list in stored order."""
    ids = list(game_ids)
    result: dict[int, list[Slot]] = {game_id: [] for game_id in ids}
    if not ids:
        return result
    query = (
        select(
            ParticipantRow.game_id,
            ParticipantRow.user_id,
            ParticipantRow.placeholder,
            ParticipantRow.status,
        )
        .where(ParticipantRow.game_id.in_(ids))
        .order_by(ParticipantRow.game_id, ParticipantRow.sort_key, ParticipantRow.id)
    )
    for game_id, user_id, placeholder, status in await session.execute(query):
        result[game_id].append(Slot(user_id, placeholder, status))
    return result


async def find_participant(
    session: AsyncSession, *, game_id: int, user_id: int
) -> ParticipantRow | None:
    query = select(ParticipantRow).where(
        ParticipantRow.game_id == game_id, ParticipantRow.user_id == user_id
    )
    return (await session.scalars(query)).one_or_none()


async def find_placeholder(
    session: AsyncSession, *, game_id: int, text: str
) -> ParticipantRow | None:
    """The first slot (in stored order) holding the placeholder ``text``."""
    query = (
        select(ParticipantRow)
        .where(ParticipantRow.game_id == game_id, ParticipantRow.placeholder == text)
        .order_by(ParticipantRow.sort_key, ParticipantRow.id)
    )
    return (await session.scalars(query)).first()


async def add_participant(
    session: AsyncSession, *, game_id: int, user_id: int, status: str, sort_key: int
) -> None:
    """A member's row in a game, inserted at once (nothing to load back)."""
    await session.execute(
        insert(ParticipantRow).values(
            game_id=game_id, user_id=user_id, status=status, sort_key=sort_key
        )
    )


async def remove_participant(session: AsyncSession, *, game_id: int, user_id: int) -> None:
    await session.execute(
        delete(ParticipantRow).where(
            ParticipantRow.game_id == game_id, ParticipantRow.user_id == user_id
        )
    )


async def promote_waitlisted(
    session: AsyncSession, *, game_id: int, user_ids: Sequence[int], first_sort_key: int
) -> None:
    """Give the listed waitlisted members a seat, keeping their order."""
    for offset, user_id in enumerate(user_ids):
        await session.execute(
            update(ParticipantRow)
            .where(ParticipantRow.game_id == game_id, ParticipantRow.user_id == user_id)
            .values(status="joined", sort_key=first_sort_key + offset)
        )


async def page_of_games(
    session: AsyncSession,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    channel_ids: Collection[int] | None = None,
    category: str | None = None,
    statuses: Sequence[str] = (),
    host_id: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[GameRow]]:
    """How many games match the filters, and the matching games from ``offset`` on (at most
    ``limit``), soonest first. Category is matched after inheritance."""
    query = select(GameRow)
    if guild_id is not None:
        query = query.where(GameRow.guild_id == guild_id)
    if channel_id is not None:
        query = query.where(GameRow.channel_id == channel_id)
    if host_id is not None:
        query = query.where(GameRow.host_id == host_id)
    if starts_from is not None:
        query = query.where(GameRow.start_at >= starts_from)
    if starts_before is not None:
        query = query.where(GameRow.start_at < starts_before)
    if channel_ids is not None:
        query = query.where(GameRow.channel_id.in_(channel_ids))
    if statuses:
        query = query.where(GameRow.status.in_(statuses))
    if category is not None:
        effective = func.coalesce(GameRow.category, ChannelRow.category, GuildRow.category, "")
        query = (
            query.join(ChannelRow, ChannelRow.id == GameRow.channel_id)
            .join(GuildRow, GuildRow.id == GameRow.guild_id)
            .where(func.lower(effective) == category.strip().lower())
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(GameRow.start_at, GameRow.id)
    rows = (await session.scalars(ordered.limit(limit).offset(offset))).all()
    return int(total or 0), rows


async def games_of_user(
    session: AsyncSession,
    *,
    user_id: int,
    guild_id: int | None,
    statuses: Sequence[str],
    starts_from: datetime | None = None,
) -> Sequence[GameRow]:
    """Games the user hosts or is in (joined or waitlisted), soonest first (those starting
    from ``starts_from`` on, when given)."""
    theirs = union(
        select(GameRow.id).where(GameRow.host_id == user_id),
        select(ParticipantRow.game_id).where(ParticipantRow.user_id == user_id),
    )
    query = select(GameRow).where(GameRow.id.in_(theirs.scalar_subquery()))
    if guild_id is not None:
        query = query.where(GameRow.guild_id == guild_id)
    if statuses:
        query = query.where(GameRow.status.in_(statuses))
    if starts_from is not None:
        query = query.where(GameRow.start_at >= starts_from)
    return (await session.scalars(query.order_by(GameRow.start_at, GameRow.id))).all()


async def live_games_in(
    session: AsyncSession, *, guild_id: int, channel_id: int | None = None
) -> Sequence[GameRow]:
    """Scheduled and running games of a guild (or one channel), locked for a settings change."""
    query = select(GameRow).where(
        GameRow.guild_id == guild_id, GameRow.status.in_(("scheduled", "in_progress"))
    )
    if channel_id is not None:
        query = query.where(GameRow.channel_id == channel_id)
    return (await session.scalars(query.order_by(GameRow.id).with_for_update())).all()


async def games_with_stale_announcement(
    session: AsyncSession, *, unannounced_since: datetime, limit: int
) -> tuple[int, ...]:
    """Games whose announcement shows an older version than the database, and games not
    announced (new, or moved to another channel) whose last change was before
    ``unannounced_since``; by id. Read from the index of the few games behind, not from
    every game."""
    due = or_(
        and_(GameRow.message_id.is_not(None), GameRow.rendered_version < GameRow.version),
        and_(GameRow.message_id.is_(None), GameRow.updated_at < unannounced_since),
    )
    query = select(GameRow.id).where(ANNOUNCEMENT_BEHIND, due).order_by(GameRow.id).limit(limit)
    return tuple((await session.scalars(query)).all())


async def record_render_if_newer(
    session: AsyncSession, *, game_id: int, message_id: int, version: int
) -> bool:
    """Note that ``message_id`` shows ``version`` unless a newer version is recorded already.

    Compare-and-set in one statement; False when the recorded version was not older.
    """
    result = await session.execute(
        update(GameRow)
        .where(GameRow.id == game_id, GameRow.rendered_version < version)
        .values(message_id=message_id, rendered_version=version)
    )
    return changed_any(result)


async def delete_unannounced_game(session: AsyncSession, game_id: int) -> bool:
    """Delete a game that has no announcement message; False if it has one (or is gone)."""
    result = await session.execute(
        delete(GameRow).where(GameRow.id == game_id, GameRow.message_id.is_(None))
    )
    return changed_any(result)


async def pending_jobs(session: AsyncSession, game_id: int) -> Sequence[JobRow]:
    query = (
        select(JobRow)
        .where(JobRow.game_id == game_id, JobRow.done_at.is_(None))
        .order_by(JobRow.due_at, JobRow.id)
    )
    return (await session.scalars(query)).all()


async def notifications_of(session: AsyncSession, game_id: int) -> Sequence[NotificationRow]:
    query = (
        select(NotificationRow)
        .where(NotificationRow.game_id == game_id)
        .order_by(NotificationRow.id)
    )
    return (await session.scalars(query)).all()


async def history_of_game(session: AsyncSession, game_id: int) -> Sequence[HistoryRow]:
    """A game's recorded changes, oldest first."""
    result = await session.scalars(
        select(HistoryRow).where(HistoryRow.game_id == game_id).order_by(HistoryRow.id)
    )
    return result.all()


async def beat(
    session: AsyncSession, *, worker: str, now: datetime, dispatched: bool, forget_before: datetime
) -> None:
    """Write a worker's heartbeat (and that it just dispatched work, when it did); forget
    workers silent since ``forget_before``."""
    row = await session.get(WorkerRow, worker)
    if row is None:
        row = WorkerRow(id=worker, started_at=now, seen_at=now)
        session.add(row)
    row.seen_at = now
    if dispatched:
        row.dispatched_at = now
    await session.execute(delete(WorkerRow).where(WorkerRow.seen_at < forget_before))


async def workers_seen(session: AsyncSession) -> Sequence[WorkerRow]:
    """Every worker that wrote a heartbeat lately, the most recently seen first."""
    result = await session.scalars(select(WorkerRow).order_by(WorkerRow.seen_at.desc()))
    return result.all()


# ----- the operator's dashboard: pages of game lines, what changed, upcoming work ---------


def _game_scope(
    *, guild_id: int | None, channel_id: int | None, statuses: Sequence[str], text: str | None
) -> Select[GameRow]:
    """Games of a guild or channel (all when None), of ``statuses`` (any when empty), whose
    title or effective category contains ``text`` (case-insensitive)."""
    query = select(GameRow)
    if guild_id is not None:
        query = query.where(GameRow.guild_id == guild_id)
    if channel_id is not None:
        query = query.where(GameRow.channel_id == channel_id)
    if statuses:
        query = query.where(GameRow.status.in_(statuses))
    if text and text.strip():
        wanted = text.strip().lower()
        effective = func.coalesce(GameRow.category, ChannelRow.category, GuildRow.category, "")
        query = (
            query.join(ChannelRow, ChannelRow.id == GameRow.channel_id)
            .join(GuildRow, GuildRow.id == GameRow.guild_id)
            .where(
                or_(
                    func.lower(GameRow.title).contains(wanted, autoescape=True),
                    func.lower(effective).contains(wanted, autoescape=True),
                )
            )
        )
    return query


async def page_of_game_lines(
    session: AsyncSession,
    *,
    guild_id: int | None,
    channel_id: int | None,
    statuses: Sequence[str],
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[GameRow]]:
    """How many games are in the scope, and the page from ``offset`` on, soonest first."""
    query = _game_scope(guild_id=guild_id, channel_id=channel_id, statuses=statuses, text=text)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(GameRow.start_at, GameRow.id).limit(limit).offset(offset)
    return int(total or 0), (await session.scalars(ordered)).all()


async def games_by_id(session: AsyncSession, game_ids: Collection[int]) -> Sequence[GameRow]:
    """The games with these ids that exist, by id."""
    if not game_ids:
        return ()
    query = select(GameRow).where(GameRow.id.in_(game_ids)).order_by(GameRow.id)
    return (await session.scalars(query)).all()


async def roster_counts(
    session: AsyncSession, game_ids: Collection[int]
) -> dict[int, dict[str, int]]:
    """Per game, how many participant rows it has of each status (joined, waitlist,
    placeholder), counted by the database rather than loaded."""
    counts: dict[int, dict[str, int]] = {game_id: {} for game_id in game_ids}
    if not game_ids:
        return counts
    query = (
        select(ParticipantRow.game_id, ParticipantRow.status, func.count())
        .where(ParticipantRow.game_id.in_(game_ids))
        .group_by(ParticipantRow.game_id, ParticipantRow.status)
    )
    for game_id, status, count in await session.execute(query):
        counts[game_id][status] = int(count)
    return counts


async def next_open_reminders(
    session: AsyncSession, game_ids: Collection[int]
) -> dict[int, datetime]:
    """Per game, when its next reminder not done yet is due (games without one are absent)."""
    if not game_ids:
        return {}
    query = (
        select(JobRow.game_id, func.min(JobRow.due_at))
        .where(JobRow.game_id.in_(game_ids), JobRow.kind == "reminder", JobRow.done_at.is_(None))
        .group_by(JobRow.game_id)
    )
    return {game_id: due for game_id, due in await session.execute(query) if due is not None}


async def latest_game_change(session: AsyncSession) -> datetime | None:
    """When a game last changed (its ``updated_at``), None without games."""
    return await session.scalar(select(func.max(GameRow.updated_at)))


async def games_changed_since(
    session: AsyncSession, since: datetime, *, inclusive: bool, limit: int
) -> Sequence[tuple[int, int, datetime]]:
    """``(id, version, updated_at)`` of games changed after ``since`` (or at it, when
    ``inclusive``), the oldest change first, at most ``limit``."""
    after = GameRow.updated_at >= since if inclusive else GameRow.updated_at > since
    query = (
        select(GameRow.id, GameRow.version, GameRow.updated_at)
        .where(after)
        .order_by(GameRow.updated_at, GameRow.id)
        .limit(limit)
    )
    return [(game_id, version, at) for game_id, version, at in await session.execute(query)]


async def open_jobs(session: AsyncSession, *, limit: int) -> tuple[int, Sequence[JobRow]]:
    """How many reminders and status changes are not done yet, and the soonest ``limit``."""
    where = JobRow.done_at.is_(None)
    total = await session.scalar(select(func.count(JobRow.id)).where(where))
    query = select(JobRow).where(where).order_by(JobRow.due_at, JobRow.id).limit(limit)
    return int(total or 0), (await session.scalars(query)).all()


async def announcements_behind(
    session: AsyncSession, *, changed_before: datetime, limit: int
) -> tuple[int, Sequence[GameRow]]:
    """Games whose announcement was never posted or shows an older version, and that have
    not changed since ``changed_before`` (so a sync had time to catch up); the oldest first."""
    where = and_(ANNOUNCEMENT_BEHIND, GameRow.updated_at < changed_before)
    total = await session.scalar(select(func.count(GameRow.id)).where(where))
    query = select(GameRow).where(where).order_by(GameRow.updated_at, GameRow.id).limit(limit)
    return int(total or 0), (await session.scalars(query)).all()


# ----- scheduled events mirroring games ---------------------------------------------------


async def next_occurrence(session: AsyncSession, series_id: int) -> int | None:
    """The series' earliest game still scheduled or running (the one its event mirrors)."""
    query = (
        select(GameRow.id)
        .where(GameRow.series_id == series_id, GameRow.status.in_(("scheduled", "in_progress")))
        .order_by(GameRow.start_at, GameRow.id)
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def record_event_if_newer(
    session: AsyncSession, *, game_id: int, was: int | None, event_id: int, version: int
) -> bool:
    """Note that ``event_id`` shows ``version``, if the game's event is still ``was`` (None:
    none yet) and no newer version is recorded; the event problem is cleared with it.

    Compare-and-set in one statement, so two processes never both keep an event they made,
    and a slow change never marks the event as older than one already recorded.
    """
    same = GameRow.event_id.is_(None) if was is None else GameRow.event_id == was
    result = await session.execute(
        update(GameRow)
        .where(GameRow.id == game_id, same, GameRow.event_version < version)
        .values(event_id=event_id, event_version=version, event_problem=None)
    )
    return changed_any(result)


async def forget_event(session: AsyncSession, *, game_id: int, event_id: int) -> None:
    """The game has no event any more (``event_id`` was deleted), unless another replaced it."""
    await session.execute(
        update(GameRow)
        .where(GameRow.id == game_id, GameRow.event_id == event_id)
        .values(event_id=None, event_version=0)
    )


# ----- members' DM channels -------------------------------------------------------------


async def dm_channels_of(session: AsyncSession, user_ids: Collection[int]) -> dict[int, int]:
    """User id -> remembered DM channel id, for those of ``user_ids`` that have one."""
    if not user_ids:
        return {}
    query = select(DmChannelRow.user_id, DmChannelRow.channel_id).where(
        DmChannelRow.user_id.in_(user_ids)
    )
    return {user_id: channel_id for user_id, channel_id in await session.execute(query)}


async def remember_dm_channel(
    session: AsyncSession, *, user_id: int, channel_id: int, at: datetime
) -> None:
    """Remember a user's DM channel, replacing the one remembered before (two processes
    that opened it at once write the same id)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(DmChannelRow).values(user_id=user_id, channel_id=channel_id, opened_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[DmChannelRow.user_id],
            set_={
                "channel_id": statement.excluded.channel_id,
                "opened_at": statement.excluded.opened_at,
            },
        )
    )


async def forget_dm_channel(session: AsyncSession, *, user_id: int, channel_id: int) -> None:
    """Forget a user's DM channel, unless another one was remembered meanwhile."""
    await session.execute(
        delete(DmChannelRow).where(
            DmChannelRow.user_id == user_id, DmChannelRow.channel_id == channel_id
        )
    )
