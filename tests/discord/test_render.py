"""Message payloads: what announcements, DMs, lists and errors show, within Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesched.discord import render
from gamesched.discord.limits import MAX_ALLOWED_MENTION_IDS, MAX_CONTENT_LENGTH
from gamesched.domain.entries import MAX_ENTRIES, MAX_PLACEHOLDER_LENGTH
from gamesched.domain.errors import Problem, Suggestion
from gamesched.domain.gamefields import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from gamesched.domain.settings import (
    MAX_CATEGORY_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_PLAYERS_LIMIT,
    MAX_RULES_LENGTH,
    MIN_DURATION_MINUTES,
    SettingsLayer,
    resolve,
)
from gamesched.domain.status import GameStatus
from gamesched.sandbox.limits import check_interaction_callback, check_message
from gamesched.sandbox.mentions import USER_MENTION, compute_pings
from gamesched.sandbox.openapi import DiscordSpec
from gamesched.services.planning import NoticeKind
from gamesched.services.views import GameView

START = datetime(2030, 3, 14, 19, 30, tzinfo=UTC)
UNIX = int(START.timestamp())
BIG_ID = 2**64 - 1
"""The longest snowflake (20 digits): the worst case for every mention."""
MORE = re.compile(r"… and (\d+) more")


def game(
    *,
    max_players: int = 4,
    rules: str | None = None,
    category: str | None = None,
    duration: int | None = None,
    **fields: Any,
) -> GameView:
    """A snapshot with sensible defaults; settings set on the game level."""
    values: dict[str, Any] = {
        "id": 42,
        "guild_id": 1,
        "channel_id": 2,
        "host_id": 3,
        "title": "Catan night",
        "description": "",
        "start_at": START,
        "status": GameStatus.SCHEDULED,
        "version": 1,
        "message_id": None,
        "rendered_version": 0,
        "ping_participants": False,
        "joined": (),
        "waitlist": (),
        "placeholders": (),
    }
    values.update(fields)
    layer = SettingsLayer(
        max_players=max_players, rules=rules, category=category, duration_minutes=duration
    )
    return GameView(settings=resolve(game=layer), **values)


def embed_of(payload: dict[str, Any]) -> dict[str, Any]:
    embed: dict[str, Any]
    [embed] = payload["embeds"]
    return embed


def field(payload: dict[str, Any], name: str) -> str:
    """The value of the one field called ``name``."""
    values: list[str] = [f["value"] for f in embed_of(payload)["fields"] if f["name"] == name]
    [value] = values
    return value


def names(payload: dict[str, Any]) -> list[str]:
    return [f["name"] for f in embed_of(payload)["fields"]]


def list_lines(payload: dict[str, Any], name: str) -> list[str]:
    """Every line of the list called ``name``, across its continued fields, in order."""
    values = [
        f["value"]
        for f in embed_of(payload)["fields"]
        if f["name"] in (name, f"{name} (continued)")
    ]
    return "\n".join(values).split("\n") if values else []


def counted(lines: Sequence[str]) -> int:
    """How many entries a list says it has: the lines shown plus its "… and N more"."""
    if lines and (more := MORE.fullmatch(lines[-1])):
        return len(lines) - 1 + int(more[1])
    return len(lines)


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    [row] = payload["components"]
    return list(row["components"])


def pings(payload: dict[str, Any]) -> Any:
    """Who the message pings even if the bot could ping everyone and every role."""
    return compute_pings(
        content=payload.get("content"),
        allowed_mentions=payload["allowed_mentions"],
        mentionable_role_ids={123},
        author_can_mention_everyone=True,
    )


def worst_case(**overrides: Any) -> GameView:
    """100 joined, 50 waitlisted, 20 placeholders, every text at its longest, 20-digit ids."""
    values: dict[str, Any] = {
        "id": 2**63 - 1,
        "host_id": BIG_ID,
        "title": "T" * MAX_TITLE_LENGTH,
        "description": "d" * MAX_DESCRIPTION_LENGTH,
        "status": GameStatus.IN_PROGRESS,
        "joined": tuple(BIG_ID - n for n in range(100)),
        "waitlist": tuple(BIG_ID - 1000 - n for n in range(50)),
        "placeholders": tuple(f"{n:02d}" + "*" * (MAX_PLACEHOLDER_LENGTH - 2) for n in range(20)),
        "rules": "r" * MAX_RULES_LENGTH,
        "category": "c" * MAX_CATEGORY_LENGTH,
        "max_players": 100,
    }
    values.update(overrides)
    return game(**values)


# --- the announcement ------------------------------------------------------------------------


def test_announcement_shows_title_description_and_discord_timestamps() -> None:
    """The embed carries the title, the description and the start as full and relative time."""
    payload = render.announcement(game(description="Bring snacks.\nSecond line."))
    embed = embed_of(payload)
    assert embed["title"] == "Catan night"
    assert embed["description"] == "Bring snacks.\nSecond line."
    assert field(payload, "When") == f"<t:{UNIX}:F>\n<t:{UNIX}:R>"
    assert embed["footer"] == {"text": "Game #42"}


def test_empty_description_rules_and_category_are_left_out() -> None:
    """A game without description, rules or category shows no empty parts."""
    payload = render.announcement(game())
    assert "description" not in embed_of(payload)
    assert names(payload) == ["When", "Players", "Host", "Duration", "Participants"]


def test_host_rules_duration_and_category_are_shown() -> None:
    """Host as a mention, the rules as typed, the duration with its end, and the category."""
    payload = render.announcement(
        game(rules="No **cheating**\nBe kind", category="Board games", duration=90)
    )
    assert field(payload, "Host") == "<@3>"
    assert field(payload, "Rules") == "No **cheating**\nBe kind"
    end = UNIX + 90 * 60
    assert field(payload, "Duration") == f"1 h 30 min\nuntil <t:{end}:t>"
    assert field(payload, "Category") == "Board games"


def test_duration_of_a_day_or_more_ends_with_a_date() -> None:
    """A game lasting days shows its end with the date, not only the time of day."""
    payload = render.announcement(game(duration=48 * 60))
    assert field(payload, "Duration") == f"48 h\nuntil <t:{UNIX + 48 * 3600}:f>"


def test_players_field_shows_the_exact_count_and_the_waitlist() -> None:
    """``n/max`` counts joined members only, and the waitlist length follows when anyone waits."""
    assert field(render.announcement(game(joined=(11, 12))), "Players") == "2/4"
    full = game(joined=(11, 12, 13, 14), waitlist=(15, 16), placeholders=("Guest",))
    assert field(render.announcement(full), "Players") == "4/4 · waitlist 2"


def test_participants_list_members_in_order_then_placeholders() -> None:
    """Members appear as mentions in the order they joined, then placeholders marked as such."""
    payload = render.announcement(game(joined=(12, 11), placeholders=("Guest", "Sam's friend")))
    assert list_lines(payload, "Participants") == [
        "<@12>",
        "<@11>",
        "*Guest* (placeholder)",
        "*Sam's friend* (placeholder)",
    ]


def test_an_empty_game_says_so() -> None:
    """With nobody in the game the participants field says there are no players yet."""
    assert list_lines(render.announcement(game()), "Participants") == [render.NO_PLAYERS]


def test_waitlist_is_numbered_in_order() -> None:
    """The waitlist shows each member's place in line, first in line first."""
    payload = render.announcement(game(joined=(1, 2, 3, 4), waitlist=(30, 20)))
    assert list_lines(payload, "Waitlist") == ["**1.** <@30>", "**2.** <@20>"]
    assert "Waitlist" not in names(render.announcement(game(joined=(1,))))


