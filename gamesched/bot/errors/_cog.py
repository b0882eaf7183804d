"""Listeners that route command errors to the central handler."""

from __future__ import annotations

from disnake.ext import commands

from gamesched.bot.failures import answer_error
from gamesched.bot.interactions import CommandInteraction
from gamesched.bot.metered import count_answer


class ErrorHandler(commands.Cog):
    """Every slash-command failure ends here (failures of component and form handlers reach
    :func:`answer_error` through the component router, since they are not commands)."""

    @commands.Cog.listener()
    async def on_slash_command_error(
        self, inter: CommandInteraction, error: commands.CommandError
    ) -> None:
        original = getattr(error, "original", error)
        await answer_error(inter, original)
        count_answer(inter, action=inter.data.name, error=original)
