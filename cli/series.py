"""Operator commands about recurring series: list, show, preview, edit (one game or it and all
later ones), skip a date, cancel. A series is created with ``gamesched games create --repeat``.

They act as the operator through the same use cases as the bot, so announcements and DMs
follow as after a change in Discord.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli._operating import operating
from cli._output import JsonFlag, TzOption, print_json, show, table, zone_name, zone_of
from cli._reading import reading
from cli._series_output import date_json, dates_lines, series_json, series_lines
from cli._state import ExitCode, fail, load, run
from cli.game_changes import (
    CategoryOption,
    DescriptionOption,
    DurationOption,
    MaxOption,
    PingOption,
    RemindersOption,
    RulesOption,
    TitleOption,
    WhenOption,
    YesFlag,
    confirm,
    game_edit,
    nothing_to_change,
    zone_for_typing,
)
from cli.games import game_json
from gamesched.domain.recurrence import read_recurrence
from gamesched.services.series import (
    PREVIEW_COUNT,
    EditScope,
    SeriesPreview,
    SeriesStatus,
    SeriesView,
    cancel_series,
    edit_series,
    get_series,
    list_series,
    preview_series,
    skip_date,
)

series_app = typer.Typer(
    help="Recurring games (create one with `gamesched games create --repeat`).",
    no_args_is_help=True,
)

SeriesArgument = Annotated[int, typer.Argument(metavar="ID", help="The series' number.")]
RepeatOption = Annotated[
    str | None,
    typer.Option(
        metavar="PATTERN",
        help="`weekly on Mon, Thu`, `every 2 weeks on Friday`, `monthly on the last Friday`, "
        "`monthly on day 15`; optionally `until 2027-03-01` or `for 10 times`.",
    ),
]


@series_app.command("list")
def series_list(
    ctx: typer.Context,
    guild_id: Annotated[
        int | None, typer.Option("--guild", metavar="GUILD", help="Only this server's series.")
    ] = None,
    statuses: Annotated[
        list[SeriesStatus] | None,
        typer.Option("--status", help="Repeat for several (default: active)."),
    ] = None,
    tz: TzOption = None,
    as_json: JsonFlag = False,
) -> None:
    """List series, oldest first, with their pattern and next date.

    Example: gamesched series list --guild 1170000000000000001 --status ended
    """
    config = load(ctx)
    zone = zone_of(tz, config)

    async def body() -> list[SeriesView]:
        async with reading(config, names=False) as reader:
            return await list_series(
                reader.services,
                guild_id=guild_id,
                statuses=tuple(statuses) if statuses else (SeriesStatus.ACTIVE,),
            )

    found = run(body())
    if as_json:
        print_json({"series": [series_json(v) for v in found]})
        return
    if not found:
        show("No series match.")
        return
    listing = table("#", "Title", "Status", "Pattern", "Time", f"Next ({zone_name(zone)})")
    for view in found:
        listing.add_row(
            str(view.id),
            view.title,
            view.status.value,
            view.pattern,
            f"{view.wall_time:%H:%M} {view.zone}",
            view.next_dates[0].local if view.next_dates else "-",
        )
    show(listing)


@series_app.command("show")
def series_show(
    ctx: typer.Context, series_id: SeriesArgument, tz: TzOption = None, as_json: JsonFlag = False
) -> None:
    """Show a series: its pattern, time and zone, when its next game is made, its next dates
    (with daylight-saving notes) and its games.

    Example: gamesched series show 3 --json
    """
    config = load(ctx)
    zone = zone_of(tz, config)

    async def body() -> SeriesView:
        async with reading(config, names=False) as reader:
            return await get_series(reader.services, series_id)

    view = run(body())
    if as_json:
        print_json(series_json(view))
        return
    games = ", ".join(f"#{i}" for i in view.game_ids) or "none"
    show(*series_lines(view, zone), f"Games: {games}.")


@series_app.command("preview")
def series_preview(
    ctx: typer.Context,
    guild_id: Annotated[int, typer.Option("--guild", metavar="GUILD", help="The server's id.")],
    channel_id: Annotated[
        int, typer.Option("--channel", metavar="CHANNEL", help="Where it would be announced.")
    ],
    when: Annotated[
        str, typer.Option(metavar="TIME", help="The first game's start, read in the --tz zone.")
    ],
    repeat: Annotated[str, typer.Option(metavar="PATTERN", help="How it repeats.")],
    count: Annotated[int, typer.Option(min=1, max=50, help="How many dates.")] = PREVIEW_COUNT,
    tz: TzOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The next dates a series would have, in its zone, with daylight-saving notes; nothing
    is written.

    Example: gamesched series preview --guild 1170000000000000001 --channel
    1170000000000000101 --when "2027-03-14 02:30" --repeat "weekly on Sun" --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)

    async def body() -> SeriesPreview:
        async with operating(config) as op:
            return await preview_series(
                op.services,
                actor=op.actor,
                guild_id=guild_id,
                channel_id=channel_id,
                start_text=when,
                recurrence=read_recurrence(repeat),
                count=count,
                zone=zone_for_typing(zone),
                directory=op.directory,
            )

    preview = run(body())
    if as_json:
        print_json(
            {
                "zone": preview.zone,
                "wall_time": preview.wall_time.isoformat(timespec="minutes"),
                "pattern": preview.pattern,
                "read_as": preview.read_as,
                "dates": [date_json(d) for d in preview.dates],
            }
        )
        return
    show(
        f"{preview.pattern}, at {preview.wall_time:%H:%M} {preview.zone}:",
        *dates_lines(preview.dates),
    )


@series_app.command("edit")
def series_edit(
    ctx: typer.Context,
    game_id: Annotated[
        int, typer.Argument(metavar="GAME", help="The game of the series to change from.")
    ],
    future: Annotated[
        bool,
        typer.Option(
            "--future/--this",
            help="Change this game and every later one and the series (--future), or this "
            "game only (--this, the default).",
        ),
    ] = False,
    repeat: RepeatOption = None,
    title: TitleOption = None,
    description: DescriptionOption = None,
    when: WhenOption = None,
    max_players: MaxOption = None,
    duration: DurationOption = None,
    reminders: RemindersOption = None,
    rules: RulesOption = None,
    category: CategoryOption = None,
    ping: PingOption = None,
    tz: TzOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Change one game of a series, or (--future) it, every later one and the series: a new
    --when sets the time of day of each on its own date; a new --repeat re-anchors the series
    at this game's date and cancels later games the new pattern does not have.

    Example: gamesched series edit 41 --future --when "2026-12-10 20:00" --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    given = (title, description, when, max_players, duration, reminders, rules, category, ping)
    if repeat is None and all(value is None for value in given):
        raise nothing_to_change("series edit")
    scope = EditScope.FUTURE if future else EditScope.THIS

    async def body() -> tuple[list[str], dict[str, object], str]:
        change = game_edit(
            title, description, when, max_players, duration, reminders, rules, category, ping, zone
        )
        async with operating(config) as op:
            edited = await edit_series(
                op.services,
                actor=op.actor,
                game_id=game_id,
                edit=change,
                recurrence=None if repeat is None else read_recurrence(repeat),
                scope=scope,
            )
            if op.core is not None:
                for made in edited.created:
                    await op.core.sync.publish(made.id)
            lines = [f"Changed game{'s' if len(edited.games) != 1 else ''}: "]
            lines[0] += ", ".join(f"#{e.game.id}" for e in edited.games) or "none"
            if edited.cancelled:
                lines.append(
                    "Cancelled (not in the new pattern): "
                    + ", ".join(f"#{g.id}" for g in edited.cancelled)
                )
            if edited.series is not None:
                lines += series_lines(edited.series, zone)
            data: dict[str, object] = {
                "games": [game_json(e.game, {}) for e in edited.games],
                "cancelled": [game_json(g, {}) for g in edited.cancelled],
                "created": [game_json(g, {}) for g in edited.created],
                "series": None if edited.series is None else series_json(edited.series),
            }
            return lines, data, await op.what_follows()

    lines, data, next_step = run(body())
    if as_json:
        print_json(data)
        return
    show(*lines, next_step)


@series_app.command("skip")
def series_skip(
    ctx: typer.Context,
    series_id: SeriesArgument,
    on: Annotated[
        str, typer.Argument(metavar="DATE", help="The series date to leave out (YYYY-MM-DD).")
    ],
    tz: TzOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Leave out one upcoming date whose game is not made yet (cancel a made one with
    `gamesched games cancel`).

    Example: gamesched series skip 3 2026-12-24
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise fail(f"DATE: `{on}` is not a date; write it as YYYY-MM-DD.", ExitCode.USAGE) from None

    async def body() -> tuple[SeriesView, str]:
        async with operating(config) as op:
            view = await skip_date(op.services, actor=op.actor, series_id=series_id, on=day)
            return view, await op.what_follows()

    view, next_step = run(body())
    if as_json:
        print_json(series_json(view))
        return
    show(f"Series #{view.id} skips {day.isoformat()}.", *series_lines(view, zone), next_step)


@series_app.command("cancel")
def series_cancel(ctx: typer.Context, series_id: SeriesArgument, yes: YesFlag = False) -> None:
    """Cancel a series: no more games are made and each scheduled one is cancelled, its
    players told by DM.

    Example: gamesched series cancel 3 --yes
    """
    config = load(ctx)

    async def body() -> tuple[SeriesView, int, str]:
        async with operating(config) as op:
            view = await get_series(op.services, series_id)
            confirm(f"Cancel series #{view.id} ({view.title}) and its scheduled games?", yes=yes)
            cancelled = await cancel_series(op.services, actor=op.actor, series_id=series_id)
            return cancelled.series, len(cancelled.cancelled), await op.what_follows()

    view, count, next_step = run(body())
    show(
        f"Series #{view.id} ({view.title}) is cancelled, with {count} scheduled "
        f"game{'s' if count != 1 else ''}.",
        next_step,
    )
