"""The game form of /create-game and /edit-game: opening it, saving what was sent, and
mending a submit that failed validation (its problems, a menu per entry with suggestions,
and the "Fix and resubmit" button that opens the kept draft again; see ``_drafts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import disnake

from gamesched.bot.actors import actor_of
from gamesched.bot.components import read_custom_id
from gamesched.bot.directory import BotDirectory
from gamesched.bot.games._drafts import Draft, DraftStore
from gamesched.bot.games._modals import CREATE_FIELDS, EDIT_FIELDS, form_components
from gamesched.bot.games._render import (
    created_text,
    dates_text,
    picked_text,
    series_created_text,
    series_saved_text,
)
from gamesched.bot.games._views import problem_components
from gamesched.bot.interactions import AnyInteraction, Click, FormSubmit
from gamesched.bot.replies import reply, within_deadline
from gamesched.discord import render
from gamesched.discord.custom_ids import Action, DraftRef, draft_custom_id
from gamesched.domain.errors import Conflict, ValidationFailed
from gamesched.domain.settings import KEEP
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, NewGame, create_game
from gamesched.services.series import EditScope, create_series, edit_series

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


class GameForm:
    """Every open game form, from the command that opens it to the game saved."""

    def __init__(self, bot: GameschedBot) -> None:
        self.bot = bot
        self.drafts = DraftStore()
        self.directory = BotDirectory(bot, bot.deps.rest)

    @property
    def services(self) -> Context:
        return self.bot.deps.services

    async def open(self, inter: AnyInteraction, draft: Draft) -> None:
        """Keep ``draft`` for another lifetime and show its form, filled in as it stands."""
        self.drafts.keep(draft)
        creating = draft.kind == "create"
        await inter.response.send_modal(
            title=_form_title(draft),
            custom_id=draft_custom_id(Action.SUBMIT, draft.token),
            components=form_components(CREATE_FIELDS if creating else EDIT_FIELDS, draft.values),
        )

    async def submit(self, inter: FormSubmit) -> None:
        """The form was sent: save the game, or answer what is wrong with it."""
        ref = read_custom_id(inter, DraftRef)
        draft = self.drafts.get(ref.token, user_id=inter.author.id)
        draft.values = dict(inter.text_values)
        save = self._create if draft.kind == "create" else self._edit
        draft.sent = True  # also refuses the same form sent twice at once (reopened twice)
        try:
            await within_deadline(inter, save(inter, draft))
        except ValidationFailed as problems:
            draft.sent = False
            await self._answer_problems(inter, draft, problems)
        except Exception:
            draft.sent = False
            raise

    async def reopen(self, inter: Click) -> None:
        """ "Fix and resubmit": the form again, as it was typed (with any picks)."""
        ref = read_custom_id(inter, DraftRef)
        await self.open(inter, self.drafts.get(ref.token, user_id=inter.author.id))

    async def pick(self, inter: Click) -> None:
        """A suggestion picked for an entry: it replaces the entry in the draft."""
        ref = read_custom_id(inter, DraftRef)
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
            content=picked_text(draft.problems, chosen=chosen, entry=problem.entry),
            components=problem_components(draft),
            allowed_mentions=disnake.AllowedMentions.none(),
        )

    async def _create(self, inter: FormSubmit, draft: Draft) -> None:
        typed, options = draft.values, draft.options
        new = NewGame(
            guild_id=draft.guild_id,
            channel_id=draft.channel_id,
            title=typed.get("title", ""),
            when=typed.get("when", ""),
            description=typed.get("description", ""),
            max_players=typed.get("max_players", ""),
            participants=typed.get("participants", ""),
            reminder_minutes=options.reminder_minutes,
            rules=options.rules,
            duration_minutes=options.duration_minutes,
            category=options.category,
            ping_participants=options.ping_participants,
        )
        actor = actor_of(inter, channel_id=draft.channel_id)
        if options.repeat is None:
            created = await create_game(
                self.services, actor=actor, new=new, directory=self.directory
            )
            game = await self.bot.deps.sync.announce_new(created.game.id)
            await reply(inter, created_text(game, read_as=created.read_as))
            return
        series = await create_series(
            self.services,
            actor=actor,
            game=new,
            recurrence=options.repeat.recurrence,
            ahead_days=options.repeat.ahead_days,
            carry_roster=options.repeat.carry_roster,
            directory=self.directory,
        )
        first = await self.bot.deps.sync.announce_series(series, actor=actor)
        await reply(
            inter,
            series_created_text(
                first,
                read_as=series.read_as,
                pattern=series.series.pattern,
                dates=dates_text(series.series.next_dates),
            ),
        )

    async def _edit(self, inter: FormSubmit, draft: Draft) -> None:
        assert draft.game_id is not None
        typed = draft.values
        edit = GameEdit(
            title=typed.get("title", ""),
            description=typed.get("description", ""),
            when=typed["when"] if typed.get("when") != draft.shown_when else KEEP,
            max_players=typed.get("max_players", "") or None,
        )
        changed = await edit_series(
            self.services,
            actor=actor_of(inter),
            game_id=draft.game_id,
            edit=edit,
            recurrence=draft.recurrence,
            scope=draft.scope or EditScope.THIS,
        )
        for game in (*(e.game for e in changed.games), *changed.cancelled, *changed.created):
            self.bot.deps.sync.request(game.id)  # a game a new pattern made is posted by it
        this, *later = changed.games
        dates = None
        if draft.scope is EditScope.FUTURE and changed.series is not None:
            dates = dates_text(changed.series.next_dates)
        await reply(inter, series_saved_text(this, later=len(later), dates=dates))

    async def _answer_problems(
        self, inter: AnyInteraction, draft: Draft, problems: ValidationFailed
    ) -> None:
        draft.problems = problems.problems
        draft.picks = {}
        self.drafts.keep(draft)
        await reply(
            inter,
            render.problems_message(problems.problems),
            components=problem_components(draft),
        )


def _form_title(draft: Draft) -> str:
    """The modal's title: what the form makes or changes."""
    if draft.kind == "create":
        return "New game" if draft.options.repeat is None else "New recurring game"
    return "Edit this and later games" if draft.scope is EditScope.FUTURE else "Edit game"


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
