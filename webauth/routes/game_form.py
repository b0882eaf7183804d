"""The game form: create a game in one of a server's channels, or edit one, from the web.

``GET /guilds/{guild_id}/games/new`` (``?channel=`` preselects) and
``GET /games/{game_id}/edit`` show the form; a POST to the same address saves it through the
same use cases as the bot's modal, then answers 303 to the game's page. On any problem the
form comes back 422 with everything as typed, each problem beside its field and all of them
on top; an ambiguous ``@name`` gets suggestion chips.

The start time comes from the browser's date picker, read in the browser's time zone (a
small script fills the hidden ``tz`` and ``tz_offset`` fields; without it they hold the
member's own zone), or from the "or type it" field, read like the modal's text in the
member's zone. Rights are asked of Discord afresh right before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

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
from gamesched.domain.permissions import Actor
from gamesched.domain.settings import KEEP, EffectiveSettings, Keep, Source
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import MAX_WHEN_LENGTH, parse_when, resolve_zone
from gamesched.services.announcements import discard_unannounced
from gamesched.services.configuration import channel_settings
from gamesched.services.games import (
    GameEdit,
    NewGame,
    create_game,
    edit_game,
    require_can_create,
    require_can_manage,
)
from gamesched.services.people import ZoneChoice, ZoneSource, time_zone_of
from gamesched.services.views import GameView
from webauth.access import acting_member, game_of, guild_of, require_viewer, web_text
from webauth.flash import flash
from webauth.forms import (
    GAME_SETTINGS,
    FormProblems,
    SettingRow,
    own_values,
    setting_rows,
)
from webauth.state import web_of

BOT_CANNOT_POST = (
    "gamesched cannot post in #{name}: a server admin can give it View Channel, "
    "Send Messages and Embed Links there."
)
NO_TIME = "Pick a date and time, or type one like `tomorrow 8pm`."
LOCAL_INPUT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?")
"""What a ``datetime-local`` control sends."""
MAX_OFFSET_MINUTES = 18 * 60
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


# --- reading the start time -------------------------------------------------------------------


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_name(text: str) -> str | None:
    try:
        return resolve_zone(text) if text.strip() else None
    except ValidationFailed:
        return None


def _offset_minutes(text: str) -> int | None:
    try:
        minutes = int(text.strip())
    except ValueError:
        return None
    return minutes if abs(minutes) <= MAX_OFFSET_MINUTES else None


@dataclass(frozen=True, slots=True)
class LocalStart:
    """A date picker's value read as an instant, and how it was read."""

    utc: datetime
    read_as: str
    """E.g. ``Sun 20 Dec 2026, 19:00 America/New_York (UTC-05:00)``."""


def read_local_start(
    local: str, *, zone: str, offset: str, now: datetime
) -> tuple[LocalStart | None, list[Problem]]:
    """A date picker's wall time, read in the browser's zone (else its UTC offset), with the
    modal's rules: not in the past, at most a year ahead, not in a clock change's gap."""
    local = local.strip()
    if not LOCAL_INPUT.fullmatch(local):
        return None, [
            Problem("when", "Pick a date and a time of day (like 2026-12-05 19:00), or type one.")
        ]
    wall = local.replace("T", " ")
    name = _zone_name(zone)
    if name is not None:
        text, offset_shown = wall, None
    else:
        minutes = _offset_minutes(offset)
        if minutes is None:
            return None, [
                Problem(
                    "when",
                    "Your browser did not say which time zone the date is in; type the time "
                    "in the field below instead (it is read in your own zone).",
                )
            ]
        offset_shown = _offset_text(minutes)
        text, name = wall + offset_shown, "UTC"
    try:
        parsed = parse_when(text, zone=name, now=now)
    except ValidationFailed as error:
        return None, list(error.problems)
    if offset_shown is None:
        return LocalStart(parsed.utc, parsed.describe()), []
    moment = datetime.fromisoformat(local)
    read_as = f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} (UTC{offset_shown})"
    return LocalStart(parsed.utc, read_as), []


def instant_of(local: str, *, zone: str, offset: str) -> datetime | None:
    """The instant a date picker's value names, without any checks (None if unreadable)."""
    if not LOCAL_INPUT.fullmatch(local.strip()):
        return None
    wall = datetime.fromisoformat(local.strip())
    name = _zone_name(zone)
    if name is not None:
        return wall.replace(tzinfo=ZoneInfo(name)).astimezone(UTC)
    minutes = _offset_minutes(offset)
    if minutes is None:
        return None
    return (wall - timedelta(minutes=minutes)).replace(tzinfo=UTC)


def local_value(moment: datetime, zone: str) -> str:
    """``moment`` as a date picker shows it in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True, slots=True)
class StartTime:
    """What the form says about the start: a value for the use case, and how it was read."""

    when: str | datetime | Keep
    read_as: str | None
    """How the date picker's value was read (None: typed text, read by the use case)."""
    problems: list[Problem]


