"""`gamesched config set` and `config unset`: each setting of a server or a channel changed as
the bot's /config-guild and /config-channel change it, by the operator, on each engine; one
line and the documented exit code for what is refused, with nothing written."""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from typer.testing import CliRunner

from cli._operating import operating
from cli.main import app
from gamesched.app import UNKNOWN_OPERATOR
from gamesched.config import load_config
from gamesched.db.tables import HistoryRow
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.configuration import configure_guild
from gamesched.services.context import Context, FrontEnd, Origin
from gamesched.services.games import get_game
from gamesched.services.people import set_guild_time_zone
from tests.support.cli import assert_one_line_error, gamesched, json_of
from tests.support.environment import REDIS_URL
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    GUILD,
    HOST,
    HOST_ROLE,
    OTHER_CHANNEL,
    make_game,
)
from tests.support.sandbox import channel_id_of

SERVER_MAX_PLAYERS = 4
"""What the server sets in every test here, so a channel has something to inherit."""


@pytest.fixture
async def known_server(ctx: Context, database_url: str, cli_env: pytest.MonkeyPatch) -> None:
    """GUILD with max players 4 and a host role, and a game in CHANNEL (so gamesched knows
    the channel); the CLI works on the same database, without a bot token."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    await configure_guild(
        ctx,
        actor=ADMIN,
        guild_id=GUILD,
        patch=SettingsPatch(max_players=SERVER_MAX_PLAYERS, host_role_ids=(HOST_ROLE,)),
    )
    await make_game(ctx, title="Known channel", host=HOST, when=_in_a_month())


def _in_a_month() -> datetime:
    """A start still ahead by the real clock the CLI runs on."""
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=30)


def shown(*place: str) -> Any:
    return json_of(gamesched("config", "show", *place, "--json"))


SERVER = ["--guild", str(GUILD)]
HERE = ["--channel", str(CHANNEL)]

EACH_KEY = [
    ("max-players", "6", "max_players", 6),
    ("reminders", "60, 15, 1440", "reminder_minutes", [1440, 60, 15]),
    ("reminders", "none", "reminder_minutes", []),
    ("duration", "90", "duration_minutes", 90),
    ("category", " Board games ", "category", "Board games"),
    ("rules", "Bring snacks.", "rules", "Bring snacks."),
    ("host-roles", "1180000000000000005, 7, 7", "host_role_ids", ["1180000000000000005", "7"]),
    ("host-roles", "none", "host_role_ids", []),
    ("remind-in-channel", "on", "remind_in_channel", True),
    ("REMIND_IN_CHANNEL", "Off", "remind_in_channel", False),
    ("public-feed", "on", "public_feed", True),
    ("public_feed", "no", "public_feed", False),
    ("mirror-events", "yes", "mirror_events", True),
    ("Mirror-Events", "off", "mirror_events", False),
]


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(("key", "typed", "field", "value"), EACH_KEY)
def test_set_and_unset_on_the_server(key: str, typed: str, field: str, value: Any) -> None:
    """A server's setting set from the terminal is the server's (source "guild"); unset, it
    is the built-in default again."""
    assert json_of(gamesched("config", "set", key, typed, *SERVER, "--json"))
    assert shown(*SERVER)["settings"][field] == {"value": value, "source": "guild"}
    assert json_of(gamesched("config", "unset", key, *SERVER, "--json"))
    assert shown(*SERVER)["settings"][field]["source"] == "default"


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(("key", "typed", "field", "value"), EACH_KEY)
def test_set_and_unset_on_a_channel(key: str, typed: str, field: str, value: Any) -> None:
    """A channel's setting set from the terminal is the channel's; unset, the channel
    inherits the server's value (or the default) again, and the server is untouched."""
    server_before = shown(*SERVER)
    assert json_of(gamesched("config", "set", key, typed, *HERE, "--json"))
    assert shown(*HERE)["settings"][field] == {"value": value, "source": "channel"}
    assert shown(*SERVER) == server_before
    assert json_of(gamesched("config", "unset", key, *HERE, "--json"))
    assert shown(*HERE)["settings"][field] == server_before["settings"][field]


