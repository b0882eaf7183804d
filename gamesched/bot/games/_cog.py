"""The games commands and buttons: create/edit (through the form), join, leave, list, cancel,
assign a placeholder, show a game."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import disnake
from disnake.ext import commands

from gamesched.bot.actors import GUILD_ONLY, actor_of, permissions_in, visible_channels
from gamesched.bot.components import read_custom_id
from gamesched.bot.failures import MISSING_PERMISSIONS
from gamesched.bot.games._drafts import CreateOptions, Draft
from gamesched.bot.games._form import GameForm
from gamesched.bot.games._render import (
    MY_GAMES_TITLE,
    NO_GAMES_OF_MINE,
    NOTHING_CHANGED,
    assigned_text,
    cancel_question_text,
    cancelled_text,
    dates_text,
    joined_text,
    left_text,
    list_texts,
    preview_text,
    series_cancel_question_text,
    series_cancelled_text,
    skipped_text,
)
from gamesched.bot.games._series import (
    CANCEL_SCOPES,
    EDIT_SCOPES,
    MAX_DATE_LENGTH,
    THIS_GAME,
    cancel_series_buttons,
    edit_scope_of,
    read_date,
    repeats_field,
    series_for,
    series_options,
)
from gamesched.bot.games._views import calendar_links, cancel_confirmation
from gamesched.bot.interactions import AnyInteraction, Click, CommandInteraction, GuildCommand
from gamesched.bot.replies import reply, within_deadline
from gamesched.discord import render
from gamesched.discord.custom_ids import Action, GameRef, action_prefix
from gamesched.discord.limits import CHOICE_NAME_RANGE, MAX_OPTION_CHOICES
from gamesched.domain.errors import (
    AlreadyInStatus,
    Conflict,
    GameAction,
    GameNotOpen,
    NotFound,
    PermissionDenied,
    UnknownGame,
)
from gamesched.domain.permissions import may_manage_game
from gamesched.domain.recurrence import MAX_REPEAT_LENGTH, read_recurrence
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    parse_reminder_minutes,
)
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import MAX_WHEN_LENGTH
from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.services.games import (
    MAX_PAGE_SIZE,
    GameRole,
    cancel_game,
    get_game,
    list_games,
    my_games,
    require_can_create,
    require_can_manage,
)
from gamesched.services.participation import assign_placeholder, join_game, leave_game
from gamesched.services.people import time_zone_of
from gamesched.services.series import (
    MAX_AHEAD_DAYS,
    MIN_AHEAD_DAYS,
    SeriesView,
    cancel_series,
    preview_series,
    series_of_game,
    skip_date,
)
from gamesched.services.views import GameView

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot

LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"


class GamesCog(commands.Cog):
    """The slash commands and the game buttons; the form is :class:`GameForm`'s."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        self.form = GameForm(bot)
        router = bot.components
        router.route_components(action_prefix(Action.JOIN), self._join)
        router.route_components(action_prefix(Action.LEAVE), self._leave)
        router.route_components(action_prefix(Action.CANCEL_YES), self._confirm_cancel)
        router.route_components(action_prefix(Action.CANCEL_NO), self._keep_game)
        router.route_components(action_prefix(Action.CANCEL_SERIES), self._confirm_cancel_series)
        router.route_forms(action_prefix(Action.SUBMIT), self.form.submit)
        router.route_components(action_prefix(Action.REOPEN), self.form.reopen)
        router.route_components(action_prefix(Action.PICK), self.form.pick)

    @property
    def services(self) -> Context:
        return self.bot.deps.services

    # ----- creating -------------------------------------------------------------------

    @commands.slash_command(name="create-game", contexts=GUILD_ONLY)
    async def create_game_command(
        self,
        inter: GuildCommand,
        channel: disnake.TextChannel | None = commands.Param(
            None, description="Where to announce it (default: here)"
        ),
        reminders: str | None = commands.Param(
            None, description="Minutes before the start, e.g. 60, 15 (default: inherited)"
        ),
        duration: int | None = commands.Param(
            None,
            description="Expected length in minutes (default: inherited)",
            ge=MIN_DURATION_MINUTES,
            le=MAX_DURATION_MINUTES,
        ),
        rules: str | None = commands.Param(
            None, description="House rules", max_length=MAX_RULES_LENGTH
        ),
        category: str | None = commands.Param(
            None,
            description="A label for browsing, e.g. Board games",
            max_length=MAX_CATEGORY_LENGTH,
        ),
        ping_participants: bool = commands.Param(
            False, description="Let the announcement notify the listed players"
        ),
        repeat: str | None = commands.Param(
            None,
            description="Make it recurring, e.g. weekly on Thu, monthly on the last Friday",
            max_length=MAX_REPEAT_LENGTH,
        ),
        create_ahead_days: int | None = commands.Param(
            None,
            description="With repeat: announce each game this many days ahead (default: "
            "the next once one starts)",
            ge=MIN_AHEAD_DAYS,
            le=MAX_AHEAD_DAYS,
        ),
        carry_roster: bool = commands.Param(
            False, description="With repeat: each game starts with the last one's players"
        ),
    ) -> None:
        """Announce a game (or a recurring one): opens a form for title, time, description,
        seats and players."""
        target = channel.id if channel is not None else inter.channel_id
        if not _bot_can_announce(inter, target):
            raise PermissionDenied(MISSING_PERMISSIONS)  # before the host types a whole form
        await require_can_create(
            self.services,
            actor=actor_of(inter, channel_id=target),
            guild_id=inter.guild_id,
            channel_id=target,
        )
        options = CreateOptions(
            reminder_minutes=parse_reminder_minutes(reminders or ""),
            duration_minutes=duration,
            rules=rules,
            category=category,
            ping_participants=ping_participants,
            repeat=series_options(repeat, ahead_days=create_ahead_days, carry_roster=carry_roster),
        )
        await self.form.open(
            inter,
            Draft(
                kind="create",
                user_id=inter.author.id,
                guild_id=inter.guild_id,
                channel_id=target,
                options=options,
            ),
        )

    # ----- buttons: join, leave, confirm or keep a cancellation -----------------------

    async def _join(self, inter: Click) -> None:
        game_id = _game_id(inter)
        joined = await within_deadline(
            inter, join_game(self.services, game_id=game_id, user_id=inter.author.id)
        )
        self.bot.deps.sync.request(game_id)
        await reply(inter, joined_text(joined))

    async def _leave(self, inter: Click) -> None:
        game_id = _game_id(inter)
        left = await within_deadline(
            inter, leave_game(self.services, game_id=game_id, user_id=inter.author.id)
        )
        self.bot.deps.sync.request(game_id)
        await reply(inter, left_text(left))

    async def _confirm_cancel(self, inter: Click) -> None:
        game_id = _game_id(inter)
        game = await cancel_game(self.services, actor=actor_of(inter), game_id=game_id)
        self.bot.deps.sync.request(game_id)
        await inter.response.edit_message(content=cancelled_text(game), components=[])

    async def _confirm_cancel_series(self, inter: Click) -> None:
        series = await series_for(self.services, await get_game(self.services, _game_id(inter)))
        ended = await cancel_series(self.services, actor=actor_of(inter), series_id=series.id)
        for game in ended.cancelled:
            self.bot.deps.sync.request(game.id)
        await inter.response.edit_message(
            content=series_cancelled_text(series.title, cancelled=len(ended.cancelled)),
            components=[],
        )

    async def _keep_game(self, inter: Click) -> None:
        await inter.response.edit_message(content=NOTHING_CHANGED, components=[])

    # ----- editing, cancelling, assigning ---------------------------------------------

    @commands.slash_command(name="edit-game", contexts=GUILD_ONLY)
    async def edit_game_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
        scope: str = commands.Param(
            THIS_GAME,
            description="For a recurring game: this one only, or the later ones too",
            choices=list(EDIT_SCOPES),
        ),
        repeat: str | None = commands.Param(
            None,
            description="With this and later games: a new pattern, e.g. every 2 weeks on Friday",
            max_length=MAX_REPEAT_LENGTH,
        ),
    ) -> None:
        """Change a game's title, time, description or seats (host or admins)."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        if view.status is not GameStatus.SCHEDULED:
            raise Conflict(GameNotOpen(view.id, view.status, GameAction.EDIT))
        edit_scope, recurrence = edit_scope_of(view, scope=EDIT_SCOPES[scope], repeat=repeat)
        zone = (
            await time_zone_of(self.services, user_id=inter.author.id, guild_id=inter.guild_id)
        ).zone
        when = view.start_at.astimezone(ZoneInfo(zone)).strftime(LOCAL_TIME_FORMAT)
        values = {
            "title": view.title,
            "when": when,
            "description": view.description,
            "max_players": "" if view.settings.max_players.inherited else str(view.max_players),
        }
        await self.form.open(
            inter,
            Draft(
                kind="edit",
                user_id=inter.author.id,
                guild_id=inter.guild_id,
                channel_id=view.channel_id,
                values=values,
                game_id=view.id,
                shown_when=when,
                scope=edit_scope,
                recurrence=recurrence,
            ),
        )

    @commands.slash_command(name="cancel-game", contexts=GUILD_ONLY)
    async def cancel_game_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
        scope: str = commands.Param(
            THIS_GAME,
            description="For a recurring game: this one only, or the whole series",
            choices=list(CANCEL_SCOPES),
        ),
    ) -> None:
        """Cancel a game or its whole series (host or admins); asks you to confirm first."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        if CANCEL_SCOPES[scope]:
            series = await series_for(self.services, view)
            question = series_cancel_question_text(series.title, pattern=series.pattern)
            await reply(inter, question, components=[cancel_series_buttons(view.id)])
            return
        if view.status.is_final:
            raise Conflict(AlreadyInStatus(view.status))
        await reply(
            inter,
            cancel_question_text(view),
            components=[cancel_confirmation(view.id)],
        )

    @commands.slash_command(name="assign-placeholder", contexts=GUILD_ONLY)
    async def assign_placeholder_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
        placeholder: str = commands.Param(description="The placeholder slot to fill"),
        member: disnake.Member = commands.Param(description="Who takes that slot"),
    ) -> None:
        """Replace a placeholder slot of your game with a member."""
        assigned = await assign_placeholder(
            self.services,
            actor=actor_of(inter),
            game_id=game,
            placeholder=placeholder,
            user_id=member.id,
        )
        self.bot.deps.sync.request(game)
        await reply(inter, assigned_text(assigned, user_id=member.id))

    @commands.slash_command(name="game-info", contexts=GUILD_ONLY)
    async def game_info_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """A game's details, privately; its host also sees who could not be reached by DM."""

        async def work() -> tuple[GameView, dict[str, Any], SeriesView | None]:
            view = await get_game(self.services, game)
            if view.guild_id != inter.guild_id or view.channel_id not in visible_channels(inter):
                raise NotFound(UnknownGame(game, in_guild=True))
            unreachable = None
            if may_manage_game(actor_of(inter), host_id=view.host_id):
                unreachable = await outbox.unreachable_players(self.services, game_id=view.id)
            return (
                view,
                render.game_info(view, unreachable=unreachable),
                None if view.series_id is None else await series_of_game(self.services, view.id),
            )

        view, payload, series = await within_deadline(inter, work())
        (embed,) = payload["embeds"]
        shown = disnake.Embed.from_dict(embed)
        if series is not None:
            shown.add_field(*repeats_field(series), inline=False)
        links, note = calendar_links(view, self.bot.deps.calendars)
        content = "\n".join(text for text in (payload["content"], note) if text)
        await reply(inter, content or None, embed=shown, components=[links])

    # ----- series ---------------------------------------------------------------------

    @commands.slash_command(name="series", contexts=GUILD_ONLY)
    async def series_command(self, inter: GuildCommand) -> None:
        """Recurring games: preview their dates, or skip one date."""

    @series_command.sub_command(name="preview")
    async def series_preview_command(
        self,
        inter: GuildCommand,
        repeat: str = commands.Param(
            description="e.g. weekly on Mon, Thu; monthly on the last Friday; ... for 10 times",
            max_length=MAX_REPEAT_LENGTH,
        ),
        when: str = commands.Param(
            description="The first game's start, e.g. friday 19:30 (your /timezone)",
            max_length=MAX_WHEN_LENGTH,
        ),
    ) -> None:
        """The next dates a recurring game would have here, in your zone; nothing is saved."""
        recurrence = read_recurrence(repeat)
        preview = await within_deadline(
            inter,
            preview_series(
                self.services,
                actor=actor_of(inter),
                guild_id=inter.guild_id,
                channel_id=inter.channel_id,
                start_text=when,
                recurrence=recurrence,
                directory=self.form.directory,
            ),
        )
        await reply(
            inter,
            preview_text(preview.pattern, read_as=preview.read_as, dates=dates_text(preview.dates)),
        )

    @series_command.sub_command(name="skip")
    async def series_skip_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="A game of the series (start typing its title)"),
        date: str = commands.Param(
            description="The date to leave out, e.g. 2026-12-24", max_length=MAX_DATE_LENGTH
        ),
    ) -> None:
        """Leave one date out of a recurring game, before its game is made (host or admins)."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        series = await series_for(self.services, view)
        on = read_date(date)
        await skip_date(self.services, actor=actor_of(inter), series_id=series.id, on=on)
        await reply(inter, skipped_text(series.title, on=on))

    @game_info_command.autocomplete("game")
    async def games_here(self, inter: CommandInteraction, text: str) -> dict[str, int]:
        """The games whose number or title holds what was typed, among the next hundred
        (Discord shows 25 choices; typing narrows them), in channels the member can see."""
        page = await list_games(
            self.services,
            guild_id=inter.guild_id,
            channel_ids=visible_channels(inter),
            limit=MAX_PAGE_SIZE,
        )
        return _choices(page.items, text)

    @edit_game_command.autocomplete("game")
    @cancel_game_command.autocomplete("game")
    @series_skip_command.autocomplete("game")
    @assign_placeholder_command.autocomplete("game")
    async def own_games(self, inter: CommandInteraction, text: str) -> dict[str, int]:
        mine = await my_games(self.services, user_id=inter.author.id, guild_id=inter.guild_id)
        games = [m.game for m in mine if m.role is GameRole.HOST]
        if actor_of(inter).is_guild_admin:
            page = await list_games(self.services, guild_id=inter.guild_id, limit=MAX_PAGE_SIZE)
            games += [g for g in page.items if g.id not in {m.id for m in games}]
        return _choices(games, text)

    @assign_placeholder_command.autocomplete("placeholder")
    async def placeholders_of_game(self, inter: CommandInteraction, text: str) -> list[str]:
        game_id = inter.filled_options.get("game")
        if not isinstance(game_id, int):
            return []
        view = await get_game(self.services, game_id)
        return [p for p in view.placeholders if text.casefold() in p.casefold()][
            :MAX_OPTION_CHOICES
        ]

    # ----- listing --------------------------------------------------------------------

    @commands.slash_command(name="list-games", contexts=GUILD_ONLY)
    async def list_games_command(
        self,
        inter: GuildCommand,
        everywhere: bool = commands.Param(False, description="All channels, not just this one"),
        category: str | None = commands.Param(None, description="Only this category"),
        status: str = commands.Param(
            "upcoming",
            description="Which games",
            choices=["upcoming", "in progress", "completed", "cancelled"],
        ),
    ) -> None:
        """Games announced in this channel (or everywhere), soonest first."""
        statuses = {
            "upcoming": (GameStatus.SCHEDULED, GameStatus.IN_PROGRESS),
            "in progress": (GameStatus.IN_PROGRESS,),
            "completed": (GameStatus.COMPLETED,),
            "cancelled": (GameStatus.CANCELLED,),
        }[status]
        page = await within_deadline(
            inter,
            list_games(
                self.services,
                guild_id=inter.guild_id,
                channel_id=None if everywhere else inter.channel_id,
                channel_ids=visible_channels(inter) if everywhere else None,
                category=category,
                statuses=statuses,
            ),
        )
        title, empty = list_texts(status, channel_id=None if everywhere else inter.channel_id)
        await self._send_list(inter, page.items, title=title, empty=empty, total=page.total)

    @commands.slash_command(name="my-games", contexts=GUILD_ONLY)
    async def my_games_command(self, inter: GuildCommand) -> None:
        """Games you host or joined here, soonest first."""
        mine = await within_deadline(
            inter, my_games(self.services, user_id=inter.author.id, guild_id=inter.guild_id)
        )
        await self._send_list(
            inter,
            [m.game for m in mine],
            title=MY_GAMES_TITLE,
            empty=NO_GAMES_OF_MINE,
        )

    async def _send_list(
        self,
        inter: AnyInteraction,
        games: Sequence[GameView],
        *,
        title: str,
        empty: str,
        total: int | None = None,
    ) -> None:
        payload = render.game_list(games, title=title, empty=empty, total=total)
        embeds = [disnake.Embed.from_dict(e) for e in payload.get("embeds", [])]
        await reply(inter, payload.get("content") or None, embed=embeds[0] if embeds else None)


def _game_id(inter: Click) -> int:
    return read_custom_id(inter, GameRef).game_id


def _bot_can_announce(inter: AnyInteraction, channel_id: int) -> bool:
    """Whether the bot may post an announcement in the channel: Discord's word for the channel
    at hand, the bot's roles and the channel's overwrites for another. An unknown channel is
    given the benefit of the doubt; the post itself will say."""
    if channel_id == inter.channel_id:
        granted: disnake.Permissions | None = inter.app_permissions
    else:
        me = inter.guild.me if inter.guild is not None else None
        granted = permissions_in(inter, channel_id, me) if me is not None else None
    if granted is None:
        return True
    return granted.view_channel and granted.send_messages and granted.embed_links


def _choices(games: Sequence[GameView], text: str) -> dict[str, int]:
    """Autocomplete choices for a game option: the games whose label holds ``text``."""
    wanted = text.casefold()
    choices: dict[str, int] = {}
    for game in games:
        label = f"#{game.id} {game.title} · {game.start_at.astimezone(UTC):%a %d %b %H:%M} UTC"
        if wanted in label.casefold():
            choices[label[: CHOICE_NAME_RANGE[1]]] = game.id
    return dict(list(choices.items())[:MAX_OPTION_CHOICES])
