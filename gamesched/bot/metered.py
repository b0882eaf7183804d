"""The bot's part in the metrics (:mod:`gamesched.metrics`): every answer counted and timed,
the gateway connection followed, and the library's own 429s counted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from disnake.ext import commands
from disnake.interactions import ApplicationCommandInteraction, ModalInteraction

from gamesched.bot.interactions import AnyInteraction, CommandInteraction
from gamesched.domain.errors import DomainError
from gamesched.metrics import DISCORD_RATE_LIMITED, INTERACTION_SECONDS, INTERACTIONS, Gateway

UNKNOWN_ACTION = "unknown"
"""The action of a component or form whose id no handler owns (answered as out of date)."""


def kind_of(inter: AnyInteraction) -> str:
    """``command``, ``form`` or ``component`` (a button or a select)."""
    if isinstance(inter, ApplicationCommandInteraction):
        return "command"
    return "form" if isinstance(inter, ModalInteraction) else "component"


def count_answer(inter: AnyInteraction, *, action: str, error: BaseException | None) -> None:
    """Count an interaction whose answer was just sent, and time it from Discord's creation
    of it (its id's timestamp: what the user waited, gateway delivery included)."""
    if error is None:
        outcome = "answered"
    else:
        outcome = "refused" if isinstance(error, DomainError) else "failed"
    kind = kind_of(inter)
    INTERACTIONS.labels(kind, action, outcome).inc()
    waited = (datetime.now(UTC) - inter.created_at).total_seconds()
    INTERACTION_SECONDS.labels(kind).observe(max(waited, 0.0))


def action_of_prefix(prefix: str | None) -> str:
    """The action a custom-id prefix stands for (``game:join:v1:`` -> ``game:join:v1``)."""
    return UNKNOWN_ACTION if prefix is None else prefix.rstrip(":")


class Metering(commands.Cog):
    """Counts slash commands that succeeded (failures are counted by the error handler, once
    it has answered) and follows the gateway connection for ``/healthz``."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway
        gateway.starting()

    @commands.Cog.listener()
    async def on_slash_command_completion(self, inter: CommandInteraction) -> None:
        count_answer(inter, action=inter.data.name, error=None)

    @commands.Cog.listener()
    async def on_connect(self) -> None:
        self._gateway.connected()

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        self._gateway.connected()

    @commands.Cog.listener()
    async def on_disconnect(self) -> None:
        self._gateway.disconnected()


class _LibraryRateLimits(logging.Filter):
    """Counts the 429s disnake waits out itself: it says so only in a warning, whose text
    (the format string, before arguments) is matched here. Records pass unchanged."""

    MESSAGES = ("We are being rate limited.", "Webhook ID %s is rate limited.")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.MESSAGES):
            DISCORD_RATE_LIMITED.labels("bot").inc()
        return True


_LIBRARY_RATE_LIMITS = _LibraryRateLimits()
LIBRARY_LOGGERS = ("disnake.http", "disnake.webhook.async_")
"""Where disnake logs the 429s of its REST calls and of interaction answers (webhooks)."""


def count_library_rate_limits() -> None:
    """Start counting disnake's own 429s (once per process, however many bots are built)."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).addFilter(_LIBRARY_RATE_LIMITS)
