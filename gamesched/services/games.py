"""Creating, editing, cancelling and listing games."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from gamesched.db import repositories as repo
from gamesched.db.tables import GameRow, ParticipantRow
from gamesched.domain.entries import (
    Entries,
    Member,
    ResolvedEntries,
    parse_entries,
    resolve_entries,
)
from gamesched.domain.errors import GameAction, PermissionDenied, Problem, ValidationFailed
from gamesched.domain.gamefields import description_problems, parse_max_players, title_problems
from gamesched.domain.lifecycle import move
from gamesched.domain.permissions import Actor, require_can_create_game
from gamesched.domain.roster import SlotStatus
from gamesched.domain.settings import (
    KEEP,
    Keep,
    SettingsLayer,
    SettingsPatch,
    normalise_reminders,
    setting_problems,
)
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import MAX_AHEAD, parse_when
from gamesched.services._common import (
    bump,
    fill_free_seats,
    load_game,
    load_managed_game,
    require_open,
    settings_of,
    view_of,
    views_of,
)
from gamesched.services.context import Context, MemberDirectory
from gamesched.services.history import Action, game_state, record_game
from gamesched.services.people import time_zone_of, zone_for
from gamesched.services.planning import NoticeKind, notify, replan_jobs
from gamesched.services.views import GameView, effective_settings, game_columns

OPEN_STATUSES = (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS)
EMPTY: tuple[object, ...] = (None, "", [], False)
"""Values a new game's history entry leaves out: unset, inherited or off."""
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class NewGame:
    """What a host submits to create a game. Text fields arrive as typed."""

    guild_id: int
    channel_id: int
    title: str
    when: str | datetime
    """Typed text read in the host's time zone, or an aware datetime (the web form sends UTC)."""
    description: str = ""
    max_players: int | str | None = None
    """Empty or None inherits the channel's (or guild's) value."""
    participants: str = ""
    """Mentions and placeholders, one per line or comma."""
    reminder_minutes: tuple[int, ...] | None = None
    rules: str | None = None
    duration_minutes: int | None = None
    category: str | None = None
    ping_participants: bool = False
    """Whether the announcement's participant mentions notify them."""
    host_id: int | None = None
    """Who hosts it: None for the one creating it. Only an operator names another member."""
    zone: str | None = None
    """Read typed ``when`` text in this IANA zone instead of the host's (an operator's)."""


@dataclass(frozen=True, slots=True)
class CreatedGame:
    game: GameView
    read_as: str
    """How the start time was understood, e.g. ``Sat 5 Dec 2026, 19:00 Europe/Berlin``."""


@dataclass(frozen=True, slots=True)
class GameEdit:
    """A change to a game; KEEP leaves a field alone, None makes a setting inherit again."""

    title: str | Keep = KEEP
    description: str | Keep = KEEP
    when: str | datetime | Keep = KEEP
    max_players: int | str | Keep | None = KEEP
    reminder_minutes: tuple[int, ...] | Keep | None = KEEP
    rules: str | Keep | None = KEEP
    duration_minutes: int | Keep | None = KEEP
    category: str | Keep | None = KEEP
    ping_participants: bool | Keep = KEEP
    zone: str | None = None
    """Read typed ``when`` text in this IANA zone instead of the editor's (an operator's)."""


@dataclass(frozen=True, slots=True)
class EditedGame:
    game: GameView
    read_as: str | None
    """How a new start time was understood (None when the time was not changed)."""
    rescheduled: bool
    """The start time moved: its players are told by DM."""
    promoted: tuple[int, ...]
    """Waitlisted members who got a seat because the cap went up."""


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[GameView, ...]
    total: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.items)
        return end if end < self.total else None


def _read_start(
    when: str | datetime, *, zone: str, now: datetime
) -> tuple[datetime | None, str, list[Problem]]:
    """The start instant, how it was read, and any problems."""
    if isinstance(when, datetime):
        if when.utcoffset() is None:
            return None, "", [Problem("when", "The start time must carry a time zone.")]
        start: datetime | None
        try:
            start = when.astimezone(UTC).replace(microsecond=0)
        except OverflowError:  # year 1 or 9999 moved across its UTC offset
            start = datetime.min.replace(tzinfo=UTC) if when.year == 1 else None
        if start is None or start - now > MAX_AHEAD:
            days = MAX_AHEAD.days
            message = f"That start time is more than {days} days ahead; pick an earlier date."
            return None, "", [Problem("when", message)]
        if start <= now:
            return None, "", [Problem("when", "That start time is in the past.")]
        return start, start.strftime("%a %-d %b %Y, %H:%M UTC"), []
    try:
        parsed = parse_when(when, zone=zone, now=now)
    except ValidationFailed as error:
        return None, "", list(error.problems)
    return parsed.utc, parsed.describe(), []


