"""Every change moves a game's version past its announcement; hosts manage their own games,
and nobody manages another server's."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gamesched.db import repositories as repo
from gamesched.domain.errors import Conflict, NotFound, PermissionDenied
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.services import outbox
from gamesched.services.announcements import record_rendered
from gamesched.services.configuration import configure_guild
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, cancel_game, edit_game, require_can_manage
from gamesched.services.participation import assign_placeholder, join_game, leave_game
from gamesched.services.views import GameView
from tests.support.factories import ADMIN, GUILD, HOST, HOST_ROLE, P1, P2, SEES, make_game

OTHER_HOST = Actor(
    user_id=800_000_000_000_000_003, permissions=SEES, role_ids=frozenset({HOST_ROLE})
)
"""Holds the host role too, but did not create the game."""


async def stored_versions(ctx: Context, game_id: int) -> tuple[int, int]:
    async with ctx.transaction() as session:
        game = await repo.get_game(session, game_id)
    assert game is not None
    return game.version, game.rendered_version


async def test_every_change_bumps_the_version_and_leaves_the_announcement_owed(
    ctx: Context,
) -> None:
    """Join, leave, placeholder, edit and cancel each raise the stored version by one or more."""
    game = await make_game(ctx, max_players=1, participants="Guest")
    assert await record_rendered(ctx, game_id=game.id, message_id=1, version=game.version)
    changes: list[Callable[[], Awaitable[Any]]] = [
        lambda: join_game(ctx, game_id=game.id, user_id=P1),
        lambda: join_game(ctx, game_id=game.id, user_id=P2),
        lambda: leave_game(ctx, game_id=game.id, user_id=P1),
        lambda: assign_placeholder(
            ctx, actor=ADMIN, game_id=game.id, placeholder="Guest", user_id=P1
        ),
        lambda: edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title="Raid night")),
        lambda: cancel_game(ctx, actor=ADMIN, game_id=game.id),
    ]
    seen = game.version
    for change in changes:
        result = await change()
        view = result if isinstance(result, GameView) else result.game
        version, rendered = await stored_versions(ctx, game.id)
        assert version == view.version > seen
        assert rendered == game.version  # the announcement still shows the first render
        seen = version


async def test_a_refused_join_or_leave_leaves_the_version_as_it_was(ctx: Context) -> None:
    """Joining twice, or leaving a game one is not in, is answered and bumps nothing, alone
    or sent together."""
    game = await make_game(ctx)
    await join_game(ctx, game_id=game.id, user_id=P1)
    before = await stored_versions(ctx, game.id)
    with pytest.raises(Conflict):
        await join_game(ctx, game_id=game.id, user_id=P1)
    with pytest.raises(Conflict):
        await leave_game(ctx, game_id=game.id, user_id=P2)
    together = await asyncio.gather(
        join_game(ctx, game_id=game.id, user_id=P1),
        leave_game(ctx, game_id=game.id, user_id=P2),
        return_exceptions=True,
    )
    assert all(isinstance(refusal, Conflict) for refusal in together)
    assert await stored_versions(ctx, game.id) == before


async def test_a_burst_of_joins_owes_one_announcement_update_and_no_rows(ctx: Context) -> None:
    """Forty joins on an announced game leave the worker one update of its announcement to
    make (the game is listed once as behind) and write no job or DM rows to carry out."""
    game = await make_game(ctx, max_players=10)
    assert await record_rendered(ctx, game_id=game.id, message_id=1, version=game.version)
    work_before = await outbox.pending_work(ctx, game_ids=[game.id])
    for user_id in range(P1, P1 + 40):
        await join_game(ctx, game_id=game.id, user_id=user_id)
    assert (await outbox.stale_announcements(ctx)).count(game.id) == 1
    assert await outbox.pending_work(ctx, game_ids=[game.id]) == work_before


async def test_the_host_manages_their_own_game_but_not_anothers(ctx: Context) -> None:
    """A role-holding host without permissions edits and cancels their game; a peer cannot."""
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(host_role_ids=(HOST_ROLE,))
    )
    game = await make_game(ctx, host=HOST)
    with pytest.raises(PermissionDenied, match="host"):
        await edit_game(ctx, actor=OTHER_HOST, game_id=game.id, edit=GameEdit(title="Mine"))
    with pytest.raises(PermissionDenied):
        await cancel_game(ctx, actor=OTHER_HOST, game_id=game.id)
    edited = await edit_game(ctx, actor=HOST, game_id=game.id, edit=GameEdit(title="Blitz"))
    assert edited.game.title == "Blitz"
    cancelled = await cancel_game(ctx, actor=HOST, game_id=game.id)
    assert cancelled.status.value == "cancelled"


async def test_a_cancelled_game_can_no_longer_be_edited_or_filled(ctx: Context) -> None:
    """After cancelling, edits and placeholder assignments get a clear 'cancelled' answer."""
    game = await make_game(ctx, participants="Guest")
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    before = await stored_versions(ctx, game.id)
    with pytest.raises(Conflict, match="cancelled, so you can no longer edit it"):
        await edit_game(ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title="Go again"))
    with pytest.raises(Conflict, match="cancelled"):
        await assign_placeholder(ctx, actor=ADMIN, game_id=game.id, placeholder="Guest", user_id=P1)
    with pytest.raises(Conflict, match="cancelled"):
        await leave_game(ctx, game_id=game.id, user_id=P1)
    assert await stored_versions(ctx, game.id) == before


async def test_an_admin_of_another_server_cannot_touch_this_servers_games(ctx: Context) -> None:
    """Manage Server in one server gives no rights over another's games: edit, cancel,
    placeholder assignment and the edit form all answer 'no such game here'; nothing changes."""
    game = await make_game(ctx, participants="Guest")
    stranger = Actor(
        user_id=800_000_000_000_000_009,
        permissions=int(Permission.ADMINISTRATOR),
        guild_id=GUILD + 1,
    )
    before = await stored_versions(ctx, game.id)
    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: edit_game(ctx, actor=stranger, game_id=game.id, edit=GameEdit(title="Hacked")),
        lambda: cancel_game(ctx, actor=stranger, game_id=game.id),
        lambda: assign_placeholder(
            ctx, actor=stranger, game_id=game.id, placeholder="Guest", user_id=P1
        ),
        lambda: require_can_manage(ctx, actor=stranger, game_id=game.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound, match=f"no game #{game.id} in this server"):
            await attempt()
    assert await stored_versions(ctx, game.id) == before
    here = dataclasses.replace(stranger, guild_id=GUILD)
    edited = await edit_game(ctx, actor=here, game_id=game.id, edit=GameEdit(title="Go night"))
    assert edited.game.title == "Go night"
