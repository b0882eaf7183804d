"""Pieces every game use case shares: loading, locking and bumping a game."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import object_session

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow
from gamesched.domain.errors import Conflict, GameAction, GameNotOpen, NotFound, UnknownGame
from gamesched.domain.permissions import Actor, require_can_manage_game
from gamesched.domain.roster import promotions
from gamesched.domain.settings import EffectiveSettings
from gamesched.domain.status import GameStatus
from gamesched.services.context import mark_due_work
from gamesched.services.views import GameView, effective_settings, game_view

ROWS_PER_CHANGE = 1000
"""Sort keys are ``version * ROWS_PER_CHANGE + n``: rows added by one change keep their order."""


async def load_game(
    session: AsyncSession, game_id: int, *, lock: bool = False, bump: bool = False
) -> GameRow:
    """The game's row, or a NotFound.

    With ``lock`` the row stays locked for the transaction. With ``bump`` too, and its
    version is already one up, as :func:`bump` would make it, in the same statement: a
    change that knows it will bump (joining, leaving) saves a round trip, and one refused
    afterwards rolls the bump back with it.
    """
    if bump:
        game = await repo.bump_game(session, game_id)
        if game is not None:
            mark_due_work(session)
    else:
        game = await repo.get_game(session, game_id, lock=lock)
    if game is None:
        raise NotFound(UnknownGame(game_id))
    return game


async def load_managed_game(
    session: AsyncSession,
    actor: Actor,
    game_id: int,
    *,
    lock: bool = False,
    bump: bool = False,
) -> GameRow:
    """A game the actor may change: one of the guild they act in, which they host or which
    they administer. A game of another guild is answered as not found, as if it did not exist."""
    game = await load_game(session, game_id, lock=lock, bump=bump)
    if actor.guild_id is not None and actor.guild_id != game.guild_id:
        raise NotFound(UnknownGame(game_id, in_guild=True))
    require_can_manage_game(actor, host_id=game.host_id)
    return game


async def settings_of(session: AsyncSession, game: GameRow) -> EffectiveSettings:
    guild, channel = await repo.places_of(
        session, guild_id=game.guild_id, channel_id=game.channel_id
    )
    return effective_settings(game=game, channel=channel, guild=guild)


async def views_of(session: AsyncSession, games: Sequence[GameRow]) -> list[GameView]:
    """Snapshots of several games with one participant query."""
    participants = await repo.participants_of(session, (g.id for g in games))
    # A page of games shares a few channels and guilds: read each once (a guild without
    # settings has no row, which the session's identity map cannot remember).
    channels = {i: await repo.get_channel(session, i) for i in {g.channel_id for g in games}}
    guilds = {i: await repo.get_guild(session, i) for i in {g.guild_id for g in games}}
    return [
        game_view(
            game,
            participants[game.id],
            channel=channels[game.channel_id],
            guild=guilds[game.guild_id],
        )
        for game in games
    ]


async def view_of(session: AsyncSession, game: GameRow) -> GameView:
    """A snapshot of one game: its guild and channel, then its participants."""
    guild, channel = await repo.places_of(
        session, guild_id=game.guild_id, channel_id=game.channel_id
    )
    participants = await repo.participants_of(session, [game.id])
    return game_view(game, participants[game.id], channel=channel, guild=guild)


def bump(game: GameRow) -> int:
    """Record a change: the next version, and the first sort key rows of this change use.

    The announcement is now behind, so the worker is told to look (it syncs stale ones).
    """
    session = object_session(game)
    if session is not None:
        mark_due_work(session)
    game.version += 1
    return first_sort_key(game)


def first_sort_key(game: GameRow) -> int:
    """The first sort key of rows added by the change that brought the game to its version."""
    return game.version * ROWS_PER_CHANGE


def require_open(game: GameRow, action: GameAction) -> None:
    """Joining, leaving and editing only make sense before the game starts."""
    status = GameStatus(game.status)
    if status is not GameStatus.SCHEDULED:
        raise Conflict(GameNotOpen(game_id=game.id, status=status, action=action))


async def fill_free_seats(
    session: AsyncSession, game: GameRow, *, first_key: int
) -> tuple[int, ...]:
    """Promote waitlisted members into seats a higher cap opened."""
    view = await view_of(session, game)
    promoted = promotions(
        joined_count=len(view.joined), waitlist=view.waitlist, max_players=view.max_players
    )
    await repo.promote_waitlisted(
        session, game_id=game.id, user_ids=promoted, first_sort_key=first_key
    )
    return promoted