def test_join_and_leave_buttons_carry_the_game_id() -> None:
    """A scheduled game has an enabled green Join and a grey Leave routed by the game's id."""
    join, leave = buttons(render.announcement(game()))
    assert (join["label"], join["custom_id"], join["style"]) == ("Join", "game:join:v1:42", 3)
    assert (leave["label"], leave["custom_id"], leave["style"]) == ("Leave", "game:leave:v1:42", 2)
    assert not join["disabled"]
    assert not leave["disabled"]


def test_join_becomes_join_waitlist_when_full() -> None:
    """When every seat is taken the Join button says it joins the waitlist."""
    join, _ = buttons(render.announcement(game(max_players=2, joined=(1, 2))))
    assert join["label"] == "Join waitlist"
    assert not join["disabled"]


def test_placeholders_do_not_fill_the_game() -> None:
    """Placeholders never count toward max players, so Join still takes a seat."""
    payload = render.announcement(game(max_players=2, joined=(1,), placeholders=("A", "B", "C")))
    join, _ = buttons(payload)
    assert join["label"] == "Join"
    assert field(payload, "Players") == "1/2"


@pytest.mark.parametrize(
    ("status", "prefix"),
    [
        (GameStatus.IN_PROGRESS, "[In progress] "),
        (GameStatus.COMPLETED, "[Completed] "),
        (GameStatus.CANCELLED, "[Cancelled] "),
    ],
)
def test_games_no_longer_scheduled_say_so_and_disable_every_button(
    status: GameStatus, prefix: str
) -> None:
    """Once started, completed or cancelled: status in the title, its own colour, no clicks."""
    scheduled = embed_of(render.announcement(game()))
    payload = render.announcement(game(status=status))
    embed = embed_of(payload)
    assert embed["title"] == f"{prefix}Catan night"
    assert embed["color"] != scheduled["color"]
    assert all(button["disabled"] for button in buttons(payload))


