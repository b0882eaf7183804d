"""Operator commands about places: the guilds and channels gamesched knows, and their settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

import typer

from cli._operating import operating
from cli._output import (
    IdsFlag,
    JsonFlag,
    print_json,
    settings_json,
    settings_table,
    show,
    table,
)
from cli._reading import channel_text, reading, server_text, unnamed_note
from cli._state import ExitCode, fail, load, run
from gamesched.app import Core, Operating
from gamesched.config import Config
from gamesched.discord.place_names import NOT_LOOKED_UP, PlaceNames, place_names
from gamesched.discord.render import SOURCE_LABELS, plain_settings
from gamesched.discord.rest import DiscordForbidden, DiscordNotFound
from gamesched.discord.rights import POSTABLE_TYPES
from gamesched.domain.errors import NotFound, Problem, ValidationFailed
from gamesched.domain.setting_keys import HOST_ROLES, KEYS, SettingKey, key_named, role_id_of
from gamesched.domain.settings import EffectiveSettings, SettingsPatch
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.context import Context
from gamesched.services.overview import (
    ChannelOverview,
    GuildOverview,
    channel,
    channels,
    guild,
    guilds,
)
from gamesched.services.people import set_guild_time_zone

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


def _guild_json(
    overview: GuildOverview, places: PlaceNames, *, with_settings: bool
) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": str(overview.guild_id),
        "name": places.guild(overview.guild_id),
        "timezone": overview.timezone,
        "host_role_ids": [str(r) for r in overview.settings.host_role_ids.value],
        "configured_channels": overview.configured_channels,
        "upcoming_games": overview.upcoming_games,
    }
    if with_settings:
        shaped["settings"] = settings_json(overview.settings)
    return shaped


def _channel_json(
    overview: ChannelOverview, places: PlaceNames, *, with_settings: bool
) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": str(overview.channel_id),
        "name": places.channel(overview.channel_id),
        "guild_id": str(overview.guild_id),
        "guild_name": places.guild(overview.guild_id),
        "upcoming_games": overview.upcoming_games,
    }
    if with_settings:
        shaped["settings"] = settings_json(overview.settings)
    return shaped


def _roles(overview: GuildOverview | ChannelOverview) -> str:
    return ", ".join(map(str, overview.settings.host_role_ids.value)) or "none"


@guilds_app.command("list")
def guilds_list(ctx: typer.Context, ids: IdsFlag = False, as_json: JsonFlag = False) -> None:
    """List the servers gamesched knows, with their channels, upcoming games, zone and host
    roles.

    Example: gamesched guilds list --json
    """
    config = load(ctx)

    async def body() -> tuple[list[GuildOverview], PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await guilds(reader.services)
            return found, await reader.places((g.guild_id, None) for g in found)

    found, places = run(body())
    if as_json:
        print_json([_guild_json(g, places, with_settings=False) for g in found])
        return
    listing = table("Server", "Time zone", "Channels", "Upcoming games", "Host roles")
    for g in found:
        listing.add_row(
            server_text(g.guild_id, places),
            g.timezone or "UTC (not set)",
            str(g.configured_channels),
            str(g.upcoming_games),
            _roles(g),
        )
    show(listing if found else "gamesched knows no servers yet.")


@guilds_app.command("show")
def guilds_show(
    ctx: typer.Context, guild_id: GuildArgument, ids: IdsFlag = False, as_json: JsonFlag = False
) -> None:
    """Show one server: its counts, time zone and every effective setting with its source.

    Example: gamesched guilds show 1170000000000000001
    """
    config = load(ctx)

    async def body() -> tuple[GuildOverview, PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await guild(reader.services, guild_id)
            return found, await reader.places([(found.guild_id, None)])

    found, places = run(body())
    if as_json:
        print_json(_guild_json(found, places, with_settings=True))
        return
    show(
        f"Server {server_text(found.guild_id, places)}",
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
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """List the channels gamesched knows, with their server, upcoming games and host roles.

    Example: gamesched channels list --guild 1170000000000000001
    """
    config = load(ctx)

    async def body() -> tuple[list[ChannelOverview], PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await channels(reader.services, guild_id=guild_id)
            return found, await reader.places((c.guild_id, c.channel_id) for c in found)

    found, places = run(body())
    if as_json:
        print_json([_channel_json(c, places, with_settings=False) for c in found])
        return
    listing = table("Channel", "Server", "Upcoming games", "Host roles")
    for c in found:
        listing.add_row(
            channel_text(c.channel_id, places),
            server_text(c.guild_id, places),
            str(c.upcoming_games),
            _roles(c),
        )
    show(listing if found else "gamesched knows no channels here yet.")


@channels_app.command("show")
def channels_show(
    ctx: typer.Context,
    channel_id: ChannelArgument,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Show one channel: its server, upcoming games and every effective setting with its
    source.

    Example: gamesched channels show 1190000000000000005
    """
    config = load(ctx)

    async def body() -> tuple[ChannelOverview, PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await channel(reader.services, channel_id)
            return found, await reader.places([(found.guild_id, found.channel_id)])

    found, places = run(body())
    if as_json:
        print_json(_channel_json(found, places, with_settings=True))
        return
    show(
        f"Channel {channel_text(found.channel_id, places)} in server "
        f"{server_text(found.guild_id, places)}",
        f"Upcoming games: {found.upcoming_games}",
        settings_table(found.settings, title="Settings"),
    )


# --- settings of one place: show, set, unset -----------------------------------------------

GuildOption = Annotated[
    int | None, typer.Option("--guild", metavar="GUILD", help="A server's settings.")
]
ChannelOption = Annotated[
    int | None, typer.Option("--channel", metavar="CHANNEL", help="A channel's settings.")
]
KeyArgument = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help=f"One of: {', '.join(KEYS)} (`config set --help` says what each takes).",
        autocompletion=lambda incomplete: [k for k in KEYS if k.startswith(incomplete)],
        show_default=False,
    ),
]


