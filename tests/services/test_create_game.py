"""Creating games: validation first, then one write of game, participants and plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, JobRow, ParticipantRow
from gamesched.domain.errors import HostRoleRequired, PermissionDenied, ValidationFailed
from gamesched.domain.settings import SettingsPatch, Source
from gamesched.domain.status import GameStatus
from gamesched.services.configuration import configure_channel, configure_guild
from gamesched.services.context import Context
from gamesched.services.games import NewGame, create_game
from gamesched.services.people import set_guild_time_zone, set_user_time_zone
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    HOST,
    HOST_ROLE,
    MEMBERS,
    PLAYER,
)
from tests.support.fakes import StaticDirectory


def new_game(**overrides: object) -> NewGame:
    values: dict[str, object] = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "title": "Catan night",
        "when": "2026-12-05 19:00",
    }
    return NewGame(**(values | overrides))  # type: ignore[arg-type]


async def count_rows(ctx: Context, table: type) -> int:
    async with ctx.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_create_writes_game_participants_and_plan(
    ctx: Context, directory: StaticDirectory
) -> None:
    """A valid submission creates the game with its members, placeholders and reminders."""
    created = await create_game(
        ctx,
        actor=ADMIN,
        new=new_game(participants="@sam, @Sammy\nGuest from work", description="Bring snacks"),
        directory=directory,
    )
    game = created.game
    assert game.title == "Catan night"
    assert game.status is GameStatus.SCHEDULED
    assert game.start_at == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    assert game.joined == (MEMBERS[0].user_id, MEMBERS[1].user_id)
    assert game.placeholders == ("Guest from work",)
    assert game.host_id == ADMIN.user_id
    assert game.version == 1
    assert game.needs_sync
    async with ctx.transaction() as session:
        jobs = await repo.pending_jobs(session, game.id)
    assert [(j.kind, j.offset_minutes) for j in jobs] == [
        ("reminder", 60),
        ("reminder", 15),
        ("start", 0),
        ("complete", 0),
    ]
    assert jobs[0].due_at == game.start_at - timedelta(minutes=60)
    assert jobs[-1].due_at == game.start_at + timedelta(minutes=120)


async def test_time_is_read_in_the_users_zone_then_the_guilds(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Typed times use the creator's zone, else the guild's, else UTC; the answer says how."""
    utc_game = await create_game(ctx, actor=ADMIN, new=new_game(), directory=directory)
    assert utc_game.game.start_at == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    assert "UTC" in utc_game.read_as

    await set_guild_time_zone(ctx, actor=ADMIN, guild_id=GUILD, zone="america/new_york")
    guild_game = await create_game(ctx, actor=ADMIN, new=new_game(), directory=directory)
    assert guild_game.game.start_at == datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    assert "America/New_York" in guild_game.read_as

    await set_user_time_zone(ctx, user_id=ADMIN.user_id, zone="Europe/Berlin")
    user_game = await create_game(ctx, actor=ADMIN, new=new_game(), directory=directory)
    assert user_game.game.start_at == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    assert "Europe/Berlin" in user_game.read_as


async def test_web_sends_an_aware_utc_time(ctx: Context, directory: StaticDirectory) -> None:
    """An aware datetime (the web form's UTC value) is stored as given."""
    start = datetime(2026, 12, 5, 18, 30, tzinfo=UTC)
    created = await create_game(ctx, actor=ADMIN, new=new_game(when=start), directory=directory)
    assert created.game.start_at == start


@pytest.mark.parametrize(
    ("start", "words"),
    [
        (datetime(2027, 12, 6, 19, 0, tzinfo=UTC), "more than 366 days ahead"),
        (datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), "days ahead"),
        (datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "in the past"),
    ],
)
async def test_an_aware_time_far_off_is_refused_as_typed_text_is(
    ctx: Context, directory: StaticDirectory, start: datetime, words: str
) -> None:
    """An aware start time more than a year ahead, or at the ends of the calendar, is a
    problem on ``when`` (never a crash), and nothing is written."""
    with pytest.raises(ValidationFailed) as caught:
        await create_game(ctx, actor=ADMIN, new=new_game(when=start), directory=directory)
    (problem,) = caught.value.problems
    assert problem.field == "when"
    assert words in problem.message
    assert await count_rows(ctx, GameRow) == 0


