"""The channel fallback for reminders: players whose DMs are closed are reminded in the
game's channel, when the channel's (or guild's) ``remind_in_channel`` setting asks for it.

One message per reminder round, mentioning only the players Discord refused in that round.
The job records when it was posted, so a re-claimed job does not post again; a crash between
posting and recording re-posts with the same nonce, which Discord answers with the message
it already made.
"""

from __future__ import annotations

from dataclasses import dataclass

from gamesched.db import jobs
from gamesched.services._common import load_game, view_of
from gamesched.services.context import Context
from gamesched.services.outbox import DMS_CLOSED
from gamesched.services.views import GameView


@dataclass(frozen=True, slots=True)
class OwedChannelReminder:
    """A reminder still to be posted in the game's channel for these players."""

    job_id: int
    offset_minutes: int
    game: GameView
    user_ids: tuple[int, ...]
    """Players refused with closed DMs in this round, in the order they were written."""


async def owed_channel_reminder(ctx: Context, *, job_id: int) -> OwedChannelReminder | None:
    """The channel post a reminder round still owes, or None (setting off, nobody refused,
    already posted, or the job is finished)."""
    async with ctx.transaction() as session:
        job = await jobs.get_job(session, job_id)
        if job is None or job.done_at is not None or job.channel_reminder_at is not None:
            return None
        game = await view_of(session, await load_game(session, job.game_id))
        if not game.settings.remind_in_channel.value:
            return None
        user_ids = await jobs.players_refused_in_round(session, job_id=job_id, failure=DMS_CLOSED)
        if not user_ids:
            return None
        return OwedChannelReminder(
            job_id=job_id, offset_minutes=job.offset_minutes, game=game, user_ids=user_ids
        )


async def record_channel_reminder(ctx: Context, *, job_id: int) -> None:
    """Note that the round's channel post went out (or was refused for good)."""
    now = ctx.now()
    async with ctx.transaction() as session:
        job = await jobs.get_job(session, job_id)
        if job is not None and job.channel_reminder_at is None:
            job.channel_reminder_at = now
