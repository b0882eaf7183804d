"""Games in Discord: create/edit in a form, join and leave with buttons, list, cancel, assign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import disnake
from disnake.ext import commands
from disnake.interactions import (
    ApplicationCommandInteraction,
    GuildCommandInteraction,
    Interaction,
    MessageInteraction,
    ModalInteraction,
)
from disnake.ui.select.string import StringSelect

from gamesched.bot.actors import GUILD_ONLY, actor_of, permissions_in, visible_channels
from gamesched.bot.components import read_custom_id
from gamesched.bot.directory import BotDirectory
from gamesched.bot.errors._handler import MISSING_PERMISSIONS
from gamesched.bot.games._drafts import Draft, DraftStore
from gamesched.bot.games._modals import CREATE_FIELDS, EDIT_FIELDS, form_components
from gamesched.bot.replies import reply, within_deadline
from gamesched.discord import render
from gamesched.discord.custom_ids import (
    Action,
    DraftRef,
    GameRef,
    action_prefix,
    draft_custom_id,
    game_custom_id,
)
from gamesched.discord.rest import DiscordError
from gamesched.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gamesched.domain.lifecycle import GameStatus
from gamesched.domain.permissions import may_manage_game
from gamesched.domain.roster import SlotStatus
from gamesched.domain.settings import KEEP, parse_reminder_minutes
from gamesched.services import outbox
from gamesched.services.announcements import discard_unannounced
from gamesched.services.context import Context
from gamesched.services.games import (
    MAX_PAGE_SIZE,
    GameEdit,
    GameRole,
    NewGame,
    cancel_game,
    create_game,
    edit_game,
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

MAX_SUGGESTION_MENUS = 4
"""Selects offered after a failed submit (the fifth row holds the resubmit button)."""
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"
PICK_MESSAGE_ROOM = 1800
"""The problems list after a pick leaves room for the line saying what was picked."""


class GamesCog(commands.Cog):
    """Slash commands, the game form, and the game buttons (routed here by their prefixes)."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        self.drafts = DraftStore()
        self.directory = BotDirectory(bot, bot.deps.rest)
        router = bot.components
        router.route_components(action_prefix(Action.JOIN), self._join)
        router.route_components(action_prefix(Action.LEAVE), self._leave)
        router.route_components(action_prefix(Action.CANCEL_YES), self._confirm_cancel)
        router.route_components(action_prefix(Action.CANCEL_NO), self._keep_game)
        router.route_components(action_prefix(Action.REOPEN), self._reopen)
        router.route_components(action_prefix(Action.PICK), self._pick)
        router.route_forms(action_prefix(Action.SUBMIT), self._submit)

    @property
    def services(self) -> Context:
        return self.bot.deps.services

    # ----- creating -------------------------------------------------------------------

    @commands.slash_command(name="create-game", contexts=GUILD_ONLY)
    async def create_game_command(
        self,
        inter: GuildCommandInteraction,
        channel: disnake.TextChannel | None = commands.Param(
            None, description="Where to announce it (default: here)"
        ),
        reminders: str | None = commands.Param(
            None, description="Minutes before the start, e.g. 60, 15 (default: inherited)"
        ),
        duration: int | None = commands.Param(
            None, description="Expected length in minutes (default: inherited)", ge=5, le=10080
        ),
        rules: str | None = commands.Param(None, description="House rules", max_length=1000),
        category: str | None = commands.Param(
            None, description="A label for browsing, e.g. Board games", max_length=50
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
        options: dict[str, object] = {
            "reminder_minutes": parse_reminder_minutes(reminders or ""),
            "duration_minutes": duration,
            "rules": rules,
            "category": category,
            "ping_participants": ping_participants,
        }
        draft = self.drafts.keep(
            Draft(
                kind="create",
                user_id=inter.author.id,
                guild_id=inter.guild_id,
                channel_id=target,
                options=options,
            )
        )
        await self._open_form(inter, draft)

    async def _open_form(self, inter: Interaction, draft: Draft) -> None:
        fields = CREATE_FIELDS if draft.kind == "create" else EDIT_FIELDS
        title = "New game" if draft.kind == "create" else "Edit game"
        await inter.response.send_modal(
            title=title,
            custom_id=draft_custom_id(Action.SUBMIT, draft.token),
            components=form_components(fields, draft.values),
        )

    async def _submit_create(self, inter: ModalInteraction, draft: Draft) -> None:
        new = NewGame(
            guild_id=draft.guild_id,
            channel_id=draft.channel_id,
            title=draft.values.get("title", ""),
            when=draft.values.get("when", ""),
            description=draft.values.get("description", ""),
            max_players=draft.values.get("max_players", ""),
            participants=draft.values.get("participants", ""),
            **draft.options,  # type: ignore[arg-type]
        )
        created = await create_game(
            self.services,
            actor=actor_of(inter, channel_id=draft.channel_id),
            new=new,
            directory=self.directory,
        )
        try:
            game = await self.bot.deps.sync.publish(created.game.id)
        except DiscordError:
            await discard_unannounced(self.services, game_id=created.game.id)
            raise
        link = render.announcement_link(game)
        await reply(
            inter,
            f"Created **{render.title_text(game.title)}** in <#{game.channel_id}>, starting "
            f"{render.timestamp(game.start_at, 'F')}.\n"
            f"I read the time as {created.read_as}. If that is wrong, use /edit-game.\n"
            f"[Jump to the announcement]({link})",
        )

    async def _submit_edit(self, inter: ModalInteraction, draft: Draft) -> None:
        assert draft.game_id is not None
        original = draft.options
        typed = draft.values
        edit = GameEdit(
            title=typed.get("title", ""),
            description=typed.get("description", ""),
            when=typed["when"] if typed.get("when") != original.get("when") else KEEP,
            max_players=typed.get("max_players", "") or None,
        )
        edited = await edit_game(
            self.services, actor=actor_of(inter), game_id=draft.game_id, edit=edit
        )
        self.bot.deps.sync.request(edited.game.id)
        lines = [f"Saved **{render.title_text(edited.game.title)}**."]
        if edited.read_as:
            lines.append(f"New start: I read the time as {edited.read_as}.")
        if edited.rescheduled:
            lines.append("Its players will get a DM with the new time.")
        if edited.promoted:
            lines.append(f"{len(edited.promoted)} waitlisted player(s) got a seat.")
        seated, seats = len(edited.game.joined), edited.game.max_players
        if seated > seats:
            lines.append(
                f"{seated} players already hold seats, more than the new {seats}: nobody is "
                "removed, and new players go to the waitlist until enough seats free up."
            )
        await reply(inter, "\n".join(lines))

    async def _answer_problems(
        self, inter: Interaction, draft: Draft, problems: ValidationFailed
    ) -> None:
        draft.problems = problems.problems
        draft.picks = {}
        self.drafts.keep(draft)
        await reply(
            inter,
            render.problems_message(problems.problems),
            components=self._problem_components(draft),
        )

    def _problem_components(self, draft: Draft) -> list[disnake.ui.ActionRow]:
        rows: list[disnake.ui.ActionRow] = []
        for index, problem in enumerate(draft.problems):
            if not problem.suggestions or len(rows) == MAX_SUGGESTION_MENUS:
                continue
            options = [
                disnake.SelectOption(label=s.label[:100], value=s.replacement[:100])
                for s in problem.suggestions
            ]
            placeholder = f"{problem.entry}: pick who you meant"[:150]
            rows.append(
                disnake.ui.ActionRow(
                    StringSelect(
                        custom_id=draft_custom_id(Action.PICK, draft.token, index=index),
                        placeholder=placeholder,
                        options=options,
                    )
                )
            )
        rows.append(
            disnake.ui.ActionRow(
                disnake.ui.Button(
                    label="Fix and resubmit",
                    style=disnake.ButtonStyle.primary,
                    custom_id=draft_custom_id(Action.REOPEN, draft.token),
                )
            )
        )
        return rows

    async def _submit(self, inter: ModalInteraction) -> None:
        ref = read_custom_id(inter.custom_id, DraftRef)
        draft = self.drafts.get(ref.token, user_id=inter.author.id)
        draft.values = dict(inter.text_values)
        submit = self._submit_create if draft.kind == "create" else self._submit_edit
        draft.sent = True  # also refuses the same form sent twice at once (reopened twice)
        try:
            await within_deadline(inter, submit(inter, draft))
        except ValidationFailed as problems:
            draft.sent = False
            await self._answer_problems(inter, draft, problems)
        except Exception:
            draft.sent = False
            raise

    async def _reopen(self, inter: MessageInteraction) -> None:
        ref = read_custom_id(inter.component.custom_id or "", DraftRef)
        draft = self.drafts.get(ref.token, user_id=inter.author.id)
        await self._open_form(inter, self.drafts.keep(draft))

    async def _pick(self, inter: MessageInteraction) -> None:
        ref = read_custom_id(inter.component.custom_id or "", DraftRef)
        draft = self.drafts.get(ref.token, user_id=inter.author.id)
        if ref.index is None or ref.index >= len(draft.problems) or not inter.values:
            raise Conflict("That choice no longer matches the form; press Fix and resubmit.")
        problem = draft.problems[ref.index]
        chosen = inter.values[0]
        # A second pick for the same entry replaces the first one, which now stands there.
        standing = draft.picks.get(ref.index, problem.entry or "")
        draft.values["participants"] = _replace_entry(
            draft.values.get("participants", ""), standing, chosen
        )
        draft.picks[ref.index] = chosen
        self.drafts.keep(draft)
        await inter.response.edit_message(
            content=f"{render.problems_message(draft.problems, limit=PICK_MESSAGE_ROOM)}\n\n"
            f"Picked {chosen} for {problem.entry}. Press **Fix and resubmit** to send it.",
            components=self._problem_components(draft),
            allowed_mentions=disnake.AllowedMentions.none(),
        )

    # ----- joining and leaving --------------------------------------------------------

    async def _join(self, inter: MessageInteraction) -> None:
        game_id = _game_id(inter)
        joined = await within_deadline(
            inter, join_game(self.services, game_id=game_id, user_id=inter.author.id)
        )
        self.bot.deps.sync.request(game_id)
        game = joined.game
        starts = render.timestamp(game.start_at, "R")
        title = render.title_text(game.title)
        if joined.status is SlotStatus.JOINED:
            text = (
                f"You're in **{title}** ({len(game.joined)}/{game.max_players} seats). "
                f"It starts {starts}"
                + ("; I'll remind you before." if joined.will_be_reminded else ".")
            )
        else:
            text = (
                f"**{title}** is full, so you're on the waitlist at position "
                f"{joined.waitlist_position}. I'll DM you if a seat frees up."
            )
        await reply(inter, text)

    async def _leave(self, inter: MessageInteraction) -> None:
        game_id = _game_id(inter)
        left = await within_deadline(
            inter, leave_game(self.services, game_id=game_id, user_id=inter.author.id)
        )
        self.bot.deps.sync.request(game_id)
        where = "seat" if left.was is SlotStatus.JOINED else "waitlist place"
        title = render.title_text(left.game.title)
        await reply(inter, f"You left **{title}**; your {where} is free again.")

    async def _confirm_cancel(self, inter: MessageInteraction) -> None:
        game_id = _game_id(inter)
        game = await cancel_game(self.services, actor=actor_of(inter), game_id=game_id)
        self.bot.deps.sync.request(game_id)
        told = len(game.joined) + len(game.waitlist)
        title = render.title_text(game.title)
        await inter.response.edit_message(
            content=f"**{title}** is cancelled. I'll let its {told} player(s) know.",
            components=[],
        )

    async def _keep_game(self, inter: MessageInteraction) -> None:
        await inter.response.edit_message(content="Nothing changed.", components=[])

    # ----- editing, cancelling, assigning ---------------------------------------------

    @commands.slash_command(name="edit-game", contexts=GUILD_ONLY)
    async def edit_game_command(
        self,
        inter: GuildCommandInteraction,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """Change a game's title, time, description or seats (host or admins)."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        if view.status is not GameStatus.SCHEDULED:
            raise Conflict(f"This game is {view.status.label}, so it can no longer be edited.")
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
        draft = self.drafts.keep(
            Draft(
                kind="edit",
                user_id=inter.author.id,
                guild_id=inter.guild_id,
                channel_id=view.channel_id,
                game_id=view.id,
                values=values,
                options={"when": when},
            )
        )
        await self._open_form(inter, draft)

    @commands.slash_command(name="cancel-game", contexts=GUILD_ONLY)
    async def cancel_game_command(
        self,
        inter: GuildCommandInteraction,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """Cancel a game (host or admins); asks you to confirm first."""
        view = await require_can_manage(self.services, actor=actor_of(inter), game_id=game)
        if view.status.is_final:
            raise Conflict(f"This game is already {view.status.label}.")
        players = len(view.joined) + len(view.waitlist)
        await reply(
            inter,
            f"Cancel **{render.title_text(view.title)}** ({render.timestamp(view.start_at, 'F')})? "
            f"Its {players} player(s) will be told by DM.",
            components=[
                disnake.ui.ActionRow(
                    disnake.ui.Button(
                        label="Cancel the game",
                        style=disnake.ButtonStyle.danger,
                        custom_id=game_custom_id(Action.CANCEL_YES, view.id),
                    ),
                    disnake.ui.Button(
                        label="Keep it",
                        style=disnake.ButtonStyle.secondary,
                        custom_id=game_custom_id(Action.CANCEL_NO, view.id),
                    ),
                )
            ],
        )

    @commands.slash_command(name="assign-placeholder", contexts=GUILD_ONLY)
    async def assign_placeholder_command(
        self,
        inter: GuildCommandInteraction,
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
        where = {
            SlotStatus.JOINED: "has a seat",
            SlotStatus.WAITLIST: "is on the waitlist (the game is full)",
        }[assigned.status]
        await reply(inter, f"{member.mention} replaces `{assigned.placeholder}` and {where}.")

    @commands.slash_command(name="game-info", contexts=GUILD_ONLY)
    async def game_info_command(
        self,
        inter: GuildCommandInteraction,
        game: int = commands.Param(description="The game (start typing its title)"),
    ) -> None:
        """A game's details, privately; its host also sees who could not be reached by DM."""

        async def work() -> dict[str, Any]:
            view = await get_game(self.services, game)
            if view.guild_id != inter.guild_id or view.channel_id not in visible_channels(inter):
                raise NotFound(f"There is no game #{game} in this server.")
            unreachable = None
            if may_manage_game(actor_of(inter), host_id=view.host_id):
                unreachable = await outbox.unreachable_players(self.services, game_id=view.id)
            return render.game_info(view, unreachable=unreachable)

        payload = await within_deadline(inter, work())
        (embed,) = payload["embeds"]
        await reply(inter, payload["content"] or None, embed=disnake.Embed.from_dict(embed))

    @game_info_command.autocomplete("game")
    async def games_here(self, inter: ApplicationCommandInteraction, text: str) -> dict[str, int]:
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
    async def own_games(self, inter: ApplicationCommandInteraction, text: str) -> dict[str, int]:
        mine = await my_games(self.services, user_id=inter.author.id, guild_id=inter.guild_id)
        games = [m.game for m in mine if m.role is GameRole.HOST]
        if actor_of(inter).is_guild_admin:
            page = await list_games(self.services, guild_id=inter.guild_id, limit=MAX_PAGE_SIZE)
            games += [g for g in page.items if g.id not in {m.id for m in games}]
        return _choices(games, text)

    @assign_placeholder_command.autocomplete("placeholder")
    async def placeholders_of_game(
        self, inter: ApplicationCommandInteraction, text: str
    ) -> list[str]:
        game_id = inter.filled_options.get("game")
        if not isinstance(game_id, int):
            return []
        view = await get_game(self.services, game_id)
        return [p for p in view.placeholders if text.casefold() in p.casefold()][:25]

    # ----- listing --------------------------------------------------------------------

    @commands.slash_command(name="list-games", contexts=GUILD_ONLY)
    async def list_games_command(
        self,
        inter: GuildCommandInteraction,
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
        where = "in this server" if everywhere else f"in <#{inter.channel_id}>"
        await self._send_list(
            inter,
            page.items,
            title=f"{status.capitalize()} games {where}",
            empty=f"No {status} games {where}.",
            total=page.total,
        )

    @commands.slash_command(name="my-games", contexts=GUILD_ONLY)
    async def my_games_command(self, inter: GuildCommandInteraction) -> None:
        """Games you host or joined here, soonest first."""
        mine = await within_deadline(
            inter, my_games(self.services, user_id=inter.author.id, guild_id=inter.guild_id)
        )
        await self._send_list(
            inter,
            [m.game for m in mine],
            title="Your games",
            empty="You have no upcoming games here. Join one with its Join button.",
        )

    async def _send_list(
        self,
        inter: Interaction,
        games: Sequence[GameView],
        *,
        title: str,
        empty: str,
        total: int | None = None,
    ) -> None:
        payload = render.game_list(games, title=title, empty=empty, total=total)
        embeds = [disnake.Embed.from_dict(e) for e in payload.get("embeds", [])]
        await reply(inter, payload.get("content") or None, embed=embeds[0] if embeds else None)


def _game_id(inter: MessageInteraction) -> int:
    return read_custom_id(inter.component.custom_id or "", GameRef).game_id


def _bot_can_announce(inter: Interaction, channel_id: int) -> bool:
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
            choices[label[:100]] = game.id
    return dict(list(choices.items())[:25])


def _replace_entry(text: str, entry: str, replacement: str) -> str:
    """The participants text with the first entry equal to ``entry`` replaced."""
    lines = text.splitlines()
    for line_number, line in enumerate(lines):
        parts = line.split(",")
        for index, part in enumerate(parts):
            if part.strip() == entry:
                parts[index] = part.replace(entry, replacement, 1)
                lines[line_number] = ",".join(parts)
                return "\n".join(lines)
    return text
