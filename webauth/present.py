"""Games as pages and the API show them: people by display name, resolved at render time.

Only Discord ids are stored; names come from :attr:`Core.names` when a game is shown (nick >
global name > username, cached five minutes, "Unknown User" for someone who left, a short id
when Discord fails), so a page and the API always agree on who is who.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gamesched.discord.names import DisplayNames
from gamesched.services.views import GameView


@dataclass(frozen=True, slots=True)
class Person:
    """Someone on a roster: a member (``user_id``) or a placeholder's text (no id)."""

    user_id: int | None
    name: str

    @property
    def is_placeholder(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True, slots=True)
class NamedRoster:
    """A game's people with their names: host, seats, waitlist and placeholders, in order."""

    host: Person
    joined: tuple[Person, ...]
    waitlist: tuple[Person, ...]
    placeholders: tuple[Person, ...]


async def names_in(names: DisplayNames, games: Iterable[GameView]) -> dict[int, str]:
    """Display names of every host and member of ``games`` (one batch per guild)."""
    by_guild: dict[int, set[int]] = {}
    for game in games:
        by_guild.setdefault(game.guild_id, set()).update(
            (game.host_id, *game.joined, *game.waitlist)
        )
    resolved: dict[int, str] = {}
    for guild_id, user_ids in by_guild.items():
        resolved.update(await names.resolve(guild_id, user_ids))
    return resolved


def roster_of(game: GameView, names: Mapping[int, str]) -> NamedRoster:
    """``game``'s roster with the display names resolved for it (:func:`names_in`)."""

    def people(user_ids: Iterable[int]) -> tuple[Person, ...]:
        return tuple(Person(user_id, names[user_id]) for user_id in user_ids)

    return NamedRoster(
        host=Person(game.host_id, names[game.host_id]),
        joined=people(game.joined),
        waitlist=people(game.waitlist),
        placeholders=tuple(Person(None, text) for text in game.placeholders),
    )


async def named_roster(names: DisplayNames, game: GameView) -> NamedRoster:
    """``game``'s roster with everyone's display name, resolved now."""
    return roster_of(game, await names_in(names, [game]))
