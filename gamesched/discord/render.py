"""Discord message payloads for games: the announcement, DMs, game lists and form errors.

Pure functions from snapshots to the JSON bodies Discord's REST API takes. Every payload stays
within Discord's documented limits whatever a game holds: a list that does not fit is cut
with one "… and N more" line, so the counts shown are always exact.

Text that users typed (titles, descriptions, rules, placeholders, categories) is shown as
typed. It cannot ping anyone: only a message's ``content`` pings, every payload carries
``allowed_mentions``, and ``content`` holds nothing but the mentions the bot means. It cannot
break the layout either: where it must stay on one line its whitespace is collapsed, and
where it sits inside the bot's own formatting (italic placeholders, bold titles) its markdown
characters are escaped. Nothing else is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, TypeAlias, assert_never

from gamesched.discord.custom_ids import Action, game_custom_id
from gamesched.discord.limits import (
    ACTION_ROW,
    BUTTON,
    MAX_ALLOWED_MENTION_IDS,
    MAX_CONTENT_LENGTH,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_FIELD_VALUE,
    MAX_EMBED_FIELDS,
    MAX_EMBED_TITLE,
    MAX_EMBED_TOTAL_CHARACTERS,
)
from gamesched.domain.entries import MAX_PLACEHOLDER_LENGTH
from gamesched.domain.errors import Problem, Suggestion
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_RULES_LENGTH,
    PLACE_FLAGS,
    EffectiveSettings,
    Resolved,
    Source,
)
from gamesched.domain.status import GameStatus
from gamesched.services.planning import NoticeKind
from gamesched.services.views import GameView

STATUS_COLOURS: Final = {
    GameStatus.SCHEDULED: 0x5865F2,
    GameStatus.IN_PROGRESS: 0x57F287,
    GameStatus.COMPLETED: 0x99AAB5,
    GameStatus.CANCELLED: 0xED4245,
}
"""Embed colour per status: blurple while open, green while playing, grey when done, red when
cancelled."""
LIST_COLOUR: Final = STATUS_COLOURS[GameStatus.SCHEDULED]
"""Embed colour of game lists."""
SUCCESS_STYLE: Final = 3
"""Green button (``ButtonStyleTypes.SUCCESS``)."""
SECONDARY_STYLE: Final = 2
"""Grey button (``ButtonStyleTypes.SECONDARY``)."""
EPHEMERAL: Final = 1 << 6
"""Message flag: only the user who interacted sees the message."""
WAITLIST_SHARE: Final = 5
"""The waitlist's first fields may take this fraction (1/5) of the room left for lists before
the participants are placed, so the first few in line stay visible when the game is huge;
the participants come first for the rest."""
NO_PLAYERS: Final = "No players yet."
"""The participants field of a game nobody is in."""

_MARKDOWN: Final = re.compile(r"([\\*_~`|\[\]])")
"""Characters that would end or start emphasis, code, spoilers or a masked link around user text."""

# --- wording every answer shares -------------------------------------------------------------

TimestampStyle: TypeAlias = Literal["t", "T", "d", "D", "f", "F", "R"]
"""How Discord shows a timestamp: short/long time, short/long date, short/long date and time,
relative ("in 2 hours")."""

SOURCE_LABELS: Final = {
    Source.GAME: "set on the game",
    Source.CHANNEL: "from the channel",
    Source.GUILD: "from the server",
    Source.DEFAULT: "built-in default",
}
"""Where a setting's value comes from, as every answer that shows settings says it."""


def timestamp(moment: datetime, style: TimestampStyle) -> str:
    """A Discord timestamp, shown in each reader's own time zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def duration_text(minutes: int) -> str:
    """A length of time: ``45 min``, ``2 h``, ``1 h 30 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def reminders_text(minutes: Sequence[int]) -> str:
    """Reminder offsets as a sentence's end: ``1 h, 15 min before``, or ``none``."""
    return ", ".join(duration_text(m) for m in minutes) + " before" if minutes else "none"


