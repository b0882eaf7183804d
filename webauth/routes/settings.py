"""A server's and a channel's game settings, as ``/config-guild`` and ``/config-channel`` show
and change them in Discord.

``GET/POST /guilds/{guild_id}/settings`` needs Manage Server; ``GET/POST
/channels/{channel_id}/settings`` needs Manage Channels in that channel. Each setting shows
the value it inherits and where from, and may be set here or reset to inherit; the server's
page also sets its time zone. Rights are asked of Discord afresh before saving; without them
the answer is 403 with what is missing, and nothing changes. A failed save comes back 422
with everything as typed and each problem beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gamesched.discord.rights import ChannelFacts, GuildFacts
from gamesched.domain.errors import NotFound, Problem, ValidationFailed
from gamesched.domain.permissions import (
    Actor,
    require_can_configure_channel,
    require_can_configure_guild,
)
from gamesched.domain.settings import (
    EffectiveSettings,
    SettingsPatch,
    Source,
    resolve,
    setting_problems,
)
from gamesched.domain.timeparse import MAX_ZONE_LENGTH, resolve_zone
from gamesched.services.configuration import (
    channel_settings,
    configure_channel,
    configure_guild,
    guild_settings,
)
from gamesched.services.people import set_guild_time_zone
from webauth.access import acting_member, guild_of
from webauth.flash import flash
from webauth.forms import PLACE_SETTINGS, FormProblems, own_values, setting_rows
from webauth.routing import form_route
from webauth.state import web_of

NO_CHANNEL = (
    "There is no such text channel in your servers with gamesched. "
    "Pick a channel from your server's settings page."
)


@dataclass(frozen=True, slots=True)
class Place:
    """The server, or one of its channels, whose settings a page shows."""

    facts: GuildFacts
    channel: ChannelFacts | None
    actor: Actor

    @property
    def level(self) -> Source:
        return Source.GUILD if self.channel is None else Source.CHANNEL

    @property
    def path(self) -> str:
        if self.channel is None:
            return f"/guilds/{self.facts.guild_id}/settings"
        return f"/channels/{self.channel.channel_id}/settings"

    @property
    def name(self) -> str:
        return self.facts.name if self.channel is None else f"#{self.channel.name}"

    @property
    def role_choices(self) -> list[tuple[int, str]]:
        """The server's roles by name (not @everyone, which every member holds)."""
        roles = [(r, n) for r, n in self.facts.role_names.items() if r != self.facts.guild_id]
        return sorted(roles, key=lambda role: role[1].casefold())


async def _guild_place(request: Request, *, fresh: bool = False) -> Place:
    guild_id: int = request.path_params["guild_id"]
    member = await guild_of(request, guild_id, fresh=fresh)
    require_can_configure_guild(member.actor)
    return Place(member.facts, None, member.actor)


async def _channel_place(request: Request, *, fresh: bool = False) -> Place:
    channel_id: int = request.path_params["channel_id"]
    rights = web_of(request).core.rights
    for guild_id in sorted(await rights.bot_guild_ids()):
        facts = await rights.guild(guild_id)
        channel = facts.channel(channel_id) if facts is not None else None
        if facts is not None and channel is not None:
            break
    else:
        raise NotFound(NO_CHANNEL)
    if not channel.postable:
        raise NotFound(NO_CHANNEL)
    actor = await acting_member(request, guild_id, channel_id=channel_id, fresh=fresh)
    require_can_configure_channel(actor)
    if fresh:
        facts = await rights.guild(guild_id) or facts
    return Place(facts, channel, actor)


@dataclass(frozen=True, slots=True)
class Current:
    """What a place inherits, what it sets itself, and (a server) its time zone."""

    inherited: EffectiveSettings
    own: dict[str, object | None]
    timezone: str | None


async def _current(request: Request, place: Place) -> Current:
    services = web_of(request).core.services
    guild = await guild_settings(services, guild_id=place.facts.guild_id)
    if place.channel is None:
        return Current(resolve(), own_values(guild.settings, Source.GUILD), guild.timezone)
    channel = await channel_settings(
        services, guild_id=place.facts.guild_id, channel_id=place.channel.channel_id
    )
    return Current(guild.settings, own_values(channel.settings, Source.CHANNEL), guild.timezone)