@dataclass(frozen=True, slots=True)
class PlaceSettings:
    """A server's or a channel's effective settings, and the server's time zone."""

    guild_id: int
    channel_id: int | None
    """None for the server itself."""
    timezone: str | None
    """The server's zone, which a channel's games use too; None: UTC."""
    settings: EffectiveSettings
    places: PlaceNames = NOT_LOOKED_UP
    """The server's and the channel's names, when asked of Discord."""

    @property
    def name(self) -> str:
        server = server_text(self.guild_id, self.places)
        if self.channel_id is None:
            return f"server {server}"
        return f"channel {channel_text(self.channel_id, self.places)} (server {server})"


def _one_place(guild_id: int | None, channel_id: int | None) -> None:
    if (guild_id is None) == (channel_id is None):
        raise fail("Give exactly one of --guild GUILD or --channel CHANNEL.", ExitCode.USAGE)


async def _known_guild_of(services: Context, guild_id: int | None, channel_id: int | None) -> int:
    """The server of a place gamesched knows (has a row for), or a NotFound."""
    if channel_id is not None:
        return (await channel(services, channel_id)).guild_id
    assert guild_id is not None
    return (await guild(services, guild_id)).guild_id


async def _place_settings(
    services: Context, *, guild_id: int, channel_id: int | None
) -> PlaceSettings:
    server = await guild_settings(services, guild_id=guild_id)
    settings = server.settings
    if channel_id is not None:
        here = await channel_settings(services, guild_id=guild_id, channel_id=channel_id)
        settings = here.settings
    return PlaceSettings(guild_id, channel_id, server.timezone, settings)


def _show_place(place: PlaceSettings, *, heading: str | None, as_json: bool) -> None:
    """The place's settings as ``config show`` prints them, after ``heading`` if any."""
    if as_json:
        print_json(
            {
                "guild_id": str(place.guild_id),
                "guild_name": place.places.guild(place.guild_id),
                "channel_id": None if place.channel_id is None else str(place.channel_id),
                "channel_name": None
                if place.channel_id is None
                else place.places.channel(place.channel_id),
                "timezone": place.timezone,
                "settings": settings_json(place.settings),
            }
        )
        return
    title = place.name[0].upper() + place.name[1:]
    show(
        *([heading] if heading else []),
        settings_table(place.settings, title=f"{title}: effective settings"),
        f"The server's time zone: {place.timezone or 'UTC (not set)'}",
    )


