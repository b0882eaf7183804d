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
    joined_text,
    left_text,
    list_texts,
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
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    parse_reminder_minutes,
)
from gamesched.domain.status import GameStatus
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
    ) -> None:
        """Announce a game: opens a form for title, time, description, seats and players."""
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

    async def _keep_game(self, inter: Click) -> None:
        await inter.response.edit_message(content=NOTHING_CHANGED, components=[])

    # ----- editing, cancelling, assigning ---------------------------------------------

    @commands.slash_command(name="edit-game", contexts=GUILD_ONLY)
    async def edit_game_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """Change a game's title, time, description or seats (host or admins)."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        if view.status is not GameStatus.SCHEDULED:
            raise Conflict(GameNotOpen(view.id, view.status, GameAction.EDIT))
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
            ),
        )

    @commands.slash_command(name="cancel-game", contexts=GUILD_ONLY)
    async def cancel_game_command(
        self,
        inter: GuildCommand,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """Cancel a game (host or admins); asks you to confirm first."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
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

        async def work() -> tuple[GameView, dict[str, Any]]:
            view = await get_game(self.services, game)
            if view.guild_id != inter.guild_id or view.channel_id not in visible_channels(inter):
                raise NotFound(UnknownGame(game, in_guild=True))
            unreachable = None
            if may_manage_game(actor_of(inter), host_id=view.host_id):
                unreachable = await outbox.unreachable_players(self.services, game_id=view.id)
            return view, render.game_info(view, unreachable=unreachable)

        view, payload = await within_deadline(inter, work())
        (embed,) = payload["embeds"]
        links, note = calendar_links(view, self.bot.deps.calendars)
        content = "\n".join(text for text in (payload["content"], note) if text)
        await reply(
            inter, content or None, embed=disnake.Embed.from_dict(embed), components=[links]
        )

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
