"""The pages a logged-in member browses: the start page, a server's games, a game."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.domain.status import GameStatus
from gamesched.services.games import cancel_game, get_game
from gamesched.services.participation import join_game
from tests.support.demo import GUILD
from tests.support.pages import channel, host_game, post_form, user
from tests.support.web import Site
from webauth.routes import guilds

STRANGER = 1160000000000009999
"""Someone who is not (any more) in the demo guild."""


def section(html: str, heading_id: str) -> str:
    """The part of a page from the heading with ``heading_id`` to the end of its section."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def games_listed(html: str) -> str:
    """The games list of a guild page (empty when it shows none)."""
    return section(html, "games-heading") if 'id="games-heading"' in html else ""


# --- logged out ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/guilds/1170000000000000001", "/games/1"])
async def test_a_page_for_members_sends_a_stranger_to_log_in_and_back(
    site: Site, path: str
) -> None:
    """Logged out, a guild or game page redirects to the login with the page as ``next``."""
    response = await site.browser.get(path + "?status=all")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=" + quote(path + "?status=all", safe="")


# --- the start page -----------------------------------------------------------------------


async def test_the_start_page_lists_the_members_servers_and_games(site: Site) -> None:
    """Home shows the member's server with the bot and their games: hosted, joined and
    waitlisted ones marked, each with its link, local time, server, channel and seats."""
    hosted = await host_game(site, title="Catan night", host="sam")
    joined = await host_game(site, title="Gloomhaven", host="alex_r", joiners=("sam",))
    full = await host_game(
        site, title="Azul", host="alex_r", max_players=1, joiners=("olivia", "sam")
    )
    await host_game(site, title="Not mine", host="alex_r", joiners=("olivia",))
    await site.login(as_user="sam")
    page = (await site.browser.get("/")).text
    assert '<a href="/guilds/1170000000000000001">Game Night</a>' in page
    games = section(page, "your-games")
    assert "Not mine" not in games
    for game, role in ((hosted, "hosting"), (joined, "joined"), (full, "waitlisted")):
        line = games[games.index(f'href="/games/{game.id}"') :].split("</li>")[0]
        assert f'<span class="tag tag-{role}">{role}</span>' in line
        assert f'<time datetime="{game.start_at:%Y-%m-%dT%H:%M:%SZ}">' in line
        assert "Game Night, #board-games" in line
    assert "1/1 seats" in games
    assert '<script src="/static/local-time.js" defer></script>' in page


async def test_the_start_page_says_so_when_the_member_has_no_games(site: Site) -> None:
    """A member in no game is told how to find one instead of an empty list."""
    await site.login(as_user="samantha")
    page = (await site.browser.get("/")).text
    assert "You are not in any upcoming game." in section(page, "your-games")


# --- a server's page ----------------------------------------------------------------------


async def test_the_guild_page_lists_upcoming_games_with_seats_and_waitlist(site: Site) -> None:
    """A server's page lists its upcoming games soonest first: title link, local time,
    channel, seats n/max and the waitlist count; cancelled games are left out."""
    later = await host_game(site, title="Later game", in_days=3, joiners=("olivia",))
    sooner = await host_game(
        site,
        title="Sooner game",
        channel_name="rpg",
        in_days=1,
        max_players=1,
        joiners=("olivia", "samantha"),
    )
    gone = await host_game(site, title="Gone game")
    await _cancel(site, gone.id)
    await site.login(as_user="samantha")
    page = await site.browser.get(f"/guilds/{GUILD}")
    assert page.status_code == 200
    listed = games_listed(page.text)
    assert listed.index("Sooner game") < listed.index("Later game")
    assert "Gone game" not in listed
    sooner_line = listed[listed.index(f'href="/games/{sooner.id}"') :].split("</li>")[0]
    assert "#rpg" in sooner_line
    assert '<span class="tag tag-status">scheduled</span>' in sooner_line
    assert "1/1 seats" in sooner_line
    assert "waitlist 1" in sooner_line
    assert f'<time datetime="{sooner.start_at:%Y-%m-%dT%H:%M:%SZ}">' in sooner_line
    later_line = listed[listed.index(f'href="/games/{later.id}"') :].split("</li>")[0]
    assert "1/10 seats" in later_line
    assert "waitlist" not in later_line


