"""/calendar: the member's own calendar feed address (and a server's or channel's public one),
with a button for a new address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gamesched.bot.calendar._cog import CalendarCog

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


def setup(bot: GameschedBot) -> None:
    bot.add_cog(CalendarCog(bot))
