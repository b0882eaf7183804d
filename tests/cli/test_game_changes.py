"""The operator's game changes: create, edit, cancel, remove a player, fill a placeholder and
the history, on each engine, with confirmations and the documented exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import cli.game_changes
from gamesched.db.tables import GameRow, NotificationRow
from gamesched.domain.status import GameStatus
from gamesched.services.context import Context, FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from gamesched.services.planning import NoticeKind
from gamesched.services.workers import heartbeat
from tests.support.cli import (
    answered_off_loop,
    assert_one_line_error,
    gamesched,
    gamesched_off_loop,
    json_of,
)
from tests.support.factories import CHANNEL, GUILD, HOST, P1, P2, P3, make_game

SOON = (datetime.now(UTC) + timedelta(days=3)).replace(hour=19, minute=0, second=0, microsecond=0)
"""When the scene's game starts: in the future of the real clock the CLI runs on."""
LATER = (SOON + timedelta(days=1)).strftime("%Y-%m-%d 18:00")
"""A start typed for new games."""


@dataclass(frozen=True, slots=True)
class Scene:
    game: int
    """Catan night at SOON, 2 seats: P1 and P2 seated, P3 waitlisted, a Guest placeholder."""


@pytest.fixture
async def scene(ctx: Context, database_url: str, cli_env: pytest.MonkeyPatch) -> Scene:
    """One upcoming game; the CLI works on the same database, with no bot token."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("TZ", "UTC")
    game = await make_game(
        ctx,
        title="Catan night",
        when=SOON,
        max_players=2,
        participants="Guest",
        joiners=(P1, P2, P3),
    )
    return Scene(game=game.id)


async def games_in(ctx: Context) -> int:
    async with ctx.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(GameRow)) or 0)


async def owed(ctx: Context, game_id: int) -> list[tuple[int, str]]:
    async with ctx.transaction() as session:
        rows = await session.execute(
            select(NotificationRow.user_id, NotificationRow.kind).where(
                NotificationRow.game_id == game_id
            )
        )
        return sorted((user_id, kind) for user_id, kind in rows.all())


# --- create --------------------------------------------------------------------------------


async def test_create_makes_the_game_for_the_host_and_records_the_operator(
    ctx: Context, scene: Scene
) -> None:
    """`games create --json` writes the game with the host given, reads the time in --tz, and
    the history names the operator and the CLI."""
    when = (SOON + timedelta(days=1)).strftime("%Y-%m-%d 20:00")
    created = json_of(
        await gamesched_off_loop(
            "games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL),
            "--host", str(HOST.user_id), "--title", "Azul", "--when", when,
            "--tz", "Europe/Berlin", "--max", "3", "--reminders", "30", "--json",
        )
    )  # fmt: skip
    game = await get_game(ctx, int(created["id"]))
    assert (game.title, game.host_id, game.max_players) == ("Azul", HOST.user_id, 3)
    assert game.settings.reminder_minutes.value == (30,)
    berlin_evening = datetime.fromisoformat(f"{when}+01:00")
    assert game.start_at == berlin_evening
    assert created["host"]["id"] == str(HOST.user_id)
    assert "Europe/Berlin" in created["read_as"]
    (entry,) = await game_history(ctx, game.id)
    assert (entry.action, entry.origin, entry.member_id) == (Action.CREATED, FrontEnd.CLI, None)
    assert entry.operator


async def test_create_without_a_worker_says_the_announcement_will_catch_up(
    ctx: Context, scene: Scene
) -> None:
    """With no worker seen lately the operator is told the announcement follows once one runs;
    with one alive, that it brings the announcement up to date."""
    args = [
        "games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL),
        "--host", str(HOST.user_id), "--title", "Azul", "--when", LATER,
    ]  # fmt: skip
    alone = await gamesched_off_loop(*args)
    assert alone.exit_code == 0, alone.output
    assert "No worker was seen in the last 30 s" in alone.stdout
    assert "gamesched run" in alone.stdout
    await heartbeat(Context(database=ctx.database), worker="w1")
    accompanied = await gamesched_off_loop(*args)
    assert "The running worker brings the announcement up to date" in accompanied.stdout


@pytest.mark.parametrize(
    ("options", "text"),
    [
        (["--when", "yesterday 8pm"], "is in the past"),
        (["--when", LATER, "--max", "lots"], "Max players must be a whole number"),
        (["--when", LATER, "--title", ""], "title"),
        (["--when", LATER, "--reminders", "soon"], "Reminders are whole minutes"),
    ],
)
async def test_create_with_a_bad_value_writes_nothing(
    ctx: Context, scene: Scene, options: list[str], text: str
) -> None:
    """A bad time, seat count, title or reminder list is one line naming it, exit 1, and no
    game is written."""
    before = await games_in(ctx)
    args = ["games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL)]
    args += ["--host", str(HOST.user_id), *_title_unless(options), *options]
    result = await gamesched_off_loop(*args)
    assert_one_line_error(result, 1, text)
    assert await games_in(ctx) == before


def _title_unless(options: list[str]) -> list[str]:
    return [] if "--title" in options else ["--title", "Azul"]


def test_create_with_a_host_that_is_not_an_id_is_a_usage_error(scene: Scene) -> None:
    """A host given by name is refused (exit 2) with how to give it."""
    result = gamesched(
        "games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL),
        "--host", "sam", "--title", "Azul", "--when", LATER,
    )  # fmt: skip
    assert_one_line_error(result, 2, "is not a Discord id")


# --- edit ----------------------------------------------------------------------------------


async def test_edit_moves_the_start_and_owes_the_players_a_dm(ctx: Context, scene: Scene) -> None:
    """`games edit --when` moves the game, every player but none of the removed is owed a
    rescheduled DM, and the history shows old -> new."""
    new_start = SOON + timedelta(days=1, hours=1)
    result = await gamesched_off_loop(
        "games", "edit", str(scene.game), "--when", new_start.strftime("%Y-%m-%d %H:%M"),
        "--tz", "UTC",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Game #{scene.game} (Catan night) changed" in result.stdout
    game = await get_game(ctx, scene.game)
    assert game.start_at == new_start
    assert await owed(ctx, scene.game) == sorted(
        (u, NoticeKind.RESCHEDULED.value) for u in (P1, P2, P3)
    )
    edited = (await game_history(ctx, scene.game))[-1]
    assert edited.changes == {"start_at": [SOON.isoformat(), new_start.isoformat()]}


async def test_edit_inherit_gives_a_setting_back_to_the_channel(ctx: Context, scene: Scene) -> None:
    """`--max inherit` makes the game take the channel's seat count again (10 by default),
    which seats the waitlisted player."""
    json = json_of(
        await gamesched_off_loop("games", "edit", str(scene.game), "--max", "inherit", "--json")
    )
    assert json["seats"] == {"taken": 3, "max": 10}
    assert json["settings"]["max_players"]["source"] == "default"
    assert (await get_game(ctx, scene.game)).waitlist == ()


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["games", "edit", "{game}"], 2, "Nothing to change"),
        (["games", "edit", "4242", "--title", "x"], 3, "4242"),
        (["games", "edit", "{game}", "--when", "someday"], 1, "someday"),
        (["games", "edit", "{game}", "--duration", "forever"], 1, "duration"),
    ],
)
def test_edit_refusals(scene: Scene, args: list[str], code: int, text: str) -> None:
    """No option, an unknown game, an unreadable time or duration: one line, the exit code."""
    result = gamesched(*(a.format(game=scene.game) for a in args))
    assert_one_line_error(result, code, text)


# --- cancel --------------------------------------------------------------------------------


async def test_cancel_needs_yes_without_a_terminal(ctx: Context, scene: Scene) -> None:
    """In a script, `games cancel` without --yes refuses (exit 2) and changes nothing; with
    --yes the game is cancelled, its players are owed a DM, and a second cancel is exit 4."""
    refused = await gamesched_off_loop("games", "cancel", str(scene.game))
    assert_one_line_error(refused, 2, "add --yes")
    assert (await get_game(ctx, scene.game)).status is GameStatus.SCHEDULED

    done = await gamesched_off_loop("games", "cancel", str(scene.game), "--yes")
    assert done.exit_code == 0, done.output
    assert "is cancelled" in done.stdout
    assert (await get_game(ctx, scene.game)).status is GameStatus.CANCELLED
    assert {kind for _, kind in await owed(ctx, scene.game)} == {NoticeKind.CANCELLED.value}
    assert_one_line_error(
        await gamesched_off_loop("games", "cancel", str(scene.game), "--yes"), 4, "cancelled"
    )


@pytest.mark.parametrize(("answer", "status"), [("y\n", "cancelled"), ("n\n", "scheduled")])
async def test_cancel_asks_on_a_terminal(
    ctx: Context, scene: Scene, monkeypatch: pytest.MonkeyPatch, answer: str, status: str
) -> None:
    """On a terminal the operator is asked first; only a yes cancels."""
    monkeypatch.setattr(cli.game_changes, "on_a_terminal", lambda: True)
    result = await answered_off_loop(answer, "games", "cancel", str(scene.game))
    assert "Cancel game" in result.stdout
    assert "Catan night" in result.stdout
    assert (await get_game(ctx, scene.game)).status.value == status
    assert result.exit_code == (0 if status == "cancelled" else 1)


# --- players and placeholders --------------------------------------------------------------


async def test_remove_player_frees_the_seat_and_both_are_told(ctx: Context, scene: Scene) -> None:
    """`games remove-player` takes P1 off, seats P3 from the waitlist; P1 is owed a "taken
    off" DM and P3 a seat DM."""
    result = await gamesched_off_loop(
        "games", "remove-player", str(scene.game), f"<@{P1}>", "--yes"
    )
    assert result.exit_code == 0, result.output
    assert f"Member {P3} moved from the waitlist into a seat." in result.stdout
    game = await get_game(ctx, scene.game)
    assert (game.joined, game.waitlist) == ((P2, P3), ())
    assert await owed(ctx, scene.game) == sorted(
        [(P1, NoticeKind.REMOVED.value), (P3, NoticeKind.PROMOTED.value)]
    )


