"""What an operator reads: the guilds and channels gamesched knows, and a game's full record
(its planned jobs, each reminder's DMs, who could not be reached)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import jobs
from gamesched.db import repositories as repo
from gamesched.db.tables import ChannelRow, GameRow, GuildRow, utcnow
from gamesched.domain.errors import NotFound
from gamesched.domain.roster import SlotStatus
from gamesched.domain.settings import EffectiveSettings
from gamesched.domain.status import GameStatus
from gamesched.services._common import load_game, view_of
from gamesched.services.context import Context
from gamesched.services.outbox import DMS_CLOSED
from gamesched.services.planning import JobKind
from gamesched.services.views import GameView, effective_settings


@dataclass(frozen=True, slots=True)
class GuildOverview:
    """A guild gamesched has a row for (it set something, or games were announced in it)."""

    guild_id: int
    timezone: str | None
    settings: EffectiveSettings
    """Resolved guild -> defaults; host roles among them."""
    configured_channels: int
    """Channels with a row: settings of their own, or games announced there."""
    upcoming_games: int
    """Games still to start."""


@dataclass(frozen=True, slots=True)
class ChannelOverview:
    channel_id: int
    guild_id: int
    settings: EffectiveSettings
    """Resolved channel -> guild -> defaults."""
    upcoming_games: int


async def guilds(ctx: Context) -> list[GuildOverview]:
    """Every guild gamesched knows, by id."""
    async with ctx.transaction() as session:
        channels = await repo.channel_counts(session)
        games = await repo.scheduled_game_counts(session, per_channel=False)
        return [
            _guild_overview(row, channels=channels, games=games)
            for row in await repo.list_guilds(session)
        ]


async def guild(ctx: Context, guild_id: int) -> GuildOverview:
    """One known guild, or a NotFound."""
    async with ctx.transaction() as session:
        row = await _known_guild(session, guild_id)
        channels = await repo.channel_counts(session)
        games = await repo.scheduled_game_counts(session, per_channel=False)
        return _guild_overview(row, channels=channels, games=games)


async def channels(ctx: Context, *, guild_id: int | None = None) -> list[ChannelOverview]:
    """The known channels of one guild (a NotFound if the guild is unknown), or of all."""
    async with ctx.transaction() as session:
        if guild_id is not None:
            await _known_guild(session, guild_id)
        games = await repo.scheduled_game_counts(session, per_channel=True)
        rows = await repo.list_channels(session, guild_id)
        guild_rows = {i: await repo.get_guild(session, i) for i in {r.guild_id for r in rows}}
        return [_channel_overview(row, guild_rows[row.guild_id], games=games) for row in rows]


async def channel(ctx: Context, channel_id: int) -> ChannelOverview:
    """One known channel, or a NotFound."""
    async with ctx.transaction() as session:
        row = await repo.get_channel(session, channel_id)
        if row is None:
            raise NotFound(
                f"No channel {channel_id} is known: it has no settings and no games announced."
            )
        games = await repo.scheduled_game_counts(session, per_channel=True)
        return _channel_overview(row, await repo.get_guild(session, row.guild_id), games=games)


async def _known_guild(session: AsyncSession, guild_id: int) -> GuildRow:
    row = await repo.get_guild(session, guild_id)
    if row is None:
        raise NotFound(f"No server {guild_id} is known: it has no settings and no games.")
    return row


def _guild_overview(
    row: GuildRow, *, channels: dict[int, int], games: dict[int, int]
) -> GuildOverview:
    return GuildOverview(
        guild_id=row.id,
        timezone=row.timezone,
        settings=effective_settings(game=None, channel=None, guild=row),
        configured_channels=channels.get(row.id, 0),
        upcoming_games=games.get(row.id, 0),
    )


def _channel_overview(
    row: ChannelRow, guild_row: GuildRow | None, *, games: dict[int, int]
) -> ChannelOverview:
    return ChannelOverview(
        channel_id=row.id,
        guild_id=row.guild_id,
        settings=effective_settings(game=None, channel=row, guild=guild_row),
        upcoming_games=games.get(row.id, 0),
    )


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One planned reminder or status change of a game, and what became of it."""

    kind: str
    """``reminder``, ``start`` or ``complete``."""
    offset_minutes: int
    """Minutes before the start, for reminders."""
    due_at: datetime
    done_at: datetime | None
    outcome: str | None
    """``sent``, ``missed`` or ``skipped`` once done; None while planned."""
    sent_to: tuple[int, ...]
    """Players whose reminder DM went out."""
    refused: tuple[int, ...]
    """Players whose reminder DM Discord refused."""