def _parse_participants(text: str) -> tuple[Entries | None, list[Problem]]:
    try:
        return parse_entries(text), []
    except ValidationFailed as error:
        return None, list(error.problems)


async def _resolve_participants(
    entries: Entries | None, *, guild_id: int, directory: MemberDirectory
) -> tuple[ResolvedEntries | None, list[Problem]]:
    if entries is None:
        return None, []
    candidates: Sequence[Member] = ()
    if entries.mentions or entries.user_ids:
        candidates = await directory.candidates(guild_id, entries)
    try:
        return resolve_entries(entries, candidates), []
    except ValidationFailed as error:
        return None, list(error.problems)


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


@dataclass(frozen=True, slots=True)
class GameTemplate:
    """A validated game to write: a new game's fields, or a series' template for each of its
    occurrences (:func:`add_game` writes it)."""

    guild_id: int
    channel_id: int
    host_id: int
    title: str
    description: str
    ping_participants: bool
    layer: SettingsLayer
    """The game's own settings (None inherits)."""
    entries: ResolvedEntries
    """The members and placeholders it starts with."""


@dataclass(frozen=True, slots=True)
class CheckedGame:
    """A new game that passed every check, not written yet."""

    template: GameTemplate
    start: datetime
    read_as: str
    zone: str
    """The IANA zone its start time was read in (the host's unless given)."""


async def check_new_game(
    ctx: Context, *, actor: Actor, new: NewGame, directory: MemberDirectory
) -> CheckedGame:
    """Check a new game without writing anything; every problem is reported together."""
    now = ctx.now()
    await require_can_create(ctx, actor=actor, guild_id=new.guild_id, channel_id=new.channel_id)
    host_id = actor.user_id if new.host_id is None else new.host_id
    if host_id != actor.user_id and actor.guild_id is not None:
        raise PermissionDenied("Only an operator can create a game for another host.")
    zone = new.zone or (await time_zone_of(ctx, user_id=host_id, guild_id=new.guild_id)).zone

    problems = title_problems(new.title) + description_problems(new.description)
    start, read_as, time_problems = _read_start(new.when, zone=zone, now=now)
    problems += time_problems
    max_players, cap_problems = parse_max_players(new.max_players)
    problems += cap_problems
    layer = SettingsLayer(
        max_players=max_players,
        reminder_minutes=None
        if new.reminder_minutes is None
        else normalise_reminders(new.reminder_minutes),
        rules=new.rules,
        duration_minutes=new.duration_minutes,
        category=new.category,
    )
    problems += [p for p in setting_problems(layer) if p.field != "max_players"]
    entries, entry_problems = _parse_participants(new.participants)
    resolved, match_problems = await _resolve_participants(
        entries, guild_id=new.guild_id, directory=directory
    )
    _raise_if(problems + entry_problems + match_problems)
    assert start is not None
    assert resolved is not None
    template = GameTemplate(
        guild_id=new.guild_id,
        channel_id=new.channel_id,
        host_id=host_id,
        title=new.title.strip(),
        description=new.description.strip(),
        ping_participants=new.ping_participants,
        layer=layer,
        entries=resolved,
    )
    return CheckedGame(template=template, start=start, read_as=read_as, zone=zone)


async def create_game(
    ctx: Context, *, actor: Actor, new: NewGame, directory: MemberDirectory
) -> CreatedGame:
    """Validate everything, then write the game, its participants and its plan in one go.

    On any problem nothing is written and every problem is reported together.
    """
    checked = await check_new_game(ctx, actor=actor, new=new, directory=directory)
    async with ctx.transaction() as session:
        view = await add_game(
            session, ctx, checked.template, start=checked.start, member_id=actor.user_id
        )
        return CreatedGame(game=view, read_as=checked.read_as)


