"""Games: create, list, show, edit, cancel, join and leave, with the bot's use cases.

A member sees the games of the channels they can see in their guilds with the bot; a game
anywhere else answers 404 as if it did not exist. Changes ask Discord for the member's rights
right before they are made, and the announcement follows: posted before a create answers,
brought up to date after any other change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import ValidationError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from gamesched.discord.rest import DiscordError, DiscordForbidden, DiscordNotFound
from gamesched.domain.errors import (
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gamesched.domain.permissions import Actor
from gamesched.domain.recurrence import Recurrence, read_recurrence
from gamesched.domain.settings import KEEP, Keep
from gamesched.domain.status import GameStatus
from gamesched.services.games import (
    MAX_PAGE_SIZE,
    OPEN_STATUSES,
    GameEdit,
    NewGame,
    cancel_game,
    create_game,
    edit_game,
    list_games,
    require_can_create,
    require_can_manage,
)
from gamesched.services.participation import Joined, Left, join_game, leave_game
from gamesched.services.series import create_series
from gamesched.services.views import GameView
from webauth.access import (
    NOT_A_MEMBER,
    MemberGame,
    acting_member,
    game_of,
    guild_of,
    member_guilds,
    require_viewer,
    visible_channel_ids,
)
from webauth.api import models, shapes
from webauth.api.errors import ApiError, problems_json, refusal
from webauth.api.handling import (
    answer,
    endpoint,
    parse,
    path_id,
    problems_message,
    pydantic_problems,
    raw_json,
)
from webauth.api.models import plain_text
from webauth.inputs import read_id
from webauth.present import names_in, roster_of
from webauth.state import web_of

T = TypeVar("T")

FIELDS = {"participants": "initial_participants", "channel": "channel_id"}
"""The use cases' field names that the API spells differently."""
NOT_CREATED = "The game was not created; fix these and send it again:"
NOT_SAVED = "The game was not changed; fix these and send it again:"
NO_CHANNEL = (
    "There is no channel with that id that you can see. "
    "GET /api/v1/guilds/{guild_id}/channels lists them."
)


def game_invalid(
    problems: Sequence[dict[str, Any]],
    form: Any,
    *,
    heading: str,
    invalid_mentions: Sequence[dict[str, Any]] = (),
    valid_participants: Sequence[str] = (),
) -> ApiError:
    """The 422 of a game that could not be saved: every problem, and the body echoed back."""
    lines = [
        f"{p['entry']}: {p['message']}" if p.get("entry") else f"{p['field']}: {p['message']}"
        for p in problems
    ]
    return ApiError(
        422,
        "invalid_mentions" if invalid_mentions else "invalid",
        "\n".join([heading, *lines]),
        problems=list(problems),
        invalid_mentions=list(invalid_mentions),
        valid_participants=list(valid_participants),
        form_data=form if isinstance(form, dict) else {},
    )


def refused_game(
    error: ValidationFailed, form: Any, *, heading: str, entries: Sequence[str] = (), when: str
) -> ApiError:
    """A use case's problems as :func:`game_invalid`: ambiguous or unknown participants
    become ``invalid_mentions`` with their suggestions."""
    fields = {**FIELDS, "when": when}
    mentions = [
        {
            "input": p.entry,
            "reason": p.message,
            "suggestions": [
                {
                    "discordId": str(s.user_id),
                    "username": s.username,
                    "displayName": s.display_name,
                    "replacement": s.replacement,
                }
                for s in p.suggestions
            ],
        }
        for p in error.problems
        if p.field == "participants" and p.entry is not None
    ]
    bad = {m["input"] for m in mentions}
    valid = [entry.strip() for entry in entries if entry.strip() and entry.strip() not in bad]
    return game_invalid(
        problems_json(error.problems, fields=fields),
        form,
        heading=heading,
        invalid_mentions=mentions,
        valid_participants=valid,
    )


async def visible_game(request: Request, *, fresh: bool = False) -> MemberGame:
    """The game of the path's ``id`` with the member's rights in its channel; a game they
    cannot see is not found (:func:`webauth.access.game_of`)."""
    require_viewer(request)
    game_id = path_id(request, "id")
    if game_id is None:
        raise ApiError(
            404,
            "game_not_found",
            "Game ids are whole numbers. GET /api/v1/games lists the games you can see.",
        )
    return await game_of(request, game_id, fresh=fresh)