@pytest.mark.usefixtures("known_server")
def test_the_servers_time_zone_is_set_and_unset() -> None:
    """`timezone` takes the bot's zone names (any case) and stores the canonical one; unset,
    the server is on UTC again. Both places' JSON carry the server's zone."""
    saved = gamesched("config", "set", "timezone", "europe/berlin", *SERVER)
    assert saved.exit_code == 0, saved.output
    assert f"The time zone of server {GUILD}: Europe/Berlin." in saved.stdout
    assert shown(*SERVER)["timezone"] == "Europe/Berlin"
    assert shown(*HERE)["timezone"] == "Europe/Berlin"
    unset = gamesched("config", "unset", "timezone", *SERVER)
    assert f"The time zone of server {GUILD}: UTC (not set)." in unset.stdout
    assert shown(*SERVER)["timezone"] is None


@pytest.mark.usefixtures("known_server")
def test_set_and_unset_say_the_new_value_and_where_it_comes_from() -> None:
    """After a change the command says the setting's effective value and its source, then
    shows every setting as `config show` does."""
    saved = gamesched("config", "set", "max-players", "6", *HERE)
    assert saved.exit_code == 0, saved.output
    first, *rest = saved.stdout.splitlines()
    assert (
        first == f"Saved. Max players of channel {CHANNEL} (server {GUILD}): 6 (from the channel)."
    )
    assert "effective settings" in "\n".join(rest)
    assert "The server's time zone: UTC (not set)" in saved.stdout
    unset = gamesched("config", "unset", "max-players", *HERE)
    assert unset.stdout.splitlines()[0] == (
        f"Unset. Max players of channel {CHANNEL} (server {GUILD}) now inherits: "
        f"{SERVER_MAX_PLAYERS} (from the server)."
    )
    server = gamesched("config", "unset", "max-players", *SERVER)
    assert "now inherits: 10 (built-in default)." in server.stdout.splitlines()[0]


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(
    ("key", "label"),
    [("public-feed", "Public calendar feed"), ("mirror-events", "Discord scheduled events")],
)
def test_an_on_off_setting_is_said_by_its_label(key: str, label: str) -> None:
    """Setting a place's on/off setting names it as people read it, with its value and
    source, and `config show` lists it; unset, it is off by default again."""
    saved = gamesched("config", "set", key, "on", *SERVER)
    assert saved.exit_code == 0, saved.output
    assert (
        saved.stdout.splitlines()[0] == f"Saved. {label} of server {GUILD}: on (from the server)."
    )
    assert label in gamesched("config", "show", *HERE).stdout
    unset = gamesched("config", "unset", key, *SERVER)
    assert unset.stdout.splitlines()[0] == (
        f"Unset. {label} of server {GUILD} now inherits: off (built-in default)."
    )


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize("place", [SERVER, HERE], ids=["server", "channel"])
def test_json_has_the_shape_of_config_show(place: list[str]) -> None:
    """`config set --json` and `config unset --json` print exactly what `config show --json`
    prints afterwards: {guild_id, guild_name, channel_id, channel_name, timezone, settings}."""
    saved = json_of(gamesched("config", "set", "duration", "45", *place, "--json"))
    assert saved == shown(*place)
    assert set(saved) == {
        "guild_id",
        "guild_name",
        "channel_id",
        "channel_name",
        "timezone",
        "settings",
    }
    assert saved["guild_id"] == str(GUILD)
    assert saved["channel_id"] == (None if place == SERVER else str(CHANNEL))
    assert json_of(gamesched("config", "unset", "duration", *place, "--json")) == shown(*place)


async def test_live_games_follow_a_change(ctx: Context, known_server: None) -> None:
    """A scheduled game inheriting a setting takes the new value at once: its seats, and its
    reminders planned anew; its announcement is marked behind for the worker to update."""
    game = await make_game(
        ctx, title="Inheriting", host=HOST, channel_id=OTHER_CHANNEL, when=_in_a_month()
    )
    for change in (["max-players", "2"], ["reminders", "30"]):
        result = await asyncio.to_thread(gamesched, "config", "set", *change, *SERVER)
        assert result.exit_code == 0, result.output
    after = await get_game(ctx, game.id)
    assert (after.max_players, after.settings.max_players.source.value) == (2, "guild")
    assert after.version > game.version
    record = json_of(await asyncio.to_thread(gamesched, "games", "show", str(game.id), "--json"))
    planned = [j["offset_minutes"] for j in record["jobs"] if j["kind"] == "reminder"]
    assert planned == [30]


# --- refused: one line, an exit code, nothing written ---------------------------------------


