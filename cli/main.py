"""Entry point of the ``gamesched`` console command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli import game_changes, serve
from cli._output import TzOption, zone_of
from cli._state import EXIT_CODES_HELP, CliState, fail, load, run
from cli.doctor import doctor
from cli.games import games_app
from cli.places import (
    CONFIG_SET_HELP,
    channels_app,
    config_set,
    config_show,
    config_unset,
    guilds_app,
)
from cli.reminders import reminders_app
from cli.series import series_app
from gamesched.app import migrate, schema_state
from gamesched.config import describe

app = typer.Typer(
    name="gamesched",
    help="Schedule game sessions on Discord: run the bot and its services, and operate them.",
    epilog=f"{EXIT_CODES_HELP} Read commands take --json (shapes in the README).",
    no_args_is_help=True,
    add_completion=True,
)
db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)
config_app = typer.Typer(
    help="Check the configuration; show and change a server's or channel's settings.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(guilds_app, name="guilds")
app.add_typer(channels_app, name="channels")
app.add_typer(games_app, name="games")
app.add_typer(reminders_app, name="reminders")
app.add_typer(series_app, name="series")
config_app.command("show")(config_show)
config_app.command("set", help=CONFIG_SET_HELP)(config_set)
config_app.command("unset")(config_unset)
for name, command in (
    ("create", game_changes.create),
    ("edit", game_changes.edit),
    ("cancel", game_changes.cancel),
    ("remove-player", game_changes.remove),
    ("assign-placeholder", game_changes.assign),
    ("history", game_changes.history),
):
    games_app.command(name)(command)
app.command("run")(serve.run_all)
app.command("bot")(serve.bot)
app.command("worker")(serve.worker)
app.command("web")(serve.web)
app.command("sandbox")(serve.sandbox)
app.command("doctor")(doctor)


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file (TOML). Default: $GAMESCHED_CONFIG, else ./config.toml if present.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Schedule game sessions on Discord."""
    ctx.obj = CliState(config_path=config)


@app.command("tui")
def tui(ctx: typer.Context, tz: TzOption = None) -> None:
    """Open the terminal dashboard: every server's games live, upcoming work and problems,
    acting as this machine's operator (changes recorded as made from the TUI).

    Example: gamesched tui --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    # Imported here: only this command needs Textual (the one place cli reaches into tui).
    from tui.app import run_dashboard

    async def dashboard() -> None:
        target = await serve.operators_discord(config)
        await run_dashboard(config, zone=zone, target=target)

    run(dashboard())


@config_app.command("check")
def config_check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the values as JSON.")] = False,
) -> None:
    """Load the configuration, list every problem (exit 1), else show the effective values."""
    values = describe(load(ctx))
    if as_json:
        typer.echo(json.dumps(values, indent=2))
        return
    typer.secho("Configuration is valid.", fg=typer.colors.GREEN)
    for section, keys in values.items():
        typer.echo(f"[{section}]")
        for key, value in keys.items():
            typer.echo(f"  {key} = {json.dumps(value)}")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the tables, or bring them up to this version of gamesched."""
    state = run(migrate(load(ctx)))
    typer.echo(f"Database is at revision {state.current} (the newest).")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and whether an upgrade is due (exit 1 if so)."""
    state = run(schema_state(load(ctx)))
    if state.up_to_date:
        typer.echo(f"Database is at revision {state.current} (the newest).")
        return
    raise fail(
        f"Database is at revision {state.current or 'none (empty)'}; this version needs "
        f"{state.head}. Run `gamesched db upgrade`."
    )
