"""The game form: create a game in one of a server's channels, or edit one, from the web.

``GET /guilds/{guild_id}/games/new`` (``?channel=`` preselects) and
``GET /games/{game_id}/edit`` show the form; a POST to the same address saves it through the
same use cases as the bot's modal, then answers 303 to the game's page. On any problem the
form comes back 422 with everything as typed, each problem beside its field and all of them
on top; an ambiguous ``@name`` gets suggestion chips.

The start comes from the browser's date picker or the "or type it" field
(:mod:`webauth.start_time`). Rights are asked of Discord afresh right before anything is
written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypedDict, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gamesched.discord.limits import MAX_TEXT_INPUT_VALUE
from gamesched.discord.rest import DiscordError, DiscordForbidden, DiscordNotFound
from gamesched.discord.rights import ChannelFacts, GuildFacts
from gamesched.domain.entries import MAX_ENTRIES
from gamesched.domain.errors import (
    Conflict,
    GameAction,
    GameNotOpen,
    PermissionDenied,
    Problem,
    ValidationFailed,
)
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.numbers import read_whole_number
from gamesched.domain.permissions import Actor
from gamesched.domain.recurrence import FIELD, MAX_REPEAT_LENGTH, Recurrence, read_recurrence
from gamesched.domain.settings import EffectiveSettings, Keep, Source
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import MAX_WHEN_LENGTH
from gamesched.services.configuration import channel_settings
from gamesched.services.games import (
    CreatedGame,
    GameEdit,
    NewGame,
    create_game,
    require_can_create,
    require_can_manage,
)
from gamesched.services.people import ZoneChoice, ZoneSource, time_zone_of
from gamesched.services.series import (
    MAX_AHEAD_DAYS,
    MIN_AHEAD_DAYS,
    EditScope,
    SeriesPreview,
    SeriesView,
    create_series,
    edit_series,
    preview_series,
    series_of_game,
)
from gamesched.services.views import GameView
from webauth.access import (
    MemberGame,
    acting_member,
    game_of,
    guild_of,
    require_viewer,
    web_text,
)
from webauth.flash import flash
from webauth.forms import (
    GAME_SETTINGS,
    FormProblems,
    SettingRow,
    control_problems,
    form_text,
    own_values,
    setting_rows,
)
from webauth.inputs import read_id
from webauth.routing import form_route
from webauth.start_time import local_value, picked_zone, shown_start, start_from
from webauth.state import web_of

BOT_CANNOT_POST = (
    "gamesched cannot post in #{name}: a server admin can give it View Channel, "
    "Send Messages and Embed Links there."
)
ZONE_SOURCES = {
    ZoneSource.YOU: "your own setting; /timezone in Discord changes it",
    ZoneSource.SERVER: "the server's default; set your own with /timezone in Discord",
    ZoneSource.DEFAULT: "no zone is set; set yours with /timezone in Discord",
}
LIMITS = {
    "title": MAX_TITLE_LENGTH,
    "when": MAX_WHEN_LENGTH,
    "description": MAX_DESCRIPTION_LENGTH,
    "participants": MAX_TEXT_INPUT_VALUE,
    "entries": MAX_ENTRIES,
    "repeat": MAX_REPEAT_LENGTH,
    "ahead_days": MAX_AHEAD_DAYS,
}
"""The modal's limits, shown as the controls' ``maxlength`` too."""


# --- which channels a member may host in ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostChannels:
    """The channels of a guild offered to a member, and why the others are not."""

    allowed: tuple[ChannelFacts, ...]
    refused: dict[int, str]
    """Channel id -> why a game cannot be created there (by this member, or by the bot)."""


async def host_channels(request: Request, facts: GuildFacts) -> HostChannels:
    """Text channels where the member may host and the bot may post, in Discord's order."""
    web = web_of(request)
    allowed = []
    refused = {}
    for channel in facts.postable_channels():
        actor = await acting_member(request, facts.guild_id, channel_id=channel.channel_id)
        try:
            await require_can_create(
                web.core.services,
                actor=actor,
                guild_id=facts.guild_id,
                channel_id=channel.channel_id,
            )
        except PermissionDenied as error:
            refused[channel.channel_id] = web_text(error, facts.role_names)
            continue
        if not await web.core.rights.bot_can_post(facts, channel.channel_id):
            refused[channel.channel_id] = BOT_CANNOT_POST.format(name=channel.name)
            continue
        allowed.append(channel)
    return HostChannels(tuple(allowed), refused)


