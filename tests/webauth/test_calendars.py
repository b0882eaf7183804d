"""Calendars on the web: the member's feed address on the start page, the feed itself at its
secret address (no login), a new address, and one game's .ics file and Google link."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from gamesched.calendar.ics import uid_of
from gamesched.db.tables import CalendarFeedRow
from gamesched.domain.settings import SettingsPatch
from gamesched.sandbox.world import World
from gamesched.services.calendars import FeedKind, public_feed_address
from gamesched.services.configuration import configure_guild
from gamesched.services.games import get_game
from tests.support.demo import GUILD, hosts_only_rpg
from tests.support.pages import host_game, post_form
from tests.support.sandbox import administrator
from tests.support.web import SITE, Site


@pytest.fixture(scope="module")
def demo_world() -> World:
    """The demo world where #rpg is for game hosts only."""
    return hosts_only_rpg()


def feed_address(page: str) -> str:
    """The feed address the start page shows in its copy field."""
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page)
    assert found is not None, page
    return found[1]


async def stored_hashes(site: Site) -> list[str]:
    async with site.core.services.transaction() as session:
        return list((await session.scalars(select(CalendarFeedRow.token_hash))).all())


async def test_the_start_page_shows_the_feed_which_answers_without_a_login(site: Site) -> None:
    """A member's start page shows their feed's address; fetching it with no session gives
    an iCalendar document of their games, privately cacheable; the database has its hash
    only."""
    game = await host_game(site, title="Catan night", joiners=("samantha",))
    await site.login(as_user="samantha")
    url = feed_address((await site.browser.get("/")).text)
    assert url.startswith(f"{SITE}/calendar/")
    assert url.endswith(".ics")
    token = urlsplit(url).path.removeprefix("/calendar/").removesuffix(".ics")
    assert await stored_hashes(site) == [hashlib.sha256(token.encode()).hexdigest()]

    site.browser.cookies.clear()
    answer = await site.browser.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["cache-control"] == "private, max-age=300"
    assert "set-cookie" not in answer.headers
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(event["UID"]) == uid_of(game)
    assert str(event["SUMMARY"]) == "Catan night"
    assert "You have a seat." in str(event["DESCRIPTION"])
    assert f"On the web: {SITE}/games/{game.id}" in str(event["DESCRIPTION"])


async def test_a_new_address_replaces_the_old_one(site: Site) -> None:
    """New address (a CSRF-checked POST) shows another address on the start page; the old
    one answers 404 and the new one the feed."""
    await site.login(as_user="samantha")
    old = feed_address((await site.browser.get("/")).text)
    token = await site.csrf()
    answer = await post_form(site, "/calendar/rotate", token)
    assert answer.status_code == 303
    page = (await site.browser.get("/")).text
    assert "Your calendar feed has a new address" in page
    new = feed_address(page)
    assert new != old
    assert (await site.browser.get(old)).status_code == 404
    assert (await site.browser.get(new)).status_code == 200
    assert len(await stored_hashes(site)) == 1
    refused = await post_form(site, "/calendar/rotate", "wrong-token")
    assert refused.status_code == 403
    assert feed_address((await site.browser.get("/")).text) == new


async def test_an_unknown_feed_address_is_not_found(site: Site) -> None:
    """A made-up address answers 404, like any page that is not there."""
    answer = await site.browser.get("/calendar/not-a-real-token.ics")
    assert answer.status_code == 404


async def test_the_game_page_offers_google_calendar_and_an_ics_file(site: Site) -> None:
    """The game's page links "Add to Google Calendar" and "Download .ics"; the file holds the
    game, with its announcement link, as an attachment."""
    game = await host_game(site, title="Catan night")
    await site.login(as_user="samantha")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Catan%20night" in page
    )
    assert f'href="/games/{game.id}.ics"' in page
    answer = await site.browser.get(f"/games/{game.id}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="game-{game.id}.ics"'
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    game = await get_game(site.core.services, game.id)
    assert str(event["URL"]) == (
        f"https://discord.com/channels/{game.guild_id}/{game.channel_id}/{game.message_id}"
    )


async def test_the_ics_file_keeps_to_who_may_see_the_game(site: Site) -> None:
    """A game of a channel the member cannot see has no file for them (404), and someone
    logged out is sent to log in first."""
    secret = await host_game(site, title="Secret campaign", channel_name="rpg")
    answer = await site.browser.get(f"/games/{secret.id}.ics")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
    await site.login(as_user="samantha")
    hidden = await site.browser.get(f"/games/{secret.id}.ics")
    assert hidden.status_code == 404
    assert "Secret campaign" not in hidden.text


async def test_a_public_feed_answers_only_while_its_server_shares(site: Site) -> None:
    """A server's public feed address answers its games (no login) while the server shares
    them (its page shows the address), 404 once it stops, and again when it shares anew."""
    game = await host_game(site, title="Catan night")
    ctx, key = site.core.services, site.core.calendars.key
    assert await public_feed_address(ctx, key, kind=FeedKind.GUILD, place_id=GUILD) is None

    def shares(on: bool | None) -> Awaitable[object]:
        owner = administrator(site.world)
        return configure_guild(
            ctx, actor=owner, guild_id=GUILD, patch=SettingsPatch(public_feed=on)
        )

    await shares(True)
    address = await public_feed_address(ctx, key, kind=FeedKind.GUILD, place_id=GUILD)
    assert address is not None
    assert address.token is not None
    url = site.core.calendars.feed_url(address.token)
    assert url is not None
    answer = await site.browser.get(url)
    assert answer.status_code == 200
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(event["UID"]) == uid_of(game)
    assert "You " not in str(event["DESCRIPTION"])
    await site.login(as_user="samantha")
    assert f'value="{url}"' in (await site.browser.get(f"/guilds/{GUILD}")).text
    site.browser.cookies.clear()
    await shares(None)
    assert (await site.browser.get(url)).status_code == 404
    await shares(True)
    assert (await site.browser.get(url)).status_code == 200