def test_each_status_has_its_own_colour() -> None:
    """Scheduled, in progress, completed and cancelled games look different at a glance."""
    colours = {embed_of(render.announcement(game(status=s)))["color"] for s in GameStatus}
    assert len(colours) == len(GameStatus)


def test_typed_text_never_pings() -> None:
    """Mentions of everyone, roles or users typed into any text ping nobody."""
    sneaky = "@everyone @here <@&123> <@456>"
    payload = render.announcement(
        game(
            title=sneaky,
            description=sneaky,
            rules=sneaky,
            category=sneaky,
            placeholders=("@here",),
            joined=(11,),
        )
    )
    assert payload["content"] == ""
    assert payload["allowed_mentions"] == {"parse": []}
    assert pings(payload).nobody
    assert embed_of(payload)["title"] == sneaky  # shown as typed


def test_ping_participants_pings_exactly_the_joined_players() -> None:
    """With pings on, the content mentions the joined members and only they are pinged."""
    sneaky = "@everyone <@&123> <@456>"
    payload = render.announcement(
        game(
            title=sneaky,
            description=sneaky,
            ping_participants=True,
            joined=(11, 12),
            waitlist=(13,),
            placeholders=("<@456>",),
        )
    )
    assert payload["content"] == "<@11> <@12>"
    assert payload["allowed_mentions"] == {"parse": [], "users": ["11", "12"]}
    found = pings(payload)
    assert found.users == {11, 12}
    assert not found.roles
    assert not found.everyone


def test_ping_line_for_a_huge_game_stays_within_limits() -> None:
    """With 200 players the pinged ones fit Discord's limits, in order, with the rest counted."""
    joined = tuple(BIG_ID - n for n in range(200))
    payload = render.announcement(game(max_players=200, joined=joined, ping_participants=True))
    assert check_message(payload, creating=True) == []
    mentioned = [int(found) for found in USER_MENTION.findall(payload["content"])]
    assert mentioned == list(joined[: len(mentioned)])
    assert payload["allowed_mentions"]["users"] == [str(user) for user in mentioned]
    assert pings(payload).users == set(mentioned)
    assert len(mentioned) <= MAX_ALLOWED_MENTION_IDS
    [more] = MORE.findall(payload["content"])
    assert len(mentioned) + int(more) == 200


def test_an_edit_clears_an_earlier_ping_line() -> None:
    """Every payload has content, so editing a game that stopped pinging removes old mentions."""
    payload = render.announcement(game(joined=(11,)))
    assert payload["content"] == ""
    assert {"content", "embeds", "components", "allowed_mentions"} <= payload.keys()


