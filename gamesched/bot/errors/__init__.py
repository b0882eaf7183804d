"""The central error handler."""

from disnake.ext import commands

from gamesched.bot.errors._cog import ErrorHandler


def setup(bot: commands.InteractionBot) -> None:
    bot.add_cog(ErrorHandler())
