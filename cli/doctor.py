"""``gamesched doctor``: whether this deployment can work, one line per check (the checks
themselves live in :mod:`gamesched.health`, which the TUI shows too)."""

from __future__ import annotations

import typer

from cli._output import JsonFlag, print_json
from cli._state import CliState, ExitCode, load, run
from cli.serve import operators_discord
from gamesched.health import Check, Status, diagnose, failed

COLOURS = {
    Status.OK: typer.colors.GREEN,
    Status.WARN: typer.colors.YELLOW,
    Status.FAIL: typer.colors.RED,
}


def doctor(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Check the configuration, database, Redis, Discord (token, intent, commands, channel
    permissions, clock) and the worker; exit 1 if any check fails. With no token set, the
    Discord checks run against the sandbox `gamesched run` serves, when one is running.

    Example: gamesched doctor --json
    """
    config = load(ctx)
    state: CliState = ctx.obj

    async def body() -> list[Check]:
        target = await operators_discord(config)
        return await diagnose(config, config_path=state.config_path, target=target)

    checks = run(body())
    if as_json:
        print_json([_as_json(check) for check in checks])
    else:
        width = max(len(check.check) for check in checks)
        for check in checks:
            typer.echo(_line(check, width))
    if failed(checks):
        raise typer.Exit(ExitCode.FAILED)


def _line(check: Check, width: int) -> str:
    status = typer.style(f"{check.status.value:<4}", fg=COLOURS[check.status], bold=True)
    line = f"{status}  {check.check:<{width}}  {check.detail}"
    return f"{line.rstrip('.')}. Fix: {check.fix}" if check.fix else line


def _as_json(check: Check) -> dict[str, str | None]:
    return {
        "check": check.check,
        "status": check.status.value,
        "detail": check.detail,
        "fix": check.fix,
    }
