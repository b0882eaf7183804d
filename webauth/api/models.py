"""The API's request and response bodies as Pydantic models: requests are validated with
them, answers are built with them, and the OpenAPI document takes its schemas from them, so
the three cannot drift apart.

Ids are strings (Discord's snowflakes exceed what JavaScript's numbers hold exactly), times
are ISO 8601 in UTC, and people carry ``discordId`` and ``displayName`` (resolved when
answering: nick > global name > username).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from gamesched.domain.entries import MAX_ENTRIES
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.recurrence import MAX_REPEAT_LENGTH
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_HOST_ROLES,
    MAX_PLAYERS_LIMIT,
    MAX_REMINDER_MINUTES,
    MAX_REMINDERS,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    MIN_PLAYERS_LIMIT,
    Source,
)
from gamesched.domain.status import GameStatus
from gamesched.domain.timeparse import MAX_WHEN_LENGTH, MAX_ZONE_LENGTH
from gamesched.services.series import MAX_AHEAD_DAYS, MIN_AHEAD_DAYS
from webauth.inputs import (
    NO_CONTROLS,
    PLAIN_TEXT_PATTERN,
    SNOWFLAKE_PATTERN,
    has_controls,
    read_id,
)

MAX_OFFSET = 1_000_000
"""The furthest a game list pages (``offset``)."""
DEFAULT_PAGE_SIZE = 25


def snowflake(value: str) -> str:
    if read_id(value) is None:
        raise ValueError("that is not a Discord id (ids are at most 19 digits, below 2^63)")
    return value


def plain_text(value: str) -> str:
    if has_controls(value):
        raise ValueError(f"the text holds {NO_CONTROLS}")
    return value


Snowflake = Annotated[
    str,
    Field(pattern=SNOWFLAKE_PATTERN, examples=["1170000000000000001"]),
    AfterValidator(snowflake),
]
"""A Discord id as a string of digits."""


ENTRY_PATTERN = "^[^,\\uff0c\\u0000-\\u001f\\u007f]*$"
"""One participant entry: no commas or line breaks (they separate entries), no controls."""


def one_entry(value: str) -> str:
    if "," in value or "\uff0c" in value or "\n" in value or "\r" in value:
        raise ValueError(
            "an entry holds a comma or a line break, which separate entries; "
            "send each name or placeholder as its own item"
        )
    return value


def text_field(max_length: int | None = None) -> Any:
    """Documents a string without control characters and its length limit (the use case
    checks the length and says how long the text is)."""
    extra: dict[str, Any] = {"pattern": PLAIN_TEXT_PATTERN}
    if max_length is not None:
        extra["maxLength"] = max_length
    return Field(json_schema_extra=extra)


Entry = Annotated[
    str,
    Field(json_schema_extra={"pattern": ENTRY_PATTERN}),
    AfterValidator(plain_text),
    AfterValidator(one_entry),
]
Title = Annotated[str, text_field(MAX_TITLE_LENGTH), AfterValidator(plain_text)]
Description = Annotated[str, text_field(MAX_DESCRIPTION_LENGTH), AfterValidator(plain_text)]
WhenText = Annotated[str, text_field(MAX_WHEN_LENGTH), AfterValidator(plain_text)]
Rules = Annotated[str, text_field(MAX_RULES_LENGTH), AfterValidator(plain_text)]
Category = Annotated[str, text_field(MAX_CATEGORY_LENGTH), AfterValidator(plain_text)]
ZoneName = Annotated[str, text_field(MAX_ZONE_LENGTH), AfterValidator(plain_text)]
RepeatText = Annotated[str, text_field(MAX_REPEAT_LENGTH), AfterValidator(plain_text)]


def limits(minimum: int, maximum: int) -> dict[str, Any]:
    """Documents a number's range (the use case checks it and says what the range is)."""
    return {"minimum": minimum, "maximum": maximum}