async def test_every_problem_is_reported_and_nothing_is_written(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Bad title, time, cap and mentions come back together; no row is written."""
    with pytest.raises(ValidationFailed) as caught:
        await create_game(
            ctx,
            actor=ADMIN,
            new=new_game(
                title="  ",
                when="yesterday 7pm",
                max_players="lots",
                participants="@nobody_here\n@alex\n@sam",
            ),
            directory=directory,
        )
    problems = caught.value.problems
    assert [p.field for p in problems] == [
        "title",
        "when",
        "max_players",
        "participants",
        "participants",
    ]
    assert problems[3].entry == "@nobody_here"
    assert problems[4].entry == "@alex"
    assert {s.replacement for s in problems[4].suggestions} == {"@alex_k", "@alexandra"}
    assert await count_rows(ctx, GameRow) == 0
    assert await count_rows(ctx, ParticipantRow) == 0
    assert await count_rows(ctx, JobRow) == 0


async def test_members_beyond_the_cap_are_waitlisted_in_typed_order(
    ctx: Context, directory: StaticDirectory
) -> None:
    """With a cap of 2, the third and fourth typed members queue; placeholders never count."""
    created = await create_game(
        ctx,
        actor=ADMIN,
        new=new_game(max_players="2", participants="Guest\n@zoe\n@sam\n@samantha\n@alex_k"),
        directory=directory,
    )
    ids = [m.user_id for m in MEMBERS]
    assert created.game.joined == (ids[4], ids[0])
    assert created.game.waitlist == (ids[1], ids[2])
    assert created.game.placeholders == ("Guest",)


async def test_create_needs_a_host_role_when_roles_are_set(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Without host roles only Manage Server may create; with them, only role holders, and
    the denial carries the roles that would allow it."""
    with pytest.raises(PermissionDenied, match="Manage Server"):
        await create_game(ctx, actor=HOST, new=new_game(), directory=directory)

    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(host_role_ids=(HOST_ROLE,))
    )
    created = await create_game(ctx, actor=HOST, new=new_game(), directory=directory)
    assert created.game.host_id == HOST.user_id
    with pytest.raises(PermissionDenied, match="needs a host role") as denied:
        await create_game(ctx, actor=PLAYER, new=new_game(), directory=directory)
    assert denied.value.fault == HostRoleRequired(role_ids=(HOST_ROLE,))


async def test_channel_host_roles_override_the_guilds(
    ctx: Context, directory: StaticDirectory
) -> None:
    """A channel's host roles replace the guild's for games in that channel."""
    other_role = HOST_ROLE + 1
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(host_role_ids=(HOST_ROLE,))
    )
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(host_role_ids=(other_role,)),
    )
    with pytest.raises(PermissionDenied):
        await create_game(ctx, actor=HOST, new=new_game(), directory=directory)


async def test_created_game_inherits_channel_settings_with_their_source(
    ctx: Context, directory: StaticDirectory
) -> None:
    """A game with no overrides shows the channel's cap and the guild's reminders, and says so."""
    await configure_guild(
        ctx, actor=ADMIN, guild_id=GUILD, patch=SettingsPatch(reminder_minutes=(30,))
    )
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(max_players=4),
    )
    created = await create_game(
        ctx, actor=ADMIN, new=new_game(rules="No phones"), directory=directory
    )
    settings = created.game.settings
    assert (settings.reminder_minutes.value, settings.reminder_minutes.source) == (
        (30,),
        Source.GUILD,
    )
    assert (settings.rules.value, settings.rules.source) == ("No phones", Source.GAME)
    assert (settings.max_players.value, settings.max_players.source) == (4, Source.CHANNEL)


async def test_directory_is_not_asked_when_there_are_no_mentions(
    ctx: Context, directory: StaticDirectory
) -> None:
    """Placeholders alone need no member lookup (no Discord call for them)."""
    await create_game(
        ctx, actor=ADMIN, new=new_game(participants="Guest, TBD"), directory=directory
    )
    assert directory.calls == 0