async def add_game(
    session: AsyncSession,
    ctx: Context,
    template: GameTemplate,
    *,
    start: datetime,
    member_id: int | None,
    series_id: int | None = None,
    occurrence_on: date | None = None,
) -> GameView:
    """Write a checked game, its participants and its plan in the open transaction (a new
    game, or a series' occurrence with its series and date); ``member_id`` made it."""
    await repo.ensure_channel(session, channel_id=template.channel_id, guild_id=template.guild_id)
    game = GameRow(
        guild_id=template.guild_id,
        channel_id=template.channel_id,
        host_id=template.host_id,
        title=template.title,
        description=template.description,
        start_at=start,
        status=GameStatus.SCHEDULED,
        version=1,
        rendered_version=0,
        ping_participants=template.ping_participants,
        **game_columns(template.layer),
        series_id=series_id,
        occurrence_on=occurrence_on,
    )
    session.add(game)
    await session.flush()
    settings = await settings_of(session, game)
    _add_initial_participants(
        session, game, template.entries, max_players=settings.max_players.value
    )
    await replan_jobs(session, game, settings, now=ctx.now())
    await session.flush()
    view = await view_of(session, game)
    record_game(
        session,
        ctx,
        game,
        action=Action.CREATED,
        member_id=member_id,
        before={},
        after={k: v for k, v in game_state(game, view).items() if v not in EMPTY},
    )
    return view


def _add_initial_participants(
    session: AsyncSession, game: GameRow, resolved: ResolvedEntries, *, max_players: int
) -> None:
    """Members in typed order take the seats, the rest queue; placeholders never count."""
    key = game.version * 1000
    for index, user_id in enumerate(resolved.user_ids):
        status = SlotStatus.JOINED if index < max_players else SlotStatus.WAITLIST
        session.add(
            ParticipantRow(game_id=game.id, user_id=user_id, status=status, sort_key=key + index)
        )
    for index, text in enumerate(resolved.placeholders):
        session.add(
            ParticipantRow(
                game_id=game.id,
                placeholder=text,
                status=SlotStatus.PLACEHOLDER,
                sort_key=key + len(resolved.user_ids) + index,
            )
        )


def _edit_settings(edit: GameEdit) -> tuple[dict[str, object], list[Problem]]:
    """The setting columns an edit changes, and what is wrong with them."""
    max_players: int | Keep | None = KEEP
    problems: list[Problem] = []
    if not isinstance(edit.max_players, Keep):
        max_players, problems = parse_max_players(edit.max_players)
    reminders = edit.reminder_minutes
    patch = SettingsPatch(
        max_players=max_players,
        reminder_minutes=normalise_reminders(reminders)
        if isinstance(reminders, tuple)
        else reminders,
        rules=edit.rules,
        duration_minutes=edit.duration_minutes,
        category=edit.category,
    )
    problems += [p for p in setting_problems(patch) if p.field != "max_players"]
    changes = {
        f.name: list(value) if isinstance(value, tuple) else value
        for f in fields(patch)
        if (value := getattr(patch, f.name)) is not KEEP
    }
    return changes, problems


@dataclass(frozen=True, slots=True)
class CheckedEdit:
    """An edit that passed every check, not applied yet (:func:`apply_edit`)."""

    edit: GameEdit
    start: datetime | None
    """The new start (None keeps it)."""
    read_as: str | None
    settings: dict[str, object]
    """The setting columns it changes."""


async def check_edit(ctx: Context, *, actor: Actor, game_id: int, edit: GameEdit) -> CheckedEdit:
    """Check an edit of a scheduled game the actor may manage, without writing anything."""
    now = ctx.now()
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id)
        require_open(game, GameAction.EDIT)
        zone = edit.zone or await zone_for(session, user_id=actor.user_id, guild_id=game.guild_id)

    problems: list[Problem] = []
    if not isinstance(edit.title, Keep):
        problems += title_problems(edit.title)
    if not isinstance(edit.description, Keep):
        problems += description_problems(edit.description)
    start: datetime | None = None
    read_as: str | None = None
    if not isinstance(edit.when, Keep):
        start, read_as, time_problems = _read_start(edit.when, zone=zone, now=now)
        problems += time_problems
    setting_changes, setting_errors = _edit_settings(edit)
    _raise_if(problems + setting_errors)
    return CheckedEdit(edit=edit, start=start, read_as=read_as, settings=setting_changes)