def plain_settings(settings: EffectiveSettings) -> dict[str, tuple[str, str, Source]]:
    """Each setting (by its field name) as plain text for a terminal: label, value, source.
    Role ids stay ids (a terminal cannot show Discord's mentions)."""
    return {
        "max_players": (
            "Max players",
            str(settings.max_players.value),
            settings.max_players.source,
        ),
        "reminder_minutes": (
            "Reminders",
            reminders_text(settings.reminder_minutes.value),
            settings.reminder_minutes.source,
        ),
        "duration_minutes": (
            "Duration",
            duration_text(settings.duration_minutes.value),
            settings.duration_minutes.source,
        ),
        "category": ("Category", settings.category.value or "none", settings.category.source),
        "rules": ("Rules", settings.rules.value or "none", settings.rules.source),
        "host_role_ids": (
            "Host roles",
            ", ".join(map(str, settings.host_role_ids.value)) or "none (Manage Server hosts)",
            settings.host_role_ids.source,
        ),
        **flag_settings(settings),
    }


def switch_text(value: bool) -> str:
    """An on/off setting's value: ``on`` or ``off``."""
    return "on" if value else "off"


def flag_settings(settings: EffectiveSettings) -> dict[str, tuple[str, str, Source]]:
    """Each on/off setting of a place (:data:`PLACE_FLAGS`, by field name): label, ``on`` or
    ``off``, source."""
    shown = {}
    for flag, label in PLACE_FLAGS.items():
        setting: Resolved[bool] = getattr(settings, flag)
        shown[flag] = (label, switch_text(setting.value), setting.source)
    return shown


# --- payloads --------------------------------------------------------------------------------


def announcement(game: GameView) -> dict[str, Any]:
    """The body for POST (create) and PATCH (edit) of ``/channels/{channel_id}/messages``.

    It always has every key, so an edit replaces a stale render entirely: ``content`` is ""
    unless the game pings its participants, in which case it holds their mentions (as many as
    fit) and ``allowed_mentions`` lists exactly those users.
    """
    pinged: Sequence[int] = ()
    content = ""
    if game.ping_participants:
        mentions = [f"<@{user_id}>" for user_id in game.joined]
        content, shown = _fit(
            mentions, limit=MAX_CONTENT_LENGTH, separator=" ", most=MAX_ALLOWED_MENTION_IDS
        )
        pinged = game.joined[:shown]
    allowed: dict[str, Any] = {"parse": []}
    if pinged:
        allowed["users"] = [str(user_id) for user_id in pinged]
    return {
        "content": content,
        "embeds": [_announcement_embed(game)],
        "components": [_buttons(game)],
        "allowed_mentions": allowed,
    }


def notice(kind: NoticeKind, game: GameView, *, jump_url: str | None) -> dict[str, Any]:
    """The DM body telling a member about a change to a game they are in."""
    title = title_text(game.title)
    start = f"{timestamp(game.start_at, 'F')} ({timestamp(game.start_at, 'R')})"
    match kind:
        case NoticeKind.PROMOTED:
            text = f"You got a seat in **{title}**: a place opened up. It starts {start}."
        case NoticeKind.CANCELLED:
            text = f"**{title}**, planned for {start}, was cancelled."
        case NoticeKind.RESCHEDULED:
            text = f"**{title}** was moved: it now starts {start}."
        case NoticeKind.REMOVED:
            text = f"You were taken off **{title}** ({start}) by its organisers."
        case _:
            assert_never(kind)
    return _direct_message(text, jump_url)


def reminder(game: GameView, *, offset_minutes: int, jump_url: str | None) -> dict[str, Any]:
    """The reminder DM sent ``offset_minutes`` before the start (the text stays right when late)."""
    return _direct_message(_reminder_text(game, offset_minutes), jump_url)


CLOSED_DMS_NOTE: Final = "(Posted here because your DMs are closed.)"


