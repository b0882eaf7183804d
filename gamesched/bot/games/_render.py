"""What the games extension answers with: pure functions from use-case results to text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gamesched.discord import render
from gamesched.domain.errors import Problem
from gamesched.domain.roster import SlotStatus
from gamesched.services.games import EditedGame
from gamesched.services.participation import Assigned, Joined, Left
from gamesched.services.series import SeriesDate
from gamesched.services.views import GameView

PICK_MESSAGE_ROOM = 1800
"""The problems list after a pick leaves room for the line saying what was picked."""
NOTHING_CHANGED = "Nothing changed."
"""The answer to "Keep it" when asked to confirm a cancellation."""
MY_GAMES_TITLE = "Your games"
NO_GAMES_OF_MINE = "You have no upcoming games here. Join one with its Join button."
"""/my-games for a member in no upcoming game of the server."""


def list_texts(status: str, *, channel_id: int | None) -> tuple[str, str]:
    """The title of a /list-games answer and its text when no game matches, for the games
    of ``status`` in one channel, or in the whole server when ``channel_id`` is None."""
    where = "in this server" if channel_id is None else f"in <#{channel_id}>"
    return f"{status.capitalize()} games {where}", f"No {status} games {where}."


def created_text(game: GameView, *, read_as: str) -> str:
    """The game is announced: where, when (and how the typed time was read), and a link."""
    return (
        f"Created **{render.title_text(game.title)}** in <#{game.channel_id}>, starting "
        f"{render.timestamp(game.start_at, 'F')}.\n"
        f"I read the time as {read_as}. If that is wrong, use /edit-game.\n"
        f"[Jump to the announcement]({render.announcement_link(game)})"
    )


def saved_text(edited: EditedGame) -> str:
    """The edit is saved, with what followed from it for the players."""
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
    return "\n".join(lines)


def joined_text(joined: Joined) -> str:
    """A seat (with the start, and a reminder promised only when one is still ahead) or a
    place on the waitlist."""
    game = joined.game
    title = render.title_text(game.title)
    if joined.status is not SlotStatus.JOINED:
        return (
            f"**{title}** is full, so you're on the waitlist at position "
            f"{joined.waitlist_position}. I'll DM you if a seat frees up."
        )
    ending = "; I'll remind you before." if joined.will_be_reminded else "."
    return (
        f"You're in **{title}** ({len(game.joined)}/{game.max_players} seats). "
        f"It starts {render.timestamp(game.start_at, 'R')}{ending}"
    )


def left_text(left: Left) -> str:
    """The seat or waitlist place given up."""
    where = "seat" if left.was is SlotStatus.JOINED else "waitlist place"
    return f"You left **{render.title_text(left.game.title)}**; your {where} is free again."


def cancel_question_text(game: GameView) -> str:
    """Asks the host to confirm a cancellation."""
    players = len(game.joined) + len(game.waitlist)
    return (
        f"Cancel **{render.title_text(game.title)}** ({render.timestamp(game.start_at, 'F')})? "
        f"Its {players} player(s) will be told by DM."
    )


def cancelled_text(game: GameView) -> str:
    """The game is cancelled and its players will be told."""
    told = len(game.joined) + len(game.waitlist)
    return f"**{render.title_text(game.title)}** is cancelled. I'll let its {told} player(s) know."


def assigned_text(assigned: Assigned, *, user_id: int) -> str:
    """The member now in the placeholder's slot, and where they ended up."""
    where = {
        SlotStatus.JOINED: "has a seat",
        SlotStatus.WAITLIST: "is on the waitlist (the game is full)",
    }[assigned.status]
    return f"<@{user_id}> replaces `{assigned.placeholder}` and {where}."


def picked_text(problems: Sequence[Problem], *, chosen: str, entry: str | None) -> str:
    """The form's problems again, and which suggestion now stands for which entry."""
    return (
        f"{render.problems_message(problems, limit=PICK_MESSAGE_ROOM)}\n\n"
        f"Picked {chosen} for {entry}. Press **Fix and resubmit** to send it."
    )


# ----- series ---------------------------------------------------------------------------


def dates_text(dates: Sequence[SeriesDate]) -> str:
    """The next dates of a series in its zone (with a Discord timestamp counting down to
    each), then a note for each date a clock change moved."""
    if not dates:
        return "It has no more dates (its end date or count is reached)."
    lines = ["Next dates:"]
    lines += [f"- {d.local} ({render.timestamp(d.start_at, 'R')})" for d in dates]
    lines += [f"Note: {d.shift}" for d in dates if d.shift]
    return "\n".join(lines)


def preview_text(pattern: str, *, read_as: str, dates: str) -> str:
    """/series preview: how the pattern and the first start read, and the next dates."""
    return (
        f"Repeats: {pattern}, from {read_as}.\n{dates}\n"
        "Nothing was saved: this is a preview. /create-game with the same repeat makes it."
    )


def series_created_text(game: GameView, *, read_as: str, pattern: str, dates: str) -> str:
    """The series is made and its first game announced: where, when, how it repeats, and
    its next dates."""
    return (
        f"{created_text(game, read_as=read_as)}\n"
        f"Repeats: {pattern}. Each game is announced as any other, ahead of its date.\n{dates}"
    )


def series_saved_text(edited: EditedGame, *, later: int, dates: str | None) -> str:
    """A game of a series was saved, with how many later ones changed too, and the series'
    next dates after a change to this and the later games."""
    lines = [saved_text(edited)]
    if later:
        lines.append(f"{later} later game(s) of the series changed too.")
    if dates:
        lines.append(dates)
    return "\n".join(lines)


def series_cancel_question_text(title: str, *, pattern: str) -> str:
    """Asks the host to confirm cancelling a whole series."""
    return (
        f"Cancel the whole series **{render.title_text(title)}** ({pattern})? Its upcoming "
        "games are cancelled, their players told by DM, and no more are made."
    )


def series_cancelled_text(title: str, *, cancelled: int) -> str:
    """The series ended by its host."""
    return (
        f"The series **{render.title_text(title)}** is cancelled: {cancelled} upcoming "
        "game(s) cancelled and their players told; no more will be made."
    )


def skipped_text(title: str, *, on: date) -> str:
    """One date of a series left out."""
    return (
        f"Skipped {on:%a} {on.day} {on:%b %Y} in **{render.title_text(title)}**: no game "
        "will be made for it."
    )