@dataclass(frozen=True, slots=True)
class GameRecord:
    game: GameView
    jobs: tuple[JobRecord, ...]
    """Every job, done or planned, in the order they fall due."""
    unreachable: tuple[int, ...]
    """Members whose DMs about the game (reminders or notices) were refused: closed DMs."""


async def game_record(ctx: Context, game_id: int) -> GameRecord:
    """A game with its jobs, their deliveries and who could not be reached; or a NotFound."""
    async with ctx.transaction() as session:
        game = await view_of(session, await load_game(session, game_id))
        sent: defaultdict[int, list[int]] = defaultdict(list)
        refused: defaultdict[int, list[int]] = defaultdict(list)
        for delivery in await jobs.deliveries_of_game(session, game_id):
            if delivery.failure is not None:
                refused[delivery.job_id].append(delivery.user_id)
            elif delivery.sent_at is not None:
                sent[delivery.job_id].append(delivery.user_id)
        return GameRecord(
            game=game,
            jobs=tuple(
                JobRecord(
                    kind=job.kind,
                    offset_minutes=job.offset_minutes,
                    due_at=job.due_at,
                    done_at=job.done_at,
                    outcome=job.outcome,
                    sent_to=tuple(sent[job.id]),
                    refused=tuple(refused[job.id]),
                )
                for job in await jobs.jobs_of_game(session, game_id)
            ),
            unreachable=await jobs.players_refused(session, game_id=game_id, failure=DMS_CLOSED),
        )


# ----- the operator's dashboard -----------------------------------------------------------

DASHBOARD_STATUSES = (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS)
"""The games a dashboard lists unless asked for every status: those still to come or running."""
MAX_LINES = 500
"""The most game lines one call returns (the dashboard pages through the rest)."""
SETTLE = timedelta(seconds=5)
"""How far back :func:`changed_games` looks before the last change it reported: a
transaction that committed late, or another process's clock a little behind, is still seen."""
ANNOUNCEMENT_GRACE = timedelta(minutes=2)
"""An announcement still behind its game this long after the game's last change did not
catch up by itself: a problem worth showing."""


@dataclass(frozen=True, slots=True)
class GameLine:
    """A game as a table row shows it; participants counted by the database, not loaded."""

    id: int
    guild_id: int
    channel_id: int
    title: str
    category: str | None
    """After inheritance."""
    start_at: datetime
    status: GameStatus
    version: int
    seated: int
    """Members holding a seat (placeholders are listed beside the seats, not in them)."""
    max_players: int
    """After inheritance."""
    waitlisted: int
    next_reminder_at: datetime | None
    """When its next reminder not sent yet is due."""
    announced: bool
    """The announcement was posted (it may still show an older version)."""
    announcement_behind: bool
    """The announcement is not posted yet or shows an older version than the database."""
    changed_at: datetime
    """When the game last changed."""


@dataclass(frozen=True, slots=True)
class LinePage:
    items: tuple[GameLine, ...]
    total: int
    """How many games the scope holds in all."""
    offset: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.items)
        return end if end < self.total else None


@dataclass(frozen=True, slots=True)
class ChangedGames:
    lines: tuple[GameLine, ...]
    """Games changed since the mark whose version the caller did not know, by change."""
    mark: datetime | None
    """Pass it to the next call: the latest change seen (None: there are no games yet)."""
    overflow: bool = False
    """More games changed than one call reports (a bulk change): read everything again."""


async def _lines(session: AsyncSession, rows: Sequence[GameRow]) -> list[GameLine]:
    ids = [row.id for row in rows]
    counts = await repo.roster_counts(session, ids)
    reminders = await repo.next_open_reminders(session, ids)
    channels = {i: await repo.get_channel(session, i) for i in {r.channel_id for r in rows}}
    guilds = {i: await repo.get_guild(session, i) for i in {r.guild_id for r in rows}}
    lines = []
    for row in rows:
        settings = effective_settings(
            game=row, channel=channels[row.channel_id], guild=guilds[row.guild_id]
        )
        count = counts[row.id]
        lines.append(
            GameLine(
                id=row.id,
                guild_id=row.guild_id,
                channel_id=row.channel_id,
                title=row.title,
                category=settings.category.value,
                start_at=row.start_at,
                status=GameStatus(row.status),
                version=row.version,
                seated=count.get(SlotStatus.JOINED, 0),
                max_players=settings.max_players.value,
                waitlisted=count.get(SlotStatus.WAITLIST, 0),
                next_reminder_at=reminders.get(row.id),
                announced=row.message_id is not None,
                announcement_behind=row.rendered_version < row.version,
                changed_at=row.updated_at,
            )
        )
    return lines