def channel_reminders(
    game: GameView, *, offset_minutes: int, user_ids: Sequence[int], jump_url: str | None
) -> list[dict[str, Any]]:
    """The reminder posted in the game's channel for players whose DMs are closed.

    As many messages as it takes to mention every one of ``user_ids`` within Discord's
    content and mention limits (one, unless the players are many); each pings exactly the
    players it mentions and no one else.
    """
    text = f"{_reminder_text(game, offset_minutes)} {CLOSED_DMS_NOTE}"
    if jump_url is not None:
        text = f"{text}\n{jump_url}"
    room = MAX_CONTENT_LENGTH - len(text)  # each mention is followed by a space or newline
    chunks: list[list[int]] = []
    used = room
    for user_id in user_ids:
        mention = len(f"<@{user_id}> ")
        if used + mention > room or len(chunks[-1]) == MAX_ALLOWED_MENTION_IDS:
            chunks.append([])
            used = 0
        chunks[-1].append(user_id)
        used += mention
    return [
        {
            "content": " ".join(f"<@{user_id}>" for user_id in chunk) + f"\n{text}",
            "allowed_mentions": {"parse": [], "users": [str(u) for u in chunk]},
        }
        for chunk in chunks
    ]


def _reminder_text(game: GameView, offset_minutes: int) -> str:
    start = game.start_at
    return (
        f"Reminder, {duration_text(offset_minutes)} ahead: **{title_text(game.title)}** starts "
        f"{timestamp(start, 'R')} ({timestamp(start, 'F')}) in <#{game.channel_id}>."
    )


def title_text(title: str) -> str:
    """A game's title for use inside the bot's own markdown (e.g. between ``**``)."""
    return _inline(title, MAX_TITLE_LENGTH)


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """The URL that opens a message in Discord."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def announcement_link(game: GameView) -> str | None:
    """The URL of the game's announcement, or None while it is not posted."""
    if game.message_id is None:
        return None
    return message_link(game.guild_id, game.channel_id, game.message_id)


def game_line(game: GameView, *, with_channel: bool = False) -> str:
    """One line about a game for lists: number, title, start, (channel,) players, status, link."""
    parts = [
        f"`#{game.id}` **{title_text(game.title)}**",
        f"{timestamp(game.start_at, 'F')} ({timestamp(game.start_at, 'R')})",
    ]
    if with_channel:
        parts.append(f"in <#{game.channel_id}>")
    parts.append(f"{len(game.joined)}/{game.max_players} players")
    if game.waitlist:
        parts.append(f"waitlist {len(game.waitlist)}")
    if game.status is not GameStatus.SCHEDULED:
        parts.append(game.status.label)
    link = announcement_link(game)
    if link is not None:
        parts.append(f"[announcement]({link})")
    return " · ".join(parts)


def game_list(
    games: Sequence[GameView], *, title: str, empty: str, total: int | None = None
) -> dict[str, Any]:
    """An ephemeral message listing games, one :func:`game_line` each, within Discord's limits.

    ``empty`` is shown when there are no games. ``total`` is how many games match when
    ``games`` holds only the first of them. Games left out (not fetched, or not fitting) are
    counted with a hint to narrow the filter, and the footer says how many are shown. When
    the games are in several channels, each line names its channel.
    """
    total = len(games) if total is None else total
    embed: dict[str, Any] = {"title": _cut(title, MAX_EMBED_TITLE), "color": LIST_COLOUR}
    embed["footer"] = {"text": _shown_of(total, total)}  # the widest it can be, for the room
    room = min(MAX_EMBED_DESCRIPTION, MAX_EMBED_TOTAL_CHARACTERS - _embed_length(embed))
    shown = len(games)
    unfetched = total - len(games)

    def more(left: int) -> str:
        return f"… and {left + unfetched} more; narrow the filter to see them."

    if games:
        # Room for the "more" line even when every fetched game fits.
        limit = room - (len(more(len(games))) + 1 if unfetched else 0)
        several = len({game.channel_id for game in games}) > 1
        text, shown = _fit(
            [game_line(game, with_channel=several) for game in games],
            limit=limit,
            separator="\n",
            rest=more,
        )
        embed["description"] = f"{text}\n{more(0)}" if unfetched and shown == len(games) else text
    else:
        embed["description"] = _cut(empty, room)
    if shown < total:
        embed["footer"] = {"text": _shown_of(shown, total)}
    else:
        del embed["footer"]
    return {"embeds": [embed], "flags": EPHEMERAL, "allowed_mentions": {"parse": []}}


def _shown_of(shown: int, total: int) -> str:
    return f"{shown} of {total} shown"


