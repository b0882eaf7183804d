"""The bot process: a disnake InteractionBot wired to the use cases and the REST client."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import disnake
from disnake.ext import commands

from gamesched.bot.components import ComponentRouter
from gamesched.bot.metered import Metering, count_library_rate_limits
from gamesched.calendar.addresses import CalendarSite
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.metrics import Gateway
from gamesched.services.context import Context

log = logging.getLogger("gamesched.bot")

EXTENSIONS = (
    "gamesched.bot.errors",
    "gamesched.bot.games",
    "gamesched.bot.settings",
    "gamesched.bot.personal",
    "gamesched.bot.calendar",
)


@dataclass(frozen=True, slots=True)
class BotDeps:
    """What the bot's features use, built once per process."""

    services: Context
    rest: DiscordRest
    sync: AnnouncementSync
    gateway: Gateway = field(default_factory=Gateway)
    """Where the bot reports its gateway connection (the process's core's, for /healthz)."""
    calendars: CalendarSite | None = None
    """Calendar feed addresses; None when no web serves them (the bot says so)."""


class GameschedBot(commands.InteractionBot):
    """The bot. Buttons, selects and forms are routed by custom-id prefix through one router
    (:attr:`components`, where each extension registers the prefixes it owns), so nothing is
    registered per message and start-up does not grow with the number of games."""

    def __init__(
        self, deps: BotDeps, *, test_guild_ids: Sequence[int] = (), members_intent: bool = True
    ) -> None:
        intents = disnake.Intents.none()
        intents.guilds = True
        intents.members = members_intent
        super().__init__(
            intents=intents,
            test_guilds=list(test_guild_ids) or None,
            allowed_mentions=disnake.AllowedMentions.none(),
        )
        self.deps = deps
        self.components = ComponentRouter()
        self.add_cog(self.components)
        self.add_cog(Metering(deps.gateway))
        count_library_rate_limits()
        for extension in EXTENSIONS:
            self.load_extension(extension)


def point_at(api_base_url: str) -> None:
    """Send every disnake REST, interaction and webhook call to ``api_base_url``.

    disnake builds all of its URLs from ``Route.BASE``; this must happen before ``start()``.
    """
    disnake.http.Route.BASE = api_base_url.rstrip("/")


def declared_commands() -> frozenset[str]:
    """The names of the application commands the bot registers when it starts, read from its
    extensions' cogs without building a bot (``gamesched doctor`` compares them with Discord's);
    a subcommand is part of its command, not a name of its own."""
    names: set[str] = set()
    for extension in EXTENSIONS:
        for value in vars(importlib.import_module(extension)).values():
            if isinstance(value, type) and issubclass(value, commands.Cog):
                names.update(
                    command.name
                    for command in value.__cog_app_commands__
                    if not isinstance(command, commands.SubCommand | commands.SubCommandGroup)
                )
    return frozenset(names)
