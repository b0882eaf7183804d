"""Operator commands that change games: create, edit, cancel, remove a player, fill a
placeholder, and the history of every change.

They act as the operator (full rights, recorded by login name) through the same use cases as
the bot, so the announcement and the players' DMs follow as after a change in Discord: the
running worker brings the announcement up to date and sends what is owed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Annotated, Any

import typer

from cli._operating import operating
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
from cli._reading import reading
from cli._series_output import series_json, series_lines
from cli._state import ExitCode, fail, load, run
from cli.games import game_json
from gamesched.app import Operating
from gamesched.discord.rest import DiscordError
from gamesched.discord.sync import why_not_announced
from gamesched.domain.recurrence import read_recurrence
from gamesched.domain.setting_keys import KEYS
from gamesched.domain.settings import KEEP, Keep
from gamesched.services.games import (
    GameEdit,
    NewGame,
    cancel_game,
    create_game,
    edit_game,
    get_game,
)
from gamesched.services.history import Action, HistoryEntry, game_history
from gamesched.services.participation import assign_placeholder, remove_player
from gamesched.services.series import CreatedSeries, create_series
from gamesched.services.views import GameView

GameArgument = Annotated[int, typer.Argument(metavar="ID", help="The game's number.")]
MemberArgument = Annotated[
    str, typer.Argument(metavar="MEMBER", help="The member's Discord id (or <@id>).")
]
YesFlag = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed in scripts).")
]
INHERIT = "inherit"
"""Typed for a setting, makes the game take its channel's (or server's) value again."""

TitleOption = Annotated[str | None, typer.Option(help="Up to 100 characters.")]
DescriptionOption = Annotated[str | None, typer.Option(help="Up to 1000 characters.")]
WhenOption = Annotated[
    str | None,
    typer.Option(
        metavar="TIME",
        help="As typed in Discord (`tomorrow 8pm`, `2026-12-05 19:00`), read in the --tz zone.",
    ),
]
MaxOption = Annotated[
    str | None,
    typer.Option("--max", metavar="N", help="Seats; `inherit` takes the channel's again."),
]
DurationOption = Annotated[
    str | None, typer.Option(metavar="MINUTES", help="Minutes it lasts, or `inherit`.")
]
RemindersOption = Annotated[
    str | None,
    typer.Option(metavar="MINUTES", help="Minutes before the start, e.g. `60, 15`; `none`."),
]
RulesOption = Annotated[str | None, typer.Option(help="Rules text; `inherit` or `` for none.")]
CategoryOption = Annotated[str | None, typer.Option(help="A label; `inherit` or `` for none.")]
PingOption = Annotated[
    bool | None,
    typer.Option("--ping/--no-ping", help="Whether the announcement notifies participants."),
]


def member_of(text: str) -> int:
    """A member typed as an id or a mention; anything else is a usage error."""
    found = re.fullmatch(r"\s*(?:<@!?(\d+)>|(\d+))\s*", text)
    if found is None:
        raise fail(
            f"MEMBER: `{text}` is not a Discord id; give the member's id (e.g. from "
            "`gamesched games show`) or a mention like <@123>.",
            ExitCode.USAGE,
        )
    return int(found.group(1) or found.group(2))


def on_a_terminal() -> bool:
    """Whether a person can answer a question (tests pretend either way)."""
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> None:
    """Go on only if the operator agrees: asked on a terminal, ``--yes`` in scripts."""
    if yes:
        return
    if not on_a_terminal():
        raise fail(
            "This change needs confirmation and there is no terminal to ask on: add --yes.",
            ExitCode.USAGE,
        )
    if not typer.confirm(question, default=False):
        raise fail("Nothing was changed.", ExitCode.FAILED)


def _setting(text: str | None, key: str) -> Any:
    """A game setting as typed: KEEP when not given, None for `inherit`, else the value
    read as ``config set`` reads it."""
    if text is None:
        return KEEP
    if text.strip().casefold() == INHERIT:
        return None
    return KEYS[key].value_of(text)


def _max_players(text: str | None) -> int | str | Keep | None:
    if text is None:
        return KEEP
    return None if text.strip().casefold() == INHERIT else text


def zone_for_typing(zone: tzinfo) -> str | None:
    """The IANA name typed times are read in, when the operator's zone has one (else the
    host's zone, as in Discord)."""
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else None


async def _announce(op: Operating, game: GameView) -> None:
    """Post a new game's announcement; if Discord refuses it the game is removed again, as
    when the bot or the web cannot post, and the operator is told why."""
    if op.core is None:
        return
    try:
        await op.core.sync.announce_new(game.id)
    except DiscordError as error:
        raise fail(
            "Discord did not accept the announcement, so the game was not created: "
            f"{why_not_announced(error)}.",
            ExitCode.FAILED,
        ) from None