def game_info(game: GameView, *, unreachable: Sequence[int] | None) -> dict[str, Any]:
    """The private /game-info answer: every detail of a game, within Discord's limits.

    ``unreachable`` (shown to the host and admins only; None for everyone else) lists the
    players whose DMs are closed, as mentions in ``content`` that ping nobody.
    """
    embed = _embed_head(game, _cut(_one_line(game.title), MAX_TITLE_LENGTH))
    link = announcement_link(game)
    settings = game.settings
    start = game.start_at
    setting_lines = [
        _setting("Max players", str(settings.max_players.value), settings.max_players.source),
        _setting(
            "Reminders",
            reminders_text(settings.reminder_minutes.value),
            settings.reminder_minutes.source,
        ),
        _setting(
            "Duration",
            duration_text(settings.duration_minutes.value),
            settings.duration_minutes.source,
        ),
        _setting(
            "Category",
            _inline(settings.category.value, MAX_CATEGORY_LENGTH) or "none",
            settings.category.source,
        ),
        *(_setting(*shown) for shown in flag_settings(settings).values()),
    ]
    head = [
        _field("When", f"{timestamp(start, 'F')}\n{timestamp(start, 'R')}", inline=True),
        _field("Status", game.status.label.capitalize(), inline=True),
        _field("Seats", _players(game), inline=True),
        _field("Host", f"<@{game.host_id}>", inline=True),
        _field("Announcement", f"[Jump to it]({link})" if link else "not posted yet", inline=True),
        _field("Settings", "\n".join(setting_lines)),
    ]
    rules = _cut(settings.rules.value.strip(), MAX_RULES_LENGTH)
    tail = [_field(f"Rules ({SOURCE_LABELS[settings.rules.source]})", rules)] if rules else []
    room = MAX_EMBED_TOTAL_CHARACTERS - _embed_length({**embed, "fields": head + tail})
    lists = _roster_fields(game, room=room, max_fields=MAX_EMBED_FIELDS - len(head) - len(tail))
    embed["fields"] = head + lists + tail
    content = ""
    if unreachable:
        label = "Could not be reached by DM: "
        names, _ = _fit(
            [f"<@{user_id}>" for user_id in unreachable],
            limit=MAX_CONTENT_LENGTH - len(label),
            separator=", ",
        )
        content = label + names
    return {
        "content": content,
        "embeds": [embed],
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    }


def _setting(name: str, value: str, source: Source) -> str:
    return f"{name}: {value} · _{SOURCE_LABELS[source]}_"


def problems_message(problems: Sequence[Problem], *, limit: int = MAX_CONTENT_LENGTH) -> str:
    """The ephemeral text for a submission that failed: one bullet per problem.

    Each bullet names the field and the entry at fault and lists the suggestions. Entries are
    shown as inline code; send the text with ``allowed_mentions`` ``{"parse": []}``. The text
    takes at most ``limit`` characters: lower it to leave room for text of your own.
    """
    header = "Nothing was saved. Fix the following and submit again:"
    body, _ = _fit(
        [_problem_line(problem) for problem in problems],
        limit=limit - len(header) - 1,
        separator="\n",
        rest=lambda left: f"… and {left} more; fix these and submit again to see the rest.",
    )
    return f"{header}\n{body}"


# --- the announcement ------------------------------------------------------------------------


def _embed_head(game: GameView, title: str) -> dict[str, Any]:
    """Title (the game's number when blank), status colour, footer and description."""
    embed: dict[str, Any] = {
        "title": title or f"Game #{game.id}",
        "color": STATUS_COLOURS[game.status],
        "footer": {"text": f"Game #{game.id}"},
    }
    description = _cut(game.description.strip(), MAX_DESCRIPTION_LENGTH)
    if description:
        embed["description"] = description
    return embed


