"""Every error a use case raises carries what went wrong as values, in neutral words.

Each refusal goes through the public service functions on a real database; the error must
name the values involved (game, status, action, missing permission or roles) and its
sentence must give no front end's advice (no slash command, no Discord-only control).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from gamesched.db.tables import GameRow
from gamesched.domain.entries import Member
from gamesched.domain.errors import (
    AlreadyInStatus,
    AlreadyJoined,
    AlreadyWaitlisted,
    ChannelHidden,
    Conflict,
    DomainError,
    Fault,
    GameAction,
    GameNotOpen,
    HostRoleRequired,
    IllegalTransition,
    NoHostRoles,
    NotFound,
    NotHostOrAdmin,
    NotInGame,
    PermissionDenied,
    SettingsLevel,
    SettingsPermission,
    TransitionRefused,
    UnknownGame,
    UnknownPlaceholder,
    ValidationFailed,
)
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.domain.status import GameStatus
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
)
from gamesched.services.context import Context
from gamesched.services.games import (
    GameEdit,
    NewGame,
    cancel_game,
    create_game,
    edit_game,
    get_game,
    require_can_manage,
)
from gamesched.services.participation import (
    assign_placeholder,
    join_game,
    leave_game,
    remove_player,
)
from gamesched.services.people import set_guild_time_zone
from gamesched.services.views import GameView
from tests.support.error_examples import fault_texts, front_end_advice
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    HOST_ROLE,
    P1,
    P2,
    P3,
    PLAYER,
    make_game,
)
from tests.support.fakes import StaticDirectory

MISSING = 987_654
"""A game number nobody has."""


async def refusal(
    attempt: Awaitable[Any], error_class: type[DomainError], fault: Fault
) -> DomainError:
    """Run ``attempt``; it must raise ``error_class`` carrying exactly ``fault``, in words
    that name no front end's controls."""
    with pytest.raises(error_class) as caught:
        await attempt
    assert caught.value.fault == fault
    assert caught.value.message == fault.message
    for text in fault_texts(caught.value.fault):
        assert front_end_advice(text) == []
    return caught.value


async def two_seat_game(ctx: Context, directory: StaticDirectory) -> GameView:
    """A game by ADMIN with two seats, P1 and P2 seated, P3 waiting and a ``Guest`` slot."""
    return await make_game(
        ctx,
        max_players=2,
        participants=f"<@{P1}>, <@{P2}>, <@{P3}>, Guest",
        directory=directory,
    )


@pytest.fixture
def players() -> StaticDirectory:
    """A directory that knows P1, P2 and P3."""
    return StaticDirectory(members=tuple(Member(u, f"p{u % 10}") for u in (P1, P2, P3)))


async def test_unknown_games_name_the_number(ctx: Context) -> None:
    """Asking for a game that does not exist names the number; a game of another server is
    answered as not found in this server, for every managing action."""
    await refusal(get_game(ctx, MISSING), NotFound, UnknownGame(MISSING))
    await refusal(join_game(ctx, game_id=MISSING, user_id=P1), NotFound, UnknownGame(MISSING))
    stranger = dataclasses.replace(ADMIN, guild_id=GUILD + 1)
    await refusal(
        require_can_manage(ctx, actor=stranger, game_id=MISSING),
        NotFound,
        UnknownGame(MISSING),
    )


async def test_another_servers_game_is_not_found_in_this_server(
    ctx: Context, players: StaticDirectory
) -> None:
    """Edit, cancel, placeholder assignment and the edit form of another server's game all say
    there is no such game in this server."""
    game = await two_seat_game(ctx, players)
    stranger = dataclasses.replace(ADMIN, guild_id=GUILD + 1)
    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: edit_game(ctx, actor=stranger, game_id=game.id, edit=GameEdit(title="x")),
        lambda: cancel_game(ctx, actor=stranger, game_id=game.id),
        lambda: assign_placeholder(
            ctx, actor=stranger, game_id=game.id, placeholder="Guest", user_id=P1
        ),
        lambda: require_can_manage(ctx, actor=stranger, game_id=game.id),
    ]
    for attempt in attempts:
        await refusal(attempt(), NotFound, UnknownGame(game.id, in_guild=True))


async def test_creating_names_what_is_missing(ctx: Context, players: StaticDirectory) -> None:
    """A would-be host is told what they lack: a view of the channel, Manage Server while no
    host roles are set, or one of the host roles (carried as ids, in order)."""
    new = NewGame(guild_id=GUILD, channel_id=CHANNEL, title="Go", when="2026-12-05 19:00")
    blind = Actor(user_id=P1, permissions=0)
    await refusal(
        create_game(ctx, actor=blind, new=new, directory=players),
        PermissionDenied,
        ChannelHidden(),
    )
    await refusal(
        create_game(ctx, actor=PLAYER, new=new, directory=players),
        PermissionDenied,
        NoHostRoles(),
    )
    other_role = HOST_ROLE - 1
    await configure_guild(
        ctx,
        actor=ADMIN,
        guild_id=GUILD,
        patch=SettingsPatch(host_role_ids=(HOST_ROLE, other_role)),
    )
    await refusal(
        create_game(ctx, actor=PLAYER, new=new, directory=players),
        PermissionDenied,
        HostRoleRequired((other_role, HOST_ROLE)),
    )