def _changed(game: GameView, zone: tzinfo, what: str, *, read_as: str | None = None) -> str:
    """One line on what was done, with the start as it was read or in the operator's zone."""
    starts = read_as or f"{shown_time(game.start_at, zone)} ({zone_name(zone)})"
    return f"Game #{game.id} ({game.title}) {what}; it starts {starts}."


def create(
    ctx: typer.Context,
    guild_id: Annotated[int, typer.Option("--guild", metavar="GUILD", help="The server's id.")],
    channel_id: Annotated[
        int, typer.Option("--channel", metavar="CHANNEL", help="Where it is announced.")
    ],
    host: Annotated[str, typer.Option(metavar="MEMBER", help="Who hosts it (id or <@id>).")],
    title: Annotated[str, typer.Option(help="Up to 100 characters.")],
    when: Annotated[
        str,
        typer.Option(
            metavar="TIME",
            help="As typed in Discord (`tomorrow 8pm`, `2026-12-05 19:00`), read in the --tz zone.",
        ),
    ],
    description: Annotated[str, typer.Option(help="Up to 1000 characters.")] = "",
    max_players: Annotated[
        str | None, typer.Option("--max", metavar="N", help="Seats (default: inherited).")
    ] = None,
    participants: Annotated[
        str, typer.Option(help="Members (<@id>) and placeholders, comma-separated.")
    ] = "",
    duration: DurationOption = None,
    reminders: RemindersOption = None,
    rules: RulesOption = None,
    category: CategoryOption = None,
    ping: Annotated[
        bool, typer.Option("--ping/--no-ping", help="Notify the participants it names.")
    ] = False,
    repeat: Annotated[
        str | None,
        typer.Option(
            metavar="PATTERN",
            help="Make it a recurring series: `weekly on Mon, Thu`, `every 2 weeks on Friday`, "
            "`monthly on the last Friday`, `monthly on day 15`; optionally `until 2027-03-01` "
            "or `for 10 times`.",
        ),
    ] = None,
    ahead_days: Annotated[
        int | None,
        typer.Option(
            metavar="DAYS",
            help="With --repeat: make each game this many days before it (default: the next "
            "one once the current one starts).",
        ),
    ] = None,
    carry_roster: Annotated[
        bool,
        typer.Option(
            "--carry-roster/--no-carry-roster",
            help="With --repeat: each game starts with the previous one's players.",
        ),
    ] = False,
    tz: TzOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a game for a host and announce it, as /create-game does; with --repeat, a
    recurring series whose first game it is.

    Example: gamesched games create --guild 1170000000000000001 --channel 1170000000000000101
    --host 1170000000000000901 --title "Catan night" --when "friday 19:30" --max 4
    --repeat "weekly on Fri"
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    host_id = member_of(host)
    if repeat is None and (ahead_days is not None or carry_roster):
        raise fail("--ahead-days and --carry-roster go with --repeat.", ExitCode.USAGE)

    async def body() -> tuple[GameView, str, str, CreatedSeries | None]:
        async with operating(config) as op:
            new = NewGame(
                guild_id=guild_id,
                channel_id=channel_id,
                title=title,
                when=when,
                description=description,
                max_players=max_players,
                participants=participants,
                reminder_minutes=_given(_setting(reminders, "reminders")),
                rules=_given(_setting(rules, "rules")),
                duration_minutes=_given(_setting(duration, "duration")),
                category=_given(_setting(category, "category")),
                ping_participants=ping,
                host_id=host_id,
                zone=zone_for_typing(zone),
            )
            if repeat is not None:
                return await _create_series(
                    op, new, repeat=repeat, ahead_days=ahead_days, carry_roster=carry_roster
                )
            created = await create_game(
                op.services, actor=op.actor, new=new, directory=op.directory
            )
            await _announce(op, created.game)
            game = await get_game(op.services, created.game.id)
            return game, created.read_as, await op.what_follows(), None

    game, read_as, next_step, made = run(body())
    if as_json:
        extra = {} if made is None else {"series": series_json(made.series)}
        print_json({**game_json(game, {}), "read_as": read_as, **extra})
        return
    lines = [_changed(game, zone, "created", read_as=read_as)]
    if made is not None:
        lines += series_lines(made.series, zone, made=len(made.games))
    show(*lines, next_step)


async def _create_series(
    op: Operating, new: NewGame, *, repeat: str, ahead_days: int | None, carry_roster: bool
) -> tuple[GameView, str, str, CreatedSeries]:
    """Create the series, announce each game it made, as ``create`` does a game's."""
    created = await create_series(
        op.services,
        actor=op.actor,
        game=new,
        recurrence=read_recurrence(repeat),
        ahead_days=ahead_days,
        carry_roster=carry_roster,
        directory=op.directory,
    )
    if op.core is not None:
        try:
            await op.core.sync.announce_series(created, actor=op.actor)
        except DiscordError as error:
            raise fail(
                "Discord did not accept the announcement, so the series was cancelled: "
                f"{why_not_announced(error)}.",
                ExitCode.FAILED,
            ) from None
    game = await get_game(op.services, created.games[0].id)
    return game, created.read_as, await op.what_follows(), created


def _given(value: Any) -> Any:
    """A create takes None for "inherit" and has nothing to keep."""
    return None if isinstance(value, Keep) else value


def edit(
    ctx: typer.Context,
    game_id: GameArgument,
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
    """Change a scheduled game, as /edit-game does: a new start moves its reminders and tells
    its players.

    Example: gamesched games edit 12 --when "2026-12-06 20:00" --max inherit --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)
    given = (title, description, when, max_players, duration, reminders, rules, category, ping)
    if all(value is None for value in given):
        raise nothing_to_change("games edit")

    async def body() -> tuple[GameView, str | None, str]:
        change = game_edit(
            title, description, when, max_players, duration, reminders, rules, category, ping, zone
        )
        async with operating(config) as op:
            edited = await edit_game(op.services, actor=op.actor, game_id=game_id, edit=change)
            return edited.game, edited.read_as, await op.what_follows()

    game, read_as, next_step = run(body())
    if as_json:
        print_json({**game_json(game, {}), "read_as": read_as})
        return
    show(_changed(game, zone, "changed", read_as=read_as), next_step)


def nothing_to_change(command: str) -> typer.Exit:
    return fail(
        f"Nothing to change: give at least one option (see `gamesched {command} --help`).",
        ExitCode.USAGE,
    )


def game_edit(
    title: str | None,
    description: str | None,
    when: str | None,
    max_players: str | None,
    duration: str | None,
    reminders: str | None,
    rules: str | None,
    category: str | None,
    ping: bool | None,
    zone: tzinfo,
) -> GameEdit:
    """The edit the options of ``games edit`` (and ``series edit``) ask for; a bad setting
    raises a domain error, so call it inside the command's ``run``."""
    return GameEdit(
        title=KEEP if title is None else title,
        description=KEEP if description is None else description,
        when=KEEP if when is None else when,
        max_players=_max_players(max_players),
        reminder_minutes=_setting(reminders, "reminders"),
        rules=_setting(rules, "rules"),
        duration_minutes=_setting(duration, "duration"),
        category=_setting(category, "category"),
        ping_participants=KEEP if ping is None else ping,
        zone=zone_for_typing(zone),
    )


def cancel(ctx: typer.Context, game_id: GameArgument, yes: YesFlag = False) -> None:
    """Cancel a game: it stays listed as cancelled and its players are told by DM.

    Example: gamesched games cancel 12 --yes
    """
    config = load(ctx)

    async def body() -> tuple[GameView, str]:
        async with operating(config) as op:
            game = await get_game(op.services, game_id)
            people = len(game.joined) + len(game.waitlist)
            confirm(
                f"Cancel game #{game.id} ({game.title}) and tell its {people} players?", yes=yes
            )
            cancelled = await cancel_game(op.services, actor=op.actor, game_id=game_id)
            return cancelled, await op.what_follows()

    game, next_step = run(body())
    show(f"Game #{game.id} ({game.title}) is cancelled.", next_step)


def remove(
    ctx: typer.Context, game_id: GameArgument, member: MemberArgument, yes: YesFlag = False
) -> None:
    """Take a member off a game: they are told by DM, and the first on the waitlist gets a
    freed seat.

    Example: gamesched games remove-player 12 1170000000000000902 --yes
    """
    config = load(ctx)
    user_id = member_of(member)

    async def body() -> tuple[GameView, tuple[int, ...], str]:
        async with operating(config) as op:
            game = await get_game(op.services, game_id)
            confirm(f"Remove member {user_id} from game #{game.id} ({game.title})?", yes=yes)
            left = await remove_player(
                op.services, actor=op.actor, game_id=game_id, user_id=user_id
            )
            return left.game, left.promoted, await op.what_follows()

    game, promoted, next_step = run(body())
    lines = [f"Member {user_id} is off game #{game.id} ({game.title})."]
    lines += [f"Member {u} moved from the waitlist into a seat." for u in promoted]
    show(*lines, next_step)


def assign(
    ctx: typer.Context,
    game_id: GameArgument,
    placeholder: Annotated[str, typer.Argument(help="The placeholder's text (any case).")],
    member: MemberArgument,
) -> None:
    """Give a placeholder's slot to a member, who takes a seat if one is free.

    Example: gamesched games assign-placeholder 12 "Sam's friend" 1170000000000000903
    """
    config = load(ctx)
    user_id = member_of(member)

    async def body() -> tuple[str, str, str]:
        async with operating(config) as op:
            assigned = await assign_placeholder(
                op.services,
                actor=op.actor,
                game_id=game_id,
                placeholder=placeholder,
                user_id=user_id,
            )
            where = "a seat" if assigned.status == "joined" else f"the {assigned.status.value}"
            return assigned.placeholder, where, await op.what_follows()

    text, where, next_step = run(body())
    show(f"Member {user_id} took the place of `{text}` in game #{game_id} ({where}).", next_step)


def history(
    ctx: typer.Context,
    game_id: GameArgument,
    tz: TzOption = None,
    ids: IdsFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Show every change to a game: when, who (a member, an operator, the worker), from where,
    and what changed from what to what.

    Example: gamesched games history 12 --tz Europe/Berlin
    """
    config = load(ctx)
    zone = zone_of(tz, config)

    async def body() -> tuple[tuple[HistoryEntry, ...], Mapping[int, str | None]]:
        async with reading(config, names=not ids) as reader:
            entries = await game_history(reader.services, game_id)
            game = await get_game(reader.services, game_id)
            people = [e.member_id for e in entries if e.member_id is not None]
            for entry in entries:
                people += _members_in(entry.changes)
            return entries, await reader.resolve(game.guild_id, people)

    entries, names = run(body())
    if as_json:
        print_json([_entry_json(entry, names) for entry in entries])
        return
    listing = table(f"When ({zone_name(zone)})", "Who", "From", "What", "Changes")
    for entry in entries:
        listing.add_row(
            shown_time(entry.at, zone),
            _who(entry, names),
            entry.origin.value,
            entry.action.value.replace("_", " "),
            "\n".join(_change_lines(entry, names, zone)),
        )
    show(listing)


MEMBER_LISTS = ("joined", "waitlist", "dms_retried")
MEMBER_FIELDS = ("host_id",)


def _members_in(changes: Mapping[str, Sequence[Any]]) -> list[int]:
    found: list[int] = []
    for name, values in changes.items():
        for value in values:
            if name in MEMBER_LISTS and isinstance(value, list):
                found += value
            elif name in MEMBER_FIELDS and isinstance(value, int):
                found.append(value)
    return found


def _who(entry: HistoryEntry, names: Mapping[int, str | None]) -> str:
    if entry.operator is not None:
        return f"operator {entry.operator}"
    if entry.member_id is not None:
        return named(entry.member_id, names)
    return "the worker" if entry.origin.value == "worker" else "unknown"


def _change_lines(entry: HistoryEntry, names: Mapping[int, str | None], zone: tzinfo) -> list[str]:
    """Each changed field as a person reads it: lists as who came and went, times in the
    operator's zone, a setting's None as inherited, a field set for the first time alone."""
    lines = []
    for name, (old, new) in entry.changes.items():
        label = name.replace("_", " ")
        if name in MEMBER_LISTS or name == "placeholders":
            shown = (lambda v: named(v, names)) if name in MEMBER_LISTS else str
            came = [shown(v) for v in new or [] if v not in (old or [])]
            went = [shown(v) for v in old or [] if v not in (new or [])]
            parts = [f"+{v}" for v in came] + [f"-{v}" for v in went]
            lines.append(f"{label}: {', '.join(parts)}" if parts else f"{label}: reordered")
            continue
        now = _value(name, new, names, zone)
        first = entry.action is Action.CREATED or (old is None and name not in INHERITED)
        was = None if first else _value(name, old, names, zone)
        lines.append(f"{label}: {now}" if was is None else f"{label}: {was} -> {now}")
    return lines


def _value(name: str, value: Any, names: Mapping[int, str | None], zone: tzinfo) -> str:
    if value is None:
        return "(inherited)" if name in INHERITED else "(none)"
    if name == "start_at":
        return shown_time(datetime.fromisoformat(value), zone)
    if name in MEMBER_FIELDS:
        return named(value, names)
    return str(value)


INHERITED = frozenset(
    {"max_players", "reminder_minutes", "rules", "duration_minutes", "category", "host_role_ids"}
)


def _entry_json(entry: HistoryEntry, names: Mapping[int, str | None]) -> dict[str, Any]:
    return {
        "at": iso(entry.at),
        "action": entry.action.value,
        "origin": entry.origin.value,
        "member": None if entry.member_id is None else person(entry.member_id, names),
        "operator": entry.operator,
        "changes": {
            name: [_json_value(name, value) for value in values]
            for name, values in entry.changes.items()
        },
    }


ID_FIELDS = frozenset({*MEMBER_LISTS, *MEMBER_FIELDS, "channel_id", "message_id", "host_role_ids"})


def _json_value(name: str, value: Any) -> Any:
    """Ids as strings, as everywhere in the JSON (they do not fit a JavaScript number)."""
    if name not in ID_FIELDS or value is None:
        return value
    return [str(v) for v in value] if isinstance(value, list) else str(value)