def test_title_line_breaks_cannot_break_the_layout() -> None:
    """A title typed with line breaks is shown on one line."""
    payload = render.announcement(game(title="Catan\n\nnight  \t!"))
    assert embed_of(payload)["title"] == "Catan night !"


def test_placeholder_markdown_cannot_break_the_list() -> None:
    """A placeholder with markdown characters or line breaks stays one italic line."""
    payload = render.announcement(game(placeholders=("*star*_x`y|z\\", "two\nlines")))
    assert list_lines(payload, "Participants") == [
        r"*\*star\*\_x\`y\|z\\* (placeholder)",
        "*two lines* (placeholder)",
    ]


def test_worst_case_game_renders_within_every_limit() -> None:
    """100 joined, 50 waiting, 20 placeholders and the longest texts still make a valid message."""
    payload = render.announcement(worst_case())
    assert check_message(payload, creating=True) == []
    assert check_message(payload, creating=False) == []
    assert field(payload, "Players") == "100/100 · waitlist 50"
    assert counted(list_lines(payload, "Participants")) == 120
    assert counted(list_lines(payload, "Waitlist")) == 50
    assert embed_of(payload)["description"] == "d" * MAX_DESCRIPTION_LENGTH
    assert field(payload, "Rules") == "r" * MAX_RULES_LENGTH


def test_worst_case_shows_every_seat_then_the_first_in_line() -> None:
    """When lists are cut the joined players come first and the waitlist keeps its head."""
    payload = render.announcement(worst_case())
    participants = list_lines(payload, "Participants")
    mentions = [line for line in participants if line.startswith("<@")]
    assert mentions == [f"<@{user}>" for user in worst_case().joined]
    assert list_lines(payload, "Waitlist")[0] == f"**1.** <@{BIG_ID - 1000}>"


def test_worst_case_with_pings_renders_within_every_limit() -> None:
    """The worst case stays valid when it pings its players as well."""
    payload = render.announcement(worst_case(ping_participants=True))
    assert check_message(payload, creating=True) == []
    assert len(payload["content"]) <= MAX_CONTENT_LENGTH


def test_worst_case_passes_discords_openapi_schema(spec: DiscordSpec) -> None:
    """Discord's own request schema accepts the worst case for create and for edit."""
    payload = render.announcement(worst_case(ping_participants=True))
    assert spec.validate_request("POST", "/channels/1/messages", payload) == []
    assert spec.validate_request("PATCH", "/channels/1/messages/2", payload) == []


def test_texts_beyond_the_domain_limits_are_cut_not_rejected() -> None:
    """Overlong stored texts are shortened with an ellipsis so the message still posts."""
    payload = render.announcement(
        worst_case(
            title="T" * 1000,
            description="d" * 9000,
            rules="r" * 3000,
            category="c" * 500,
            placeholders=("p" * 900,) * 100,
        )
    )
    assert check_message(payload, creating=True) == []
    embed = embed_of(payload)
    assert embed["title"].endswith("…")
    assert embed["description"] == "d" * (MAX_DESCRIPTION_LENGTH - 1) + "…"
    assert counted(list_lines(payload, "Participants")) == 200


USER_IDS = st.integers(min_value=10**16, max_value=BIG_ID)
"""Snowflakes as Discord makes them: 17 to 20 digits."""
PLACEHOLDERS = st.text(min_size=1, max_size=MAX_PLACEHOLDER_LENGTH)


