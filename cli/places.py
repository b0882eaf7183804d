"""Operator commands about places: the guilds and channels gamesched knows, and their settings."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli._output import JsonFlag, print_json, settings_json, settings_table, show, table
from cli._reading import reading
from cli._state import ExitCode, fail, load, run
from gamesched.services.overview import (
    ChannelOverview,
    GuildOverview,
    channel,
    channels,
    guild,
    guilds,
)

guilds_app = typer.Typer(
    help="The Discord servers (guilds) gamesched knows: settings, channels, games.",
    no_args_is_help=True,
)
channels_app = typer.Typer(
    help="The channels gamesched knows: with settings of their own, or games announced there.",
    no_args_is_help=True,
)

GuildArgument = Annotated[int, typer.Argument(metavar="GUILD", help="The server's Discord id.")]
ChannelArgument = Annotated[
    int, typer.Argument(metavar="CHANNEL", help="The channel's Discord id.")
]


def _guild_json(overview: GuildOverview, *, with_settings: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": str(overview.guild_id),
        "timezone": overview.timezone,
        "host_role_ids": [str(r) for r in overview.settings.host_role_ids.value],
        "configured_channels": overview.configured_channels,
        "upcoming_games": overview.upcoming_games,
    }
    if with_settings:
        shaped["settings"] = settings_json(overview.settings)
    return shaped


def _channel_json(overview: ChannelOverview, *, with_settings: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": str(overview.channel_id),
        "guild_id": str(overview.guild_id),
        "upcoming_games": overview.upcoming_games,
    }
    if with_settings:
        shaped["settings"] = settings_json(overview.settings)
    return shaped


def _roles(overview: GuildOverview | ChannelOverview) -> str:
    return ", ".join(map(str, overview.settings.host_role_ids.value)) or "none"


@guilds_app.command("list")
def guilds_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the servers gamesched knows, with their channels, upcoming games, zone and host
    roles.

    Example: gamesched guilds list --json
    """
    config = load(ctx)

    async def body() -> list[GuildOverview]:
        async with reading(config, names=False) as reader:
            return await guilds(reader.services)

    found = run(body())
    if as_json:
        print_json([_guild_json(g, with_settings=False) for g in found])
        return
    listing = table("Server", "Time zone", "Channels", "Upcoming games", "Host roles")
    for g in found:
        listing.add_row(
            str(g.guild_id),
            g.timezone or "UTC (not set)",
            str(g.configured_channels),
            str(g.upcoming_games),
            _roles(g),
        )
    show(listing if found else "gamesched knows no servers yet.")


@guilds_app.command("show")
def guilds_show(ctx: typer.Context, guild_id: GuildArgument, as_json: JsonFlag = False) -> None:
    """Show one server: its counts, time zone and every effective setting with its source.

    Example: gamesched guilds show 1170000000000000001
    """
    config = load(ctx)

    async def body() -> GuildOverview:
        async with reading(config, names=False) as reader:
            return await guild(reader.services, guild_id)

    found = run(body())
    if as_json:
        print_json(_guild_json(found, with_settings=True))
        return
    show(
        f"Server {found.guild_id}",
        f"Time zone: {found.timezone or 'UTC (not set)'}",
        f"Channels known: {found.configured_channels}",
        f"Upcoming games: {found.upcoming_games}",
        settings_table(found.settings, title="Settings"),
    )


@channels_app.command("list")
def channels_list(
    ctx: typer.Context,
    guild_id: Annotated[
        int | None, typer.Option("--guild", metavar="GUILD", help="Only this server's channels.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the channels gamesched knows, with their server, upcoming games and host roles.

    Example: gamesched channels list --guild 1170000000000000001
    """
    config = load(ctx)

    async def body() -> list[ChannelOverview]:
        async with reading(config, names=False) as reader:
            return await channels(reader.services, guild_id=guild_id)

    found = run(body())
    if as_json:
        print_json([_channel_json(c, with_settings=False) for c in found])
        return
    listing = table("Channel", "Server", "Upcoming games", "Host roles")
    for c in found:
        listing.add_row(str(c.channel_id), str(c.guild_id), str(c.upcoming_games), _roles(c))
    show(listing if found else "gamesched knows no channels here yet.")


@channels_app.command("show")
def channels_show(
    ctx: typer.Context, channel_id: ChannelArgument, as_json: JsonFlag = False
) -> None:
    """Show one channel: its server, upcoming games and every effective setting with its
    source.

    Example: gamesched channels show 1190000000000000005
    """
    config = load(ctx)

    async def body() -> ChannelOverview:
        async with reading(config, names=False) as reader:
            return await channel(reader.services, channel_id)

    found = run(body())
    if as_json:
        print_json(_channel_json(found, with_settings=True))
        return
    show(
        f"Channel {found.channel_id} in server {found.guild_id}",
        f"Upcoming games: {found.upcoming_games}",
        settings_table(found.settings, title="Settings"),
    )


def config_show(
    ctx: typer.Context,
    guild_id: Annotated[
        int | None, typer.Option("--guild", metavar="GUILD", help="A server's settings.")
    ] = None,
    channel_id: Annotated[
        int | None, typer.Option("--channel", metavar="CHANNEL", help="A channel's settings.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show every effective setting of a server or a channel, with where it comes from.

    Example: gamesched config show --channel 1190000000000000005 --json
    """
    if (guild_id is None) == (channel_id is None):
        raise fail("Give exactly one of --guild GUILD or --channel CHANNEL.", ExitCode.USAGE)
    config = load(ctx)

    async def body() -> GuildOverview | ChannelOverview:
        async with reading(config, names=False) as reader:
            if channel_id is not None:
                return await channel(reader.services, channel_id)
            assert guild_id is not None
            return await guild(reader.services, guild_id)

    place = run(body())
    if isinstance(place, ChannelOverview):
        title = f"Channel {place.channel_id} (server {place.guild_id})"
        level_channel: str | None = str(place.channel_id)
    else:
        title = f"Server {place.guild_id}"
        level_channel = None
    if as_json:
        print_json(
            {
                "guild_id": str(place.guild_id),
                "channel_id": level_channel,
                "settings": settings_json(place.settings),
            }
        )
        return
    show(settings_table(place.settings, title=f"{title}: effective settings"))
