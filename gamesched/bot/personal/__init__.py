"""/timezone: the zone a member's typed times are read in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gamesched.bot.personal._cog import PersonalCog

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


def setup(bot: GameschedBot) -> None:
    bot.add_cog(PersonalCog(bot))
