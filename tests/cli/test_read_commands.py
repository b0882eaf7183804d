"""The operator's read commands: guilds, channels, settings and games, as tables and as JSON,
on each engine, with the documented exit codes for what cannot be answered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services import outbox
from gamesched.services.configuration import configure_channel, configure_guild
from gamesched.services.context import Context
from gamesched.services.games import cancel_game
from gamesched.services.people import set_guild_time_zone
from tests.support.cli import assert_one_line_error, gamesched, json_of
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    CHANNEL_KEEPER,
    GUILD,
    HOST,
    HOST_ROLE,
    OTHER_CHANNEL,
    P1,
    P2,
    START,
    make_game,
)
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator, channel_id_of, user_id_of


@dataclass(frozen=True, slots=True)
class Scene:
    catan: int
    """In CHANNEL at START: P1 and P2 joined, a Guest placeholder; its 30-minute reminder
    reached P1 and was refused by P2's closed DMs."""
    chess: int
    """In OTHER_CHANNEL a day later, nobody joined."""
    cancelled: int
    """In CHANNEL two days later, cancelled."""


@pytest.fixture
async def scene(
    ctx: Context, clock: FakeClock, database_url: str, cli_env: pytest.MonkeyPatch
) -> Scene:
    """A guild in Berlin's zone with a host role and max 4 players, a channel with its own
    category and reminders, and three games; the CLI reads the same database."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    await configure_guild(
        ctx,
        actor=ADMIN,
        guild_id=GUILD,
        patch=SettingsPatch(max_players=4, host_role_ids=(HOST_ROLE,)),
    )
    await set_guild_time_zone(ctx, actor=ADMIN, guild_id=GUILD, zone="Europe/Berlin")
    await configure_channel(
        ctx,
        actor=CHANNEL_KEEPER,
        guild_id=GUILD,
        channel_id=CHANNEL,
        patch=SettingsPatch(category="Board games", reminder_minutes=(30,)),
    )
    catan = await make_game(
        ctx, title="Catan night", host=HOST, when=START, participants="Guest", joiners=(P1, P2)
    )
    chess = await make_game(
        ctx, title="Chess", host=HOST, channel_id=OTHER_CHANNEL, when=START + timedelta(days=1)
    )
    cancelled = await make_game(ctx, title="Go", host=HOST, when=START + timedelta(days=2))
    await cancel_game(ctx, actor=HOST, game_id=cancelled.id)
    clock.now = START - timedelta(minutes=30)
    claimed = await outbox.claim_due(ctx, worker="test")
    (job_id,) = claimed.job_ids
    await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P1)
    await outbox.record_delivery(ctx, job_id=job_id, user_id=P2, failure=outbox.DMS_CLOSED)
    await outbox.finish_job(ctx, job_id=job_id, claim=claimed.claim)
    return Scene(catan=catan.id, chess=chess.id, cancelled=cancelled.id)


# --- guilds, channels, settings ------------------------------------------------------------


def test_guilds_list_as_json_counts_channels_and_upcoming_games(scene: Scene) -> None:
    """`guilds list --json` gives each guild's id as a string, zone, host roles and counts
    (the cancelled game is not upcoming)."""
    assert json_of(gamesched("guilds", "list", "--json")) == [
        {
            "id": str(GUILD),
            "name": None,
            "timezone": "Europe/Berlin",
            "host_role_ids": [str(HOST_ROLE)],
            "configured_channels": 2,
            "upcoming_games": 2,
        }
    ]


def test_guilds_list_as_a_table(scene: Scene) -> None:
    """`guilds list` shows a row per guild with its zone, counts and host roles."""
    result = gamesched("guilds", "list")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if str(GUILD) in line)
    assert "Europe/Berlin" in row
    assert str(HOST_ROLE) in row
    assert [cell.strip() for cell in row.split("│")[3:5]] == ["2", "2"]


def test_guilds_show_gives_every_setting_with_its_source(scene: Scene) -> None:
    """`guilds show` says which settings the guild sets and which are built-in defaults."""
    shown = json_of(gamesched("guilds", "show", str(GUILD), "--json"))
    assert shown["settings"]["max_players"] == {"value": 4, "source": "guild"}
    assert shown["settings"]["host_role_ids"] == {"value": [str(HOST_ROLE)], "source": "guild"}
    assert shown["settings"]["reminder_minutes"] == {"value": [60, 15], "source": "default"}
    table = gamesched("guilds", "show", str(GUILD)).stdout
    assert "Europe/Berlin" in table
    assert "from the server" in table
    assert "built-in default" in table


def test_an_unknown_guild_is_exit_3_in_one_line(scene: Scene) -> None:
    """`guilds show`, `channels list --guild` and `config show --guild` of a guild gamesched
    does not know end with exit 3 and one line naming it."""
    for command in (
        ["guilds", "show", "42"],
        ["channels", "list", "--guild", "42"],
        ["config", "show", "--guild", "42"],
    ):
        assert_one_line_error(gamesched(*command), 3, "No server 42 is known")


def test_channels_list_and_show(scene: Scene) -> None:
    """`channels list --guild` lists both channels with their upcoming games; `channels show`
    gives one channel's settings with the channel's own category."""
    listed = json_of(gamesched("channels", "list", "--guild", str(GUILD), "--json"))
    assert listed == [
        {
            "id": str(CHANNEL),
            "name": None,
            "guild_id": str(GUILD),
            "guild_name": None,
            "upcoming_games": 1,
        },
        {
            "id": str(OTHER_CHANNEL),
            "name": None,
            "guild_id": str(GUILD),
            "guild_name": None,
            "upcoming_games": 1,
        },
    ]
    shown = gamesched("channels", "show", str(CHANNEL))
    assert shown.exit_code == 0, shown.output
    assert f"Channel {CHANNEL} in server {GUILD}" in shown.stdout
    assert "Board games" in shown.stdout
    assert "from the channel" in shown.stdout


def test_an_unknown_channel_is_exit_3(scene: Scene) -> None:
    """`channels show` and `config show --channel` of an unknown channel exit 3 in one line."""
    for command in (["channels", "show", "7"], ["config", "show", "--channel", "7"]):
        assert_one_line_error(gamesched(*command), 3, "No channel 7 is known")


def test_config_show_of_a_channel_says_where_each_value_comes_from(scene: Scene) -> None:
    """`config show --channel --json`: the channel's own values, the guild's, and defaults,
    each with its source."""
    shown = json_of(gamesched("config", "show", "--channel", str(CHANNEL), "--json"))
    assert shown["guild_id"] == str(GUILD)
    assert shown["channel_id"] == str(CHANNEL)
    settings = shown["settings"]
    assert settings["category"] == {"value": "Board games", "source": "channel"}
    assert settings["reminder_minutes"] == {"value": [30], "source": "channel"}
    assert settings["max_players"] == {"value": 4, "source": "guild"}
    assert settings["duration_minutes"] == {"value": 120, "source": "default"}
    assert set(settings) == {
        "max_players",
        "reminder_minutes",
        "rules",
        "duration_minutes",
        "category",
        "host_role_ids",
        "remind_in_channel",
        "public_feed",
        "mirror_events",
    }
    table = gamesched("config", "show", "--guild", str(GUILD)).stdout
    assert "Max players" in table
    assert "from the server" in table


@pytest.mark.parametrize("options", [[], ["--guild", "1", "--channel", "2"]])
def test_config_show_needs_exactly_one_place(options: list[str], cli_env: object) -> None:
    """`config show` without a place, or with both, is a usage error (exit 2) saying so."""
    assert_one_line_error(gamesched("config", "show", *options), 2, "exactly one of --guild")


# --- games ---------------------------------------------------------------------------------


def test_games_list_shows_upcoming_games_in_the_operators_zone(scene: Scene) -> None:
    """`games list --tz` shows upcoming games soonest first, times in that zone, seats and the
    host by id (no token: said once on stderr)."""
    result = gamesched("games", "list", "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    catan = next(line for line in lines if "Catan night" in line)
    assert "Sat 2026-12-05 20:00" in catan  # 19:00 UTC in Berlin
    assert "2/4" in catan
    assert str(HOST.user_id) in catan
    assert "Starts (Europe/Berlin)" in result.stdout
    assert "Go" not in [cell.strip() for cell in "".join(lines).split("│")]  # cancelled
    assert result.stdout.index("Catan night") < result.stdout.index("Chess")
    assert result.stderr.count("No bot token set: shown by ids, not by Discord names.") == 1


def test_the_configured_operator_zone_is_the_default_and_tz_wins(
    scene: Scene, cli_env: pytest.MonkeyPatch
) -> None:
    """With `operator.timezone` set, times are shown in it without --tz; --tz still wins; an
    unknown zone in the configuration is exit 5 naming the setting."""
    cli_env.setenv("GAMESCHED_OPERATOR__TIMEZONE", "America/New_York")
    configured = gamesched("games", "list")
    assert "Starts (America/New_York)" in configured.stdout
    assert "Sat 2026-12-05 14:00" in configured.stdout  # 19:00 UTC in New York
    assert "Starts (Asia/Tokyo)" in gamesched("games", "list", "--tz", "Asia/Tokyo").stdout
    cli_env.setenv("GAMESCHED_OPERATOR__TIMEZONE", "Mars/Olympus")
    broken = gamesched("games", "list")
    assert broken.exit_code == 5
    assert "operator.timezone" in broken.stderr


def test_games_list_json_shape(scene: Scene) -> None:
    """`games list --json` is {total, games}: ids as strings, times ISO 8601 UTC, people as
    {id, name}, seats, placeholders, settings and the announcement's state."""
    listed = json_of(gamesched("games", "list", "--json", "--limit", "1"))
    assert listed["total"] == 2
    (game,) = listed["games"]
    assert game == {
        "id": str(scene.catan),
        "guild_id": str(GUILD),
        "guild_name": None,
        "channel_id": str(CHANNEL),
        "channel_name": None,
        "title": "Catan night",
        "description": "",
        "status": "scheduled",
        "start_at": "2026-12-05T19:00:00+00:00",
        "end_at": "2026-12-05T21:00:00+00:00",
        "host": {"id": str(HOST.user_id), "name": None},
        "seats": {"taken": 2, "max": 4},
        "joined": [{"id": str(P1), "name": None}, {"id": str(P2), "name": None}],
        "waitlist": [],
        "placeholders": ["Guest"],
        "settings": game["settings"],
        "announcement": {"message_id": None, "up_to_date": False},
    }
    assert game["settings"]["category"] == {"value": "Board games", "source": "channel"}


