"""The one router for every button, select and form the bot has sent, by custom-id prefix.

Each feature registers, when its extension loads, the custom-id prefixes it owns (e.g.
``game:join:v1:``, see :func:`gamesched.discord.custom_ids.action_prefix`) with a handler.
The router holds the only component and form listeners: an id goes to the one handler owning
its prefix, and an id nobody owns is answered once, as out of date. Whatever a handler
raises goes to the central error handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeAlias, TypeVar

from disnake.ext import commands

from gamesched.bot.failures import answer_error
from gamesched.bot.interactions import Click, FormSubmit
from gamesched.bot.metered import action_of_prefix, count_answer
from gamesched.discord.custom_ids import ParsedId, parse_custom_id
from gamesched.domain.errors import Conflict

OUT_OF_DATE = (
    "This is out of date: it comes from an older version of me, so I cannot tell what it was "
    "for. Use /list-games to find the game's current announcement, or run the command again."
)
"""The answer to a component or form whose custom id this version does not read. Discord
only sends the bot interactions on its own messages, so such an id is always an old one of
ours, and it must be answered rather than left to fail."""

ComponentHandler: TypeAlias = Callable[[Click], Awaitable[None]]
"""Answers a click on a button or a choice in a select."""
FormHandler: TypeAlias = Callable[[FormSubmit], Awaitable[None]]
"""Answers a submitted form (modal)."""

_Inter = TypeVar("_Inter", Click, FormSubmit)
_Handler = TypeVar("_Handler", ComponentHandler, FormHandler)
_Ref = TypeVar("_Ref", bound=ParsedId)


class ComponentRouter(commands.Cog):
    """Sends each component and form interaction to the handler owning its id's prefix."""

    def __init__(self) -> None:
        self._components: dict[str, ComponentHandler] = {}
        self._forms: dict[str, FormHandler] = {}

    def route_components(self, prefix: str, handler: ComponentHandler) -> None:
        """Send buttons and selects whose custom id starts with ``prefix`` to ``handler``."""
        _add(self._components, prefix, handler)

    def route_forms(self, prefix: str, handler: FormHandler) -> None:
        """Send forms whose custom id starts with ``prefix`` to ``handler``."""
        _add(self._forms, prefix, handler)

    @commands.Cog.listener("on_message_interaction")
    async def on_component(self, inter: Click) -> None:
        await _dispatch(inter, self._components)

    @commands.Cog.listener("on_modal_submit")
    async def on_form(self, inter: FormSubmit) -> None:
        await _dispatch(inter, self._forms)


def _add(routes: dict[str, _Handler], prefix: str, handler: _Handler) -> None:
    """Register one owner; an id must never match two prefixes."""
    clash = [known for known in routes if known.startswith(prefix) or prefix.startswith(known)]
    if not prefix or clash:
        raise ValueError(f"custom-id prefix {prefix!r} is empty or overlaps {clash}")
    routes[prefix] = handler


async def _dispatch(
    inter: _Inter, routes: Mapping[str, Callable[[_Inter], Awaitable[None]]]
) -> None:
    custom_id = inter.data.custom_id
    owner = next((prefix for prefix in routes if custom_id.startswith(prefix)), None)
    try:
        if owner is None:
            raise Conflict(OUT_OF_DATE)
        await routes[owner](inter)
    except Exception as error:
        await answer_error(inter, error)
        count_answer(inter, action=action_of_prefix(owner), error=error)
    else:
        count_answer(inter, action=action_of_prefix(owner), error=None)


def read_custom_id(inter: Click | FormSubmit, kind: type[_Ref]) -> _Ref:
    """The routed interaction's id, parsed; one that still does not read as ``kind`` is out
    of date too."""
    ref = parse_custom_id(inter.data.custom_id)
    if not isinstance(ref, kind):
        raise Conflict(OUT_OF_DATE)
    return ref