# --- the other fields -------------------------------------------------------------------------


class GameSettings(TypedDict):
    """The settings a game may set for itself, as the create and edit use cases take them
    (None: inherit)."""

    max_players: int | None
    reminder_minutes: tuple[int, ...] | None
    rules: str | None
    duration_minutes: int | None
    category: str | None


def settings_from(form: FormData) -> tuple[GameSettings, list[Problem]]:
    """The game's settings as the form sends them, and the problems found reading them."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in GAME_SETTINGS:
        _, value, found = spec.read(form)
        values[spec.key] = value
        problems += found
    return cast(GameSettings, values), problems


def participants_problems(text: str) -> list[Problem]:
    """The modal's limit on the participants text (the use case counts entries, not text)."""
    if len(text) > MAX_TEXT_INPUT_VALUE:
        return [
            Problem(
                "participants",
                f"The participants list can be at most {MAX_TEXT_INPUT_VALUE} characters "
                f"(this one has {len(text)}); remove some entries.",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class RepeatChoice:
    """The form's Repeat section when it asks for a series."""

    recurrence: Recurrence
    ahead_days: int | None
    """Announce each game this many days ahead; None: the next once one starts."""
    carry_roster: bool


ONLY_WITH_REPEAT = (
    "Announcing ahead and carrying the players over are for a recurring game: say how it "
    "repeats, or leave them empty."
)


def repeat_from(values: dict[str, str]) -> tuple[RepeatChoice | None, list[Problem]]:
    """The series the Repeat section asks for (None: a single game), and its problems."""
    typed, ahead_text = values["repeat"].strip(), values["ahead_days"].strip()
    problems: list[Problem] = []
    ahead = read_whole_number(ahead_text) if ahead_text else None
    if ahead_text and ahead is None:
        problems.append(
            Problem(
                "ahead_days",
                f"Announce ahead must be a whole number of days (got `{ahead_text[:20]}`), "
                "or empty to announce each game once the one before starts.",
            )
        )
    if not typed:
        if ahead_text or values["carry_roster"]:
            problems.append(Problem(FIELD, ONLY_WITH_REPEAT))
        return None, problems
    try:
        recurrence = read_recurrence(typed)
    except ValidationFailed as error:
        return None, problems + list(error.problems)
    return RepeatChoice(recurrence, ahead, values["carry_roster"] == "on"), problems


def _guarded(problems: list[Problem], found: ValidationFailed | None) -> list[Problem]:
    """The web's own problems first, then the use case's. When the web found problems it
    sent the use case an empty start (so it checks everything and writes nothing): its
    complaint about that empty start is not the member's."""
    if found is None:
        return problems
    extra = [p for p in found.problems if not (problems and p.field == "when")]
    return problems + extra


# --- the page -------------------------------------------------------------------------------


def _zone_text(choice: ZoneChoice) -> str:
    return f"{choice.zone} ({ZONE_SOURCES[choice.source]})"


async def _zone_of(request: Request, guild_id: int) -> ZoneChoice:
    """The zone the member's typed times are read in (theirs, else the server's, else UTC)."""
    services, viewer = web_of(request).core.services, require_viewer(request)
    return await time_zone_of(services, user_id=viewer.user_id, guild_id=guild_id)


def _rows(
    facts: GuildFacts,
    inherited: EffectiveSettings,
    own: dict[str, object | None],
    form: FormData | None,
    problems: FormProblems,
) -> list[SettingRow]:
    """The form's setting rows: what each inherits, and what the game sets or was sent."""
    return setting_rows(
        GAME_SETTINGS,
        inherited=inherited,
        own=own,
        role_names=facts.role_names,
        form=form,
        problems=problems,
    )


async def _inherited(request: Request, guild_id: int, channel_id: int) -> EffectiveSettings:
    found = await channel_settings(
        web_of(request).core.services, guild_id=guild_id, channel_id=channel_id
    )
    return found.settings


async def _inherited_by_channel(
    request: Request, facts: GuildFacts, channels: tuple[ChannelFacts, ...]
) -> str:
    """Each offered channel's inherited values, for the script that updates the hints."""
    table = {}
    for channel in channels:
        inherited = await _inherited(request, facts.guild_id, channel.channel_id)
        rows = setting_rows(GAME_SETTINGS, inherited=inherited, own={}, role_names=facts.role_names)
        table[str(channel.channel_id)] = {
            row.spec.key: {"value": row.inherited, "source": row.inherited_from} for row in rows
        }
    return json.dumps(table)


@dataclass
class FormPage:
    """Everything the template shows."""

    facts: GuildFacts
    zone: ZoneChoice
    values: dict[str, str]
    rows: list[SettingRow]
    problems: FormProblems
    channels: tuple[ChannelFacts, ...] = ()
    inherited_by_channel: str = "{}"
    game: GameView | None = None
    channel_name: str = ""
    refused_channel: str | None = None
    """Why the preselected channel is not offered."""
    preview: SeriesPreview | None = None
    """The next dates of the repeat typed, after "Preview the dates"."""
    series: SeriesView | None = None
    """The series the edited game is one of."""

    def render(self, request: Request, status: int = 200) -> Response:
        if self.game is None:
            heading, action = "New game", f"/guilds/{self.facts.guild_id}/games/new"
        else:
            heading, action = f"Edit game #{self.game.id}", f"/games/{self.game.id}/edit"
        context = {
            "creating": self.game is None,
            "heading": heading,
            "action": action,
            "guild": self.facts,
            "channels": self.channels,
            "channel_name": self.channel_name,
            "values": self.values,
            "rows": self.rows,
            "problems": self.problems,
            "zone_text": _zone_text(self.zone),
            "inherited_by_channel": self.inherited_by_channel,
            "refused_channel": self.refused_channel,
            "game": self.game,
            "limits": LIMITS,
            "min_ahead_days": MIN_AHEAD_DAYS,
            "preview": self.preview,
            "series": self.series,
        }
        return web_of(request).pages.page(request, "game_form.html", context, status=status)


async def _create_page(
    request: Request,
    facts: GuildFacts,
    offered: HostChannels,
    *,
    values: dict[str, str],
    form: FormData | None = None,
    problems: FormProblems | None = None,
) -> FormPage:
    zone = await _zone_of(request, facts.guild_id)
    values["tz"] = values["tz"] or zone.zone
    selected = read_id(values.get("channel", "").strip())
    if selected not in {c.channel_id for c in offered.allowed}:
        selected = offered.allowed[0].channel_id
    values["channel"] = str(selected)
    problems = problems or FormProblems()
    inherited = await _inherited(request, facts.guild_id, selected)
    return FormPage(
        facts=facts,
        zone=zone,
        values=values,
        rows=_rows(facts, inherited, {}, form, problems),
        problems=problems,
        channels=offered.allowed,
        inherited_by_channel=await _inherited_by_channel(request, facts, offered.allowed),
    )


def _cannot_host(request: Request, facts: GuildFacts, offered: HostChannels) -> Response:
    """No channel to offer: say why (each distinct reason once) and how to fix it."""
    reasons = list(dict.fromkeys(offered.refused.values()))
    return web_of(request).pages.page(
        request,
        "cannot_host.html",
        {"guild": facts, "reasons": reasons},
        status=403,
    )


async def new_game_form(request: Request) -> Response:
    """The empty form (``?channel=`` preselects one of the offered channels)."""
    member = await guild_of(request, request.path_params["guild_id"])
    offered = await host_channels(request, member.facts)
    if not offered.allowed:
        return _cannot_host(request, member.facts, offered)
    wanted = request.query_params.get("channel", "")
    page = await _create_page(request, member.facts, offered, values=_values(channel=wanted))
    wanted_id = read_id(wanted.strip())
    if wanted_id is not None and wanted_id not in {c.channel_id for c in offered.allowed}:
        page.refused_channel = offered.refused.get(
            wanted_id, "That is not a text channel of this server."
        )
    return page.render(request)


VALUE_KEYS = (
    "channel",
    "title",
    "when",
    "start_local",
    "tz",
    "tz_offset",
    "description",
    "participants",
    "ping",
    "start_shown",
    "start_utc",
    "repeat",
    "ahead_days",
    "carry_roster",
    "scope",
)
"""What the form's template shows as typed (``start_utc``: an edit's start, for the script
that shows it in the browser's zone)."""


def _values(**given: str) -> dict[str, str]:
    return {key: given.get(key, "") for key in VALUE_KEYS}


def _typed_values(form: FormData) -> dict[str, str]:
    values = _values(**{key: form_text(form, key) for key in VALUE_KEYS if key != "start_utc"})
    values["ping"] = "on" if form.get("ping") == "on" else ""
    values["carry_roster"] = "on" if form.get("carry_roster") == "on" else ""
    return values


async def create_from_form(request: Request) -> Response:
    """Create the game as sent, post its announcement, and go to its page."""
    web = web_of(request)
    guild_id: int = request.path_params["guild_id"]
    async with request.form() as form:
        values = _typed_values(form)
        sent = FormData(form.multi_items())
    member = await guild_of(request, guild_id)
    facts = member.facts
    channel_id = read_id(values["channel"].strip())
    channel = facts.channel(channel_id) if channel_id is not None else None
    problems: list[Problem] = []
    if channel_id is None or channel is None or not channel.postable:
        offered = await host_channels(request, facts)
        if not offered.allowed:
            return _cannot_host(request, facts, offered)
        problems.append(Problem("channel", "Pick one of the channels in the list."))
        page = await _create_page(
            request, facts, offered, values=values, form=sent, problems=FormProblems.of(problems)
        )
        return page.render(request, 422)
    assert channel_id is not None
    # Fresh from Discord: the member's roles and the channel's overwrites right now.
    actor = await acting_member(request, guild_id, channel_id=channel_id, fresh=True)
    facts = await web.core.rights.guild(guild_id) or facts
    try:
        await require_can_create(
            web.core.services, actor=actor, guild_id=guild_id, channel_id=channel_id
        )
    except PermissionDenied as error:
        return web.pages.error(request, 403, web_text(error, facts.role_names))
    if not await web.core.rights.bot_can_post(facts, channel_id):
        problems.append(Problem("channel", BOT_CANNOT_POST.format(name=channel.name)))

    zone = await _zone_of(request, guild_id)
    start = start_from(sent, now=web.core.services.now(), zone=zone.zone)
    settings, setting_problems = settings_from(sent)
    problems += start.problems + setting_problems + participants_problems(values["participants"])
    problems += control_problems(values, ("title", "description", "participants"))
    when = start.when
    assert not isinstance(when, Keep), "only an edit keeps its start"
    repeat, repeat_problems = repeat_from(values)
    problems += repeat_problems
    if sent.get("preview") == "on":
        return await _preview(request, facts, channel_id, sent, actor, when, repeat, problems)
    new = NewGame(
        guild_id=guild_id,
        channel_id=channel_id,
        # A series keeps the start's time of day in the zone it was given in.
        zone=picked_zone(sent) if repeat is not None else None,
        title=values["title"],
        # With problems of its own the web sends an empty start: the use case then checks
        # every other field and is certain to write nothing.
        when="" if problems else when,
        description=values["description"],
        participants=values["participants"],
        ping_participants=values["ping"] == "on",
        **settings,
    )
    try:
        if repeat is None:
            created = await create_game(
                web.core.services, actor=actor, new=new, directory=web.core.directory
            )
            announce = partial(web.core.sync.announce_new, created.game.id)
            done = f"Game #{created.game.id} created"
        else:
            made = await create_series(
                web.core.services,
                actor=actor,
                game=new,
                recurrence=repeat.recurrence,
                ahead_days=repeat.ahead_days,
                carry_roster=repeat.carry_roster,
                directory=web.core.directory,
            )
            announce = partial(web.core.sync.announce_series, made, actor=actor)
            done = f"Recurring game created ({made.series.pattern}); game #{made.games[0].id}"
            created = CreatedGame(game=made.games[0], read_as=made.read_as)
    except ValidationFailed as error:
        return await _create_failed(request, facts, values, sent, _guarded(problems, error))
    except PermissionDenied as error:
        return web.pages.error(request, 403, web_text(error, facts.role_names))
    assert not problems, "the use case saw an empty start and cannot have written anything"
    try:
        await announce()
    except DiscordError as error:
        notice = _post_failed(error, channel.name)
        return await _create_failed(request, facts, values, sent, [], notice=notice, status=502)
    read_as = start.read_as or created.read_as
    flash(request, f"{done}; it starts {read_as}.")
    return RedirectResponse(f"/games/{created.game.id}", status_code=303)


PREVIEWED_FIELDS = ("when", FIELD, "ahead_days")
"""The fields a preview of the dates reads; problems elsewhere wait for "Create game"."""
NOTHING_TO_PREVIEW = "Say how the game repeats to preview its dates, e.g. `weekly on Thu`."


async def _preview(
    request: Request,
    facts: GuildFacts,
    channel_id: int,
    form: FormData,
    actor: Actor,
    when: str | datetime,
    repeat: RepeatChoice | None,
    problems: list[Problem],
) -> Response:
    """ "Preview the dates": the form as typed with the repeat's next dates (nothing saved),
    or the problems of the start and the repeat beside their fields."""
    web = web_of(request)
    values = _typed_values(form)
    found = [p for p in problems if p.field in PREVIEWED_FIELDS]
    if repeat is None and not found:
        found.append(Problem(FIELD, NOTHING_TO_PREVIEW))
    preview = None
    if repeat is not None and not found:
        try:
            preview = await preview_series(
                web.core.services,
                actor=actor,
                guild_id=facts.guild_id,
                channel_id=channel_id,
                start_text=when,
                recurrence=repeat.recurrence,
                zone=picked_zone(form),
                directory=web.core.directory,
            )
        except ValidationFailed as error:
            found += error.problems
    offered = await host_channels(request, facts)
    if not offered.allowed:
        return _cannot_host(request, facts, offered)
    page = await _create_page(
        request, facts, offered, values=values, form=form, problems=FormProblems.of(found)
    )
    page.preview = preview
    return page.render(request, 200 if preview is not None else 422)


def _post_failed(error: DiscordError, channel_name: str) -> str:
    """Why Discord did not take the announcement, and what to do (nothing was saved)."""
    if isinstance(error, DiscordForbidden):
        why = (
            f"gamesched is not allowed to post in #{channel_name}. A server admin can give it "
            "View Channel, Send Messages and Embed Links there, or pick another channel"
        )
    elif isinstance(error, DiscordNotFound):
        why = f"#{channel_name} no longer exists (or gamesched cannot see it); pick another channel"
    else:
        why = "Discord could not be reached just now; try again in a minute"
    return (
        f"Discord did not accept the game's announcement, so the game was not created: {why}. "
        "Nothing was saved; the form is below as you filled it in."
    )


async def _create_failed(
    request: Request,
    facts: GuildFacts,
    values: dict[str, str],
    form: FormData,
    problems: list[Problem],
    *,
    notice: str | None = None,
    status: int = 422,
) -> Response:
    offered = await host_channels(request, facts)
    if not offered.allowed:
        return _cannot_host(request, facts, offered)
    found = FormProblems.of(problems, notice=notice)
    page = await _create_page(request, facts, offered, values=values, form=form, problems=found)
    return page.render(request, status)


# --- editing --------------------------------------------------------------------------------


async def _managed_game(request: Request, *, fresh: bool = False) -> MemberGame:
    """A game of the member's in a channel they can see (else 404), if they may edit it (its
    host, or Manage Server) and it is still to come."""
    web = web_of(request)
    found = await game_of(request, request.path_params["game_id"], fresh=fresh)
    game = found.game
    await require_can_manage(web.core.services, actor=found.actor, game_id=game.id)
    if game.status is not GameStatus.SCHEDULED:
        raise Conflict(GameNotOpen(game_id=game.id, status=game.status, action=GameAction.EDIT))
    return found


async def _edit_page(
    request: Request,
    game: GameView,
    facts: GuildFacts,
    *,
    values: dict[str, str] | None = None,
    form: FormData | None = None,
    problems: FormProblems | None = None,
) -> FormPage:
    zone = await _zone_of(request, game.guild_id)
    if values is None:
        values = _values(
            title=game.title,
            start_local=local_value(game.start_at, zone.zone),
            tz=zone.zone,
            description=game.description,
            ping="on" if game.ping_participants else "",
            start_utc=game.start_at.isoformat(),
        )
    values["start_shown"] = values["start_shown"] or game.start_at.isoformat()
    values["scope"] = values["scope"] or EditScope.THIS
    problems = problems or FormProblems()
    channel = facts.channel(game.channel_id)
    return FormPage(
        series=await series_of_game(web_of(request).core.services, game.id),
        facts=facts,
        zone=zone,
        values=values,
        rows=_rows(
            facts,
            await _inherited(request, game.guild_id, game.channel_id),
            own_values(game.settings, Source.GAME),
            form,
            problems,
        ),
        problems=problems,
        game=game,
        channel_name=channel.name if channel else str(game.channel_id),
    )


async def edit_game_form(request: Request) -> Response:
    """The form filled in with the game as it stands."""
    managed = await _managed_game(request)
    return (await _edit_page(request, managed.game, managed.facts)).render(request)


async def edit_from_form(request: Request) -> Response:
    """Save the changes (to this game, or for a game of a series to the later ones too),
    bring the announcements up to date, and go to the game's page."""
    web = web_of(request)
    async with request.form() as form:
        values = _typed_values(form)
        sent = FormData(form.multi_items())
    # Fresh from Discord: whether the member still hosts or manages the server.
    managed = await _managed_game(request, fresh=True)
    game, facts = managed.game, managed.facts
    zone = await _zone_of(request, game.guild_id)
    start = start_from(
        sent,
        now=web.core.services.now(),
        zone=zone.zone,
        shown=shown_start(values["start_shown"]),
    )
    settings, problems = settings_from(sent)
    problems = start.problems + problems + control_problems(values, ("title", "description"))
    series = await series_of_game(web.core.services, game.id)
    scope, recurrence, found = _edit_scope(values, series)
    problems += found

    async def failed(problems: list[Problem], status: int = 422) -> Response:
        shown = FormProblems.of(problems)
        page = await _edit_page(request, game, facts, values=values, form=sent, problems=shown)
        return page.render(request, status)

    if sent.get("preview") == "on" and series is not None:
        found = [p for p in problems if p.field in PREVIEWED_FIELDS]
        if found:
            return await failed(found)
        try:
            preview = await preview_series(
                web.core.services,
                actor=managed.actor,
                guild_id=game.guild_id,
                channel_id=game.channel_id,
                start_text=game.start_at if isinstance(start.when, Keep) else start.when,
                recurrence=recurrence or series.recurrence,
                zone=series.zone if isinstance(start.when, Keep) else picked_zone(sent),
                directory=web.core.directory,
            )
        except ValidationFailed as error:
            return await failed(list(error.problems))
        page = await _edit_page(request, game, facts, values=values, form=sent)
        page.preview = preview
        return page.render(request)
    edit = GameEdit(
        title=values["title"],
        description=values["description"],
        when="" if problems else start.when,  # as in a create: nothing is written
        ping_participants=values["ping"] == "on",
        **settings,
    )
    try:
        changed = await edit_series(
            web.core.services,
            actor=managed.actor,
            game_id=game.id,
            edit=edit,
            recurrence=recurrence,
            scope=scope,
        )
    except ValidationFailed as error:
        return await failed(_guarded(problems, error))
    assert not problems, "the use case saw an empty start and cannot have written anything"
    for each in (*(e.game for e in changed.games), *changed.cancelled, *changed.created):
        web.core.sync.request(each.id)  # a game the new pattern made is posted by it too
    this, *later = changed.games
    moved = ""
    if this.rescheduled:
        read_as = start.read_as or this.read_as
        moved = f" It now starts {read_as}; its players are told."
    if scope is EditScope.FUTURE and changed.series is not None:
        moved += (
            f" {len(later)} later game(s) changed too; the series repeats: "
            f"{changed.series.pattern}."
        )
    flash(request, f"Game #{game.id} saved.{moved}")
    return RedirectResponse(f"/games/{game.id}", status_code=303)


def _edit_scope(
    values: dict[str, str], series: SeriesView | None
) -> tuple[EditScope, Recurrence | None, list[Problem]]:
    """Which games of the series an edit changes, and the new pattern it gives them."""
    scope = (
        EditScope.FUTURE if series is not None and values["scope"] == "future" else EditScope.THIS
    )
    typed = values["repeat"].strip()
    if series is None or not typed:
        return scope, None, []
    if scope is EditScope.THIS:
        return scope, None, [Problem(FIELD, NEW_PATTERN_NEEDS_LATER)]
    try:
        return scope, read_recurrence(typed), []
    except ValidationFailed as error:
        return scope, None, list(error.problems)


NEW_PATTERN_NEEDS_LATER = (
    'A new pattern changes the later games too: choose "This and later games", or empty it '
    "to change this game alone."
)


ROUTES = [
    form_route("/guilds/{guild_id:int}/games/new", show=new_game_form, save=create_from_form),
    form_route("/games/{game_id:int}/edit", show=edit_game_form, save=edit_from_form),
]