def _announcement_embed(game: GameView) -> dict[str, Any]:
    """Fixed fields first; the roster lists get whatever room Discord's limits leave."""
    title = _cut(_one_line(game.title), MAX_TITLE_LENGTH) or f"Game #{game.id}"
    if game.status is not GameStatus.SCHEDULED:
        title = f"[{game.status.label.capitalize()}] {title}"
    embed = _embed_head(game, title)
    start = game.start_at
    head = [
        _field("When", f"{timestamp(start, 'F')}\n{timestamp(start, 'R')}", inline=True),
        _field("Players", _players(game), inline=True),
        _field("Host", f"<@{game.host_id}>", inline=True),
        _field("Duration", _duration(game), inline=True),
    ]
    category = _cut(_one_line(game.settings.category.value), MAX_CATEGORY_LENGTH)
    if category:
        head.append(_field("Category", category, inline=True))
    rules = _cut(game.settings.rules.value.strip(), MAX_RULES_LENGTH)
    tail = [_field("Rules", rules)] if rules else []
    room = MAX_EMBED_TOTAL_CHARACTERS - _embed_length({**embed, "fields": head + tail})
    lists = _roster_fields(game, room=room, max_fields=MAX_EMBED_FIELDS - len(head) - len(tail))
    embed["fields"] = head + lists + tail
    return embed


