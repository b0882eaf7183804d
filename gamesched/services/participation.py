"""Joining, leaving and filling placeholder slots."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow
from gamesched.domain.errors import Conflict, GameAction, PlaceholderGone
from gamesched.domain.permissions import Actor
from gamesched.domain.roster import (
    SlotStatus,
    decide_join,
    decide_leave,
    find_placeholder,
    place,
)
from gamesched.domain.settings import reminder_ahead
from gamesched.services._common import (
    first_sort_key,
    load_game,
    load_managed_game,
    require_open,
    view_of,
)
from gamesched.services.context import Context
from gamesched.services.history import ROSTER_FIELDS, Action, record_game, values_of
from gamesched.services.planning import NoticeKind, notify
from gamesched.services.views import GameView


@dataclass(frozen=True, slots=True)
class Joined:
    game: GameView
    status: SlotStatus
    """JOINED (a seat) or WAITLIST."""
    user_id: int
    will_be_reminded: bool
    """They took a seat and one of the game's reminders is still ahead (the waitlist is not
    reminded)."""

    @property
    def waitlist_position(self) -> int | None:
        """1-based place in line when waitlisted."""
        if self.status is SlotStatus.WAITLIST:
            return self.game.roster.waitlist_position(self.user_id)
        return None


@dataclass(frozen=True, slots=True)
class Left:
    game: GameView
    was: SlotStatus
    promoted: tuple[int, ...]
    """Members who got the freed seat (told by DM)."""


@dataclass(frozen=True, slots=True)
class Assigned:
    game: GameView
    placeholder: str
    status: SlotStatus
    """Where the member ended up: a seat, the waitlist, or where they already were."""


async def join_game(ctx: Context, *, game_id: int, user_id: int) -> Joined:
    """Take a free seat, else a place at the end of the waitlist."""
    async with ctx.transaction() as session:
        game = await load_game(session, game_id, bump=True)
        require_open(game, GameAction.JOIN)
        before = await view_of(session, game)
        status = decide_join(before.roster, user_id)
        await repo.add_participant(
            session,
            game_id=game.id,
            user_id=user_id,
            status=status,
            sort_key=first_sort_key(game),
        )
        if status is SlotStatus.JOINED:
            after = before.after(version=game.version, joined=(*before.joined, user_id))
        else:
            after = before.after(version=game.version, waitlist=(*before.waitlist, user_id))
        record_game(
            session,
            ctx,
            game,
            action=Action.JOINED,
            member_id=user_id,
            before=_roster_state(before),
            after=_roster_state(after),
        )
        reminded = status is SlotStatus.JOINED and reminder_ahead(
            start_at=after.start_at,
            reminder_minutes=after.settings.reminder_minutes.value,
            now=ctx.now(),
        )
        return Joined(game=after, status=status, user_id=user_id, will_be_reminded=reminded)


async def leave_game(ctx: Context, *, game_id: int, user_id: int) -> Left:
    """Give up a seat (the first in line gets it and is told) or a waitlist place."""
    async with ctx.transaction() as session:
        game = await load_game(session, game_id, bump=True)
        require_open(game, GameAction.LEAVE)
        return await _take_off(session, ctx, game, user_id, by=user_id)


async def remove_player(ctx: Context, *, actor: Actor, game_id: int, user_id: int) -> Left:
    """Take a member off a game (its host, an admin or an operator): they are told by DM, and
    the first in line gets a freed seat and is told."""
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, bump=True)
        require_open(game, GameAction.REMOVE_PLAYERS)
        left = await _take_off(session, ctx, game, user_id, by=actor.user_id)
        if user_id != actor.user_id:
            notify(session, game, NoticeKind.REMOVED, [user_id])
        return left


async def _take_off(
    session: AsyncSession, ctx: Context, game: GameRow, user_id: int, *, by: int
) -> Left:
    """Remove ``user_id`` from the roster of ``game`` (loaded bumped), promote into a freed
    seat, and record who did it."""
    before = await view_of(session, game)
    departure = decide_leave(before.roster, user_id, leaving=by == user_id)
    await repo.remove_participant(session, game_id=game.id, user_id=user_id)
    await repo.promote_waitlisted(
        session,
        game_id=game.id,
        user_ids=departure.promoted,
        first_sort_key=first_sort_key(game),
    )
    notify(session, game, NoticeKind.PROMOTED, departure.promoted)
    gone = {user_id, *departure.promoted}
    after = before.after(
        version=game.version,
        joined=tuple(u for u in before.joined if u != user_id) + departure.promoted,
        waitlist=tuple(u for u in before.waitlist if u not in gone),
    )
    record_game(
        session,
        ctx,
        game,
        action=Action.LEFT if by == user_id else Action.REMOVED,
        member_id=by,
        before=_roster_state(before),
        after=_roster_state(after),
    )
    return Left(game=after, was=departure.was, promoted=departure.promoted)


async def assign_placeholder(
    ctx: Context, *, actor: Actor, game_id: int, placeholder: str, user_id: int
) -> Assigned:
    """Replace a placeholder slot with a member, who takes a seat if one is free."""
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, bump=True)
        require_open(game, GameAction.CHANGE_PLACEHOLDERS)
        before = await view_of(session, game)
        text = find_placeholder(before.roster, placeholder)
        slot = await repo.find_placeholder(session, game_id=game.id, text=text)
        if slot is None:
            raise Conflict(PlaceholderGone(game_id=game.id, placeholder=text))
        await session.delete(slot)
        placeholders = list(before.placeholders)
        placeholders.remove(text)  # the first, as the slot found is the first stored
        joined, waitlist = before.joined, before.waitlist
        status = before.roster.status_of(user_id)
        if status is None:
            status = place(before.roster, user_id)
            await repo.add_participant(
                session,
                game_id=game.id,
                user_id=user_id,
                status=status,
                sort_key=first_sort_key(game),
            )
            if status is SlotStatus.JOINED:
                joined += (user_id,)
            else:
                waitlist += (user_id,)
        after = before.after(
            version=game.version,
            joined=joined,
            waitlist=waitlist,
            placeholders=tuple(placeholders),
        )
        record_game(
            session,
            ctx,
            game,
            action=Action.PLACEHOLDER_ASSIGNED,
            member_id=actor.user_id,
            before=_roster_state(before),
            after=_roster_state(after),
        )
        return Assigned(game=after, placeholder=text, status=status)


def _roster_state(view: GameView) -> dict[str, object]:
    return values_of(view, ROSTER_FIELDS)
