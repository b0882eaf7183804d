"""`gamesched reminders list` and `reminders retry`: planned reminders, what went wrong, and
sending a refused DM again, as tables and JSON on each engine, with the documented exit codes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox, reminders
from gamesched.services.context import Context
from tests.support.cli import assert_one_line_error, gamesched, json_of
from tests.support.factories import GUILD, P1, P2, make_game
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator, channel_id_of, user_id_of


@dataclass(frozen=True, slots=True)
class Scene:
    azul: int
    """Starts in 50 minutes (the commands run on the real clock); P1 and P2 joined; its
    60-minute reminder went out 5 minutes ago, reached P1 and was refused by P2's closed DMs;
    its 15-minute reminder is due in 35 minutes."""
    chess: int
    """Starts tomorrow; P1 joined."""
    refused: str
    """The id of P2's refused reminder DM."""
    reminder: str
    """The id of Azul's 60-minute reminder."""


async def refuse_due_reminder(ctx: Context, *, refused: int) -> int:
    """Run the due reminder as a worker does, ``refused`` having closed DMs; its job id."""
    claimed = await outbox.claim_due(ctx, worker="test")
    (job_id,) = claimed.job_ids
    round_ = await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
    assert round_ is not None
    for user_id in round_.user_ids:
        failure = outbox.DMS_CLOSED if user_id == refused else None
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure=failure)
    await outbox.finish_job(ctx, job_id=job_id, claim=claimed.claim)
    return job_id


