"""Operator commands about games: list them with filters, show one with everything planned and
delivered for it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Annotated, Any

import typer
from rich.table import Table

from cli._output import (
    IdsFlag,
    JsonFlag,
    TzOption,
    iso,
    named,
    person,
    print_json,
    read_time,
    settings_json,
    settings_table,
    show,
    shown_time,
    table,
    zone_name,
    zone_of,
)
from cli._reading import channel_text, reading, server_text
from cli._state import load, run
from gamesched.discord.place_names import NOT_LOOKED_UP, PlaceNames
from gamesched.discord.render import duration_text
from gamesched.domain.status import GameStatus
from gamesched.services.games import MAX_PAGE_SIZE, OPEN_STATUSES, Page, list_games
from gamesched.services.overview import GameRecord, JobRecord, game_record
from gamesched.services.views import GameView

games_app = typer.Typer(help="The games gamesched schedules.", no_args_is_help=True)

Names = Mapping[int, str | None]


def _seats(game: GameView) -> str:
    return f"{len(game.joined)}/{game.max_players}"


def game_json(game: GameView, names: Names, places: PlaceNames = NOT_LOOKED_UP) -> dict[str, Any]:
    return {
        "id": str(game.id),
        "guild_id": str(game.guild_id),
        "guild_name": places.guild(game.guild_id),
        "channel_id": str(game.channel_id),
        "channel_name": places.channel(game.channel_id),
        "title": game.title,
        "description": game.description,
        "status": game.status.value,
        "start_at": iso(game.start_at),
        "end_at": iso(game.end_at),
        "host": person(game.host_id, names),
        "seats": {"taken": len(game.joined), "max": game.max_players},
        "joined": [person(u, names) for u in game.joined],
        "waitlist": [person(u, names) for u in game.waitlist],
        "placeholders": list(game.placeholders),
        "settings": settings_json(game.settings),
        "announcement": {
            "message_id": None if game.message_id is None else str(game.message_id),
            "up_to_date": not game.needs_sync,
        },
    }


def _job_json(job: JobRecord, names: Names) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "offset_minutes": job.offset_minutes,
        "due_at": iso(job.due_at),
        "done_at": iso(job.done_at),
        "outcome": job.outcome,
        "sent_to": [person(u, names) for u in job.sent_to],
        "refused": [person(u, names) for u in job.refused],
    }


@games_app.command("list")
def games_list(
    ctx: typer.Context,
    guild_id: Annotated[
        int | None, typer.Option("--guild", metavar="GUILD", help="Only this server's games.")
    ] = None,
    channel_id: Annotated[
        int | None, typer.Option("--channel", metavar="CHANNEL", help="Only this channel's.")
    ] = None,
    statuses: Annotated[
        list[GameStatus] | None,
        typer.Option("--status", help="Repeat for several (default: scheduled and in_progress)."),
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Effective category, any case (inherited ones count).")
    ] = None,
    host_id: Annotated[
        int | None, typer.Option("--host", metavar="MEMBER", help="Only games this member hosts.")
    ] = None,
    starts_from: Annotated[
        str | None,
        typer.Option("--from", metavar="TIME", help="Starting at or after (ISO 8601; --tz zone)."),
    ] = None,
    starts_before: Annotated[
        str | None, typer.Option("--to", metavar="TIME", help="Starting before this time.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="At most this many.")] = 25,
    tz: TzOption = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """List games, soonest first, with their seats and host.

    Example: gamesched games list --guild 1170000000000000001 --status cancelled --from 2026-12-01
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    start = read_time(starts_from, "--from", zone)
    end = read_time(starts_before, "--to", zone)

    async def body() -> tuple[Page, Names, PlaceNames]:
        async with reading(config, names=not ids) as reader:
            page = await list_games(
                reader.services,
                guild_id=guild_id,
                channel_id=channel_id,
                category=category,
                statuses=tuple(statuses) if statuses else OPEN_STATUSES,
                host_id=host_id,
                starts_from=start,
                starts_before=end,
                limit=limit,
            )
            names = await reader.resolve_in_guilds((g.guild_id, [g.host_id]) for g in page.items)
            places = await reader.places((g.guild_id, g.channel_id) for g in page.items)
            return page, names, places

    page, names, places = run(body())
    if as_json:
        games = [game_json(g, names, places) for g in page.items]
        print_json({"total": page.total, "games": games})
        return
    if not page.items:
        show("No games match.")
        return
    columns = ("#", f"Starts ({zone_name(zone)})", "Status", "Title", "Seats", "Waitlist")
    listing = table(*columns, "Host", "Channel", title=f"{len(page.items)} of {page.total} games")
    for game in page.items:
        listing.add_row(
            str(game.id),
            shown_time(game.start_at, zone),
            game.status.label,
            game.title,
            _seats(game),
            str(len(game.waitlist)),
            named(game.host_id, names),
            channel_text(game.channel_id, places),
        )
    show(listing)


