"""Operator commands about reminders: what is planned, what went wrong, and sending a refused
DM again."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta, tzinfo
from typing import Annotated, Any

import typer

from cli._output import (
    IdsFlag,
    JsonFlag,
    TzOption,
    iso,
    named,
    person,
    print_json,
    show,
    shown_time,
    table,
    zone_name,
    zone_of,
)
from cli._reading import channel_text, reading, server_text
from cli._state import ExitCode, fail, load, run
from gamesched.discord.place_names import NOT_LOOKED_UP, PlaceNames
from gamesched.discord.render import duration_text
from gamesched.domain.timeparse import MAX_AHEAD
from gamesched.services import reminders, workers
from gamesched.services.context import FrontEnd, Origin
from gamesched.services.games import MAX_PAGE_SIZE
from gamesched.services.outbox import DMS_CLOSED
from gamesched.services.reminders import Failure, FailureKind, Listing, PlannedReminder, Ref
from gamesched.services.views import GameView

reminders_app = typer.Typer(
    help="Reminders and DMs: what is planned, what went wrong, and sending a refused DM again.",
    no_args_is_help=True,
)

Names = Mapping[int, str | None]

GuildOption = Annotated[
    int | None, typer.Option("--guild", metavar="GUILD", help="Only this server's games.")
]
GameOption = Annotated[int | None, typer.Option("--game", metavar="ID", help="Only this game.")]

_SPAN = re.compile(r"(?:\s*[0-9]{1,6}\s*(?:d|days?|h|hours?|hrs?|m|mins?|minutes?)\s*)+", re.I)
_SPAN_TERM = re.compile(r"([0-9]+)\s*([dhm])", re.I)
_MINUTES_PER_UNIT = {"d": 24 * 60, "h": 60, "m": 1}


def read_span(text: str | None, option: str) -> timedelta | None:
    """A length of time like ``2h``, ``90m``, ``1d`` or ``1h 30m``; anything else (or more
    than 366 days) is a usage error (exit 2)."""
    if text is None:
        return None
    if _SPAN.fullmatch(text) is None:
        raise fail(
            f"{option}: `{text}` is not a length of time; use e.g. 2h, 90m, 1d or 1h30m.",
            ExitCode.USAGE,
        )
    minutes = sum(
        int(amount) * _MINUTES_PER_UNIT[unit.lower()] for amount, unit in _SPAN_TERM.findall(text)
    )
    span = timedelta(minutes=minutes)
    if span > MAX_AHEAD:
        raise fail(f"{option}: `{text}` is more than {MAX_AHEAD.days} days.", ExitCode.USAGE)
    return span


# ----- list -------------------------------------------------------------------------------


@reminders_app.command("list")
def reminders_list(
    ctx: typer.Context,
    due_within: Annotated[
        str | None,
        typer.Option(
            "--due-within", metavar="SPAN", help="Only reminders due within this (2h, 90m, 1d)."
        ),
    ] = None,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed",
            help="Show what went wrong instead: missed or skipped reminders, refused DMs.",
        ),
    ] = False,
    guild_id: GuildOption = None,
    game_id: GameOption = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="At most this many.")] = 25,
    tz: TzOption = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """List the reminders still to be sent, soonest first, with how many players each will
    reach; with --failed, what went wrong (latest first), each with the id `reminders retry`
    takes and whether a retry would help.

    Example: gamesched reminders list --due-within 2h --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    span = read_span(due_within, "--due-within")
    if failed and span is not None:
        raise fail(
            "--due-within limits planned reminders; leave it out with --failed.", ExitCode.USAGE
        )

    async def planned() -> tuple[Listing[PlannedReminder], PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await reminders.planned_reminders(
                reader.services, guild_id=guild_id, game_id=game_id, due_within=span, limit=limit
            )
            return found, await reader.places(_places_of(r.game for r in found.items))

    async def went_wrong() -> tuple[Listing[Failure], Names, PlaceNames]:
        async with reading(config, names=not ids) as reader:
            found = await reminders.failures(
                reader.services, guild_id=guild_id, game_id=game_id, limit=limit
            )
            names = await reader.resolve_in_guilds(_members_of(found.items))
            return found, names, await reader.places(_places_of(f.game for f in found.items))

    if failed:
        found, names, places = run(went_wrong())
        if as_json:
            failures = [_failure_json(f, names, places) for f in found.items]
            print_json({"total": found.total, "failures": failures})
            return
        _show_failures(found, names, places, zone)
        return
    listing, places = run(planned())
    if as_json:
        planned_json = [_planned_json(r, places) for r in listing.items]
        print_json({"total": listing.total, "reminders": planned_json})
        return
    _show_planned(listing, places, zone, due_within)


def _show_planned(
    listing: Listing[PlannedReminder], places: PlaceNames, zone: tzinfo, due_within: str | None
) -> None:
    if not listing.items:
        show(
            f"No reminders are due within {due_within}."
            if due_within
            else "No reminders are planned."
        )
        return
    columns = ("Id", f"Due ({zone_name(zone)})", "Reminder", "Game", "Starts", "Server")
    planned = table(
        *columns,
        "Channel",
        "Players",
        title=f"{len(listing.items)} of {listing.total} planned reminders",
    )
    for reminder in listing.items:
        game = reminder.game
        planned.add_row(
            str(reminder.ref),
            shown_time(reminder.due_at, zone),
            f"{duration_text(reminder.offset_minutes)} before",
            _game_name(game),
            shown_time(game.start_at, zone),
            server_text(game.guild_id, places),
            channel_text(game.channel_id, places),
            str(len(reminder.recipients)),
        )
    show(planned)


def _show_failures(found: Listing[Failure], names: Names, places: PlaceNames, zone: tzinfo) -> None:
    if not found.items:
        show("Nothing went wrong: no reminder was missed or skipped, no DM was refused.")
        return
    columns = ("Id", f"When ({zone_name(zone)})", "What", "Game", "Server", "Member")
    failures = table(
        *columns, "Why", "Retry", title=f"{len(found.items)} of {found.total} failures"
    )
    for failure in found.items:
        failures.add_row(
            str(failure.ref),
            shown_time(failure.at, zone),
            _what(failure),
            _game_name(failure.game),
            server_text(failure.game.guild_id, places),
            _who(failure, names),
            _reason_text(failure.reason),
            f"no: {_why_not(failure)}" if failure.blocker else "yes",
        )
    show(failures)


# ----- retry ------------------------------------------------------------------------------


@reminders_app.command("retry")
def reminders_retry(
    ctx: typer.Context,
    failure_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="FAILURE", help="Ids from `reminders list --failed` (d12, n3)."),
    ] = None,
    game_id: Annotated[
        int | None,
        typer.Option("--game", metavar="ID", help="Every refused DM of this game that can be."),
    ] = None,
    member_id: Annotated[
        int | None,
        typer.Option("--member", metavar="MEMBER", help="With --game: only DMs to this member."),
    ] = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Send refused DMs again (e.g. after a player opened their DMs): the reminder DMs and
    notices named by their ids, all or none; or with --game every one of the game that a
    retry would help. A worker sends them; nobody gets a DM they already got.

    Only DMs about a game that is still to start can be retried, not after a later reminder
    went out, and not to a member who left. Exit 4 when there is nothing to retry.

    Example: gamesched reminders retry --game 12 --member 1170000000000000042
    """
    config = load(ctx)
    refs = _refs(failure_ids or [])
    if member_id is not None and game_id is None:
        raise fail("--member goes with --game.", ExitCode.USAGE)
    if bool(refs) == (game_id is not None):
        raise fail("Give failure ids or --game (one of them).", ExitCode.USAGE)

    async def body() -> tuple[reminders.Retried, Names, bool]:
        async with reading(config, names=not ids) as reader:
            services = reader.services.acting_from(Origin(FrontEnd.CLI, operator=_operator()))
            if game_id is not None:
                done = await reminders.retry_game(services, game_id=game_id, member_id=member_id)
            else:
                done = await reminders.retry(services, refs)
            failures = [*done.retried, *done.not_retried]
            wanted = [(r.game.guild_id, r.recipients) for r in done.rounds]
            names = await reader.resolve_in_guilds([*_members_of(failures), *wanted])
            return done, names, await workers.worker_alive(reader.services)

    done, names, worker_alive = run(body())
    if as_json:
        print_json(
            {
                "retried": [_failure_json(f, names) for f in done.retried],
                "not_retried": [_failure_json(f, names) for f in done.not_retried],
                "reminders": [
                    {
                        "id": str(r.ref),
                        "game": _game_json(r.game),
                        "offset_minutes": r.offset_minutes,
                        "recipients": [person(u, names) for u in r.recipients],
                    }
                    for r in done.rounds
                ],
                "worker_alive": worker_alive,
            }
        )
        return
    retried = table("Id", "What", "Game", "Member", "Was", title="Planned again")
    for failure in done.retried:
        retried.add_row(
            str(failure.ref),
            _what(failure),
            _game_name(failure.game),
            _who(failure, names),
            _reason_text(failure.reason),
        )
    lines: list[Any] = [retried]
    for round_ in done.rounds:
        whom = ", ".join(named(u, names) for u in round_.recipients)
        lines.append(
            f"Reminder {round_.ref} ({duration_text(round_.offset_minutes)} before game "
            f"#{round_.game.id}) goes to: {whom}."
        )
    for failure in done.not_retried:
        lines.append(f"Not retried: {failure.ref} to {_who(failure, names)}: {_why_not(failure)}.")
    lines.append(
        "A worker sends them within seconds."
        if worker_alive
        else "No worker has been seen lately: they are sent once one runs "
        "(`gamesched worker` or `gamesched run`)."
    )
    show(*lines)


def _refs(texts: Iterable[str]) -> list[Ref]:
    refs = []
    for text in texts:
        ref = Ref.parse(text)
        if ref is None:
            raise fail(
                f"`{text}` is not a failure id; they look like d12 (a reminder DM) or n3 (a "
                "notice), as `gamesched reminders list --failed` shows them.",
                ExitCode.USAGE,
            )
        refs.append(ref)
    return refs


def _operator() -> str | None:
    """The login name of whoever runs the command (recorded with the change)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return None