@st.composite
def any_game(draw: st.DrawFn) -> GameView:
    """Any roster of 0..200 joined and 0..200 waiting, and texts within the domain's limits."""
    joined_count, waiting_count = draw(st.integers(0, 200)), draw(st.integers(0, 200))
    size = joined_count + waiting_count
    members = draw(st.lists(USER_IDS, unique=True, min_size=size, max_size=size))
    return game(
        id=draw(st.integers(1, 2**63 - 1)),
        host_id=draw(USER_IDS),
        title=draw(st.text(min_size=1, max_size=MAX_TITLE_LENGTH)),
        description=draw(st.text(max_size=MAX_DESCRIPTION_LENGTH)),
        status=draw(st.sampled_from(GameStatus)),
        ping_participants=draw(st.booleans()),
        joined=tuple(members[:joined_count]),
        waitlist=tuple(members[joined_count:]),
        placeholders=tuple(
            draw(
                st.lists(st.text(min_size=1, max_size=MAX_PLACEHOLDER_LENGTH), max_size=MAX_ENTRIES)
            )
        ),
        max_players=draw(st.integers(1, MAX_PLAYERS_LIMIT)),
        rules=draw(st.text(max_size=MAX_RULES_LENGTH)),
        category=draw(st.text(max_size=MAX_CATEGORY_LENGTH)),
        duration=draw(st.integers(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES)),
    )


@settings(deadline=None, max_examples=60)
@given(any_game())
def test_any_game_renders_within_limits_with_exact_counts(view: GameView) -> None:
    """Whatever the roster and texts, the payload is valid and every count is exact."""
    payload = render.announcement(view)
    assert check_message(payload, creating=True) == []
    players = f"{len(view.joined)}/{view.max_players}"
    if view.waitlist:
        players += f" · waitlist {len(view.waitlist)}"
    assert field(payload, "Players") == players
    participants = list_lines(payload, "Participants")
    if view.joined or view.placeholders:
        assert counted(participants) == len(view.joined) + len(view.placeholders)
        mentions = [line for line in participants if line.startswith("<@")]
        assert mentions == [f"<@{user}>" for user in view.joined[: len(mentions)]]
    assert counted(list_lines(payload, "Waitlist")) == len(view.waitlist)
    found = pings(payload)
    assert found.users <= set(view.joined)
    assert [str(user) for user in sorted(found.users)] == sorted(
        payload["allowed_mentions"].get("users", []), key=int
    )
    assert not found.roles
    assert not found.everyone


# --- direct messages -------------------------------------------------------------------------

LINK = "https://discord.com/channels/1/2/99"


def test_promotion_dm_names_the_game_start_and_link() -> None:
    """A promoted player is told which game they got a seat in, when it starts, and where."""
    payload = render.notice(NoticeKind.PROMOTED, game(), jump_url=LINK)
    content = payload["content"]
    assert content.startswith("You got a seat in **Catan night**")
    assert f"<t:{UNIX}:R>" in content
    assert content.endswith(f"\n{LINK}")


def test_cancellation_dm_names_the_game() -> None:
    """Players of a cancelled game are told which game and when it would have been."""
    content = render.notice(NoticeKind.CANCELLED, game(), jump_url=LINK)["content"]
    assert "**Catan night**" in content
    assert "cancelled" in content
    assert f"<t:{UNIX}:F>" in content


def test_reschedule_dm_shows_the_new_time() -> None:
    """After a reschedule players see the new start as full and relative time."""
    later = START + timedelta(days=1)
    content = render.notice(NoticeKind.RESCHEDULED, game(start_at=later), jump_url=None)["content"]
    stamp = int(later.timestamp())
    assert f"<t:{stamp}:F>" in content
    assert f"<t:{stamp}:R>" in content
    assert "https://" not in content


def test_reminder_dm_has_title_relative_time_channel_and_link() -> None:
    """A reminder says which game, how soon, in which channel, and links the announcement."""
    content = render.reminder(game(), offset_minutes=15, jump_url=LINK)["content"]
    assert "15 min ahead" in content
    assert "**Catan night**" in content
    assert f"<t:{UNIX}:R>" in content
    assert "<#2>" in content
    assert content.endswith(f"\n{LINK}")