@pytest.fixture
async def scene(
    ctx: Context, clock: FakeClock, database_url: str, cli_env: pytest.MonkeyPatch
) -> Scene:
    """Two games around the real now; the CLI reads the same database."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clock.now = now - timedelta(hours=1)
    azul = await make_game(ctx, title="Azul", when=now + timedelta(minutes=50), joiners=(P1, P2))
    chess = await make_game(ctx, title="Chess", when=now + timedelta(days=1), joiners=(P1,))
    clock.now = now - timedelta(minutes=5)
    job_id = await refuse_due_reminder(ctx, refused=P2)
    (failure,) = (await reminders.failures(ctx)).items
    return Scene(azul=azul.id, chess=chess.id, refused=str(failure.ref), reminder=f"r{job_id}")


# --- list ----------------------------------------------------------------------------------


def test_list_shows_planned_reminders_soonest_first(scene: Scene) -> None:
    """`reminders list` shows each reminder still to be sent with its game, server, due time
    in --tz and how many players it reaches, soonest first."""
    result = gamesched("reminders", "list", "--tz", "UTC")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "3 of 3 planned reminders" in result.stdout
    assert "Due (UTC)" in result.stdout
    azul = next(line for line in lines if "Azul" in line)
    assert "15 min before" in azul
    assert str(GUILD) in azul
    assert azul.rstrip(" │").endswith("2")
    assert result.stdout.index("Azul") < result.stdout.index("Chess")


def test_list_json_shape_and_due_within(scene: Scene) -> None:
    """`reminders list --json` is {total, reminders}: ids as strings, times ISO 8601 UTC, the
    game and how many players each reaches; `--due-within 1h` keeps the one due soon."""
    listed = json_of(gamesched("reminders", "list", "--json", "--due-within", "1h"))
    assert listed["total"] == 1
    (reminder,) = listed["reminders"]
    assert reminder["id"].startswith("r")
    assert reminder["offset_minutes"] == 15
    assert reminder["recipients"] == 2
    assert reminder["due_at"].endswith("+00:00")
    assert reminder["game"] == {
        "id": str(scene.azul),
        "title": "Azul",
        "status": "scheduled",
        "start_at": reminder["game"]["start_at"],
        "guild_id": str(GUILD),
        "guild_name": None,
        "channel_id": reminder["game"]["channel_id"],
        "channel_name": None,
    }
    every = json_of(gamesched("reminders", "list", "--json", "--due-within", "1d 2h"))
    assert every["total"] == 3
    only_chess = json_of(gamesched("reminders", "list", "--json", "--game", str(scene.chess)))
    assert {r["game"]["title"] for r in only_chess["reminders"]} == {"Chess"}


def test_list_failed_shows_the_refused_dm_per_player(scene: Scene) -> None:
    """`reminders list --failed --json` is {total, failures}: the refused DM with its id, the
    member, its reminder, the reason and that a retry would help; the table says the same."""
    listed = json_of(gamesched("reminders", "list", "--failed", "--json"))
    assert listed["total"] == 1
    (failure,) = listed["failures"]
    assert failure == {
        "id": scene.refused,
        "kind": "reminder_dm",
        "game": failure["game"],
        "member": {"id": str(P2), "name": None},
        "reminder": {
            "id": scene.reminder,
            "offset_minutes": 60,
            "due_at": failure["reminder"]["due_at"],
        },
        "notice": None,
        "reason": "dms_closed",
        "at": failure["at"],
        "retryable": True,
        "why_not": None,
    }
    assert failure["game"]["id"] == str(scene.azul)
    table = gamesched("reminders", "list", "--failed")
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if scene.refused in line)
    assert "DMs closed" in row
    assert "reminder DM 1 h before" in row
    assert str(P2) in row
    assert "yes" in row


def test_nothing_planned_or_failed_is_a_sentence(scene: Scene) -> None:
    """Empty answers are one sentence and exit 0."""
    none_due = gamesched("reminders", "list", "--due-within", "1m")
    assert none_due.exit_code == 0, none_due.output
    assert none_due.stdout.strip() == "No reminders are due within 1m."
    none_failed = gamesched("reminders", "list", "--failed", "--game", str(scene.chess))
    assert none_failed.exit_code == 0, none_failed.output
    assert none_failed.stdout.startswith("Nothing went wrong")


@pytest.mark.parametrize(
    ("options", "code", "text"),
    [
        (["--due-within", "soon"], 2, "--due-within: `soon` is not a length of time"),
        (["--due-within", "400d"], 2, "is more than 366 days"),
        (["--failed", "--due-within", "2h"], 2, "leave it out with --failed"),
        (["--game", "999999"], 3, "There is no game #999999."),
    ],
)
def test_bad_list_options_are_one_line_with_their_exit_code(
    scene: Scene, options: list[str], code: int, text: str
) -> None:
    """A length of time that cannot be read, --due-within with --failed, or an unknown game
    is one line on stderr with the documented exit code."""
    assert_one_line_error(gamesched("reminders", "list", *options), code, text)


# --- retry ---------------------------------------------------------------------------------


def test_retry_by_id_plans_the_dm_again_and_says_for_whom(scene: Scene) -> None:
    """`reminders retry ID --json` lists the DM planned again and the reminder's round with
    whom it goes to; the reminder is planned again (due now) and no longer a failure."""
    done = json_of(gamesched("reminders", "retry", scene.refused, "--json"))
    assert [f["id"] for f in done["retried"]] == [scene.refused]
    assert done["not_retried"] == []
    (round_,) = done["reminders"]
    assert round_["id"] == scene.reminder
    assert round_["recipients"] == [{"id": str(P2), "name": None}]
    assert done["worker_alive"] is False
    planned = json_of(gamesched("reminders", "list", "--json", "--due-within", "0m"))
    assert [(r["id"], r["recipients"]) for r in planned["reminders"]] == [(scene.reminder, 1)]
    assert json_of(gamesched("reminders", "list", "--failed", "--json"))["total"] == 0


def test_retry_by_game_as_text(scene: Scene) -> None:
    """`reminders retry --game --member` prints what was planned again, to whom the
    reminder goes, and that no worker was seen running."""
    result = gamesched("reminders", "retry", "--game", str(scene.azul), "--member", str(P2))
    assert result.exit_code == 0, result.output
    assert "Planned again" in result.stdout
    assert scene.refused in result.stdout
    assert f"Reminder {scene.reminder} (1 h before game #{scene.azul}) goes to: {P2}." in (
        result.stdout
    )
    assert "No worker has been seen lately" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["d999999"], 3, "There is no reminder DM d999999."),
        (["n999999"], 3, "There is no notice n999999."),
        (["--game", "999999"], 3, "There is no game #999999."),
        (["x12"], 2, "`x12` is not a failure id"),
        ([], 2, "Give failure ids or --game"),
        (["--member", str(P2)], 2, "--member goes with --game"),
    ],
)
def test_bad_retry_requests_are_one_line_with_their_exit_code(
    scene: Scene, args: list[str], code: int, text: str
) -> None:
    """Unknown ids and games are exit 3; a malformed id or a missing or extra option exit 2."""
    assert_one_line_error(gamesched("reminders", "retry", *args), code, text)


def test_nothing_to_retry_is_exit_4(scene: Scene) -> None:
    """A DM retried already, a whole reminder, or a game without refused DMs is exit 4 with
    one line saying why, and changes nothing."""
    assert gamesched("reminders", "retry", scene.refused).exit_code == 0
    assert_one_line_error(
        gamesched("reminders", "retry", scene.refused), 4, "is owed already; nothing to retry"
    )
    assert_one_line_error(gamesched("reminders", "retry", scene.reminder), 4, "never sent again")
    assert_one_line_error(
        gamesched("reminders", "retry", "--game", str(scene.chess)), 4, "has no refused DMs"
    )


async def test_no_retry_once_the_game_started(
    ctx: Context, clock: FakeClock, database_url: str, cli_env: pytest.MonkeyPatch
) -> None:
    """A refused DM of a game that has started is listed as not retryable and a retry is
    exit 4 saying the game has started."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clock.now = now - timedelta(hours=2)
    await make_game(ctx, title="Azul", when=now - timedelta(minutes=10), joiners=(P1, P2))
    clock.now = now - timedelta(minutes=70)
    await refuse_due_reminder(ctx, refused=P2)
    listed = json_of(await asyncio.to_thread(gamesched, "reminders", "list", "--failed", "--json"))
    (failure,) = listed["failures"]
    assert (failure["retryable"], failure["why_not"]) == (False, "game_started")
    retried = await asyncio.to_thread(gamesched, "reminders", "retry", failure["id"])
    assert_one_line_error(retried, 4, "the game has started")