def test_removing_someone_not_in_the_game_is_a_conflict(scene: Scene) -> None:
    """Removing a member who is not in the game is exit 4 saying so."""
    result = gamesched("games", "remove-player", str(scene.game), "123", "--yes")
    assert_one_line_error(result, 4, "not in this game")


async def test_assign_placeholder_gives_the_slot_to_a_member(ctx: Context, scene: Scene) -> None:
    """`games assign-placeholder` replaces Guest with the member (on the waitlist: seats are
    full); an unknown placeholder is exit 3 saying there is none left."""
    newcomer = 700_000_000_000_000_001
    result = await gamesched_off_loop(
        "games", "assign-placeholder", str(scene.game), "guest", str(newcomer)
    )
    assert result.exit_code == 0, result.output
    assert "took the place of `Guest`" in result.stdout
    game = await get_game(ctx, scene.game)
    assert (game.placeholders, game.waitlist) == ((), (P3, newcomer))
    missing = await gamesched_off_loop(
        "games", "assign-placeholder", str(scene.game), "Bob", str(newcomer)
    )
    assert_one_line_error(missing, 3, "no placeholder slots")


# --- history -------------------------------------------------------------------------------


async def test_history_shows_who_changed_what(ctx: Context, scene: Scene) -> None:
    """`games history --json` lists each change with its origin, member or operator, and
    old -> new with ids as strings; the table says the same in words."""
    renamed = await gamesched_off_loop("games", "edit", str(scene.game), "--title", "Catan")
    assert renamed.exit_code == 0, renamed.output
    entries = json_of(await gamesched_off_loop("games", "history", str(scene.game), "--json"))
    assert [e["action"] for e in entries] == ["created", "joined", "joined", "joined", "edited"]
    assert entries[1]["member"] == {"id": str(P1), "name": None}
    assert entries[1]["changes"] == {"joined": [[], [str(P1)]]}
    last = entries[-1]
    assert (last["origin"], last["member"], last["changes"]) == (
        "cli",
        None,
        {"title": ["Catan night", "Catan"]},
    )
    assert last["operator"]
    table = (await gamesched_off_loop("games", "history", str(scene.game))).stdout
    assert "title: Catan night -> Catan" in table
    assert f"joined: +{P1}" in table
    assert f"operator {last['operator']}" in table


def test_history_of_an_unknown_game_is_exit_3(scene: Scene) -> None:
    """An unknown game's history is exit 3 in one line."""
    assert_one_line_error(gamesched("games", "history", "4242"), 3, "4242")


def test_a_change_with_the_database_unreachable_is_exit_5(cli_env: pytest.MonkeyPatch) -> None:
    """Editing with a database that cannot be reached is exit 5 naming the setting."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    result = gamesched("games", "cancel", "1", "--yes")
    assert_one_line_error(result, 5, "database.url")