@pytest.mark.parametrize(
    ("options", "titles"),
    [
        (["--status", "cancelled"], ["Go"]),
        (["--status", "scheduled", "--status", "cancelled"], ["Catan night", "Chess", "Go"]),
        (["--channel", str(OTHER_CHANNEL)], ["Chess"]),
        (["--category", "BOARD games"], ["Catan night"]),
        (["--host", str(ADMIN.user_id)], []),
        (["--from", "2026-12-06", "--tz", "UTC"], ["Chess"]),
        (["--to", "2026-12-05T20:00+01:00"], []),
        (["--to", "2026-12-05T20:01+01:00"], ["Catan night"]),
        (["--guild", "42"], []),
    ],
)
def test_games_list_filters(scene: Scene, options: list[str], titles: list[str]) -> None:
    """Each filter of `games list` keeps exactly the games it names (times in --tz, else
    their own offset)."""
    listed = json_of(gamesched("games", "list", "--json", *options))
    assert [g["title"] for g in listed["games"]] == titles


def test_games_list_with_nothing_to_show_says_so(scene: Scene) -> None:
    """An empty result is a sentence, exit 0."""
    result = gamesched("games", "list", "--host", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "No games match."


@pytest.mark.parametrize(
    ("options", "text"),
    [
        (["--from", "next friday"], "--from: `next friday` is not a date or time"),
        (["--to", "2026-13-01"], "--to: `2026-13-01` is not a date or time"),
        (["--tz", "Mars/Olympus"], "--tz: `Mars/Olympus` is not a time zone"),
    ],
)
def test_a_bad_time_or_zone_is_a_usage_error(scene: Scene, options: list[str], text: str) -> None:
    """A time or zone that cannot be read is exit 2 with one line saying what to type."""
    assert_one_line_error(gamesched("games", "list", *options), 2, text)


def test_games_show_has_people_reminders_deliveries_and_the_unreachable(scene: Scene) -> None:
    """`games show --json` adds every job with who got its DM and who refused it, and the
    members who could not be reached."""
    shown = json_of(gamesched("games", "show", str(scene.catan), "--json"))
    assert shown["placeholders"] == ["Guest"]
    reminder, start, complete = shown["jobs"]
    assert reminder == {
        "kind": "reminder",
        "offset_minutes": 30,
        "due_at": "2026-12-05T18:30:00+00:00",
        "done_at": "2026-12-05T18:30:00+00:00",
        "outcome": "sent",
        "sent_to": [{"id": str(P1), "name": None}],
        "refused": [{"id": str(P2), "name": None}],
    }
    assert (start["kind"], start["outcome"], start["due_at"]) == (
        "start",
        None,
        "2026-12-05T19:00:00+00:00",
    )
    assert complete["kind"] == "complete"
    assert shown["unreachable"] == [{"id": str(P2), "name": None}]


def test_games_show_as_tables(scene: Scene) -> None:
    """`games show` lists seats, the placeholder, the reminder with its outcome and the
    unreachable member, times in --tz."""
    result = gamesched("games", "show", str(scene.catan), "--tz", "America/New_York")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Game #{scene.catan}: Catan night" in out
    assert "Sat 2026-12-05 14:00" in out  # 19:00 UTC in New York
    assert "seat 2" in out
    assert "placeholder │ Guest" in out
    reminder = next(line for line in out.splitlines() if "reminder 30 min before" in line)
    assert "Sat 2026-12-05 13:30" in reminder
    assert "sent" in reminder
    assert str(P2) in reminder
    assert f"Could not be reached by DM: {P2}" in out


def test_an_unknown_game_is_exit_3(scene: Scene) -> None:
    """`games show` of a number no game has exits 3 with the domain's sentence."""
    assert_one_line_error(gamesched("games", "show", "999999"), 3, "There is no game #999999.")


async def test_markup_in_a_title_is_shown_as_typed(
    ctx: Context, database_url: str, cli_env: pytest.MonkeyPatch
) -> None:
    """A title with rich's markup characters is printed as typed, not styled or dropped."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    await make_game(ctx, title="[bold]Loot[/bold] night")
    result = await asyncio.to_thread(gamesched, "games", "list")
    assert "[bold]Loot[/bold] night" in result.stdout


# --- what cannot be read -------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["guilds", "list"], ["channels", "show", "1"], ["games", "list"], ["games", "show", "1"]],
)
def test_an_unreachable_database_is_exit_5(command: list[str], cli_env: pytest.MonkeyPatch) -> None:
    """A database that cannot be reached ends every read with exit 5 and where to fix it."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", "postgresql+asyncpg://nobody:pw@127.0.0.1:1/gs")
    result = gamesched(*command)
    assert result.exit_code == 5, result.output
    assert "Could not use the database" in result.stderr
    assert "database.url" in result.stderr
    assert "Traceback" not in result.output