async def test_failed_dms_name_members_through_discord(
    sandbox: RunningSandbox,
    demo_world: World,
    database_url: str,
    ctx: Context,
    clock: FakeClock,
    cli_env: pytest.MonkeyPatch,
) -> None:
    """With a bot token the member of a refused DM is shown by display name, and someone who
    left the server as "Unknown User"."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", demo_world.token)
    cli_env.setenv("GAMESCHED_DISCORD__API_BASE_URL", sandbox.base_url)
    sam, left = user_id_of(demo_world, "sam"), 1_999_999_999_999_999_999
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clock.now = now - timedelta(hours=1)
    await make_game(
        ctx,
        guild_id=demo_world.guilds[0].id,
        channel_id=channel_id_of(demo_world, "board-games"),
        host=administrator(demo_world),
        when=now + timedelta(minutes=50),
        joiners=(sam, left),
    )
    clock.now = now - timedelta(minutes=5)
    claimed = await outbox.claim_due(ctx, worker="test")
    (job_id,) = claimed.job_ids
    await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
    for user_id in (sam, left):
        await outbox.record_delivery(ctx, job_id=job_id, user_id=user_id, failure="refused_1")
    await outbox.finish_job(ctx, job_id=job_id, claim=claimed.claim)

    listed = await asyncio.to_thread(gamesched, "reminders", "list", "--failed", "--json")
    members = {f["member"]["id"]: f["member"]["name"] for f in json_of(listed)["failures"]}
    assert members == {str(sam): "Sammy", str(left): "Unknown User"}
    table = await asyncio.to_thread(gamesched, "reminders", "list", "--failed")
    assert f"Sammy ({sam})" in table.stdout
    assert "refused (1)" in table.stdout
