"""The components the games extension answers with: the cancel confirmation, the calendar
links of /game-info, and the suggestion menus and resubmit button after a failed form. Their
custom ids are routed back to the extension by prefix (see ``_cog``)."""

from __future__ import annotations

import disnake
from disnake.ui.select.string import StringSelect

from gamesched.bot.games._drafts import Draft
from gamesched.calendar.addresses import CalendarSite
from gamesched.calendar.google import google_link
from gamesched.calendar.ics import CalendarGame
from gamesched.discord.custom_ids import Action, draft_custom_id, game_custom_id
from gamesched.discord.limits import MAX_BUTTON_URL, MAX_SELECT_OPTION_TEXT, MAX_SELECT_PLACEHOLDER
from gamesched.discord.render import announcement_link
from gamesched.services.views import GameView

MAX_SUGGESTION_MENUS = 4
"""Selects offered after a failed submit (the fifth row holds the resubmit button)."""


def cancel_confirmation(game_id: int) -> disnake.ui.MessageActionRow:
    """ "Cancel the game" and "Keep it", asked before a game is cancelled."""
    return disnake.ui.ActionRow(
        disnake.ui.Button(
            label="Cancel the game",
            style=disnake.ButtonStyle.danger,
            custom_id=game_custom_id(Action.CANCEL_YES, game_id),
        ),
        disnake.ui.Button(
            label="Keep it",
            style=disnake.ButtonStyle.secondary,
            custom_id=game_custom_id(Action.CANCEL_NO, game_id),
        ),
    )


NO_CALENDAR_FILE = (
    "No .ics file to download: my web pages serve it, and none are set up here "
    "(the Google Calendar link works without them)."
)


def calendar_links(
    game: GameView, site: CalendarSite | None
) -> tuple[disnake.ui.MessageActionRow, str | None]:
    """ "Add to Google Calendar" and, when the web is set up, "Download .ics" as link buttons;
    with the note to show when the file cannot be offered."""
    entry = CalendarGame(game, announcement=announcement_link(game))
    buttons = [
        disnake.ui.Button(
            label="Add to Google Calendar", url=google_link(entry, max_length=MAX_BUTTON_URL)
        )
    ]
    file_url = None if site is None else site.game_file_url(game.id)
    if file_url is not None:
        buttons.append(disnake.ui.Button(label="Download .ics", url=file_url))
    return disnake.ui.ActionRow(*buttons), None if file_url else NO_CALENDAR_FILE


def problem_components(draft: Draft) -> list[disnake.ui.MessageActionRow]:
    """A menu of suggestions per entry that has some (as many as fit), then the button that
    reopens the form."""
    rows: list[disnake.ui.MessageActionRow] = []
    for index, problem in enumerate(draft.problems):
        if not problem.suggestions or len(rows) == MAX_SUGGESTION_MENUS:
            continue
        options = [
            disnake.SelectOption(
                label=s.label[:MAX_SELECT_OPTION_TEXT], value=s.replacement[:MAX_SELECT_OPTION_TEXT]
            )
            for s in problem.suggestions
        ]
        placeholder = f"{problem.entry}: pick who you meant"[:MAX_SELECT_PLACEHOLDER]
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