def _roster_fields(game: GameView, *, room: int, max_fields: int) -> list[dict[str, Any]]:
    """Participants (members in order, then placeholders) and the numbered waitlist."""
    seated = [f"<@{user_id}>" for user_id in game.joined] + [
        f"*{_inline(text, MAX_PLACEHOLDER_LENGTH)}* (placeholder)" for text in game.placeholders
    ]
    waiting = [f"**{place}.** <@{user_id}>" for place, user_id in enumerate(game.waitlist, 1)]
    preview = _list_fields("Waitlist", waiting, room=room // WAITLIST_SHARE, max_fields=1)
    participants = _list_fields(
        "Participants",
        seated or [NO_PLAYERS],
        room=room - _fields_length(preview),
        max_fields=max_fields - len(preview),
    )
    waitlist = _list_fields(
        "Waitlist",
        waiting,
        room=room - _fields_length(participants),
        max_fields=max_fields - len(participants),
    )
    return participants + waitlist


def _list_fields(
    name: str, lines: Sequence[str], *, room: int, max_fields: int
) -> list[dict[str, Any]]:
    """Fields listing ``lines`` in order: ``name``, then ``name (continued)`` as needed.

    The names and values take at most ``room`` characters in at most ``max_fields`` fields;
    the lines that do not fit are replaced by one "… and N more" line.
    """
    layout = _Layout()
    shown = 0
    for line in lines:
        grown = layout.plus(name, line)
        left = len(lines) - shown - 1
        final = grown.plus(name, _more(left)) if left else grown
        if final.fields > max_fields or final.length > room:
            break
        layout, shown = grown, shown + 1
    kept = list(lines[:shown])
    if shown < len(lines):
        kept.append(_more(len(lines) - shown))
    values: list[list[str]] = []
    layout = _Layout()
    for line in kept:
        grown = layout.plus(name, line)
        if grown.fields > layout.fields:
            values.append([])
        values[-1].append(line)
        layout = grown
    return [_field(_list_name(name, index), "\n".join(v)) for index, v in enumerate(values)]


@dataclass(frozen=True, slots=True)
class _Layout:
    """How lines packed into consecutive fields measure."""

    fields: int = 0
    """Fields used."""
    last: int = 0
    """Characters in the last field's value."""
    length: int = 0
    """Characters in all names and values (what counts toward the embed total)."""

    def plus(self, name: str, line: str) -> _Layout:
        """The layout with ``line`` appended: in the last field if it fits, else a new one."""
        if self.fields and self.last + 1 + len(line) <= MAX_EMBED_FIELD_VALUE:
            return _Layout(self.fields, self.last + 1 + len(line), self.length + 1 + len(line))
        opened = len(_list_name(name, self.fields)) + len(line)
        return _Layout(self.fields + 1, len(line), self.length + opened)


def _list_name(name: str, index: int) -> str:
    return name if index == 0 else f"{name} (continued)"


def _players(game: GameView) -> str:
    """``n/max``, plus the waitlist length when anyone waits (the announcement's count)."""
    text = f"{len(game.joined)}/{game.max_players}"
    return f"{text} · waitlist {len(game.waitlist)}" if game.waitlist else text


def _duration(game: GameView) -> str:
    """The expected length and when it ends (with the date when it lasts a day or more)."""
    minutes = game.settings.duration_minutes.value
    style: TimestampStyle = "f" if minutes >= 24 * 60 else "t"
    return f"{duration_text(minutes)}\nuntil {timestamp(game.end_at, style)}"


def _buttons(game: GameView) -> dict[str, Any]:
    """Join (a waitlist join when full) and Leave; all disabled unless the game is scheduled."""
    disabled = game.status is not GameStatus.SCHEDULED
    join = "Join waitlist" if game.roster.is_full else "Join"
    return {
        "type": ACTION_ROW,
        "components": [
            {
                "type": BUTTON,
                "style": style,
                "label": label,
                "custom_id": game_custom_id(action, game.id),
                "disabled": disabled,
            }
            for action, label, style in (
                (Action.JOIN, join, SUCCESS_STYLE),
                (Action.LEAVE, "Leave", SECONDARY_STYLE),
            )
        ],
    }


# --- problems --------------------------------------------------------------------------------


def _problem_line(problem: Problem) -> str:
    """E.g. ``- **Participants**: `@alex` matches several members; … Did you mean `@alex_k`
    (Alex K) or `@alexb`?``"""
    label = problem.field.replace("_", " ").capitalize()
    entry = "" if problem.entry is None else f"{_code(problem.entry)} "
    line = f"- **{label}**: {entry}{problem.message}"
    if not problem.suggestions:
        return line
    choices = [_suggestion(suggestion) for suggestion in problem.suggestions]
    listed = choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"
    return f"{line} Did you mean {listed}?"


def _suggestion(suggestion: Suggestion) -> str:
    """The text to type as code, then who it is unless the code already says it all."""
    code = _code(suggestion.replacement)
    name = suggestion.label.removesuffix(f" ({suggestion.replacement})")
    if name == suggestion.replacement:
        return code
    return f"{code} ({_escape(_one_line(name))})"


def _code(text: str) -> str:
    """Inline code; a backtick inside would end it, so it is shown as a look-alike accent."""
    return f"`{_one_line(text).replace('`', 'ˋ')}`"


# --- text and size helpers -------------------------------------------------------------------


def _fit(
    items: Sequence[str],
    *,
    limit: int,
    separator: str,
    most: int | None = None,
    rest: Callable[[int], str] | None = None,
) -> tuple[str, int]:
    """As many leading items as fit in ``limit`` characters (and at most ``most``), joined.

    When some are left out, ``rest(n)`` (default "… and n more") follows the shown ones.
    Returns the text and how many items it shows.
    """
    summary = rest or _more
    cap = len(items) if most is None else min(most, len(items))
    whole = separator.join(items)
    if cap == len(items) and len(whole) <= limit:
        return whole, cap
    length = 0
    shown = 0
    for item in items[:cap]:
        grown = length + len(item) + len(separator)
        if shown + 1 == len(items) or grown + len(summary(len(items) - shown - 1)) > limit:
            break
        length, shown = grown, shown + 1
    return separator.join([*items[:shown], summary(len(items) - shown)]), shown


def _more(left: int) -> str:
    return f"… and {left} more"


def _direct_message(text: str, jump_url: str | None) -> dict[str, Any]:
    """A DM body: the text, the announcement link on its own line, and no pings."""
    content = text if jump_url is None else f"{text}\n{jump_url}"
    return {"content": content, "allowed_mentions": {"parse": []}}


def _field(name: str, value: str, *, inline: bool = False) -> dict[str, Any]:
    return {"name": name, "value": value, "inline": inline}


def _fields_length(fields: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(field["name"]) + len(field["value"]) for field in fields)


def _embed_length(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts toward an embed's 6000 (before its whitespace trimming)."""
    footer = embed.get("footer") or {}
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + _fields_length(embed.get("fields", ()))
        + len(footer.get("text", ""))
    )


def _inline(text: str, limit: int) -> str:
    """User text inside the bot's own formatting: one line, cut to ``limit``, markdown escaped."""
    return _escape(_cut(_one_line(text), limit))


def _escape(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _one_line(text: str) -> str:
    """Whitespace runs, line breaks included, as single spaces; trimmed."""
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    """``text`` itself, or its first ``limit - 1`` characters and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