async def game_lines(
    ctx: Context,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    statuses: Sequence[GameStatus] = DASHBOARD_STATUSES,
    text: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> LinePage:
    """A page of the games of a guild or channel (every guild's when both are None), soonest
    first; ``text`` keeps games whose title or category contains it; empty ``statuses``
    keeps every status."""
    limit = max(1, min(limit, MAX_LINES))
    offset = max(0, offset)
    async with ctx.transaction() as session:
        total, rows = await repo.page_of_game_lines(
            session,
            guild_id=guild_id,
            channel_id=channel_id,
            statuses=statuses,
            text=text,
            limit=limit,
            offset=offset,
        )
        return LinePage(items=tuple(await _lines(session, rows)), total=total, offset=offset)


async def lines_of(ctx: Context, game_ids: Collection[int]) -> dict[int, GameLine]:
    """These games as lines, by id (games that do not exist are left out)."""
    async with ctx.transaction() as session:
        rows = await repo.games_by_id(session, list(game_ids)[:MAX_LINES])
        return {line.id: line for line in await _lines(session, rows)}


async def change_mark(ctx: Context) -> datetime | None:
    """Where to start :func:`changed_games` from: the latest change to any game."""
    async with ctx.transaction() as session:
        return await repo.latest_game_change(session)


async def changed_games(
    ctx: Context, *, since: datetime | None, known: Mapping[int, int]
) -> ChangedGames:
    """Games that changed at or after ``since`` (less :data:`SETTLE`) and whose version is
    not the one ``known`` maps their id to; cheap enough to call every second."""
    async with ctx.transaction() as session:
        if since is None:
            since = await repo.latest_game_change(session)
            if since is None:
                return ChangedGames(lines=(), mark=None)
        # Changes are stamped by the writers' wall clocks (``updated_at``). While the last
        # change is recent, look back SETTLE for late commits; once it has settled, only
        # later changes are news (else a burst of changes would be read again forever).
        settled = utcnow() - since > 2 * SETTLE
        found = await repo.games_changed_since(
            session,
            since if settled else since - SETTLE,
            inclusive=not settled,
            limit=MAX_LINES + 1,
        )
        if len(found) > MAX_LINES:
            latest = await repo.latest_game_change(session)
            return ChangedGames(lines=(), mark=max(since, latest or since), overflow=True)
        mark = max([since, *(at for _, _, at in found)])
        wanted = [game_id for game_id, version, _ in found if known.get(game_id) != version]
        rows = await repo.games_by_id(session, wanted)
        lines = sorted(await _lines(session, rows), key=lambda line: (line.changed_at, line.id))
        return ChangedGames(lines=tuple(lines), mark=mark)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A reminder or status change not done yet."""

    job_id: int
    kind: JobKind
    offset_minutes: int
    """Minutes before the start, for a reminder."""
    due_at: datetime
    claimed: bool
    """A worker holds it (it is being carried out, or the worker died and its lease runs)."""
    game: GameLine


@dataclass(frozen=True, slots=True)
class UpcomingWork:
    items: tuple[WorkItem, ...]
    total: int


async def upcoming_work(ctx: Context, *, limit: int = 200) -> UpcomingWork:
    """Reminders and status changes of every guild not done yet, soonest first."""
    async with ctx.transaction() as session:
        total, rows = await repo.open_jobs(session, limit=max(1, min(limit, MAX_LINES)))
        games = {
            line.id: line
            for line in await _lines(
                session, await repo.games_by_id(session, {row.game_id for row in rows})
            )
        }
        items = tuple(
            WorkItem(
                job_id=row.id,
                kind=JobKind(row.kind),
                offset_minutes=row.offset_minutes,
                due_at=row.due_at,
                claimed=row.claimed_at is not None,
                game=games[row.game_id],
            )
            for row in rows
        )
        return UpcomingWork(items=items, total=total)


@dataclass(frozen=True, slots=True)
class AnnouncementsBehind:
    games: tuple[GameLine, ...]
    """Games whose announcement never posted or did not catch up, the longest behind first."""
    total: int


async def announcements_behind(
    ctx: Context, *, grace: timedelta = ANNOUNCEMENT_GRACE, limit: int = 100
) -> AnnouncementsBehind:
    """Announcements that failed to post, or to show a game's latest change, within
    ``grace`` of that change."""
    now = ctx.now()
    async with ctx.transaction() as session:
        total, rows = await repo.announcements_behind(
            session, changed_before=now - grace, limit=max(1, min(limit, MAX_LINES))
        )
        return AnnouncementsBehind(games=tuple(await _lines(session, rows)), total=total)
