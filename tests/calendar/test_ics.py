"""Feeds and files as calendar apps read them: parsed by a second library
(recurring-ical-events), and written back unchanged by icalendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from gamesched.calendar.ics import CalendarGame, calendar_bytes, uid_of
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, GameRole, cancel_game, edit_game
from tests.support.factories import ADMIN, P1, P2, START, make_game

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LINK = "https://discord.com/channels/1/2/3"


def events(document: bytes) -> list[Any]:
    """The events a calendar app would show from the start of December on, in order."""
    calendar = Calendar.from_ical(document)
    found = recurring_ical_events.of(calendar).between(NOW, NOW + timedelta(days=400))
    return sorted(found, key=lambda event: event["DTSTART"].dt)


def feed(entries: Sequence[CalendarGame]) -> bytes:
    return calendar_bytes(name="Your game nights", games=entries, now=NOW)


async def test_a_game_keeps_its_uid_and_its_sequence_goes_up_with_each_change(
    ctx: Context,
) -> None:
    """Edits keep the event's UID (apps update it in place) and raise its SEQUENCE."""
    game = await make_game(ctx, title="Catan night")
    (before,) = events(feed([CalendarGame(game)]))
    edited = await edit_game(
        ctx,
        actor=ADMIN,
        game_id=game.id,
        edit=GameEdit(title="Azul night", when="2026-12-06 20:00"),
    )
    (after,) = events(feed([CalendarGame(edited.game)]))
    assert str(after["UID"]) == str(before["UID"]) == uid_of(game)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["SUMMARY"]) == "Azul night"
    assert after["DTSTART"].dt == datetime(2026, 12, 6, 20, 0, tzinfo=UTC)


async def test_times_are_utc_and_the_end_follows_the_duration(ctx: Context) -> None:
    """Start and end are written in UTC (``Z``), the end after the game's duration."""
    game = await make_game(ctx, duration_minutes=150)
    document = feed([CalendarGame(game)])
    (event,) = events(document)
    assert event["DTSTART"].dt == START
    assert event["DTEND"].dt == START + timedelta(minutes=150)
    assert b"DTSTART:20261205T190000Z" in document
    assert b"DTEND:20261205T213000Z" in document


async def test_a_cancelled_game_stays_marked_cancelled(ctx: Context) -> None:
    """A cancelled game is still in the feed, with STATUS:CANCELLED and a marked title."""
    game = await make_game(ctx, title="Catan night", joiners=(P1,))
    cancelled = await cancel_game(ctx, actor=ADMIN, game_id=game.id)
    (event,) = events(feed([CalendarGame(cancelled, role=GameRole.JOINED)]))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled: Catan night"
    assert event["SEQUENCE"] == cancelled.version > game.version


async def test_waitlisted_seated_and_hosted_games_say_so(ctx: Context) -> None:
    """A waitlisted game is TENTATIVE and titled so; seated and hosted ones are CONFIRMED,
    and each description names the reader's part and the seats (counts, never names)."""
    game = await make_game(ctx, title="Azul", max_players=1, joiners=(P1, P2))
    (waiting,) = events(feed([CalendarGame(game, role=GameRole.WAITLIST)]))
    (seated,) = events(feed([CalendarGame(game, role=GameRole.JOINED)]))
    assert str(waiting["STATUS"]) == "TENTATIVE"
    assert str(waiting["SUMMARY"]) == "Azul (waitlist)"
    assert "You are on the waitlist" in str(waiting["DESCRIPTION"])
    assert str(seated["STATUS"]) == "CONFIRMED"
    assert str(seated["SUMMARY"]) == "Azul"
    assert "You have a seat." in str(seated["DESCRIPTION"])
    assert "Players: 1/1, 1 waitlisted" in str(seated["DESCRIPTION"])
    assert str(P1) not in str(seated["DESCRIPTION"])


async def test_the_description_and_url_carry_the_announcement_link(ctx: Context) -> None:
    """The event links to the announcement (URL and description) and to the web page."""
    game = await make_game(ctx, title="Catan night")
    entry = CalendarGame(game, announcement=LINK, page="http://games.test/games/1")
    (event,) = events(feed([entry]))
    assert str(event["URL"]) == LINK
    description = str(event["DESCRIPTION"])
    assert f"Announcement: {LINK}" in description
    assert "On the web: http://games.test/games/1" in description


async def test_the_feed_asks_to_be_read_again_hourly_and_round_trips(ctx: Context) -> None:
    """The calendar carries REFRESH-INTERVAL and X-PUBLISHED-TTL, a name and a product id,
    and icalendar writes back exactly what it read."""
    games = [
        await make_game(ctx, title=f"Game {n}", when=START + timedelta(days=n)) for n in (1, 2)
    ]
    document = feed([CalendarGame(g) for g in games])
    calendar = Calendar.from_ical(document)
    assert calendar.to_ical() == document
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in document
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in document
    assert str(calendar["X-WR-CALNAME"]) == "Your game nights"
    assert str(calendar["VERSION"]) == "2.0"
    assert [str(e["SUMMARY"]) for e in events(document)] == ["Game 1", "Game 2"]
    assert len({str(e["UID"]) for e in events(document)}) == 2