def direct_messages(kind: NoticeKind) -> list[dict[str, Any]]:
    """The notice of ``kind`` and a reminder, for a game whose title holds every mention."""
    sneaky = game(title="@everyone <@&123> <@456> " + "x" * 100)
    return [
        render.notice(kind, sneaky, jump_url=LINK),
        render.reminder(sneaky, offset_minutes=60, jump_url=LINK),
    ]


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_dms_never_ping_and_fit_discord(kind: NoticeKind) -> None:
    """DMs about a game whose title holds mentions ping nobody and are valid messages."""
    for payload in direct_messages(kind):
        assert payload["allowed_mentions"] == {"parse": []}
        assert pings(payload).nobody
        assert check_message(payload, creating=True) == []


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_dms_pass_discords_openapi_schema(kind: NoticeKind, spec: DiscordSpec) -> None:
    """Discord's own request schema accepts every DM body."""
    for payload in direct_messages(kind):
        assert spec.validate_request("POST", "/channels/1/messages", payload) == []


def test_dm_title_markdown_cannot_break_the_bold() -> None:
    """A title with markdown characters stays inside its bold markers."""
    content = render.notice(NoticeKind.CANCELLED, game(title="**x** _y_"), jump_url=None)["content"]
    assert content.startswith(r"**\*\*x\*\* \_y\_**,")


def test_a_masked_link_in_a_title_is_shown_as_text_not_a_link() -> None:
    """A title like "[free nitro](https://evil.example)" cannot pose as a link in the bot's
    own messages (DMs, reminders, lists): its brackets are escaped."""
    phishing = game(title="[free nitro](https://evil.example)")
    content = render.notice(NoticeKind.CANCELLED, phishing, jump_url=None)["content"]
    assert r"\[free nitro\](https://evil.example)" in content
    assert re.search(r"(?<!\\)\[", content) is None  # no bracket left unescaped


# --- links and lists -------------------------------------------------------------------------


def test_message_link_opens_the_message() -> None:
    """Links point at guild, channel and message, in Discord's URL form."""
    assert render.message_link(1, 2, 3) == "https://discord.com/channels/1/2/3"


def test_announcement_link_only_when_posted() -> None:
    """A game's link exists once its announcement is posted."""
    assert render.announcement_link(game()) is None
    assert render.announcement_link(game(message_id=99)) == LINK


def test_game_line_shows_title_time_players_and_link() -> None:
    """A listed game shows number, title, start, player count and its link."""
    line = render.game_line(game(joined=(1, 2), message_id=99))
    assert line == (
        f"`#42` **Catan night** · <t:{UNIX}:F> (<t:{UNIX}:R>) · 2/4 players · "
        f"[announcement]({LINK})"
    )


def test_game_line_shows_status_and_waitlist_when_relevant() -> None:
    """A cancelled, unposted game says it is cancelled, shows its waitlist, and has no link."""
    line = render.game_line(
        game(status=GameStatus.CANCELLED, joined=(1, 2, 3, 4), waitlist=(5,), title="A\nB")
    )
    assert line.endswith("· 4/4 players · waitlist 1 · cancelled")
    assert "**A B**" in line
    assert "https://" not in line


def test_game_list_lists_games_in_order_privately() -> None:
    """The list is ephemeral, pings nobody, and shows one line per game in the order given."""
    games = [game(id=1, title="First"), game(id=2, title="Second")]
    payload = render.game_list(games, title="Games here", empty="None")
    embed = embed_of(payload)
    assert payload["flags"] == render.EPHEMERAL
    assert payload["allowed_mentions"] == {"parse": []}
    assert embed["title"] == "Games here"
    assert embed["description"].split("\n") == [render.game_line(g) for g in games]
    assert "footer" not in embed  # all of them shown


def test_a_first_page_that_fits_still_counts_the_games_not_fetched() -> None:
    """25 short lines of 40 matching games: all 25 shown, "… and 15 more", "25 of 40 shown"."""
    games = [game(id=n, title=f"Game {n}") for n in range(1, 26)]
    embed = embed_of(render.game_list(games, title="Upcoming", empty="", total=40))
    lines = embed["description"].split("\n")
    assert lines[:-1] == [render.game_line(g) for g in games]
    assert lines[-1] == "… and 15 more; narrow the filter to see them."
    assert embed["footer"] == {"text": "25 of 40 shown"}


