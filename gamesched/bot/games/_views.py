"""The components the games extension answers with: the cancel confirmation, and the
suggestion menus and resubmit button after a failed form. Their custom ids are routed back
to the extension by prefix (see ``_cog``)."""

from __future__ import annotations

import disnake
from disnake.ui.select.string import StringSelect

from gamesched.bot.games._drafts import Draft
from gamesched.discord.custom_ids import Action, draft_custom_id, game_custom_id
from gamesched.discord.limits import MAX_SELECT_OPTION_TEXT, MAX_SELECT_PLACEHOLDER

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