async def shown(request: Request, game: GameView, actor: Actor) -> models.GameOut:
    names = await names_in(web_of(request).core.names, [game])
    return shapes.game(game, names, viewer=actor)


@endpoint
async def create(request: Request) -> Response:
    """Create a game as the logged-in member; its announcement is posted before answering."""
    require_viewer(request)
    web = web_of(request)
    services = web.core.services
    form = await raw_json(request)
    try:
        body = parse(models.CreateGame, form)
    except ValidationError as error:
        raise game_invalid(
            pydantic_problems(error, fields=FIELDS), form, heading=NOT_CREATED
        ) from None
    guild_id, channel_id = int(body.guild_id), int(body.channel_id)
    guild = await guild_of(request, guild_id)
    channel = guild.facts.channel(channel_id)
    if channel is None or not channel.postable:
        message = (
            "That is not a text channel of this server. "
            "GET /api/v1/guilds/{guild_id}/channels lists them."
        )
        problem = {"field": "channel_id", "message": message, "entry": None}
        raise game_invalid([problem], form, heading=NOT_CREATED)
    actor = await acting_member(request, guild_id, channel_id=channel_id, fresh=True)
    facts = await web.core.rights.guild(guild_id) or guild.facts  # just fetched
    try:
        await require_can_create(services, actor=actor, guild_id=guild_id, channel_id=channel_id)
    except PermissionDenied as refused:
        return refusal(refused, facts.role_names)
    if not await web.core.rights.bot_can_post(facts, channel_id):
        raise cannot_post(channel.name, form)
    when, when_field = start_of(body, form, heading=NOT_CREATED, required=True)
    assert not isinstance(when, Keep)
    repeat = repeat_of(body, form)
    new = NewGame(
        guild_id=guild_id,
        channel_id=channel_id,
        title=body.title,
        when=when,
        description=body.description,
        max_players=body.max_players,
        participants="\n".join(body.initial_participants),
        reminder_minutes=None if body.reminder_minutes is None else tuple(body.reminder_minutes),
        rules=body.rules,
        duration_minutes=body.duration_minutes,
        category=body.category,
        ping_participants=body.ping_participants,
    )
    try:
        if repeat is None:
            created = await create_game(
                services, actor=actor, new=new, directory=web.core.directory
            )
            announce = partial(web.core.sync.announce_new, created.game.id)
        else:
            made = await create_series(
                services,
                actor=actor,
                game=new,
                recurrence=repeat,
                ahead_days=body.ahead_days,
                carry_roster=body.carry_roster,
                directory=web.core.directory,
            )
            announce = partial(web.core.sync.announce_series, made, actor=actor)
    except ValidationFailed as error:
        raise refused_game(
            error,
            form,
            heading=NOT_CREATED,
            entries=body.initial_participants,
            when=when_field,
        ) from None
    except PermissionDenied as refused:
        return refusal(refused, facts.role_names)
    try:
        game = await announce()
    except DiscordError as error:
        if isinstance(error, DiscordForbidden | DiscordNotFound):
            raise cannot_post(channel.name, form) from None
        raise
    return answer(await shown(request, game, actor), 201, Location=f"/api/v1/games/{game.id}")


ONLY_WITH_REPEAT = (
    "`ahead_days` and `carry_roster` are for a recurring game: give `repeat` too, or leave "
    "them out."
)


def repeat_of(body: models.CreateGame, form: Any) -> Recurrence | None:
    """The series a create asks for (None: a single game), or its 422."""
    if body.repeat is None or not body.repeat.strip():
        if body.ahead_days is not None or body.carry_roster:
            problem = {"field": "repeat", "message": ONLY_WITH_REPEAT, "entry": None}
            raise game_invalid([problem], form, heading=NOT_CREATED)
        return None
    try:
        return read_recurrence(body.repeat)
    except ValidationFailed as error:
        raise refused_game(error, form, heading=NOT_CREATED, when="when") from None


def cannot_post(channel_name: str, form: Any) -> ApiError:
    """The 422 of a create in a channel gamesched may not (or can no longer) post in."""
    message = (
        f"gamesched may not post in #{channel_name}: pick another channel, or ask a server "
        "admin to let it view the channel, send messages and embed links there."
    )
    problem = {"field": "channel_id", "message": message, "entry": None}
    return game_invalid([problem], form, heading=NOT_CREATED)


