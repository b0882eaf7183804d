"""Creating, joining, editing, cancelling and listing games."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gamesched.bot.games._cog import GamesCog

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


def setup(bot: GameschedBot) -> None:
    bot.add_cog(GamesCog(bot))
