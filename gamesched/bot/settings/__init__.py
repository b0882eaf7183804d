"""/config-guild and /config-channel: show effective settings with their source, change them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gamesched.bot.settings._cog import SettingsCog

if TYPE_CHECKING:
    from gamesched.bot.client import GameschedBot


def setup(bot: GameschedBot) -> None:
    bot.add_cog(SettingsCog(bot))
