"""One place that turns any failure into a short private answer.

Order, first match wins:
1. Domain errors (validation, permission, not found, conflict): their own neutral text,
   which is written for the user, followed by the Discord way to fix the problem where the
   bot has one (:mod:`gamesched.bot.hints`: a slash command to run, the roles that would allow it).
2. Discord refused something the bot did (missing permission, unknown channel): what the
   bot lacks, so a server admin can fix it.
3. Discord is unreachable after the client's retries: try again shortly.
4. The database is unreachable (:class:`~gamesched.outages.Unreachable`): try again in a
   minute. Not logged here: the database logs its outage once, and its end, however many
   clicks meet it meanwhile.
5. Anything else: logged with the interaction's context, answered with a short apology.
   No traceback ever reaches a user.
"""

from __future__ import annotations

import logging

import disnake

from gamesched.bot.hints import discord_text
from gamesched.bot.interactions import AnyInteraction
from gamesched.bot.replies import reply
from gamesched.discord.rest import DiscordError, DiscordForbidden, DiscordNotFound
from gamesched.domain.errors import DomainError
from gamesched.outages import Unreachable

log = logging.getLogger("gamesched.bot")

MISSING_PERMISSIONS = (
    "I am not allowed to post there. Give me **View Channel**, **Send Messages** and "
    "**Embed Links** in that channel, or pick another channel."
)
UNKNOWN_CHANNEL = "That channel no longer exists (or I cannot see it). Pick another channel."
DISCORD_DOWN = "Discord did not answer me just now. Nothing was lost; try again in a minute."
DATABASE_DOWN = "I cannot reach my database right now. Please try again in a minute."
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again."


def message_for(error: BaseException) -> str:
    """The user-facing text for an error (see the module docstring for the order)."""
    if isinstance(error, DomainError):
        return discord_text(error)
    if isinstance(error, DiscordForbidden):
        return MISSING_PERMISSIONS
    if isinstance(error, DiscordNotFound):
        return UNKNOWN_CHANNEL
    if isinstance(error, DiscordError):
        return DISCORD_DOWN
    if isinstance(error, Unreachable):
        return DATABASE_DOWN
    return APOLOGY


async def answer_error(inter: AnyInteraction, error: BaseException) -> None:
    """Log unexpected errors with context, then answer the user privately."""
    if not isinstance(error, DomainError | DiscordError | Unreachable):
        log.error(
            "unhandled error in %s by user %s in guild %s channel %s",
            getattr(inter.data, "name", None) or getattr(inter.data, "custom_id", "?"),
            inter.author.id,
            inter.guild_id,
            inter.channel_id,
            exc_info=error,
        )
    try:
        await reply(inter, message_for(error))
    except disnake.HTTPException:
        log.warning("could not tell user %s about an error", inter.author.id, exc_info=True)