@games_app.command("show")
def games_show(
    ctx: typer.Context,
    game_id: Annotated[int, typer.Argument(metavar="ID", help="The game's number.")],
    tz: TzOption = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a game: people, placeholders, settings, planned reminders, what was delivered and
    who could not be reached.

    Example: gamesched games show 12 --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)

    async def body() -> tuple[GameRecord, Names, PlaceNames]:
        async with reading(config, names=not ids) as reader:
            record = await game_record(reader.services, game_id)
            game = record.game
            people = [game.host_id, *game.joined, *game.waitlist, *record.unreachable]
            for job in record.jobs:
                people += [*job.sent_to, *job.refused]
            names = await reader.resolve(game.guild_id, people)
            return record, names, await reader.places([(game.guild_id, game.channel_id)])

    record, names, places = run(body())
    game = record.game
    if as_json:
        print_json(
            {
                **game_json(game, names, places),
                "jobs": [_job_json(job, names) for job in record.jobs],
                "unreachable": [person(u, names) for u in record.unreachable],
            }
        )
        return
    show(*_game_details(record, names, places, zone))


def _game_details(
    record: GameRecord, names: Names, places: PlaceNames, zone: tzinfo
) -> list[Table | str]:
    """The human answer of ``games show``: facts, people, settings, jobs, unreachable."""
    game = record.game
    facts = table("", "", title=f"Game #{game.id}: {game.title}")
    for label, value in (
        ("Status", game.status.label),
        (f"Starts ({zone_name(zone)})", shown_time(game.start_at, zone)),
        ("Ends", shown_time(game.end_at, zone)),
        (
            "Server / channel",
            f"{server_text(game.guild_id, places)} / {channel_text(game.channel_id, places)}",
        ),
        ("Host", named(game.host_id, names)),
        ("Seats", _seats(game)),
        ("Announcement", _announcement(game)),
        ("Description", game.description or "none"),
    ):
        facts.add_row(label, value)
    people = table("Place", "Who", title="People")
    for n, user_id in enumerate(game.joined, 1):
        people.add_row(f"seat {n}", named(user_id, names))
    for n, user_id in enumerate(game.waitlist, 1):
        people.add_row(f"waitlist {n}", named(user_id, names))
    for text in game.placeholders:
        people.add_row("placeholder", text)
    jobs = table("Job", "Due", "Outcome", "Sent", "Refused", title="Reminders and status changes")
    for job in record.jobs:
        jobs.add_row(
            _job_name(job),
            shown_time(job.due_at, zone),
            job.outcome or "planned",
            str(len(job.sent_to)),
            ", ".join(named(u, names) for u in job.refused),
        )
    unreachable = ", ".join(named(u, names) for u in record.unreachable) or "nobody"
    return [
        facts,
        people if people.row_count else "People: nobody yet.",
        settings_table(game.settings, title="Settings"),
        jobs if jobs.row_count else "Reminders and status changes: none planned.",
        f"Could not be reached by DM: {unreachable}",
    ]


def _announcement(game: GameView) -> str:
    if game.message_id is None:
        return "not posted yet"
    state = "up to date" if not game.needs_sync else "behind (a worker will update it)"
    return f"message {game.message_id}, {state}"


def _job_name(job: JobRecord) -> str:
    if job.kind == "reminder":
        return f"reminder {duration_text(job.offset_minutes)} before"
    return "start" if job.kind == "start" else "complete"