async def test_the_guild_page_filters_by_channel_category_and_status(site: Site) -> None:
    """The filter form narrows the list to one channel, one category (any case) or one
    status, and shows the chosen values again."""
    await host_game(site, title="Board one", category="Strategy")
    await host_game(site, title="Rpg one", channel_name="rpg")
    cancelled = await host_game(site, title="Called off", channel_name="rpg")
    await _cancel(site, cancelled.id)
    await site.login(as_user="samantha")
    rpg = channel(site, "rpg")

    by_channel = await site.browser.get(f"/guilds/{GUILD}", params={"channel": str(rpg)})
    assert "Rpg one" in games_listed(by_channel.text)
    assert "Board one" not in games_listed(by_channel.text)
    assert f'<option value="{rpg}" selected>#rpg</option>' in by_channel.text

    by_category = await site.browser.get(f"/guilds/{GUILD}", params={"category": "strategy"})
    assert "Board one" in games_listed(by_category.text)
    assert "Rpg one" not in games_listed(by_category.text)
    assert 'value="strategy"' in by_category.text

    by_status = await site.browser.get(f"/guilds/{GUILD}", params={"status": "cancelled"})
    assert "Called off" in games_listed(by_status.text)
    assert "Rpg one" not in games_listed(by_status.text)
    assert '<option value="cancelled" selected>Cancelled</option>' in by_status.text

    nothing = await site.browser.get(f"/guilds/{GUILD}", params={"category": "Chess"})
    assert "No games match these filters." in games_listed(nothing.text)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"channel": "general-chat"}, "That is not a channel of this server you can see."),
        ({"channel": "1190000000000000001"}, "That is not a channel of this server you can see."),
        ({"category": "x" * 51}, "A category is at most 50 characters"),
        ({"status": "finished"}, "That is not a status games can have."),
        ({"page": "0"}, "The page must be a whole number from 1 to 10000."),
        ({"page": "99999999999999999999999"}, "The page must be a whole number from 1 to 10000."),
        ({"page": "²"}, "The page must be a whole number from 1 to 10000."),
        ({"page": "9" * 5000}, "The page must be a whole number from 1 to 10000."),
        ({"channel": "²"}, "That is not a channel of this server you can see."),
        ({"channel": "9" * 5000}, "That is not a channel of this server you can see."),
        ({"category": "Board\x00games"}, "The category may not hold control characters"),
    ],
    ids=[
        "channel-name",
        "category-channel",
        "long-category",
        "status",
        "page-zero",
        "page-beyond",
        "page-superscript",
        "page-thousands-of-digits",
        "channel-superscript",
        "channel-thousands-of-digits",
        "category-control-character",
    ],
)
async def test_a_filter_the_guild_page_cannot_use_says_what_is_wrong(
    site: Site, query: dict[str, str], said: str
) -> None:
    """A filter value that makes no sense is answered 400 with what is wrong and the form
    to fix it, not a crash and not a silently wrong list."""
    await host_game(site, title="Catan night")
    await site.login(as_user="samantha")
    response = await site.browser.get(f"/guilds/{GUILD}", params=query)
    assert response.status_code == 400
    assert said in response.text
    assert 'aria-invalid="true"' in response.text or "page" in query
    assert "Catan night" not in response.text