async def test_settings_name_the_permission_they_need(ctx: Context) -> None:
    """Changing server settings or the server's zone needs Manage Server, channel settings
    Manage Channels; the refusal carries which."""
    patch = SettingsPatch(max_players=4)
    server = SettingsPermission(SettingsLevel.GUILD)
    await refusal(
        configure_guild(ctx, actor=PLAYER, guild_id=GUILD, patch=patch), PermissionDenied, server
    )
    await refusal(
        set_guild_time_zone(ctx, actor=PLAYER, guild_id=GUILD, zone="Europe/Berlin"),
        PermissionDenied,
        server,
    )
    await refusal(
        configure_channel(ctx, actor=PLAYER, guild_id=GUILD, channel_id=CHANNEL, patch=patch),
        PermissionDenied,
        SettingsPermission(SettingsLevel.CHANNEL),
    )


async def test_a_channel_of_another_server_is_refused_neutrally(ctx: Context) -> None:
    """Asking for a channel's settings under the wrong server is a neutral validation problem."""
    patch = SettingsPatch(max_players=4)
    await configure_channel(
        ctx, actor=CHANNEL_KEEPER, guild_id=GUILD, channel_id=CHANNEL, patch=patch
    )
    with pytest.raises(ValidationFailed) as caught:
        await channel_settings(ctx, guild_id=GUILD + 1, channel_id=CHANNEL)
    assert [p.field for p in caught.value.problems] == ["channel"]
    assert front_end_advice(caught.value.message) == []


async def test_roster_refusals_name_the_member(ctx: Context, players: StaticDirectory) -> None:
    """Joining twice, joining from the waitlist and leaving without joining name the member
    (and their place in line); a placeholder the game lacks lists the ones it has."""
    game = await two_seat_game(ctx, players)
    await refusal(join_game(ctx, game_id=game.id, user_id=P1), Conflict, AlreadyJoined(user_id=P1))
    await refusal(
        join_game(ctx, game_id=game.id, user_id=P3),
        Conflict,
        AlreadyWaitlisted(user_id=P3, position=1),
    )
    await refusal(
        leave_game(ctx, game_id=game.id, user_id=PLAYER.user_id),
        Conflict,
        NotInGame(user_id=PLAYER.user_id),
    )
    await refusal(
        assign_placeholder(ctx, actor=ADMIN, game_id=game.id, placeholder="Gest", user_id=P1),
        NotFound,
        UnknownPlaceholder("Gest", ("Guest",)),
    )


async def test_someone_else_may_not_change_a_game(ctx: Context, players: StaticDirectory) -> None:
    """A player who is not the host is refused with the host's id and the permission that
    would allow it, for edit, cancel and placeholders alike."""
    game = await two_seat_game(ctx, players)
    player = dataclasses.replace(PLAYER, guild_id=GUILD)
    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: edit_game(ctx, actor=player, game_id=game.id, edit=GameEdit(title="x")),
        lambda: cancel_game(ctx, actor=player, game_id=game.id),
        lambda: assign_placeholder(
            ctx, actor=player, game_id=game.id, placeholder="Guest", user_id=P1
        ),
    ]
    for attempt in attempts:
        await refusal(attempt(), PermissionDenied, NotHostOrAdmin(host_id=ADMIN.user_id))


async def test_a_closed_game_names_its_status_and_the_action(
    ctx: Context, players: StaticDirectory
) -> None:
    """Once cancelled, joining, leaving, editing, placeholder changes and removing a player each
    say the game's status and what can no longer be done; cancelling again says it already is."""
    game = await two_seat_game(ctx, players)
    await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    cancelled = GameStatus.CANCELLED
    attempts: dict[GameAction, Callable[[], Awaitable[Any]]] = {
        GameAction.JOIN: lambda: join_game(ctx, game_id=game.id, user_id=PLAYER.user_id),
        GameAction.LEAVE: lambda: leave_game(ctx, game_id=game.id, user_id=P1),
        GameAction.EDIT: lambda: edit_game(
            ctx, actor=ADMIN, game_id=game.id, edit=GameEdit(title="x")
        ),
        GameAction.CHANGE_PLACEHOLDERS: lambda: assign_placeholder(
            ctx, actor=ADMIN, game_id=game.id, placeholder="Guest", user_id=PLAYER.user_id
        ),
        GameAction.REMOVE_PLAYERS: lambda: remove_player(
            ctx, actor=ADMIN, game_id=game.id, user_id=P1
        ),
    }
    assert set(attempts) == set(GameAction)
    for action, attempt in attempts.items():
        closed = GameNotOpen(game_id=game.id, status=cancelled, action=action)
        await refusal(attempt(), Conflict, closed)
    await refusal(
        cancel_game(ctx, actor=ADMIN, game_id=game.id),
        IllegalTransition,
        AlreadyInStatus(cancelled),
    )


async def test_a_finished_game_cannot_be_cancelled(ctx: Context, players: StaticDirectory) -> None:
    """Cancelling a completed game names both statuses."""
    game = await two_seat_game(ctx, players)
    async with ctx.transaction() as session:
        await session.execute(
            update(GameRow)
            .where(GameRow.id == game.id)
            .values(status=GameStatus.COMPLETED.value, version=GameRow.version + 1)
        )
    await refusal(
        cancel_game(ctx, actor=ADMIN, game_id=game.id),
        IllegalTransition,
        TransitionRefused(GameStatus.COMPLETED, GameStatus.CANCELLED),
    )