BAD_VALUES = [
    ("max-players", "six", "max-players: `six` is not a whole number from 1 to 500."),
    ("max-players", "0", "Max players must be between 1 and 500."),
    ("max-players", "501", "Max players must be between 1 and 500."),
    ("reminders", "1h, 15m", "Reminders are whole minutes before the start"),
    ("reminders", "1, 2, 3, 4, 5, 6", "Set at most 5 reminder times."),
    ("reminders", "20000", "a week at most"),
    ("duration", "2", "Duration must be 5 to 10080 minutes"),
    ("duration", "2h", "duration: `2h` is not a whole number of minutes from 5 to 10080."),
    ("category", "x" * 51, "A category can be at most 50 characters."),
    ("rules", "x" * 1001, "Rules can be at most 1000 characters"),
    ("host-roles", "Game Host", "host-roles: `Game Host` is not a role id"),
    ("remind-in-channel", "maybe", "remind-in-channel: `maybe` is not `on` or `off`."),
    ("timezone", "Berln", "`Berln` is not a time zone I know. Did you mean"),
]
"""A key, a value the bot refuses for it, and part of the refusal."""


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(
    ("key", "typed", "text", "place"),
    [
        pytest.param(*bad, place, id=f"{place[0][2:]}-{bad[0]}-{bad[1][:12]}")
        for bad in BAD_VALUES
        for place in (SERVER, HERE)
        if not (bad[0] == "timezone" and place == HERE)  # a usage error, tested below
    ],
)
def test_a_bad_value_is_exit_1_and_writes_nothing(
    key: str, typed: str, text: str, place: list[str]
) -> None:
    """A value the bot would refuse is refused in the bot's words, in one line, exit 1, and
    neither the server nor the channel changes."""
    before = shown(*SERVER), shown(*HERE)
    assert_one_line_error(gamesched("config", "set", key, typed, *place), 1, text)
    assert (shown(*SERVER), shown(*HERE)) == before


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        (["set", "seats", "6", *SERVER], "Unknown setting `seats`; the keys are max-players,"),
        (["unset", "seats", *SERVER], "Unknown setting `seats`"),
        (["set", "timezone", "UTC", *HERE], "timezone is the server's setting"),
        (["unset", "timezone", *HERE], "timezone is the server's setting"),
        (["set", "duration", "60"], "Give exactly one of --guild GUILD or --channel CHANNEL."),
        (["unset", "duration", *SERVER, *HERE], "Give exactly one of --guild GUILD"),
    ],
)
def test_a_bad_key_or_place_is_a_usage_error(arguments: list[str], text: str) -> None:
    """An unknown key, the time zone on a channel, or not exactly one place: exit 2 in one
    line, nothing written."""
    before = shown(*SERVER), shown(*HERE)
    assert_one_line_error(gamesched("config", *arguments), 2, text)
    assert (shown(*SERVER), shown(*HERE)) == before


@pytest.mark.usefixtures("known_server")
@pytest.mark.parametrize(
    ("place", "text"),
    [
        (["--channel", "7"], "No channel 7 is known"),
        (["--guild", "7"], "No server 7 is known"),
    ],
)
def test_an_unknown_place_without_a_token_is_exit_3(place: list[str], text: str) -> None:
    """Without a bot token gamesched cannot check a server or channel it has not seen: exit 3
    in one line saying a token would let it ask Discord, and no row is made for it."""
    before = json_of(gamesched("guilds", "list", "--json"))
    result = gamesched("config", "set", "max-players", "6", *place)
    assert_one_line_error(result, 3, text)
    assert "bot token" in result.stderr
    assert json_of(gamesched("guilds", "list", "--json")) == before
    assert_one_line_error(gamesched("config", "show", *place), 3, text)


def test_a_database_not_set_up_is_exit_5_and_not_migrated(
    tmp_path: Path, cli_env: pytest.MonkeyPatch
) -> None:
    """A change never migrates the database by the way: an empty one is exit 5 saying to
    run `gamesched db upgrade`, and it stays empty."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    result = gamesched("config", "set", "max-players", "6", *SERVER)
    assert_one_line_error(result, 5, "gamesched db upgrade")
    assert_one_line_error(gamesched("db", "current"), 1, "none (empty)")


# --- as the operator -----------------------------------------------------------------------


async def test_changes_are_made_as_the_operator_from_the_cli(
    database_url: str, cli_env: pytest.MonkeyPatch
) -> None:
    """The services a changing command uses record changes as made from the CLI by this
    machine's login name, acting with the operator's full rights."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    async with operating(load_config(None)) as op:
        assert op.services.origin == Origin(FrontEnd.CLI, operator=getpass.getuser())
        assert op.actor == Actor.operator()
        assert op.core is None  # no bot token


