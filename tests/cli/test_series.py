"""The operator's recurring series: `games create --repeat`, and `series list|show|preview|
edit|skip|cancel`, as tables and JSON, on each engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gamesched.domain.status import GameStatus
from gamesched.services.context import Context
from gamesched.services.games import get_game
from tests.support.cli import assert_one_line_error, gamesched_off_loop, json_of
from tests.support.factories import CHANNEL, GUILD, HOST

FIRST = (datetime.now(UTC) + timedelta(days=3)).replace(hour=19, minute=0, second=0, microsecond=0)
"""The first game's start: ahead of the real clock the CLI runs on."""
WEEKDAY = FIRST.strftime("%A")


@pytest.fixture
def on_database(database_url: str, cli_env: pytest.MonkeyPatch) -> None:
    """The CLI works on the test's database, with no bot token, in UTC."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("TZ", "UTC")


async def create(*options: str) -> dict[str, object]:
    return dict(
        json_of(
            await gamesched_off_loop(
                "games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL),
                "--host", str(HOST.user_id), "--title", "Weekly", "--when",
                FIRST.strftime("%Y-%m-%d %H:%M"), "--tz", "UTC", *options, "--json",
            )
        )
    )  # fmt: skip


@pytest.mark.usefixtures("on_database")
async def test_create_with_repeat_makes_a_series_and_lists_it(ctx: Context) -> None:
    """`games create --repeat` makes the first game and its series; `series list` and
    `series show` show its pattern and next dates."""
    created = await create("--repeat", f"weekly on {WEEKDAY}", "--ahead-days", "12")
    made = created["series"]
    assert isinstance(made, dict)
    assert made["pattern"] == f"Every week on {WEEKDAY}"
    assert made["ahead_days"] == 12
    assert len(made["game_ids"]) == 2  # the first and the one 7 days later (within 12 days)
    game = await get_game(ctx, int(str(created["id"])))
    assert game.start_at == FIRST

    listed = json_of(await gamesched_off_loop("series", "list", "--json"))
    assert [s["id"] for s in listed["series"]] == [made["id"]]
    table = await gamesched_off_loop("series", "list")
    assert f"Every week on {WEEKDAY}" in table.stdout
    shown = await gamesched_off_loop("series", "show", str(made["id"]))
    assert shown.exit_code == 0, shown.output
    assert "games are made 12 days ahead" in shown.stdout
    assert "Next dates:" in shown.stdout


@pytest.mark.usefixtures("on_database")
async def test_preview_shows_the_spring_gap_without_writing() -> None:
    """`series preview` lists the dates in the zone given, the gap day moved and noted."""
    result = await gamesched_off_loop(
        "series", "preview", "--guild", str(GUILD), "--channel", str(CHANNEL),
        "--when", "2027-03-14 02:30", "--repeat", "weekly on Sun", "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Sun 28 Mar 2027, 03:30 Europe/Berlin - 02:30 on Sun 28 Mar 2027 does not exist" in (
        result.stdout
    )
    listed = json_of(await gamesched_off_loop("series", "list", "--json"))
    assert listed["series"] == []


@pytest.mark.usefixtures("on_database")
async def test_edit_future_skip_and_cancel(ctx: Context) -> None:
    """`series edit --future` moves this and later games to the new time, `series skip`
    leaves a date out, `series cancel --yes` cancels the scheduled games."""
    created = await create("--repeat", f"weekly on {WEEKDAY}", "--ahead-days", "12")
    made = created["series"]
    assert isinstance(made, dict)
    first_id, second_id = (int(i) for i in made["game_ids"])
    new_time = (FIRST + timedelta(days=7)).strftime("%Y-%m-%d 20:30")
    edited = json_of(
        await gamesched_off_loop(
            "series", "edit", str(second_id), "--future", "--when", new_time, "--tz", "UTC",
            "--json",
        )
    )  # fmt: skip
    assert [g["id"] for g in edited["games"]] == [str(second_id)]
    assert edited["series"]["wall_time"] == "20:30"
    assert (await get_game(ctx, first_id)).start_at == FIRST

    skipped_on = (FIRST + timedelta(days=21)).date().isoformat()
    skipped = json_of(
        await gamesched_off_loop("series", "skip", str(made["id"]), skipped_on, "--json")
    )
    assert skipped["skipped"] == [skipped_on]

    result = await gamesched_off_loop("series", "cancel", str(made["id"]), "--yes")
    assert result.exit_code == 0, result.output
    assert "is cancelled, with 2 scheduled games" in result.stdout
    assert (await get_game(ctx, second_id)).status is GameStatus.CANCELLED


@pytest.mark.usefixtures("on_database")
async def test_an_unreadable_pattern_is_one_line_with_examples() -> None:
    """A pattern the parser cannot read is one line with accepted examples, exit 1."""
    result = await gamesched_off_loop(
        "games", "create", "--guild", str(GUILD), "--channel", str(CHANNEL),
        "--host", str(HOST.user_id), "--title", "Weekly", "--when",
        FIRST.strftime("%Y-%m-%d %H:%M"), "--repeat", "daily",
    )  # fmt: skip
    assert_one_line_error(result, 1, "`weekly on Mon, Thu`")
    listed = json_of(await gamesched_off_loop("series", "list", "--json"))
    assert listed["series"] == []