def start_from(
    form: FormData, *, now: datetime, zone: str, shown: datetime | None = None
) -> StartTime:
    """The typed text when there is some (read in the member's ``zone``, as the use case reads
    it), else the date picker's value; an edit whose picker still shows ``shown`` keeps it."""
    typed = _text(form, "when")
    if typed.strip():
        try:
            parse_when(typed, zone=zone, now=now)
        except ValidationFailed as error:
            return StartTime("", None, list(error.problems))
        return StartTime(typed, None, [])
    local, zone, offset = _text(form, "start_local"), _text(form, "tz"), _text(form, "tz_offset")
    if not local.strip():
        return StartTime("", None, [Problem("when", NO_TIME)])
    if shown is not None:
        instant = instant_of(local, zone=zone, offset=offset)
        if instant is not None and instant == shown.replace(second=0, microsecond=0):
            return StartTime(KEEP, None, [])
    reading, problems = read_local_start(local, zone=zone, offset=offset, now=now)
    if reading is None:
        return StartTime("", None, problems)
    return StartTime(reading.utc, reading.read_as, problems)


# --- the other fields -------------------------------------------------------------------------


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Settings:
    """The game-level settings a form asks for (None: inherit)."""

    max_players: int | None
    reminder_minutes: tuple[int, ...] | None
    rules: str | None
    duration_minutes: int | None
    category: str | None
    problems: list[Problem]


def settings_from(form: FormData) -> Settings:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in GAME_SETTINGS:
        _, value, found = spec.read(form)
        values[spec.key] = value
        problems += found
    return Settings(**values, problems=problems)


def participants_problems(text: str) -> list[Problem]:
    if len(text) > MAX_TEXT_INPUT_VALUE:
        return [
            Problem(
                "participants",
                f"The participants list can be at most {MAX_TEXT_INPUT_VALUE} characters "
                f"(this one has {len(text)}); remove some entries.",
            )
        ]
    return []


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
    web = web_of(request)
    viewer = require_viewer(request)
    zone = await time_zone_of(web.core.services, user_id=viewer.user_id, guild_id=facts.guild_id)
    values["tz"] = values["tz"] or zone.zone
    selected = _int(values.get("channel", ""))
    if selected not in {c.channel_id for c in offered.allowed}:
        selected = offered.allowed[0].channel_id
    values["channel"] = str(selected)
    problems = problems or FormProblems()
    inherited = await _inherited(request, facts.guild_id, selected)
    return FormPage(
        facts=facts,
        zone=zone,
        values=values,
        rows=setting_rows(
            GAME_SETTINGS,
            inherited=inherited,
            own={},
            role_names=facts.role_names,
            form=form,
            problems=problems,
        ),
        problems=problems,
        channels=offered.allowed,
        inherited_by_channel=await _inherited_by_channel(request, facts, offered.allowed),
    )


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else None


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
    wanted_id = _int(wanted)
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
)
"""What the form's template shows as typed (``start_utc``: an edit's start, for the script
that shows it in the browser's zone)."""


def _values(**given: str) -> dict[str, str]:
    return {key: given.get(key, "") for key in VALUE_KEYS}


def _typed_values(form: FormData) -> dict[str, str]:
    values = _values(**{key: _text(form, key) for key in VALUE_KEYS if key != "start_utc"})
    values["ping"] = "on" if form.get("ping") == "on" else ""
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
    channel_id = _int(values["channel"])
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

    zone = await time_zone_of(web.core.services, user_id=actor.user_id, guild_id=guild_id)
    start = start_from(sent, now=web.core.services.now(), zone=zone.zone)
    settings = settings_from(sent)
    problems += start.problems + settings.problems + participants_problems(values["participants"])
    when = start.when
    assert not isinstance(when, Keep), "only an edit keeps its start"
    new = NewGame(
        guild_id=guild_id,
        channel_id=channel_id,
        title=values["title"],
        # With problems of its own the web sends an empty start: the use case then checks
        # every other field and is certain to write nothing.
        when="" if problems else when,
        description=values["description"],
        max_players=settings.max_players,
        participants=values["participants"],
        reminder_minutes=settings.reminder_minutes,
        rules=settings.rules,
        duration_minutes=settings.duration_minutes,
        category=settings.category,
        ping_participants=values["ping"] == "on",
    )
    try:
        created = await create_game(
            web.core.services, actor=actor, new=new, directory=web.core.directory
        )
    except ValidationFailed as error:
        return await _create_failed(request, facts, values, sent, _guarded(problems, error))
    except PermissionDenied as error:
        return web.pages.error(request, 403, web_text(error, facts.role_names))
    assert not problems, "the use case saw an empty start and cannot have written anything"
    try:
        await web.core.sync.publish(created.game.id)
    except DiscordError as error:
        if await discard_unannounced(web.core.services, game_id=created.game.id):
            notice = _post_failed(error, channel.name)
            return await _create_failed(request, facts, values, sent, [], notice=notice, status=502)
    read_as = start.read_as or created.read_as
    flash(request, f"Game #{created.game.id} created; it starts {read_as}.")
    return RedirectResponse(f"/games/{created.game.id}", status_code=303)


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


