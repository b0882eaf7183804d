"""What an operator reads: the guilds and channels gamesched knows, and a game's full record
(its planned jobs, each reminder's DMs, who could not be reached)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import jobs
from gamesched.db import repositories as repo
from gamesched.db.tables import ChannelRow, GuildRow
from gamesched.domain.errors import NotFound
from gamesched.domain.settings import EffectiveSettings
from gamesched.services._common import load_game, view_of
from gamesched.services.context import Context
from gamesched.services.outbox import DMS_CLOSED
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
