"""Read models of the use cases as the API's response models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from gamesched.discord.render import announcement_link
from gamesched.domain.permissions import Actor, may_manage_game
from gamesched.domain.roster import SlotStatus
from gamesched.domain.settings import EffectiveSettings, Resolved
from gamesched.services.views import GameView
from webauth.api import models
from webauth.present import NamedRoster, Person, roster_of

MY_STATUS: dict[SlotStatus | None, Literal["joined", "waitlist"]] = {
    SlotStatus.JOINED: "joined",
    SlotStatus.WAITLIST: "waitlist",
}


def participants(game: GameView, roster: NamedRoster) -> list[models.ParticipantOut]:
    """Joined members, the waitlist in order, then placeholders."""
    groups: tuple[tuple[Literal["joined", "waitlist", "placeholder"], tuple[Person, ...]], ...] = (
        ("joined", roster.joined),
        ("waitlist", roster.waitlist),
        ("placeholder", roster.placeholders),
    )
    return [
        models.ParticipantOut(
            discord_id=None if person.user_id is None else str(person.user_id),
            display_name=person.name,
            status=status,
            is_placeholder=person.is_placeholder,
            is_host=person.user_id == game.host_id,
        )
        for status, people in groups
        for person in people
    ]


def game_settings(settings: EffectiveSettings) -> models.GameSettingsOut:
    return models.GameSettingsOut(
        max_players=models.IntSetting(
            value=settings.max_players.value, source=settings.max_players.source
        ),
        reminder_minutes=models.IntListSetting(
            value=list(settings.reminder_minutes.value), source=settings.reminder_minutes.source
        ),
        rules=models.TextSetting(value=settings.rules.value, source=settings.rules.source),
        duration_minutes=models.IntSetting(
            value=settings.duration_minutes.value, source=settings.duration_minutes.source
        ),
        category=models.TextSetting(value=settings.category.value, source=settings.category.source),
    )


def place_settings(settings: EffectiveSettings) -> models.PlaceSettingsOut:
    shared = game_settings(settings)
    return models.PlaceSettingsOut(
        **dict(shared),
        host_role_ids=models.IdListSetting(
            value=[str(r) for r in settings.host_role_ids.value],
            source=settings.host_role_ids.source,
        ),
        remind_in_channel=_flag(settings.remind_in_channel),
        public_feed=_flag(settings.public_feed),
        mirror_events=_flag(settings.mirror_events),
    )


def _flag(setting: Resolved[bool]) -> models.FlagSetting:
    return models.FlagSetting(value=setting.value, source=setting.source)


def game(game: GameView, names: Mapping[int, str], *, viewer: Actor) -> models.GameOut:
    """``game`` as ``viewer`` sees it; ``names`` holds the display names of its people."""
    roster = roster_of(game, names)
    mine = MY_STATUS.get(game.roster.status_of(viewer.user_id))
    return models.GameOut(
        id=str(game.id),
        game_id=str(game.id),
        guild_id=str(game.guild_id),
        channel_id=str(game.channel_id),
        title=game.title,
        description=game.description,
        scheduled_at=models.utc(game.start_at),
        ends_at=models.utc(game.end_at),
        status=game.status,
        version=game.version,
        host=models.PersonOut(discord_id=str(game.host_id), display_name=roster.host.name),
        max_players=game.max_players,
        seats_taken=len(game.joined),
        waitlist_count=len(game.waitlist),
        participants=participants(game, roster),
        settings=game_settings(game.settings),
        ping_participants=game.ping_participants,
        announcement_url=announcement_link(game),
        can_manage=may_manage_game(viewer, host_id=game.host_id),
        my_status=mine,
    )