def test_a_list_spanning_channels_names_each_games_channel() -> None:
    """Games from two channels: each line says where the game is; one channel: no need."""
    games = [game(id=1, channel_id=11), game(id=2, channel_id=22)]
    lines = embed_of(render.game_list(games, title="All", empty=""))["description"].split("\n")
    assert ["in <#11>" in lines[0], "in <#22>" in lines[1]] == [True, True]
    alone = embed_of(render.game_list(games[:1], title="Here", empty=""))["description"]
    assert "<#" not in alone


def test_empty_game_list_shows_the_empty_text() -> None:
    """Without games the list says so in the caller's words, without a footer."""
    payload = render.game_list([], title="Your games", empty="You are in no games.")
    embed = embed_of(payload)
    assert embed["description"] == "You are in no games."
    assert "footer" not in embed


def long_list() -> tuple[list[GameView], dict[str, Any]]:
    """200 games fetched of 1,000, with the longest titles and links, and their list payload."""
    games = [
        game(id=n, title="T" * MAX_TITLE_LENGTH, guild_id=BIG_ID, channel_id=BIG_ID, message_id=n)
        for n in range(1, 201)
    ]
    return games, render.game_list(games, title="All games", empty="", total=1000)


def test_long_game_list_is_cut_with_an_exact_count() -> None:
    """Too many games are cut with the exact number left out and a hint to narrow the filter."""
    games, payload = long_list()
    lines = embed_of(payload)["description"].split("\n")
    more = re.fullmatch(r"… and (\d+) more; narrow the filter to see them\.", lines[-1])
    assert more is not None
    assert len(lines) - 1 + int(more[1]) == 1000  # the 800 not fetched counted too
    assert lines[:-1] == [render.game_line(g) for g in games[: len(lines) - 1]]
    assert embed_of(payload)["footer"] == {"text": f"{len(lines) - 1} of 1000 shown"}
    assert check_interaction_callback({"type": 4, "data": payload}) == []


def test_long_game_list_passes_discords_openapi_schema(spec: DiscordSpec) -> None:
    """Discord's own schema accepts the cut list as an interaction answer."""
    _, payload = long_list()
    callback = {"type": 4, "data": payload}
    assert spec.validate_request("POST", "/interactions/1/token/callback", callback) == []


# --- problems --------------------------------------------------------------------------------

ALEX = Problem(
    field="participants",
    message="matches several members; pick one of the suggestions or type their exact @username.",
    entry="@alex",
    suggestions=(
        Suggestion(user_id=1, label="Alex K (@alex_k)", replacement="@alex_k"),
        Suggestion(user_id=2, label="@alexb", replacement="@alexb"),
        Suggestion(user_id=3, label="Alex *Twin* (@alex)", replacement="<@3>"),
    ),
)


def test_problems_name_field_entry_and_suggestions() -> None:
    """Each problem is a bullet naming the field and entry, with its suggestions to type."""
    when = Problem(field="when", message="Could not read `soon` as a start time.")
    text = render.problems_message([ALEX, when])
    header, first, second = text.split("\n")
    assert "Nothing was saved" in header
    assert first == (
        "- **Participants**: `@alex` matches several members; pick one of the suggestions or "
        "type their exact @username. Did you mean `@alex_k` (Alex K), `@alexb` or `<@3>` "
        r"(Alex \*Twin\* (@alex))?"
    )
    assert second == "- **When**: Could not read `soon` as a start time."


def test_problem_field_names_read_as_words() -> None:
    """Field ids like ``max_players`` are shown as ``Max players``."""
    text = render.problems_message([Problem(field="max_players", message="Too many.")])
    assert text.endswith("- **Max players**: Too many.")


def test_entry_with_backticks_stays_inside_its_code_span() -> None:
    """An entry containing backticks cannot end its code formatting early."""
    text = render.problems_message([Problem(field="participants", message="is odd.", entry="a`b")])
    assert text.endswith("- **Participants**: `aˋb` is odd.")