async def test_the_history_records_each_change_as_the_operators(
    ctx: Context, known_server: None
) -> None:
    """Each set and unset is in the history as a settings change from the CLI by this
    machine's login name (no Discord member), with the old and new value; a refused one is
    not."""
    for command in (
        ["set", "max-players", "6", *HERE],
        ["unset", "max-players", *HERE],
        ["set", "timezone", "Europe/Berlin", *SERVER],
        ["set", "max-players", "0", *SERVER],  # refused
    ):
        await asyncio.to_thread(gamesched, "config", *command)
    async with ctx.transaction() as session:
        query = select(HistoryRow).where(HistoryRow.action == "settings_changed")
        rows = list(await session.scalars(query.order_by(HistoryRow.id)))
    cli_rows = [row for row in rows if row.origin == "cli"]
    assert [(row.channel_id, row.changes) for row in cli_rows] == [
        (CHANNEL, {"max_players": [None, 6]}),
        (CHANNEL, {"max_players": [6, None]}),
        (None, {"timezone": [None, "Europe/Berlin"]}),
    ]
    for row in cli_rows:
        assert (row.operator, row.member_id, row.guild_id) == (getpass.getuser(), None, GUILD)


async def test_without_a_login_name_the_operator_is_still_named(
    database_url: str, cli_env: pytest.MonkeyPatch
) -> None:
    """A machine that gives no login name (a container user without a passwd entry) still
    records the change, under a stand-in name, instead of failing."""

    def no_login() -> str:
        raise OSError("no login name")

    cli_env.setattr(getpass, "getuser", no_login)
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    async with operating(load_config(None)) as op:
        assert op.services.origin.operator == UNKNOWN_OPERATOR


@pytest.mark.skipif(not REDIS_URL, reason="GAMESCHED_TEST_REDIS_URL is not set")
async def test_a_change_wakes_the_workers_over_redis(
    ctx: Context, known_server: None, cli_env: pytest.MonkeyPatch
) -> None:
    """With broker.url set, a change that touches a running game publishes the wake-up that
    workers in other processes listen for, so its announcement is updated at once."""
    queue = f"config-test-{id(ctx)}"
    cli_env.setenv("GAMESCHED_BROKER__URL", REDIS_URL)
    cli_env.setenv("GAMESCHED_BROKER__QUEUE_NAME", queue)
    redis = Redis.from_url(REDIS_URL)
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe(f"{queue}:wake")
        await pubsub.get_message(timeout=1.0)  # the subscription's confirmation
        result = await asyncio.to_thread(gamesched, "config", "set", "duration", "60", *SERVER)
        assert result.exit_code == 0, result.output
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
        assert message is not None
        assert message["data"] == b"1"
    finally:
        await pubsub.aclose()
        await redis.aclose()


# --- with Discord: places and roles gamesched has not seen ---------------------------------


@pytest.fixture
def discord_env(
    sandbox: RunningSandbox, demo_world: World, database_url: str, cli_env: pytest.MonkeyPatch
) -> World:
    """The CLI with the demo world's bot token, on the sandbox."""
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", demo_world.token)
    cli_env.setenv("GAMESCHED_DISCORD__API_BASE_URL", sandbox.base_url)
    return demo_world


async def test_with_a_token_a_new_channel_is_found_on_discord(discord_env: World) -> None:
    """A channel gamesched has never seen is found on Discord with its server, so it can be
    set up before its first game."""
    guild_id = discord_env.guilds[0].id
    rpg = channel_id_of(discord_env, "rpg")
    saved = await asyncio.to_thread(
        gamesched, "config", "set", "category", "RPG", "--channel", str(rpg), "--json"
    )
    assert json_of(saved)["guild_id"] == str(guild_id)
    assert json_of(saved)["settings"]["category"] == {"value": "RPG", "source": "channel"}
    server = await asyncio.to_thread(
        gamesched, "config", "set", "timezone", "Asia/Tokyo", "--guild", str(guild_id), "--json"
    )
    assert json_of(server)["timezone"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("place", "text"),
    [
        (["--channel", "1190000000000000999"], "The bot sees no channel 1190000000000000999"),
        (["--guild", "1170000000000000999"], "The bot is not in server 1170000000000000999."),
    ],
)
async def test_with_a_token_a_place_discord_does_not_show_is_exit_3(
    discord_env: World, place: list[str], text: str
) -> None:
    """A server or channel Discord does not show the bot: exit 3 in one line."""
    result = await asyncio.to_thread(gamesched, "config", "set", "duration", "60", *place)
    assert_one_line_error(result, 3, text)