def test_an_empty_database_is_exit_5_not_an_empty_answer(
    tmp_path: Path, cli_env: pytest.MonkeyPatch
) -> None:
    """A database gamesched never set up (e.g. a wrong path) is exit 5 naming `db upgrade`,
    not "no games"."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3")
    assert_one_line_error(gamesched("games", "list"), 5, "has no gamesched tables")


def test_a_bad_configuration_is_exit_5(tmp_path: Path, cli_env: pytest.MonkeyPatch) -> None:
    """A read with a configuration that does not validate exits 5 listing the problem."""
    cli_env.setenv("GAMESCHED_WEB__PORT", "99999")
    result = gamesched("guilds", "list")
    assert result.exit_code == 5
    assert "web.port" in result.stderr


# --- display names -------------------------------------------------------------------------


async def test_games_show_names_members_through_discord(
    sandbox: RunningSandbox,
    demo_world: World,
    database_url: str,
    ctx: Context,
    cli_env: pytest.MonkeyPatch,
) -> None:
    """With a bot token, people are shown by display name and someone who left as "Unknown
    User"; `--ids` skips Discord and shows ids."""
    guild_id = demo_world.guilds[0].id
    sam, left = user_id_of(demo_world, "sam"), 1_999_999_999_999_999_999
    game = await make_game(
        ctx,
        guild_id=guild_id,
        channel_id=channel_id_of(demo_world, "board-games"),
        host=administrator(demo_world),
        joiners=(sam, left),
    )
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", demo_world.token)
    cli_env.setenv("GAMESCHED_DISCORD__API_BASE_URL", sandbox.base_url)

    named = await asyncio.to_thread(gamesched, "games", "show", str(game.id), "--json")
    assert json_of(named)["joined"] == [
        {"id": str(sam), "name": "Sammy"},  # the guild nickname
        {"id": str(left), "name": "Unknown User"},
    ]
    assert json_of(named)["host"]["name"] == "Olivia Owner"
    assert "No bot token" not in named.stderr
    table = await asyncio.to_thread(gamesched, "games", "show", str(game.id))
    assert f"Sammy ({sam})" in table.stdout
    by_id = await asyncio.to_thread(gamesched, "games", "show", str(game.id), "--ids", "--json")
    assert json_of(by_id)["joined"][0] == {"id": str(sam), "name": None}
