"""Entry point of the ``gamesched`` console command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli import serve
from cli._state import CliState, fail, load, open_database, run
from gamesched.config import describe
from gamesched.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(
    name="gamesched",
    help="Schedule game sessions on Discord: run the bot and its services, and operate them.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)
config_app = typer.Typer(help="Check and show the configuration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
serve.register(app)


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
    config = load(ctx)

    async def go() -> str | None:
        async with open_database(config) as database:
            await upgrade(database)
            return await current_revision(database)

    revision = run(go())
    typer.echo(f"Database is at revision {revision} (the newest).")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and whether an upgrade is due (exit 1 if so)."""
    config = load(ctx)

    async def go() -> str | None:
        async with open_database(config) as database:
            return await current_revision(database)

    revision = run(go())
    head = head_revision()
    if revision == head:
        typer.echo(f"Database is at revision {revision} (the newest).")
        return
    raise fail(
        f"Database is at revision {revision or 'none (empty)'}; this version needs {head}. "
        "Run `gamesched db upgrade`."
    )