async def test_a_category_channel_is_refused(discord_env: World) -> None:
    """Games are announced only in text and announcement channels: a category is refused."""
    lobby = channel_id_of(discord_env, "Lobby")
    result = await asyncio.to_thread(
        gamesched, "config", "set", "duration", "60", "--channel", str(lobby)
    )
    assert_one_line_error(result, 1, "is not a server's text or announcement channel")


async def test_host_roles_by_name_or_id_are_checked_on_discord(
    discord_env: World, ctx: Context
) -> None:
    """With a bot token host roles may be named (any case) or given by id, and each must be
    one of the server's roles; a mistyped one lists the roles there and nothing is written."""
    guild_id = str(discord_env.guilds[0].id)
    saved = await asyncio.to_thread(
        gamesched, "config", "set", "host-roles", "game host, 1180000000000000003",
        "--guild", guild_id, "--json",
    )  # fmt: skip
    assert json_of(saved)["settings"]["host_role_ids"] == {
        "value": ["1180000000000000005", "1180000000000000003"],
        "source": "guild",
    }
    for typed in ("Game Hosts", "1180000000000000999"):
        refused = await asyncio.to_thread(
            gamesched, "config", "set", "host-roles", typed, "--guild", guild_id
        )
        assert_one_line_error(refused, 1, f"server {guild_id} has no role")
        assert "Game Host (1180000000000000005)" in refused.stderr
    shown_now = await asyncio.to_thread(gamesched, "config", "show", "--guild", guild_id, "--json")
    assert json_of(shown_now)["settings"]["host_role_ids"]["value"] == [
        "1180000000000000005",
        "1180000000000000003",
    ]


async def test_a_server_the_bot_has_left_takes_settings_but_not_host_roles(
    ctx: Context, discord_env: World
) -> None:
    """A server gamesched knows but the bot has left: its settings still change, but its
    roles cannot be checked, so host roles are refused (exit 3 saying why)."""
    await set_guild_time_zone(ctx, actor=ADMIN, guild_id=GUILD, zone="UTC")
    saved = await asyncio.to_thread(gamesched, "config", "set", "max-players", "3", *SERVER)
    assert saved.exit_code == 0, saved.output
    roles = await asyncio.to_thread(gamesched, "config", "set", "host-roles", "Game Host", *SERVER)
    assert_one_line_error(roles, 3, f"The bot is not in server {GUILD}, so its roles")


async def test_a_token_discord_refuses_is_exit_5(
    discord_env: World, cli_env: pytest.MonkeyPatch
) -> None:
    """When Discord refuses the bot token while a place is looked up: exit 5 in one line
    naming Discord's address and the token, nothing written."""
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", "not-the-token")
    rpg = str(channel_id_of(discord_env, "rpg"))
    result = await asyncio.to_thread(gamesched, "config", "set", "duration", "60", "--channel", rpg)
    assert_one_line_error(result, 5, "Could not use Discord at http")
    assert "check the bot token" in result.stderr
    listed = await asyncio.to_thread(gamesched, "channels", "list", "--json")
    assert json_of(listed) == []


@pytest.mark.parametrize("command", ["set", "unset"])
def test_the_help_ends_with_an_example(command: str) -> None:
    """`config set --help` and `config unset --help` show a runnable example of themselves."""
    result = CliRunner().invoke(app, ["config", command, "--help"], env={"COLUMNS": "200"})
    assert f"Example: gamesched config {command} " in result.output


# --- shell completion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "mark"),
    [("bash", "complete -o default -F"), ("zsh", "#compdef gamesched"), ("fish", "complete -")],
)
def test_each_shell_gets_its_completion_script(shell: str, mark: str) -> None:
    """The README's one-liners: `_GAMESCHED_COMPLETE=source_<shell> gamesched` prints that
    shell's completion script."""
    env = {"_GAMESCHED_COMPLETE": f"source_{shell}"}
    script = CliRunner().invoke(app, [], prog_name="gamesched", env=env)
    assert script.exit_code == 0, script.output
    assert mark in script.output


def test_shell_completion_offers_the_keys() -> None:
    """`gamesched --help` offers to install completion, and `config set re<TAB>` completes
    the keys that start so."""
    runner = CliRunner()
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "--install-completion" in top.output
    assert "--show-completion" in top.output
    completed = runner.invoke(
        app,
        [],
        prog_name="gamesched",
        env={
            "_GAMESCHED_COMPLETE": "complete_bash",
            "COMP_WORDS": "gamesched config set re",
            "COMP_CWORD": "3",
        },
    )
    assert completed.output.split() == ["reminders", "remind-in-channel"]