def start_problem(message: str, form: Any, *, heading: str) -> ApiError:
    return game_invalid(
        [{"field": "scheduled_at", "message": message, "entry": None}], form, heading=heading
    )


def start_of(
    body: models.CreateGame | models.EditGame, form: Any, *, heading: str, required: bool
) -> tuple[datetime | str | Keep, str]:
    """The start the body gives (``scheduled_at`` or ``when``; KEEP when an edit gives
    neither), and the field its problems are named by."""
    if body.scheduled_at is not None and body.when is not None:
        raise start_problem(
            "Give the start once: scheduled_at or when, not both.", form, heading=heading
        )
    if body.scheduled_at is not None:
        return body.scheduled_at, "scheduled_at"
    if body.when is not None:
        return body.when, "when"
    if required:
        raise start_problem(
            "Give the start: scheduled_at (ISO 8601 with an offset, e.g. 2026-12-05T19:00:00Z) "
            "or when (as typed in Discord, e.g. tomorrow 8pm).",
            form,
            heading=heading,
        )
    if body.model_fields_set & {"scheduled_at", "when"}:
        raise start_problem(
            "A game always has a start, so it cannot be null; leave scheduled_at and when out "
            "to keep it.",
            form,
            heading=heading,
        )
    return KEEP, "scheduled_at"


@endpoint
async def show(request: Request) -> Response:
    """One game as the member sees it."""
    seen = await visible_game(request)
    return answer(await shown(request, seen.game, seen.actor))


@endpoint
async def participants(request: Request) -> Response:
    """The game's people: joined, the waitlist in order, then placeholders."""
    game = (await visible_game(request)).game
    names = await names_in(web_of(request).core.names, [game])
    return answer(shapes.participants(game, roster_of(game, names)))


@endpoint
async def edit(request: Request) -> Response:
    """Change a game (its host, or someone with Manage Server)."""
    seen = await visible_game(request, fresh=True)
    game, actor = seen.game, seen.actor
    web = web_of(request)
    services = web.core.services
    await require_can_manage(services, actor=actor, game_id=game.id)
    form = await raw_json(request)
    try:
        body = parse(models.EditGame, form)
    except ValidationError as error:
        raise game_invalid(pydantic_problems(error), form, heading=NOT_SAVED) from None
    when, when_field = start_of(body, form, heading=NOT_SAVED, required=False)
    given = body.model_fields_set
    null_fields = [
        name
        for name in ("title", "description", "ping_participants")
        if name in given and getattr(body, name) is None
    ]
    if null_fields:
        problems = [
            {
                "field": name,
                "message": "This field cannot be null; leave it out to keep it.",
                "entry": None,
            }
            for name in null_fields
        ]
        raise game_invalid(problems, form, heading=NOT_SAVED)
    reminders = body.reminder_minutes
    change = GameEdit(
        title=kept_unless(body.title),
        description=kept_unless(body.description),
        when=when,
        max_players=keep_or(given, "max_players", body.max_players),
        reminder_minutes=keep_or(
            given, "reminder_minutes", None if reminders is None else tuple(reminders)
        ),
        rules=keep_or(given, "rules", body.rules),
        duration_minutes=keep_or(given, "duration_minutes", body.duration_minutes),
        category=keep_or(given, "category", body.category),
        ping_participants=kept_unless(body.ping_participants),
    )
    try:
        edited = await edit_game(services, actor=actor, game_id=game.id, edit=change)
    except ValidationFailed as error:
        raise refused_game(error, form, heading=NOT_SAVED, when=when_field) from None
    web.core.sync.request(game.id)
    return answer(await shown(request, edited.game, actor))


def keep_or(given: set[str], name: str, value: T) -> T | Keep:
    """``value`` (``None``: inherit) when the body gives the field, else KEEP."""
    return value if name in given else KEEP


def kept_unless(value: T | None) -> T | Keep:
    """``value`` of a field that cannot be null (nulls were refused): KEEP when left out."""
    return KEEP if value is None else value