def config_show(
    ctx: typer.Context,
    guild_id: GuildOption = None,
    channel_id: ChannelOption = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Show every effective setting of a server or a channel, with where it comes from.

    Example: gamesched config show --channel 1190000000000000005 --json
    """
    _one_place(guild_id, channel_id)
    config = load(ctx)

    async def body() -> PlaceSettings:
        async with reading(config, names=not ids) as reader:
            known = await _known_guild_of(reader.services, guild_id, channel_id)
            place = await _place_settings(reader.services, guild_id=known, channel_id=channel_id)
            return replace(place, places=await reader.places([(known, channel_id)]))

    _show_place(run(body()), heading=None, as_json=as_json)


def _setting_key(name: str, channel_id: int | None) -> SettingKey:
    """The key typed, or a usage error (exit 2) listing the keys."""
    key = key_named(name)
    if key is None:
        raise fail(
            f"Unknown setting `{name}`; the keys are {', '.join(KEYS)} "
            "(`gamesched config set --help` says what each takes).",
            ExitCode.USAGE,
        )
    if key.server_only and channel_id is not None:
        raise fail(
            f"{key.name} is the server's setting, a channel's games use it: give --guild GUILD.",
            ExitCode.USAGE,
        )
    return key


async def _guild_to_change(op: Operating, guild_id: int | None, channel_id: int | None) -> int:
    """The server of the place to change: from the database, else (with a bot token) from
    Discord, so a server or channel gamesched has not seen yet can be set up."""
    try:
        return await _known_guild_of(op.services, guild_id, channel_id)
    except NotFound as unknown:
        if op.core is None:
            raise NotFound(
                f"{unknown.message} With a bot token (discord.token) gamesched would ask "
                "Discord for it."
            ) from None
        if channel_id is not None:
            return await _guild_of_channel_on_discord(op.core, channel_id)
        assert guild_id is not None
        if await op.core.rights.guild(guild_id, fresh=True) is None:
            raise NotFound(f"The bot is not in server {guild_id}.") from None
        return guild_id


async def _guild_of_channel_on_discord(core: Core, channel_id: int) -> int:
    try:
        found = await core.rest.get_channel(channel_id)
    except (DiscordNotFound, DiscordForbidden):
        raise NotFound(f"The bot sees no channel {channel_id} on Discord.") from None
    if found.get("guild_id") is None or int(found["type"]) not in POSTABLE_TYPES:
        raise ValidationFailed(
            [
                Problem(
                    "channel",
                    f"Channel {channel_id} is not a server's text or announcement channel; "
                    "games are announced only in those.",
                )
            ]
        )
    return int(found["guild_id"])


async def _host_role_ids(op: Operating, guild_id: int, entries: tuple[str, ...]) -> tuple[int, ...]:
    """Typed role ids and names as the server's role ids: checked against its roles and names
    looked up when a bot token is set, ids taken as they are without one."""
    if not entries:
        return ()
    facts = None
    if op.core is not None:
        facts = await op.core.rights.guild(guild_id, fresh=True)
        if facts is None:
            raise NotFound(f"The bot is not in server {guild_id}, so its roles cannot be read.")
    roles = None if facts is None else facts.role_names
    return tuple(dict.fromkeys(role_id_of(e, guild_id=guild_id, role_names=roles) for e in entries))


async def _change(
    op: Operating, key: SettingKey, *, guild_id: int, channel_id: int | None, value: Any
) -> None:
    """Store ``value`` (None: inherit) through the use case the bot's command uses."""
    if key.field is None:
        await set_guild_time_zone(op.services, actor=op.actor, guild_id=guild_id, zone=value)
        return
    patch = replace(SettingsPatch(), **{key.field: value})
    if channel_id is None:
        await configure_guild(op.services, actor=op.actor, guild_id=guild_id, patch=patch)
    else:
        await configure_channel(
            op.services, actor=op.actor, guild_id=guild_id, channel_id=channel_id, patch=patch
        )


def _changed(
    key: SettingKey, typed: str | None, guild_id: int | None, channel_id: int | None, config: Config
) -> PlaceSettings:
    """Set ``key`` to the ``typed`` value (None: unset it) and read the place back, named
    as ``config show`` names it when a bot token is set."""

    async def body() -> PlaceSettings:
        value = None if typed is None else key.value_of(typed)  # refused before anything opens
        async with operating(config) as op:
            known = await _guild_to_change(op, guild_id, channel_id)
            if key.name == HOST_ROLES and value is not None:
                value = await _host_role_ids(op, known, value)
            await _change(op, key, guild_id=known, channel_id=channel_id, value=value)
            place = await _place_settings(op.services, guild_id=known, channel_id=channel_id)
            if op.core is None:
                return place
            return replace(place, places=await place_names(op.core.rights, [(known, channel_id)]))

    place = run(body())
    if note := unnamed_note(place.places):
        typer.echo(note, err=True)
    return place


def _value_line(place: PlaceSettings, key: SettingKey, *, inherited: bool) -> str:
    """The key's effective value on the place, with where it comes from."""
    if key.field is None:
        return f"The time zone of {place.name}: {place.timezone or 'UTC (not set)'}."
    label, value, source = plain_settings(place.settings)[key.field]
    inherits = " now inherits" if inherited else ""
    return f"{label} of {place.name}{inherits}: {value} ({SOURCE_LABELS[source]})."


CONFIG_SET_HELP = "\n\n".join(
    [
        "Change one setting of a server (--guild) or a channel (--channel), as the bot's "
        "/config-guild and /config-channel do, acting as the operator; the running games "
        "that inherit it follow.",
        "Keys and their values:\n"
        + "\n".join(f"  {key.name:<18} {key.accepts}" for key in KEYS.values()),
        "Reminders are whole minutes, up to a week; `none` sends no reminders. Host roles "
        "are checked against the server's roles, and names looked up, when a bot token is "
        "set; `none` lets members with Manage Server host. remind-in-channel also posts "
        "reminders in the channel for players whose DMs are closed; public-feed publishes the "
        "place's games as a calendar feed anyone with its link can read; mirror-events "
        "mirrors each game as a Discord scheduled event (the bot needs Manage Events). All "
        "three are off by default. The time zone is the server's default for the times its "
        "hosts type.",
        "Nothing is changed when the key (exit 2) or the value (exit 1) is refused.",
        "Example: gamesched config set max-players 6 --guild 1170000000000000001",
    ]
)


def config_set(
    ctx: typer.Context,
    key: KeyArgument,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value (formats above).")],
    guild_id: GuildOption = None,
    channel_id: ChannelOption = None,
    as_json: JsonFlag = False,
) -> None:
    _one_place(guild_id, channel_id)
    setting = _setting_key(key, channel_id)
    place = _changed(setting, value, guild_id, channel_id, load(ctx))
    heading = f"Saved. {_value_line(place, setting, inherited=False)}"
    _show_place(place, heading=heading, as_json=as_json)


def config_unset(
    ctx: typer.Context,
    key: KeyArgument,
    guild_id: GuildOption = None,
    channel_id: ChannelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a server's or a channel's setting inherit again: a channel's from its server, a
    server's from the built-in default (its time zone: UTC).

    Example: gamesched config unset reminders --channel 1190000000000000005
    """
    _one_place(guild_id, channel_id)
    setting = _setting_key(key, channel_id)
    place = _changed(setting, None, guild_id, channel_id, load(ctx))
    heading = f"Unset. {_value_line(place, setting, inherited=True)}"
    _show_place(place, heading=heading, as_json=as_json)
