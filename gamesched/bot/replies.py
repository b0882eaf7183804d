"""Answering interactions: within Discord's 3-second deadline, privately to one person."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import disnake

from gamesched.bot.interactions import AnyInteraction
from gamesched.bot.metered import kind_of
from gamesched.metrics import INTERACTIONS_DEFERRED

T = TypeVar("T")

DEFER_AFTER_SECONDS = 1.5
"""Work still running after this long is deferred first, leaving Discord's 3 s well met."""

_answering: dict[int, asyncio.Lock] = {}
"""AnyInteraction id -> lock held while its first answer is on its way.

disnake counts an interaction as answered only once Discord has accepted the answer, so a
deferral decided while a reply is still in flight would acknowledge it a second time, which
Discord refuses. Only the deferral and the reply contend, so the lock is dropped after each
use: the other one still holds it."""


@asynccontextmanager
async def _answering_alone(inter: AnyInteraction) -> AsyncIterator[None]:
    lock = _answering.setdefault(inter.id, asyncio.Lock())
    try:
        async with lock:
            yield
    finally:
        _answering.pop(inter.id, None)


async def within_deadline(inter: AnyInteraction, work: Awaitable[T]) -> T:
    """Run ``work``; if it is slow, acknowledge the interaction (a private "thinking") first."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_SECONDS)
    if not done:
        async with _answering_alone(inter):
            if not inter.response.is_done():
                await inter.response.defer(ephemeral=True, with_message=True)
                INTERACTIONS_DEFERRED.labels(kind_of(inter)).inc()
    return await task


async def reply(
    inter: AnyInteraction,
    content: str | None = None,
    *,
    embed: disnake.Embed | None = None,
    components: Sequence[Any] | None = None,
) -> None:
    """A private answer, whether or not the interaction was deferred."""
    options: dict[str, Any] = {
        "content": content,
        "allowed_mentions": disnake.AllowedMentions.none(),
    }
    if embed is not None:
        options["embed"] = embed
    if components is not None:
        options["components"] = list(components)
    async with _answering_alone(inter):
        if inter.response.is_done():
            await inter.edit_original_response(**options)
        else:
            await inter.response.send_message(ephemeral=True, **options)