@endpoint
async def cancel(request: Request) -> Response:
    """Cancel a game (its host, or someone with Manage Server): it stays, as cancelled."""
    seen = await visible_game(request, fresh=True)
    game, actor = seen.game, seen.actor
    web = web_of(request)
    cancelled = await cancel_game(web.core.services, actor=actor, game_id=game.id)
    web.core.sync.request(game.id)
    return answer(await shown(request, cancelled, actor))


@endpoint
async def join(request: Request) -> Response:
    """Take a seat, or a place on the waitlist when the game is full."""
    return await roster_change(request, join_game)


@endpoint
async def leave(request: Request) -> Response:
    """Give up a seat (the first in line gets it) or a place on the waitlist."""
    return await roster_change(request, leave_game)


async def roster_change(
    request: Request, change: Callable[..., Awaitable[Joined | Left]]
) -> Response:
    """The member joins or leaves (``change``) the path's game; the announcement follows."""
    seen = await visible_game(request)
    web = web_of(request)
    changed = await change(web.core.services, game_id=seen.game.id, user_id=seen.actor.user_id)
    web.core.sync.request(seen.game.id)
    return answer(await shown(request, changed.game, seen.actor))


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``GET /api/v1/games`` is asked for."""

    guild_id: int | None
    channel_id: int | None
    category: str | None
    statuses: tuple[GameStatus, ...]
    limit: int
    offset: int


def read_filters(query: QueryParams) -> Filters:
    """The list's filters from the query, or a 422 naming every bad parameter."""
    problems: list[dict[str, Any]] = []

    def problem(name: str, message: str) -> None:
        problems.append({"field": name, "message": message, "entry": None})

    def snowflake(name: str) -> int | None:
        raw = query.get(name)
        if raw is None:
            return None
        if (found := read_id(raw)) is not None:
            return found
        problem(name, f"{name} must be a Discord id: digits, e.g. 1170000000000000001.")
        return None

    def number(name: str, *, default: int, low: int, high: int) -> int:
        raw = query.get(name)
        if raw is None:
            return default
        if raw.isascii() and raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high:
            return int(raw)
        problem(name, f"{name} must be a whole number from {low} to {high}.")
        return default

    category = query.get("category")
    if category is not None:
        try:
            plain_text(category)
        except ValueError as refused:
            problem("category", f"The category: {refused}.")
    statuses = []
    for value in query.getlist("status"):
        try:
            statuses.append(GameStatus(value))
        except ValueError:
            known = ", ".join(s.value for s in GameStatus)
            problem(
                "status",
                f"status must be one of {known} (repeat the parameter for several).",
            )
    filters = Filters(
        guild_id=snowflake("guild_id"),
        channel_id=snowflake("channel_id"),
        category=category,
        statuses=tuple(statuses) or OPEN_STATUSES,
        limit=number("limit", default=models.DEFAULT_PAGE_SIZE, low=1, high=MAX_PAGE_SIZE),
        offset=number("offset", default=0, low=0, high=models.MAX_OFFSET),
    )
    if problems:
        raise ApiError(422, "invalid", problems_message(problems), problems=problems)
    return filters


@endpoint
async def listing(request: Request) -> Response:
    """Games in the channels the member can see, soonest first, a page at a time."""
    require_viewer(request)
    filters = read_filters(request.query_params)
    shared = await member_guilds(request)
    if filters.guild_id is not None:
        shared = [g for g in shared if g.facts.guild_id == filters.guild_id]
        if not shared:
            raise NotFound(NOT_A_MEMBER)
    visible: dict[int, Actor] = {}
    """The channels whose games the member is shown -> their rights in its guild."""
    for guild in shared:
        visible.update(dict.fromkeys(visible_channel_ids(guild), guild.actor))
    if filters.channel_id is not None and filters.channel_id not in visible:
        raise NotFound(NO_CHANNEL)
    web = web_of(request)
    page = await list_games(
        web.core.services,
        guild_id=filters.guild_id,
        channel_id=filters.channel_id,
        channel_ids=list(visible),
        category=filters.category,
        statuses=filters.statuses,
        limit=filters.limit,
        offset=filters.offset,
    )
    names = await names_in(web.core.names, page.items)
    return answer(
        models.GamePageOut(
            games=[shapes.game(g, names, viewer=visible[g.channel_id]) for g in page.items],
            total=page.total,
            offset=filters.offset,
            next_offset=page.next_offset,
        )
    )
