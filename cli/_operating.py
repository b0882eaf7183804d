"""How the commands that change things open gamesched: as the operator at this terminal, on
the configured Discord, else on the sandbox `gamesched run` serves when one is running.

The operator acts with full rights, and every change is recorded as made from the CLI by
this machine's login name (see :func:`gamesched.app.operating`). Changes reach running
processes the way the bot's do: the use cases mark due work, and the wake-up is published
over Redis when ``broker.url`` is set (else a separate worker sees the work at its next idle
check).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cli.serve import operators_discord
from gamesched.app import Operating
from gamesched.app import operating as operating_from
from gamesched.config import Config
from gamesched.services.context import FrontEnd


@asynccontextmanager
async def operating(config: Config) -> AsyncIterator[Operating]:
    """:func:`gamesched.app.operating` for the CLI."""
    async with operating_from(config, FrontEnd.CLI, await operators_discord(config)) as op:
        yield op