class Request(BaseModel):
    """A request body: a JSON object with exactly the documented fields and types."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Response(BaseModel):
    """A response body: every field is always present (None as ``null``)."""

    model_config = ConfigDict(
        serialize_by_alias=True,
        validate_by_name=True,
        json_schema_serialization_defaults_required=True,
    )


# --- requests ---------------------------------------------------------------------------------


class LoginStart(Request):
    next: str | None = Field(
        None,
        description="A path of this site the pages' callback (`/callback`) sends the browser "
        "to after the login; anything but a plain path means `/`.",
    )


class SettingsFields(Request):
    """Settings a level (game, channel or guild) sets; ``null`` inherits from the level above."""

    max_players: int | None = Field(
        None,
        description="Players who get a seat; the rest queue on the waitlist.",
        json_schema_extra=limits(MIN_PLAYERS_LIMIT, MAX_PLAYERS_LIMIT),
    )
    reminder_minutes: list[int] | None = Field(
        None,
        description="Minutes before the start at which players are reminded; `[]` for none.",
        json_schema_extra={
            "maxItems": MAX_REMINDERS,
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_REMINDER_MINUTES},
        },
    )
    rules: Rules | None = Field(None, description="House rules shown on the announcement.")
    duration_minutes: int | None = Field(
        None,
        description="Expected length; the game completes this long after its start.",
        json_schema_extra=limits(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES),
    )
    category: Category | None = Field(
        None, description="A label to browse games by, e.g. `Board games`."
    )


class PlaceSettings(SettingsFields):
    """A guild's or a channel's settings: a game's, plus who may host and its on/off settings.
    A field left out keeps its value; ``null`` makes it inherit again."""

    host_role_ids: list[Snowflake] | None = Field(
        None,
        description="Roles allowed to create games here (any one of them); `[]` or `null` "
        "means none are set, and creating games needs Manage Server.",
        json_schema_extra={"maxItems": MAX_HOST_ROLES},
    )
    remind_in_channel: bool | None = Field(
        None,
        description="Also post reminders in the game's channel for players whose DMs are closed.",
    )
    public_feed: bool | None = Field(
        None,
        description="Publish the games here as a calendar feed anyone with its link can read.",
    )
    mirror_events: bool | None = Field(
        None,
        description="Mirror each game as a Discord scheduled event (the bot needs the Manage "
        "Events permission).",
    )


class GuildConfig(PlaceSettings):
    timezone: ZoneName | None = Field(
        None,
        description="The server's time zone (IANA name, e.g. `Europe/Berlin`): typed start "
        "times of members without their own zone are read in it; `null` for UTC.",
    )


class ChannelConfig(PlaceSettings):
    pass


class GameFields(SettingsFields):
    """What a host types about a game, and the settings it overrides (``null`` inherits)."""

    title: Title = Field(description="The game's name.")
    description: Description = Field("", description="What the game is about.")
    scheduled_at: AwareDatetime | None = Field(
        None,
        description="The start, ISO 8601 with an offset (`2026-12-05T19:00:00Z`), at most a "
        "year ahead. Give this or `when`.",
    )
    when: WhenText | None = Field(
        None,
        description="The start as a host types it in Discord (`tomorrow 8pm`, `sat 19:00`), "
        "read in the member's time zone (else the server's, else UTC). Give this or "
        "`scheduled_at`.",
    )
    ping_participants: bool = Field(
        False, description="Whether the announcement's participant mentions notify them."
    )


class CreateGame(GameFields):
    guild_id: Snowflake = Field(description="The server of the game.")
    channel_id: Snowflake = Field(
        description="The channel to announce it in (see GET /api/v1/guilds/{guild_id}/channels)."
    )
    initial_participants: list[Entry] = Field(
        [],
        description="Who plays, one entry each: `@name` (a member by username, global name or "
        "nickname), `<@id>` or a bare id (a member by id), or other text (a placeholder slot "
        "such as `Guest`).",
        json_schema_extra={"maxItems": MAX_ENTRIES},
    )
    repeat: RepeatText | None = Field(
        None,
        description="Make it a recurring game (a series) as `/create-game`'s `repeat` does: "
        "`weekly on Mon, Thu`, `every 2 weeks on Friday`, `monthly on the last Friday`, "
        "`monthly on day 15`, optionally followed by `until 2027-03-01` or `for 10 times`. "
        "The start must fall on one of its dates; the answer is the first game.",
    )
    ahead_days: int | None = Field(
        None,
        description="With `repeat`: make and announce each game this many days before its "
        "start (`null`: the next once the one before starts).",
        json_schema_extra=limits(MIN_AHEAD_DAYS, MAX_AHEAD_DAYS),
    )
    carry_roster: bool = Field(
        False, description="With `repeat`: each game starts with the previous one's players."
    )


class EditGame(Request):
    """A change to a game: a field left out keeps its value; ``null`` makes a setting
    inherit again."""

    title: Title | None = None
    description: Description | None = None
    scheduled_at: AwareDatetime | None = None
    when: WhenText | None = None
    ping_participants: bool | None = None
    max_players: int | None = Field(
        None, json_schema_extra=limits(MIN_PLAYERS_LIMIT, MAX_PLAYERS_LIMIT)
    )
    reminder_minutes: list[int] | None = Field(
        None,
        json_schema_extra={
            "maxItems": MAX_REMINDERS,
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_REMINDER_MINUTES},
        },
    )
    rules: Rules | None = None
    duration_minutes: int | None = Field(
        None, json_schema_extra=limits(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES)
    )
    category: Category | None = None


# --- responses --------------------------------------------------------------------------------


class ProblemOut(Response):
    field: str = Field(description="The request field at fault.")
    message: str = Field(description="What is wrong and how to fix it.")
    entry: str | None = Field(
        description="The offending entry, when the field holds several (participants)."
    )


class ErrorOut(Response):
    """Every refusal of the API."""

    error: str = Field(
        description="A stable code: a refusal's reason (`game_not_found`, `not_host_or_admin`, "
        "`already_joined`, `csrf_failed`, ...) or the status's generic code (`bad_json`, "
        "`login_required`, `login_failed`, `forbidden`, `not_found`, `method_not_allowed`, "
        "`conflict`, `body_too_large`, `invalid`, `server_error`, `discord_unavailable`, "
        "`login_unavailable`)."
    )
    message: str = Field(description="What was wrong and how to fix it.")
    problems: list[ProblemOut] | None = Field(
        None, description="For invalid requests (422): each problem by field."
    )

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)


class SuggestionOut(Response):
    discord_id: str = Field(serialization_alias="discordId")
    username: str
    display_name: str = Field(serialization_alias="displayName")
    replacement: str = Field(
        description="The entry that picks exactly this member (put it in place of the input)."
    )


class InvalidMention(Response):
    input: str = Field(description="The entry as sent.")
    reason: str = Field(description="Why it names no one member, and how to fix it.")
    suggestions: list[SuggestionOut] = Field(description="Members it may have meant, best first.")


class GameInvalidOut(Response):
    """A game that could not be created or changed: every problem at once, nothing written."""

    error: Literal["invalid_mentions", "invalid"] = Field(
        description="`invalid_mentions` when some participant entries name no one member, "
        "`invalid` for other problems."
    )
    message: str
    problems: list[ProblemOut]
    invalid_mentions: list[InvalidMention]
    valid_participants: list[str] = Field(
        description="The participant entries that were fine, as sent."
    )
    form_data: dict[str, Any] = Field(
        description="The request body as received, to fill the form in again."
    )


class UserOut(Response):
    discord_id: str = Field(serialization_alias="discordId")
    username: str | None = Field(description="The unique Discord username.")
    display_name: str = Field(
        serialization_alias="displayName", description="Global name, else username."
    )
    csrf_token: str = Field(
        serialization_alias="csrfToken",
        description="Send it as the X-CSRF-Token header of every POST, PUT and DELETE.",
    )


class AuthorizeOut(Response):
    authorize_url: str = Field(description="Send the browser here to log in with Discord.")


class RefreshOut(Response):
    expires_at: datetime = Field(description="When the renewed Discord access token expires.")


class PersonOut(Response):
    discord_id: str = Field(serialization_alias="discordId")
    display_name: str = Field(serialization_alias="displayName")


class ParticipantOut(Response):
    discord_id: str | None = Field(
        serialization_alias="discordId", description="`null` for a placeholder."
    )
    display_name: str = Field(
        serialization_alias="displayName",
        description="The member's name here, or the placeholder's text.",
    )
    status: Literal["joined", "waitlist", "placeholder"]
    is_placeholder: bool = Field(serialization_alias="isPlaceholder")
    is_host: bool = Field(serialization_alias="isHost")


class IntSetting(Response):
    value: int
    source: Source


class IntListSetting(Response):
    value: list[int]
    source: Source


class TextSetting(Response):
    value: str
    source: Source


class IdListSetting(Response):
    value: list[str]
    source: Source


class FlagSetting(Response):
    value: bool
    source: Source


class GameSettingsOut(Response):
    """A game's settings after inheritance, each with the level it comes from."""

    max_players: IntSetting
    reminder_minutes: IntListSetting
    rules: TextSetting
    duration_minutes: IntSetting
    category: TextSetting