async def test_the_guild_page_shows_games_a_page_at_a_time(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many games are split into pages with next and previous links that keep the filters."""
    monkeypatch.setattr(guilds, "PAGE_SIZE", 2)
    for day in range(1, 6):
        await host_game(site, title=f"Night {day}", in_days=day, category="Weekly")
    await site.login(as_user="samantha")
    first = await site.browser.get(f"/guilds/{GUILD}", params={"category": "Weekly"})
    assert [f"Night {n}" in first.text for n in range(1, 6)] == [True, True, False, False, False]
    assert "1–2 of 5" in first.text
    assert 'rel="prev"' not in first.text
    assert '<a rel="next" href="?category=Weekly&amp;page=2">' in first.text
    last = await site.browser.get(f"/guilds/{GUILD}", params={"category": "Weekly", "page": "3"})
    assert [f"Night {n}" in last.text for n in range(1, 6)] == [False, False, False, False, True]
    assert 'rel="next"' not in last.text
    assert '<a rel="prev" href="?category=Weekly&amp;page=2">' in last.text
    beyond = await site.browser.get(f"/guilds/{GUILD}", params={"page": "9"})
    assert "No games on page 9: there are 5." in beyond.text


async def test_server_settings_are_offered_to_those_with_manage_server_only(site: Site) -> None:
    """Everyone gets the New game link; only Manage Server holders get Server settings."""
    await site.login(as_user="mia_mod")
    moderator = (await site.browser.get(f"/guilds/{GUILD}")).text
    assert f'href="/guilds/{GUILD}/settings"' in moderator
    assert f'href="/guilds/{GUILD}/games/new"' in moderator
    await site.login(as_user="samantha")
    member = (await site.browser.get(f"/guilds/{GUILD}")).text
    assert f'href="/guilds/{GUILD}/settings"' not in member
    assert f'href="/guilds/{GUILD}/games/new"' in member


async def test_the_page_of_a_guild_the_member_is_not_in_is_a_404(site: Site) -> None:
    """A server the member does not share with the bot answers 404 with a way back."""
    await site.login(as_user="samantha")
    response = await site.browser.get("/guilds/1170000000000000999")
    assert response.status_code == 404
    assert "You are not a member of that server, or gamesched is not in it." in response.text


# --- a game's page ------------------------------------------------------------------------


async def test_the_game_page_shows_details_and_everyone_by_display_name(site: Site) -> None:
    """The game page shows the details, the host, players and waitlist by display name
    (nick before global name), "Unknown User" for someone not in the server, placeholders,
    and the link to the announcement."""
    game = await host_game(
        site,
        title="Gloomhaven",
        host="olivia",
        in_days=2.5,
        max_players=2,
        participants="Bob's friend",
        category="Campaign",
        rules="Bring snacks",
        joiners=("sam", "alex_r", "zoe"),
    )
    await join_game(site.core.services, game_id=game.id, user_id=STRANGER)
    await site.login(as_user="samantha")
    response = await site.browser.get(f"/games/{game.id}")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Gloomhaven" in page
    assert "<dt>Host</dt><dd>Olivia Owner</dd>" in page
    assert f'<time datetime="{game.start_at:%Y-%m-%dT%H:%M:%SZ}">' in page
    assert 'data-style="relative">in 2 days</time>' in page
    assert "2 h, until" in page
    assert "1 h, 15 min before" in page
    assert "Campaign" in page
    assert "Bring snacks" in page
    assert "#board-games" in page
    players = section(page, "players-heading")
    assert "<li>Sammy</li>" in players  # sam's nickname
    assert "<li>Alex</li>" in players  # alex_r's nickname
    assert "<em>Bob&#39;s friend</em>" in players
    waitlist = section(page, "waitlist-heading")
    assert waitlist.index("Zoë") < waitlist.index("Unknown User")
    assert "Sammy" not in waitlist
    refreshed = await get_game(site.core.services, game.id)
    assert (
        f'href="https://discord.com/channels/{GUILD}/{game.channel_id}/{refreshed.message_id}"'
        in page
    )


async def test_a_game_not_posted_yet_says_so(site: Site) -> None:
    """Before its announcement is posted, the game page says so instead of a dead link."""
    game = await host_game(site, announce=False)
    await site.login(as_user="samantha")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert "Not posted yet." in page
    assert "discord.com/channels" not in page


async def test_a_game_of_another_server_is_a_404_and_cannot_be_joined(site: Site) -> None:
    """A game of a server the member is not in reads as if it did not exist, also to Join;
    so does a number no game has."""
    elsewhere = await host_game(
        site, guild_id=1170000000000000999, channel_id=1190000000000000999, announce=False
    )
    await site.login(as_user="samantha")
    token = await site.csrf()
    for path in (f"/games/{elsewhere.id}", "/games/999"):
        response = await site.browser.get(path)
        assert response.status_code == 404
        assert f"There is no game #{path.rsplit('/', 1)[1]}." in response.text
    joined = await post_form(site, f"/games/{elsewhere.id}/join", token)
    assert joined.status_code == 404
    assert (await get_game(site.core.services, elsewhere.id)).joined == ()


async def _cancel(site: Site, game_id: int) -> None:
    """Cancel a game as its server's owner, through the use case."""
    owner = Actor(
        user_id=user(site, "olivia"), permissions=int(Permission.ADMINISTRATOR), guild_id=GUILD
    )
    await cancel_game(site.core.services, actor=owner, game_id=game_id)
    assert (await get_game(site.core.services, game_id)).status is GameStatus.CANCELLED