@dataclass(frozen=True, slots=True)
class Managed:
    """A game the member may edit (its host, or Manage Server), with their rights there."""

    game: GameView
    facts: GuildFacts
    actor: Actor


async def _managed_game(request: Request, *, fresh: bool = False) -> Managed:
    """A game of the member's in a channel they can see (else 404), if they may edit it."""
    web = web_of(request)
    found = await game_of(request, request.path_params["game_id"], fresh=fresh)
    game = found.game
    await require_can_manage(web.core.services, actor=found.actor, game_id=game.id)
    if game.status is not GameStatus.SCHEDULED:
        raise Conflict(GameNotOpen(game_id=game.id, status=game.status, action=GameAction.EDIT))
    return Managed(game, found.facts, found.actor)


async def _edit_page(
    request: Request,
    game: GameView,
    facts: GuildFacts,
    *,
    values: dict[str, str] | None = None,
    form: FormData | None = None,
    problems: FormProblems | None = None,
) -> FormPage:
    web = web_of(request)
    viewer = require_viewer(request)
    zone = await time_zone_of(web.core.services, user_id=viewer.user_id, guild_id=game.guild_id)
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
    problems = problems or FormProblems()
    channel = facts.channel(game.channel_id)
    return FormPage(
        facts=facts,
        zone=zone,
        values=values,
        rows=setting_rows(
            GAME_SETTINGS,
            inherited=await _inherited(request, game.guild_id, game.channel_id),
            own=own_values(game.settings, Source.GAME),
            role_names=facts.role_names,
            form=form,
            problems=problems,
        ),
        problems=problems,
        game=game,
        channel_name=channel.name if channel else str(game.channel_id),
    )


async def edit_game_form(request: Request) -> Response:
    """The form filled in with the game as it stands."""
    managed = await _managed_game(request)
    return (await _edit_page(request, managed.game, managed.facts)).render(request)


def _shown_start(text: str) -> datetime | None:
    try:
        shown = datetime.fromisoformat(text)
    except ValueError:
        return None
    return shown.astimezone(UTC) if shown.tzinfo is not None else None


async def edit_from_form(request: Request) -> Response:
    """Save the changes, bring the announcement up to date, and go to the game's page."""
    web = web_of(request)
    async with request.form() as form:
        values = _typed_values(form)
        sent = FormData(form.multi_items())
    # Fresh from Discord: whether the member still hosts or manages the server.
    managed = await _managed_game(request, fresh=True)
    game, facts = managed.game, managed.facts
    zone = await time_zone_of(
        web.core.services, user_id=managed.actor.user_id, guild_id=game.guild_id
    )
    start = start_from(
        sent,
        now=web.core.services.now(),
        zone=zone.zone,
        shown=_shown_start(values["start_shown"]),
    )
    settings = settings_from(sent)
    problems = start.problems + settings.problems
    edit = GameEdit(
        title=values["title"],
        description=values["description"],
        when="" if problems else start.when,
        max_players=settings.max_players,
        reminder_minutes=settings.reminder_minutes,
        rules=settings.rules,
        duration_minutes=settings.duration_minutes,
        category=settings.category,
        ping_participants=values["ping"] == "on",
    )
    try:
        edited = await edit_game(web.core.services, actor=managed.actor, game_id=game.id, edit=edit)
    except ValidationFailed as error:
        found = FormProblems.of(_guarded(problems, error))
        page = await _edit_page(request, game, facts, values=values, form=sent, problems=found)
        return page.render(request, 422)
    assert not problems, "the use case saw an empty start and cannot have written anything"
    web.core.sync.request(edited.game.id)
    moved = ""
    if edited.rescheduled:
        read_as = start.read_as or edited.read_as
        moved = f" It now starts {read_as}; its players are told."
    flash(request, f"Game #{game.id} saved.{moved}")
    return RedirectResponse(f"/games/{game.id}", status_code=303)


async def new_game(request: Request) -> Response:
    if request.method == "POST":
        return await create_from_form(request)
    return await new_game_form(request)


async def edit_game_page(request: Request) -> Response:
    if request.method == "POST":
        return await edit_from_form(request)
    return await edit_game_form(request)


ROUTES = [
    Route("/guilds/{guild_id:int}/games/new", new_game, methods=["GET", "POST"]),
    Route("/games/{game_id:int}/edit", edit_game_page, methods=["GET", "POST"]),
]