class PlaceSettingsOut(GameSettingsOut):
    host_role_ids: IdListSetting
    remind_in_channel: FlagSetting
    public_feed: FlagSetting
    mirror_events: FlagSetting


class GameOut(Response):
    id: str
    game_id: str = Field(description="The same as `id`.")
    guild_id: str
    channel_id: str
    title: str
    description: str
    scheduled_at: datetime
    ends_at: datetime = Field(description="`scheduled_at` plus the duration.")
    status: GameStatus
    version: int = Field(description="Goes up with every change.")
    host: PersonOut
    max_players: int
    seats_taken: int
    waitlist_count: int
    participants: list[ParticipantOut] = Field(
        description="Joined members, then the waitlist in order, then placeholders."
    )
    settings: GameSettingsOut
    ping_participants: bool
    announcement_url: str | None = Field(description="Opens the announcement in Discord.")
    can_manage: bool = Field(description="Whether you may edit and cancel it.")
    my_status: Literal["joined", "waitlist"] | None = Field(description="Whether you are in it.")


class GamePageOut(Response):
    games: list[GameOut]
    total: int = Field(description="Games matching the filters.")
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, if any.")


class GuildOut(Response):
    id: str
    name: str
    icon: str | None
    can_configure: bool = Field(description="Whether you may change its settings.")


class ChannelOut(Response):
    id: str
    name: str
    bot_can_post: bool = Field(description="Whether gamesched may announce games here.")
    can_host: bool = Field(description="Whether you may create games here.")
    host_refusal: str | None = Field(description="Why you may not create games here.")
    can_configure: bool = Field(description="Whether you may change its settings.")
    settings: PlaceSettingsOut


class GuildConfigOut(Response):
    guild_id: str
    timezone: str | None
    settings: PlaceSettingsOut


class ChannelConfigOut(Response):
    guild_id: str
    channel_id: str
    settings: PlaceSettingsOut


class OpenApiOut(Response):
    """An OpenAPI 3.1 document."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
