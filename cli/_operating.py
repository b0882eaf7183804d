"""How the commands that change things open gamesched: as the operator at this terminal.

The operator acts with full rights (:meth:`Actor.operator`), and every change is recorded as
made from the CLI by this machine's login name. Changes reach running processes the way the
bot's do: the use cases mark due work, and the wake-up is published over Redis when
``broker.url`` is set (else a separate worker sees the work at its next idle check).
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass

from cli._reading import require_current_schema
from gamesched.app import (
    DISCORD_HINT,
    Core,
    ServiceUnavailable,
    configured_discord,
    database_in_use,
    open_core,
    open_database,
    wake_signal,
)
from gamesched.config import Config
from gamesched.discord.rest import DiscordError
from gamesched.domain.permissions import Actor
from gamesched.services.context import Context, FrontEnd, Origin

UNKNOWN_OPERATOR = "operator"
"""Recorded as the operator when this machine gives no login name (e.g. a container user
without a passwd entry)."""


@dataclass(frozen=True, slots=True)
class Operating:
    """What a changing command works with."""

    services: Context
    """The use cases, recording each change as the operator's, from the CLI."""
    actor: Actor
    """The operator: full rights in every server."""
    core: Core | None
    """Discord (REST, members' rights, role names, display names) when a bot token is
    configured; None without one."""


def operator_name() -> str:
    """This machine's login name, as the history shows who changed something."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return UNKNOWN_OPERATOR


@asynccontextmanager
async def operating(config: Config) -> AsyncIterator[Operating]:
    """:class:`Operating` for the block: the core when a bot token is set, else the database
    alone (with the same wake-up signal). A database not set up for this version is a
    ServiceUnavailable saying what to run; it is never migrated by the way."""
    await require_current_schema(config)
    origin = Origin(FrontEnd.CLI, operator=operator_name())
    target = configured_discord(config)
    if target is not None:
        async with open_core(config, target) as core:
            with database_in_use(), discord_in_use(core):
                yield Operating(core.services.acting_from(origin), Actor.operator(), core)
        return
    async with open_database(config) as database, aclosing(wake_signal(config)) as wake:
        with database_in_use():
            services = Context(database=database, on_due_work=wake.notify, origin=origin)
            yield Operating(services, Actor.operator(), None)


@contextmanager
def discord_in_use(core: Core) -> Iterator[None]:
    """Discord refusing or failing a request the block made (a bad token, an outage) is a
    ServiceUnavailable naming the API; answers a command handles itself (no such channel)
    are caught before they get here."""
    try:
        yield
    except DiscordError as error:
        raise ServiceUnavailable(
            f"Could not use Discord at {core.discord.api_base_url}: {error}. {DISCORD_HINT}"
        ) from error
