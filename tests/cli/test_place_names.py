"""Servers and channels by their Discord names in the read commands: asked of Discord with the
bot token (one lookup per server), clear words for a server or channel that is gone, ids with
`--ids`, without a token, or when Discord fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.context import Context
from tests.support.cli import gamesched_off_loop, json_of
from tests.support.factories import make_game
from tests.support.fakes import FakeClock
from tests.support.sandbox import administrator, channel_id_of

GONE_GUILD = 1_170_000_000_000_000_099
"""A server the bot is not in (any more)."""
GONE_GUILD_CHANNEL = 1_190_000_000_000_000_199
DELETED_CHANNEL = 1_190_000_000_000_000_099
"""A channel of the demo server that Discord no longer has."""


@dataclass(frozen=True, slots=True)
class Scene:
    guild: int
    """The demo server, "Game Night"."""
    board: int
    """Its #board-games channel."""
    catan: int
    """A game in #board-games tomorrow."""
    lost: int
    """A game in the deleted channel."""
    elsewhere: int
    """A game in the server the bot left."""


@pytest.fixture
async def scene(
    sandbox: RunningSandbox,
    demo_world: World,
    database_url: str,
    ctx: Context,
    clock: FakeClock,
    cli_env: pytest.MonkeyPatch,
) -> Scene:
    """Games in the demo server's #board-games, in a channel deleted since, and in a server
    the bot left, starting tomorrow (reminders planned); the CLI has the sandbox's token."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clock.now = now
    guild, board = demo_world.guilds[0].id, channel_id_of(demo_world, "board-games")
    host = administrator(demo_world)
    tomorrow = now + timedelta(days=1)
    catan = await make_game(
        ctx, title="Catan", guild_id=guild, channel_id=board, host=host, when=tomorrow
    )
    lost = await make_game(
        ctx, title="Lost", guild_id=guild, channel_id=DELETED_CHANNEL, host=host, when=tomorrow
    )
    elsewhere = await make_game(
        ctx,
        title="Elsewhere",
        guild_id=GONE_GUILD,
        channel_id=GONE_GUILD_CHANNEL,
        host=host,
        when=tomorrow,
    )
    cli_env.setenv("GAMESCHED_DATABASE__URL", database_url)
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", demo_world.token)
    cli_env.setenv("GAMESCHED_DISCORD__API_BASE_URL", sandbox.base_url)
    return Scene(guild, board, catan.id, lost.id, elsewhere.id)


async def test_guilds_and_channels_are_listed_by_name(scene: Scene) -> None:
    """`guilds list` and `channels list` show names beside ids (JSON `name`, `guild_name`),
    "Unknown server" for a server the bot left and "#unknown-channel" for a deleted one."""
    listed = await gamesched_off_loop("guilds", "list", "--json")
    assert {g["id"]: g["name"] for g in json_of(listed)} == {
        str(scene.guild): "Game Night",
        str(GONE_GUILD): "Unknown server",
    }
    assert listed.stderr == ""
    table = (await gamesched_off_loop("guilds", "list")).stdout
    assert f"Game Night ({scene.guild})" in table
    assert f"Unknown server ({GONE_GUILD})" in table

    channels = json_of(await gamesched_off_loop("channels", "list", "--json"))
    assert {c["id"]: (c["name"], c["guild_name"]) for c in channels} == {
        str(scene.board): ("board-games", "Game Night"),
        str(DELETED_CHANNEL): ("unknown-channel", "Game Night"),
        str(GONE_GUILD_CHANNEL): ("unknown-channel", "Unknown server"),
    }
    table = (await gamesched_off_loop("channels", "list")).stdout
    board_row = next(line for line in table.splitlines() if str(scene.board) in line)
    assert f"#board-games ({scene.board})" in board_row
    assert f"Game Night ({scene.guild})" in board_row
    assert f"#unknown-channel ({DELETED_CHANNEL})" in table


async def test_one_lookup_per_server_not_per_row(scene: Scene, sandbox: RunningSandbox) -> None:
    """Naming three channels of two servers asks Discord about each server once (the server
    and its channels), not about each channel."""
    seen = len(sandbox.state.log)
    json_of(await gamesched_off_loop("channels", "list", "--json"))
    asked = sorted(f"{e.method} {e.path}" for e in sandbox.state.log[seen:])
    assert asked == sorted(
        [
            f"GET /guilds/{scene.guild}",
            f"GET /guilds/{scene.guild}/channels",
            f"GET /guilds/{GONE_GUILD}",
        ]
    )


async def test_one_server_and_channel_are_shown_by_name(scene: Scene) -> None:
    """`guilds show`, `channels show` and `config show` name the place in their heading and
    JSON."""
    guild = await gamesched_off_loop("guilds", "show", str(scene.guild))
    assert f"Server Game Night ({scene.guild})" in guild.stdout
    assert json_of(await gamesched_off_loop("guilds", "show", str(scene.guild), "--json"))[
        "name"
    ] == ("Game Night")

    channel = await gamesched_off_loop("channels", "show", str(scene.board))
    assert f"Channel #board-games ({scene.board}) in server Game Night ({scene.guild})" in (
        channel.stdout
    )
    shown = json_of(await gamesched_off_loop("channels", "show", str(DELETED_CHANNEL), "--json"))
    assert (shown["name"], shown["guild_name"]) == ("unknown-channel", "Game Night")

    settings = await gamesched_off_loop("config", "show", "--channel", str(scene.board))
    assert f"Channel #board-games ({scene.board}) (server Game Night" in settings.stdout
    place = json_of(
        await gamesched_off_loop("config", "show", "--guild", str(GONE_GUILD), "--json")
    )
    assert (place["guild_name"], place["channel_name"]) == ("Unknown server", None)


async def test_config_set_names_the_place_as_config_show_does(scene: Scene) -> None:
    """`config set` with a bot token says the changed place by name, and its JSON is what
    `config show --json` prints, names included."""
    place = ["--channel", str(scene.board)]
    saved = await gamesched_off_loop("config", "set", "duration", "45", *place)
    assert f"of channel #board-games ({scene.board}) (server Game Night" in saved.stdout
    answer = json_of(await gamesched_off_loop("config", "unset", "duration", *place, "--json"))
    assert (answer["guild_name"], answer["channel_name"]) == ("Game Night", "board-games")
    assert answer == json_of(await gamesched_off_loop("config", "show", *place, "--json"))


async def test_games_name_their_server_and_channel(scene: Scene) -> None:
    """`games list` and `games show` show the channel (and server) by name, JSON carries
    `guild_name` and `channel_name`; a deleted channel reads "#unknown-channel"."""
    listed = json_of(await gamesched_off_loop("games", "list", "--json"))
    assert {g["title"]: (g["guild_name"], g["channel_name"]) for g in listed["games"]} == {
        "Catan": ("Game Night", "board-games"),
        "Lost": ("Game Night", "unknown-channel"),
        "Elsewhere": ("Unknown server", "unknown-channel"),
    }
    table = (await gamesched_off_loop("games", "list")).stdout
    catan = next(line for line in table.splitlines() if "Catan" in line)
    assert f"#board-games ({scene.board})" in catan
    shown = await gamesched_off_loop("games", "show", str(scene.catan))
    assert f"Game Night ({scene.guild}) / #board-games ({scene.board})" in shown.stdout
    lost = await gamesched_off_loop("games", "show", str(scene.lost))
    assert f"#unknown-channel ({DELETED_CHANNEL})" in lost.stdout


async def test_planned_reminders_name_their_server_and_channel(scene: Scene) -> None:
    """`reminders list` shows each reminder's server and channel by name, and its JSON game
    carries `guild_name` and `channel_name`."""
    listed = json_of(
        await gamesched_off_loop("reminders", "list", "--game", str(scene.catan), "--json")
    )
    assert {(r["game"]["guild_name"], r["game"]["channel_name"]) for r in listed["reminders"]} == {
        ("Game Night", "board-games")
    }
    table = (await gamesched_off_loop("reminders", "list", "--game", str(scene.catan))).stdout
    row = next(line for line in table.splitlines() if "Catan" in line)
    assert f"Game Night ({scene.guild})" in row
    assert f"#board-games ({scene.board})" in row


@pytest.mark.parametrize(
    "command",
    [
        ["guilds", "list"],
        ["guilds", "show", "GUILD"],
        ["channels", "list"],
        ["channels", "show", "CHANNEL"],
        ["config", "show", "--channel", "CHANNEL"],
        ["games", "list"],
        ["games", "show", "GAME"],
        ["reminders", "list"],
    ],
)
async def test_ids_shows_no_names_and_asks_discord_nothing(
    scene: Scene, sandbox: RunningSandbox, command: list[str]
) -> None:
    """With `--ids` a read command names no server or channel and sends Discord no request."""
    ids = {"GUILD": str(scene.guild), "CHANNEL": str(scene.board), "GAME": str(scene.catan)}
    args = [ids.get(word, word) for word in command]
    seen = len(sandbox.state.log)
    table = await gamesched_off_loop(*args, "--ids")
    assert table.exit_code == 0, table.output
    assert "Game Night" not in table.stdout
    assert "#board-games" not in table.stdout
    answer = json_of(await gamesched_off_loop(*args, "--ids", "--json"))
    assert "Game Night" not in str(answer)
    assert "board-games" not in str(answer)
    assert sandbox.state.log[seen:] == []


async def test_a_discord_failure_shows_ids_with_one_note(
    scene: Scene, cli_env: pytest.MonkeyPatch
) -> None:
    """When Discord refuses the token, a read still answers (exit 0) with servers and
    channels by id, and says why once on stderr, without a traceback."""
    cli_env.setenv("GAMESCHED_DISCORD__TOKEN", "revoked-token")
    listed = await gamesched_off_loop("channels", "list")
    assert listed.exit_code == 0, listed.output
    board_row = next(line for line in listed.stdout.splitlines() if str(scene.board) in line)
    assert "#" not in board_row
    assert "Traceback" not in listed.output
    (note,) = listed.stderr.strip().splitlines()
    assert "Servers and channels are shown by id" in note
    assert "check the bot token" in note
    answer = json_of(await gamesched_off_loop("guilds", "list", "--json"))
    assert {g["name"] for g in answer} == {None}
    shown = await gamesched_off_loop("games", "show", str(scene.catan))
    assert shown.exit_code == 0, shown.output
    assert f"{scene.guild} / {scene.board}" in shown.stdout
    assert "Traceback" not in shown.output


async def test_without_a_token_places_are_shown_by_id(
    scene: Scene, sandbox: RunningSandbox, cli_env: pytest.MonkeyPatch
) -> None:
    """Without a bot token servers and channels are shown by id (JSON `name` null), said
    once on stderr, and Discord is not asked."""
    cli_env.delenv("GAMESCHED_DISCORD__TOKEN")
    seen = len(sandbox.state.log)
    listed = await gamesched_off_loop("channels", "list")
    assert listed.exit_code == 0, listed.output
    assert "#board-games" not in listed.stdout
    assert str(scene.board) in listed.stdout
    assert listed.stderr.count("No bot token set") == 1
    answer = json_of(await gamesched_off_loop("guilds", "show", str(scene.guild), "--json"))
    assert answer["name"] is None
    assert sandbox.state.log[seen:] == []