async def edit_game(ctx: Context, *, actor: Actor, game_id: int, edit: GameEdit) -> EditedGame:
    """Change a scheduled game; moving its start tells its players and moves its reminders."""
    checked = await check_edit(ctx, actor=actor, game_id=game_id, edit=edit)
    async with ctx.transaction() as session:
        return await apply_edit(session, ctx, actor=actor, game_id=game_id, checked=checked)


async def apply_edit(
    session: AsyncSession, ctx: Context, *, actor: Actor, game_id: int, checked: CheckedEdit
) -> EditedGame:
    """Apply a checked edit to a scheduled game in the open transaction: its players are told
    of a new start, its reminders follow, a higher cap seats the waitlist."""
    now = ctx.now()
    edit, start = checked.edit, checked.start
    game = await load_game(session, game_id, lock=True)
    require_open(game, GameAction.EDIT)
    before = game_state(game, await view_of(session, game))
    if not isinstance(edit.title, Keep):
        game.title = edit.title.strip()
    if not isinstance(edit.description, Keep):
        game.description = edit.description.strip()
    if not isinstance(edit.ping_participants, Keep):
        game.ping_participants = edit.ping_participants
    for name, value in checked.settings.items():
        setattr(game, name, value)
    rescheduled = start is not None and start != game.start_at
    if start is not None:
        game.start_at = start
    first_key = bump(game)
    promoted = await fill_free_seats(session, game, first_key=first_key)
    settings = await settings_of(session, game)
    await replan_jobs(session, game, settings, now=now)
    if rescheduled:
        view = await view_of(session, game)
        notify(
            session,
            game,
            NoticeKind.RESCHEDULED,
            [u for u in view.joined + view.waitlist if u != actor.user_id and u not in promoted],
        )
    notify(session, game, NoticeKind.PROMOTED, promoted)
    await session.flush()
    view = await view_of(session, game)
    record_game(
        session,
        ctx,
        game,
        action=Action.EDITED,
        member_id=actor.user_id,
        before=before,
        after=game_state(game, view),
    )
    return EditedGame(
        game=view,
        read_as=checked.read_as,
        rescheduled=rescheduled,
        promoted=promoted,
    )


async def cancel_game(ctx: Context, *, actor: Actor, game_id: int) -> GameView:
    """Cancel a game before it completes: it stays listed as cancelled; its players are told."""
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, lock=True)
        return await cancel_loaded(session, ctx, game, actor=actor)


async def cancel_loaded(
    session: AsyncSession, ctx: Context, game: GameRow, *, actor: Actor
) -> GameView:
    """Cancel a locked game in the open transaction (:func:`cancel_game`'s change)."""
    was = game.status
    game.status = move(GameStatus(game.status), GameStatus.CANCELLED)
    bump(game)
    await replan_jobs(session, game, await settings_of(session, game), now=ctx.now())
    view = await view_of(session, game)
    record_game(
        session,
        ctx,
        game,
        action=Action.CANCELLED,
        member_id=actor.user_id,
        before={"status": was},
        after={"status": game.status},
    )
    notify(
        session,
        game,
        NoticeKind.CANCELLED,
        [u for u in view.joined + view.waitlist if u != actor.user_id],
    )
    await session.flush()
    return await view_of(session, game)


async def get_game(ctx: Context, game_id: int) -> GameView:
    """One game, or a NotFound."""
    async with ctx.transaction() as session:
        return await view_of(session, await load_game(session, game_id))


async def list_games(
    ctx: Context,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    channel_ids: Collection[int] | None = None,
    category: str | None = None,
    statuses: tuple[GameStatus, ...] = OPEN_STATUSES,
    host_id: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int = 25,
    offset: int = 0,
) -> Page:
    """Games matching the filters, soonest first, a page at a time.

    ``channel_ids`` keeps to those channels (the ones the asking member can see); an empty
    ``statuses`` keeps games of every status.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    async with ctx.transaction() as session:
        total, rows = await repo.page_of_games(
            session,
            guild_id=guild_id,
            channel_id=channel_id,
            channel_ids=channel_ids,
            category=category,
            statuses=statuses,
            host_id=host_id,
            starts_from=starts_from,
            starts_before=starts_before,
            limit=limit,
            offset=max(0, offset),
        )
        return Page(items=tuple(await views_of(session, rows)), total=total, offset=offset)


class GameRole(StrEnum):
    """A member's part in a game they host or are in."""

    HOST = "host"
    JOINED = "joined"
    WAITLIST = "waitlist"