def test_many_problems_fit_one_message_with_an_exact_count() -> None:
    """A hundred bad entries fit in 2000 characters, the rest counted."""
    problems = [replace(ALEX, entry=f"@alex{n}") for n in range(100)]
    text = render.problems_message(problems)
    assert len(text) <= MAX_CONTENT_LENGTH
    lines = text.split("\n")[1:]
    more = re.fullmatch(
        r"… and (\d+) more; fix these and submit again to see the rest\.", lines[-1]
    )
    assert more is not None
    assert len(lines) - 1 + int(more[1]) == 100
    assert lines[0].startswith("- **Participants**: `@alex0` ")


def test_problems_can_leave_room_for_more_text() -> None:
    """A caller adding its own words can ask for a shorter text and still gets exact counts."""
    problems = [replace(ALEX, entry=f"@alex{n}") for n in range(10)]
    text = render.problems_message(problems, limit=800)
    assert len(text) <= 800
    lines = text.split("\n")[1:]
    more = MORE.match(lines[-1])
    assert more is not None
    assert len(lines) - 1 + int(more[1]) == 10


# --- /game-info ------------------------------------------------------------------------------


def test_game_info_of_a_huge_game_stays_within_limits_with_exact_counts() -> None:
    """/game-info of the worst-case game with 400 unreachable players fits every limit, its
    lists still count everyone, and the unreachable list pings nobody."""
    view = worst_case()
    payload = render.game_info(view, unreachable=tuple(BIG_ID - n for n in range(400)))
    assert check_message(payload, creating=True) == []
    assert counted(list_lines(payload, "Participants")) == 120
    assert counted(list_lines(payload, "Waitlist")) == 50
    assert payload["content"].startswith("Could not be reached by DM: ")
    assert MORE.search(payload["content"]) is not None
    assert pings(payload).nobody
    assert payload["flags"] & render.EPHEMERAL


def test_game_info_shows_each_setting_with_its_source() -> None:
    """Settings set on the game and inherited ones each say where they come from."""
    view = game(duration=90, rules="No phones")
    payload = render.game_info(view, unreachable=None)
    settings_lines = field(payload, "Settings").split("\n")
    assert "Duration: 1 h 30 min · _set on the game_" in settings_lines
    assert "Reminders: 1 h, 15 min before · _built-in default_" in settings_lines
    assert "Public calendar feed: off · _built-in default_" in settings_lines
    assert "Discord scheduled events: off · _built-in default_" in settings_lines
    assert field(payload, "Rules (set on the game)") == "No phones"
    assert field(payload, "Announcement") == "not posted yet"


def test_game_info_without_the_unreachable_list_has_no_content() -> None:
    """Someone who may not see unreachable players (None), or a game with none, gets no list."""
    assert render.game_info(game(), unreachable=None)["content"] == ""
    assert render.game_info(game(), unreachable=())["content"] == ""


def test_channel_reminder_pings_every_unreachable_player_within_limits() -> None:
    """The channel reminder for 250 players with closed DMs is split over messages that each
    fit Discord's limits and ping exactly the players they mention: everyone, once, in order."""
    view = worst_case(status=GameStatus.SCHEDULED, message_id=BIG_ID)
    users = tuple(BIG_ID - n for n in range(250))
    payloads = render.channel_reminders(
        view, offset_minutes=15, user_ids=users, jump_url=render.announcement_link(view)
    )
    assert len(payloads) > 2  # more than fit one message, even by the 100-mention rule
    everyone: list[int] = []
    for payload in payloads:
        assert check_message(payload, creating=True) == []
        mentioned = [int(m) for m in USER_MENTION.findall(payload["content"])]
        assert pings(payload).users == frozenset(mentioned)
        assert render.announcement_link(view) in payload["content"]
        everyone += mentioned
    assert everyone == list(users)


def test_a_few_unreachable_players_get_one_channel_reminder() -> None:
    """Three players with closed DMs: one message naming the three."""
    view = game()
    payloads = render.channel_reminders(view, offset_minutes=60, user_ids=(1, 2, 3), jump_url=None)
    assert [pings(p).users for p in payloads] == [frozenset({1, 2, 3})]
