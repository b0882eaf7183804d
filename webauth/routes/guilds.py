"""A guild's page: its games in the channels the member can see, filtered and a page at a
time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gamesched.discord.rights import ChannelFacts, GuildFacts
from gamesched.domain.numbers import read_whole_number
from gamesched.domain.settings import MAX_CATEGORY_LENGTH
from gamesched.domain.status import GameStatus
from gamesched.services.games import OPEN_STATUSES, list_games
from webauth.access import guild_of, visible_channel_ids
from webauth.inputs import NO_CONTROLS, has_controls, read_id
from webauth.listing import game_line
from webauth.routes.calendars import public_feed_url
from webauth.state import web_of

PAGE_SIZE = 20
"""Games per page."""
MAX_PAGE = 10_000
"""The highest page number asked for that is read as a page (far beyond any guild's games)."""
STATUS_CHOICES: dict[str, tuple[str, tuple[GameStatus, ...]]] = {
    "open": ("Upcoming and running", OPEN_STATUSES),
    **{status.value: (status.label.capitalize(), (status,)) for status in GameStatus},
    "all": ("Any status", tuple(GameStatus)),
}
"""The status filter's values: its label, and the statuses it keeps."""
DEFAULT_STATUS = "open"


@dataclass(frozen=True, slots=True)
class Filters:
    """What the filter form asked for, as typed (so the form shows it again), and what is
    wrong with it, per field."""

    channel: str = ""
    category: str = ""
    status: str = DEFAULT_STATUS
    page: str = "1"
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def channel_id(self) -> int | None:
        """The channel asked for (None: every channel)."""
        return read_id(self.channel)

    @property
    def page_number(self) -> int:
        return read_whole_number(self.page) or 1

    def query(self, **changes: str) -> str:
        """This filter's query string with ``changes``, leaving out empty and default values."""
        values = {
            "channel": self.channel,
            "category": self.category,
            "status": self.status,
            "page": self.page,
            **changes,
        }
        kept = {
            key: value
            for key, value in values.items()
            if value and (key, value) not in {("status", DEFAULT_STATUS), ("page", "1")}
        }
        return urlencode(kept)


def read_filters(query: Mapping[str, str], channels: Mapping[int, ChannelFacts]) -> Filters:
    """The filters in ``query``; ``channels`` are the ones the member may filter by."""
    channel = query.get("channel", "").strip()
    category = query.get("category", "").strip()
    status = query.get("status", "").strip() or DEFAULT_STATUS
    page = query.get("page", "").strip() or "1"
    problems = {}
    if channel and read_id(channel) not in channels:
        problems["channel"] = (
            "That is not a channel of this server you can see. Pick one from the list, "
            "or “Every channel”."
        )
    if len(category) > MAX_CATEGORY_LENGTH:
        problems["category"] = (
            f"A category is at most {MAX_CATEGORY_LENGTH} characters; shorten it or leave it "
            "empty for every category."
        )
    elif has_controls(category):
        problems["category"] = f"The category may not hold {NO_CONTROLS}."
    if status not in STATUS_CHOICES:
        problems["status"] = "That is not a status games can have. Pick one from the list."
    if not 1 <= (read_whole_number(page) or 0) <= MAX_PAGE:
        problems["page"] = (
            f"The page must be a whole number from 1 to {MAX_PAGE}. Go back to the first page."
        )
    return Filters(channel=channel, category=category, status=status, page=page, problems=problems)


def channel_groups(
    facts: GuildFacts, channels: Iterable[ChannelFacts]
) -> list[tuple[str, list[ChannelFacts]]]:
    """``channels`` under their categories' names (the uncategorised first, under ""), in
    Discord's order."""
    groups: dict[int | None, list[ChannelFacts]] = {}
    for channel in channels:
        groups.setdefault(channel.parent_id, []).append(channel)
    named = []
    for parent_id, members in groups.items():
        parent = None if parent_id is None else facts.channel(parent_id)
        place = (-1, 0) if parent is None else (parent.position, parent.channel_id)
        members.sort(key=lambda c: (c.position, c.channel_id))
        named.append((place, "" if parent is None else parent.name, members))
    return [(name, members) for _, name, members in sorted(named, key=lambda g: g[0])]


async def guild_page(request: Request) -> Response:
    """The guild's games in the channels the member can see, by the filters in the query."""
    guild_id: int = request.path_params["guild_id"]
    guild = await guild_of(request, guild_id)
    facts = guild.facts
    visible = visible_channel_ids(guild)
    channels = {c.channel_id: c for c in facts.postable_channels() if c.channel_id in visible}
    filters = read_filters(request.query_params, channels)
    context = {
        "guild": guild,
        "channel_groups": channel_groups(facts, channels.values()),
        "statuses": {value: label for value, (label, _) in STATUS_CHOICES.items()},
        "filters": filters,
        "page": None,
        "lines": [],
        "number": 1,
        "previous": None,
        "next": None,
        "first": "",
        "public_feed": None,
    }
    if filters.problems:
        return web_of(request).pages.page(request, "guild.html", context, status=400)
    core = web_of(request).core
    context["public_feed"] = await public_feed_url(core, guild_id)
    number = filters.page_number
    page = await list_games(
        core.services,
        guild_id=guild_id,
        channel_id=filters.channel_id,
        channel_ids=visible,
        category=filters.category or None,
        statuses=STATUS_CHOICES[filters.status][1],
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    now = core.services.now()
    context["page"] = page
    context["lines"] = [game_line(game, facts, now=now) for game in page.items]
    context["number"] = number
    context["previous"] = filters.query(page=str(number - 1)) if number > 1 else None
    context["next"] = filters.query(page=str(number + 1)) if page.next_offset else None
    context["first"] = filters.query(page="1")
    return web_of(request).pages.page(request, "guild.html", context)


ROUTES = [Route("/guilds/{guild_id:int}", guild_page, methods=["GET"])]