@dataclass(frozen=True, slots=True)
class MyGame:
    game: GameView
    role: GameRole


async def my_games(
    ctx: Context,
    *,
    user_id: int,
    guild_id: int | None = None,
    statuses: tuple[GameStatus, ...] = OPEN_STATUSES,
    starts_from: datetime | None = None,
) -> list[MyGame]:
    """Games the user hosts or is in, soonest first (an empty ``statuses`` keeps every
    status; ``starts_from`` keeps those starting from then on)."""
    async with ctx.transaction() as session:
        rows = await repo.games_of_user(
            session,
            user_id=user_id,
            guild_id=guild_id,
            statuses=statuses,
            starts_from=starts_from,
        )
        result = []
        for view in await views_of(session, rows):
            status = view.roster.status_of(user_id)
            # A game they are not in is one they host.
            role = GameRole.HOST if view.host_id == user_id or status is None else GameRole(status)
            result.append(MyGame(game=view, role=role))
        return result


async def require_can_create(ctx: Context, *, actor: Actor, guild_id: int, channel_id: int) -> None:
    """Check the create permission before the host types anything (create_game checks again)."""
    async with ctx.transaction() as session:
        inherited = effective_settings(
            game=None,
            channel=await repo.get_channel(session, channel_id),
            guild=await repo.get_guild(session, guild_id),
        )
    require_can_create_game(actor, host_role_ids=inherited.host_role_ids.value)


async def require_can_manage(ctx: Context, *, actor: Actor, game_id: int) -> GameView:
    """The game, if the actor may edit or cancel it (before a form is shown)."""
    async with ctx.transaction() as session:
        return await view_of(session, await load_managed_game(session, actor, game_id))


@dataclass(frozen=True, slots=True)
class MovedGame:
    game: GameView
    """The game in its new channel, not announced there yet (``message_id`` None)."""
    from_channel_id: int
    old_message_id: int | None
    """The announcement left in the old channel (None if it was never posted): the front
    end deletes it when it talks to Discord."""
    promoted: tuple[int, ...]
    """Waitlisted members who got a seat because the new channel's cap is higher."""


async def move_game(ctx: Context, *, actor: Actor, game_id: int, channel_id: int) -> MovedGame:
    """Announce a scheduled game in another channel of its server.

    Its settings that are not its own now come from the new channel, and its reminders and
    status changes are planned again with them; nobody is told by DM (the start is the same),
    except waitlisted members a higher cap seats. The game is left unannounced
    (``message_id`` None), as a new game is: the front end that moved it posts it in the new
    channel (``AnnouncementSync.publish``) when it talks to Discord, else the worker's sweep
    does once the unannounced grace has passed; the old message is returned for the caller
    to delete. Moving to the channel it is in is refused, so a repeated request changes
    nothing.
    """
    now = ctx.now()
    async with ctx.transaction() as session:
        game = await load_managed_game(session, actor, game_id, lock=True)
        require_open(game, GameAction.EDIT)
        if channel_id == game.channel_id:
            message = f"Game #{game.id} is already announced in that channel; pick another one."
            raise ValidationFailed([Problem("channel", message)])
        known = await repo.get_channel(session, channel_id)
        if known is not None and known.guild_id != game.guild_id:
            message = "That channel belongs to another server; pick one from this server."
            raise ValidationFailed([Problem("channel", message)])
        await repo.ensure_channel(session, channel_id=channel_id, guild_id=game.guild_id)
        before = game_state(game, await view_of(session, game))
        from_channel_id, old_message_id = game.channel_id, game.message_id
        before["message_id"] = old_message_id
        game.channel_id = channel_id
        game.message_id = None
        game.rendered_version = 0
        first_key = bump(game)
        promoted = await fill_free_seats(session, game, first_key=first_key)
        notify(session, game, NoticeKind.PROMOTED, promoted)
        await replan_jobs(session, game, await settings_of(session, game), now=now)
        await session.flush()
        view = await view_of(session, game)
        record_game(
            session,
            ctx,
            game,
            action=Action.MOVED,
            member_id=actor.user_id,
            before=before,
            after=game_state(game, view) | {"message_id": None},
        )
        return MovedGame(
            game=view,
            from_channel_id=from_channel_id,
            old_message_id=old_message_id,
            promoted=promoted,
        )