# ----- shared shapes ----------------------------------------------------------------------


def _members_of(failures: Iterable[Failure]) -> list[tuple[int, list[int]]]:
    return [(f.game.guild_id, [f.member_id]) for f in failures if f.member_id is not None]


def _places_of(games: Iterable[GameView]) -> list[tuple[int, int | None]]:
    return [(game.guild_id, game.channel_id) for game in games]


def _game_json(game: GameView, places: PlaceNames = NOT_LOOKED_UP) -> dict[str, Any]:
    return {
        "id": str(game.id),
        "title": game.title,
        "status": game.status.value,
        "start_at": iso(game.start_at),
        "guild_id": str(game.guild_id),
        "guild_name": places.guild(game.guild_id),
        "channel_id": str(game.channel_id),
        "channel_name": places.channel(game.channel_id),
    }


def _planned_json(reminder: PlannedReminder, places: PlaceNames) -> dict[str, Any]:
    return {
        "id": str(reminder.ref),
        "game": _game_json(reminder.game, places),
        "offset_minutes": reminder.offset_minutes,
        "due_at": iso(reminder.due_at),
        "recipients": len(reminder.recipients),
    }


def _failure_json(
    failure: Failure, names: Names, places: PlaceNames = NOT_LOOKED_UP
) -> dict[str, Any]:
    job = failure.reminder
    return {
        "id": str(failure.ref),
        "kind": failure.ref.kind.value,
        "game": _game_json(failure.game, places),
        "member": None if failure.member_id is None else person(failure.member_id, names),
        "reminder": None
        if job is None
        else {
            "id": str(Ref(FailureKind.REMINDER, job.id)),
            "offset_minutes": job.offset_minutes,
            "due_at": iso(job.due_at),
        },
        "notice": None if failure.notice is None else failure.notice.value,
        "reason": failure.reason,
        "at": iso(failure.at),
        "retryable": failure.blocker is None,
        "why_not": None if failure.blocker is None else failure.blocker.value,
    }


def _who(failure: Failure, names: Names) -> str:
    return "" if failure.member_id is None else named(failure.member_id, names)


def _why_not(failure: Failure) -> str:
    return "" if failure.blocker is None else failure.blocker.sentence


def _game_name(game: GameView) -> str:
    return f"#{game.id} {game.title}"


def _what(failure: Failure) -> str:
    if failure.notice is not None:
        return f"notice: {failure.notice.value}"
    assert failure.reminder is not None
    before = f"{duration_text(failure.reminder.offset_minutes)} before"
    return f"reminder DM {before}" if failure.member_id is not None else f"reminder {before}"


def _reason_text(reason: str) -> str:
    """A recorded failure as a table shows it: ``DMs closed``, ``refused (50001)``."""
    if reason == DMS_CLOSED:
        return "DMs closed"
    if reason.startswith("refused_"):
        return f"refused ({reason.removeprefix('refused_')})"
    return reason