def _render(
    request: Request,
    place: Place,
    current: Current,
    *,
    form: FormData | None = None,
    problems: FormProblems | None = None,
    status: int = 200,
) -> Response:
    problems = problems or FormProblems()
    timezone = current.timezone or ""
    if form is not None:
        typed = form.get("timezone")
        timezone = typed if isinstance(typed, str) else ""
    context: dict[str, Any] = {
        "place": place,
        "guild": place.facts,
        "channel": place.channel,
        "rows": setting_rows(
            PLACE_SETTINGS,
            inherited=current.inherited,
            own=current.own,
            role_names=place.facts.role_names,
            form=form,
            problems=problems,
        ),
        "role_choices": place.role_choices,
        "timezone": timezone,
        "zone_limit": MAX_ZONE_LENGTH,
        "problems": problems,
        "channels": place.facts.postable_channels() if place.channel is None else (),
    }
    return web_of(request).pages.page(request, "settings.html", context, status=status)


async def guild_settings_page(request: Request) -> Response:
    """The server's settings (Manage Server)."""
    place = await _guild_place(request)
    return _render(request, place, await _current(request, place))


async def channel_settings_page(request: Request) -> Response:
    """A channel's settings (Manage Channels there)."""
    place = await _channel_place(request)
    return _render(request, place, await _current(request, place))


def _same(sent: object, own: object) -> bool:
    """Whether a value sent is what the place sets already (host roles in any order)."""
    if isinstance(sent, tuple) and isinstance(own, tuple):
        return sent == own or (sorted(sent) == sorted(own) and len(set(sent)) == len(sent))
    return sent == own


async def _save(request: Request, place: Place) -> Response:
    """Check everything sent, then change only what differs from what the place sets now."""
    web = web_of(request)
    services = web.core.services
    async with request.form() as form:
        sent = FormData(form.multi_items())
    current = await _current(request, place)
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    role_ids = [role_id for role_id, _ in place.role_choices]
    for spec in PLACE_SETTINGS:
        _, value, found = spec.read(sent, role_ids=role_ids)
        problems += found
        if not found and not _same(value, current.own.get(spec.key)):
            changes[spec.key] = value
    patch = SettingsPatch(**changes)
    problems += setting_problems(patch)
    zone = current.timezone
    if place.channel is None:
        typed = sent.get("timezone")
        typed = typed.strip() if isinstance(typed, str) else ""
        try:
            zone = resolve_zone(typed) if typed else None
        except ValidationFailed as error:
            problems += error.problems
    if problems:
        shown = FormProblems.of(problems)
        return _render(request, place, current, form=sent, problems=shown, status=422)

    guild_id = place.facts.guild_id
    if place.channel is None:
        if changes:
            await configure_guild(services, actor=place.actor, guild_id=guild_id, patch=patch)
        if zone != current.timezone:
            await set_guild_time_zone(services, actor=place.actor, guild_id=guild_id, zone=zone)
        changed = bool(changes) or zone != current.timezone
    else:
        if changes:
            await configure_channel(
                services,
                actor=place.actor,
                guild_id=guild_id,
                channel_id=place.channel.channel_id,
                patch=patch,
            )
        changed = bool(changes)
    if changed:
        flash(request, f"Saved the settings of {place.name}; its games follow them.")
    else:
        flash(request, "Nothing to save: every setting was already as shown.")
    return RedirectResponse(place.path, status_code=303)


async def save_guild_settings(request: Request) -> Response:
    """Change the server's settings, with rights fresh from Discord."""
    return await _save(request, await _guild_place(request, fresh=True))


async def save_channel_settings(request: Request) -> Response:
    """Change a channel's settings, with rights fresh from Discord."""
    return await _save(request, await _channel_place(request, fresh=True))


ROUTES = [
    form_route(
        "/guilds/{guild_id:int}/settings", show=guild_settings_page, save=save_guild_settings
    ),
    form_route(
        "/channels/{channel_id:int}/settings",
        show=channel_settings_page,
        save=save_channel_settings,
    ),
]
