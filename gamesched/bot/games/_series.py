"""Recurring games in the bot: the series options of /create-game and /edit-game read before
any form opens (an unreadable pattern is answered at once), the scopes of /edit-game and
/cancel-game, the buttons confirming a whole series' cancellation, and /game-info's field."""

from __future__ import annotations

from datetime import date

import disnake

from gamesched.bot.games._drafts import SeriesOptions
from gamesched.bot.games._render import dates_text
from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.discord.limits import MAX_EMBED_FIELD_VALUE
from gamesched.domain.errors import Conflict, Problem, ValidationFailed
from gamesched.domain.recurrence import FIELD, Recurrence, read_recurrence
from gamesched.services.context import Context
from gamesched.services.series import EditScope, SeriesStatus, SeriesView, series_of_game
from gamesched.services.views import GameView

THIS_GAME = "this game"
"""The scope choice meaning one game (the default of /edit-game and /cancel-game)."""
EDIT_SCOPES = {THIS_GAME: EditScope.THIS, "this and later games": EditScope.FUTURE}
"""/edit-game's scope choices."""
CANCEL_SCOPES = {THIS_GAME: False, "the whole series": True}
"""/cancel-game's scope choices: whether the whole series is cancelled."""
ONLY_WITH_REPEAT = (
    "create_ahead_days and carry_roster apply to a recurring game only: add repeat too, "
    "e.g. `weekly on Thu`."
)
NEW_PATTERN_NEEDS_FUTURE = (
    'A new repeat changes the later games too: choose scope "this and later games", or '
    "leave repeat empty to edit this game alone."
)


def not_recurring(game: GameView) -> Conflict:
    """The answer to a series action on a game that is in no series."""
    return Conflict(
        f"Game #{game.id} is not recurring, so it has no series: edit or cancel it alone "
        "(scope: this game), or make a recurring game with /create-game and its repeat option."
    )


def series_options(
    repeat: str | None, *, ahead_days: int | None, carry_roster: bool
) -> SeriesOptions | None:
    """The series /create-game's options ask for, or None for a single game; an unreadable
    ``repeat`` (or series options without one) is refused before the form opens."""
    if repeat is None or not repeat.strip():
        if ahead_days is not None or carry_roster:
            raise ValidationFailed([Problem(FIELD, ONLY_WITH_REPEAT)])
        return None
    return SeriesOptions(read_recurrence(repeat), ahead_days=ahead_days, carry_roster=carry_roster)


def edit_scope_of(
    game: GameView, *, scope: EditScope, repeat: str | None
) -> tuple[EditScope | None, Recurrence | None]:
    """What an /edit-game of ``game`` changes: None for a game in no series (edited as any
    game), else the scope and the new pattern (only for this and the later games)."""
    wants_pattern = repeat is not None and bool(repeat.strip())
    if game.series_id is None:
        if scope is EditScope.FUTURE or wants_pattern:
            raise not_recurring(game)
        return None, None
    if repeat is None or not wants_pattern:
        return scope, None
    if scope is not EditScope.FUTURE:
        raise ValidationFailed([Problem(FIELD, NEW_PATTERN_NEEDS_FUTURE)])
    return scope, read_recurrence(repeat)


async def series_for(services: Context, game: GameView) -> SeriesView:
    """The series ``game`` is a game of, or the answer that it is in none."""
    series = await series_of_game(services, game.id)
    if series is None:
        raise not_recurring(game)
    return series


def cancel_series_buttons(game_id: int) -> disnake.ui.MessageActionRow:
    """ "Cancel the series" and "Keep it", asked before a whole series is cancelled."""
    return disnake.ui.ActionRow(
        disnake.ui.Button(
            label="Cancel the series",
            style=disnake.ButtonStyle.danger,
            custom_id=game_custom_id(Action.CANCEL_SERIES, game_id),
        ),
        disnake.ui.Button(
            label="Keep it",
            style=disnake.ButtonStyle.secondary,
            custom_id=game_custom_id(Action.CANCEL_NO, game_id),
        ),
    )


def repeats_field(series: SeriesView) -> tuple[str, str]:
    """/game-info's "Repeats" field for a game of ``series``: its pattern and next dates."""
    if series.status is SeriesStatus.CANCELLED:
        dates = "The series is cancelled: no more games are made."
    else:
        dates = dates_text(series.next_dates)
    return "Repeats", f"{series.pattern}\n{dates}"[:MAX_EMBED_FIELD_VALUE]


MAX_DATE_LENGTH = 20
"""The longest date text /series skip reads (an ISO date is 10 characters)."""


def read_date(text: str) -> date:
    """A typed ISO date, or a problem saying how to type one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            [Problem("date", f"`{text.strip()[:20]}` is not a date: type it like 2026-12-24.")]
        ) from None
