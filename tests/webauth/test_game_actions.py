"""Joining, leaving and cancelling from a game's page: the same use cases as the bot's
buttons, the announcement brought up to date, a one-time message of what happened."""

from __future__ import annotations

import pytest

from gamesched.domain.status import GameStatus
from gamesched.services.context import FrontEnd
from gamesched.services.games import get_game
from gamesched.services.history import Action, game_history
from gamesched.services.views import GameView
from tests.support.pages import announcement, field_of, host_game, post_form, user
from tests.support.web import SITE, Site


async def _synced(site: Site, game: GameView) -> GameView:
    """The game once every requested announcement sync has finished."""
    await site.core.sync.wait_idle()
    return await get_game(site.core.services, game.id)


async def test_join_takes_a_seat_and_the_announcement_shows_it(site: Site) -> None:
    """Join seats the member, redirects back to the game page that says "You're in" once,
    and the announcement in Discord lists them."""
    game = await host_game(site, title="Catan night", joiners=("olivia",))
    await site.login(as_user="samantha")
    token = await site.csrf()
    response = await post_form(site, f"/games/{game.id}/join", token)
    assert response.status_code == 303
    assert response.headers["location"] == f"/games/{game.id}"
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert "You&#39;re in Catan night (2/10 seats)." in page
    assert "You have a seat in this game." in page
    assert f'action="/games/{game.id}/leave"' in page
    assert "You&#39;re in" not in (await site.browser.get(f"/games/{game.id}")).text
    game = await _synced(site, game)
    assert game.joined == (user(site, "olivia"), user(site, "samantha"))
    players = announcement(site, game)
    assert f"<@{user(site, 'samantha')}>" in field_of(players, "Participants")
    assert field_of(players, "Players") == "2/10"


async def test_join_when_full_puts_the_member_on_the_waitlist(site: Site) -> None:
    """With every seat taken, Join queues the member and says their place in line."""
    game = await host_game(site, title="Azul", max_players=1, joiners=("olivia", "zoe"))
    await site.login(as_user="samantha")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert ">Join the waitlist</button>" in page
    response = await post_form(site, f"/games/{game.id}/join", await site.csrf())
    assert response.status_code == 303
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert "Azul is full, so you&#39;re on the waitlist, position 2." in page
    assert '<p class="your-place">You\'re on the waitlist, position 2.</p>' in page
    game = await _synced(site, game)
    assert game.waitlist == (user(site, "zoe"), user(site, "samantha"))
    assert f"<@{user(site, 'samantha')}>" in field_of(announcement(site, game), "Waitlist")


async def test_leave_frees_the_seat_for_the_first_in_line(site: Site) -> None:
    """Leave gives up the seat; the first on the waitlist gets it, on the page and in the
    announcement."""
    game = await host_game(site, title="Azul", max_players=1, joiners=("samantha", "zoe"))
    await site.login(as_user="samantha")
    response = await post_form(site, f"/games/{game.id}/leave", await site.csrf())
    assert response.status_code == 303
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert "You left Azul; your seat is free again." in page
    assert "<li>Zoë</li>" in page
    assert 'id="waitlist-heading"' not in page
    game = await _synced(site, game)
    assert game.joined == (user(site, "zoe"),)
    embed = announcement(site, game)
    assert field_of(embed, "Participants") == f"<@{user(site, 'zoe')}>"
    assert "Waitlist" not in {f["name"] for f in embed["fields"]}


@pytest.mark.parametrize(
    ("joiners", "action", "said"),
    [
        (("samantha",), "join", "You have already joined this game."),
        ((), "leave", "You are not in this game, so there is nothing to leave."),
    ],
)
async def test_a_join_or_leave_that_does_not_fit_shows_the_sentence_on_the_game_page(
    site: Site, joiners: tuple[str, ...], action: str, said: str
) -> None:
    """Joining twice or leaving a game one is not in answers 409 with the bot's sentence on
    the game's own page, and changes nothing."""
    game = await host_game(site, title="Catan night", joiners=joiners)
    await site.login(as_user="samantha")
    response = await post_form(site, f"/games/{game.id}/{action}", await site.csrf())
    assert response.status_code == 409
    assert f'<p class="flash flash-error" role="alert">{said}</p>' in response.text
    assert "<h1>Catan night" in response.text
    after = await get_game(site.core.services, game.id)
    assert (after.version, after.joined) == (game.version, game.joined)


async def test_joining_a_cancelled_game_is_refused_on_its_page(site: Site) -> None:
    """A cancelled game offers no Join, and a Join sent anyway is a 409 saying why."""
    game = await host_game(site, title="Catan night")
    await site.login(as_user="sam")
    token = await site.csrf()
    await post_form(site, f"/games/{game.id}/cancel", token)
    await site.login(as_user="samantha")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert f'action="/games/{game.id}/join"' not in page
    response = await post_form(site, f"/games/{game.id}/join", await site.csrf())
    assert response.status_code == 409
    assert "This game is cancelled, so you can no longer join it." in response.text
    assert (await get_game(site.core.services, game.id)).joined == ()


async def test_the_host_cancels_after_confirming_and_the_announcement_says_so(
    site: Site,
) -> None:
    """The host's Cancel asks first; confirming cancels the game, says so once, and the
    announcement shows it cancelled."""
    game = await host_game(site, title="Catan night", joiners=("samantha", "zoe"))
    await site.login(as_user="sam")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert f'href="/games/{game.id}/cancel"' in page
    assert f'href="/games/{game.id}/edit"' in page
    confirm = await site.browser.get(f"/games/{game.id}/cancel")
    assert confirm.status_code == 200
    assert "its 2 player(s) will be told by DM" in confirm.text
    assert f'<form method="post" action="/games/{game.id}/cancel"' in confirm.text
    assert (await get_game(site.core.services, game.id)).status is GameStatus.SCHEDULED
    response = await post_form(site, f"/games/{game.id}/cancel", await site.csrf())
    assert response.status_code == 303
    page = (await site.browser.get(response.headers["location"])).text
    assert "Catan night is cancelled. Its 2 player(s) will be told by DM." in page
    assert '<span class="tag tag-status">cancelled</span>' in page
    assert f'href="/games/{game.id}/cancel"' not in page
    game = await _synced(site, game)
    assert game.status is GameStatus.CANCELLED
    assert announcement(site, game)["title"] == "[Cancelled] Catan night"


async def test_cancelling_a_cancelled_game_again_says_it_already_is(site: Site) -> None:
    """A second cancel (an old tab) answers 409 on the game page, and nothing changes."""
    game = await host_game(site, title="Catan night")
    await site.login(as_user="sam")
    token = await site.csrf()
    await post_form(site, f"/games/{game.id}/cancel", token)
    version = (await get_game(site.core.services, game.id)).version
    again = await post_form(site, f"/games/{game.id}/cancel", token)
    assert again.status_code == 409
    assert "This game is already cancelled." in again.text
    confirm = await site.browser.get(f"/games/{game.id}/cancel")
    assert confirm.status_code == 409
    assert "This game is already cancelled." in confirm.text
    assert (await get_game(site.core.services, game.id)).version == version


async def test_a_member_with_manage_server_may_cancel_anyones_game(site: Site) -> None:
    """Someone with Manage Server sees Edit and Cancel on another host's game and cancels it."""
    game = await host_game(site, title="Catan night", host="sam")
    await site.login(as_user="mia_mod")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert f'href="/games/{game.id}/edit"' in page
    response = await post_form(site, f"/games/{game.id}/cancel", await site.csrf())
    assert response.status_code == 303
    assert (await get_game(site.core.services, game.id)).status is GameStatus.CANCELLED


async def test_a_member_who_is_not_the_host_can_neither_see_nor_use_cancel(site: Site) -> None:
    """Edit and Cancel are absent for a plain member; the confirm page and the cancel POST
    are refused 403 saying who may, and the game stays scheduled."""
    game = await host_game(site, title="Catan night", host="sam", joiners=("samantha",))
    await site.login(as_user="samantha")
    page = (await site.browser.get(f"/games/{game.id}")).text
    assert f'href="/games/{game.id}/edit"' not in page
    assert f'href="/games/{game.id}/cancel"' not in page
    confirm = await site.browser.get(f"/games/{game.id}/cancel")
    assert confirm.status_code == 403
    refused = await post_form(site, f"/games/{game.id}/cancel", await site.csrf())
    assert refused.status_code == 403
    assert "Only the game&#39;s host or someone with the Manage Server permission" in refused.text
    after = await get_game(site.core.services, game.id)
    assert (after.status, after.version) == (GameStatus.SCHEDULED, game.version)


@pytest.mark.parametrize("action", ["join", "leave", "cancel"])
async def test_a_change_without_the_csrf_token_is_refused_and_writes_nothing(
    site: Site, action: str
) -> None:
    """Join, Leave and Cancel without the page's CSRF token answer 403 and change nothing."""
    game = await host_game(site, title="Catan night", host="sam", joiners=("olivia",))
    await site.login(as_user="sam")
    missing = await site.browser.post(f"/games/{game.id}/{action}", headers={"Origin": SITE})
    assert missing.status_code == 403
    wrong = await post_form(site, f"/games/{game.id}/{action}", "not-the-token")
    assert wrong.status_code == 403
    assert "Nothing was changed." in wrong.text
    after = await get_game(site.core.services, game.id)
    assert (after.version, after.status, after.joined) == (
        game.version,
        GameStatus.SCHEDULED,
        game.joined,
    )


async def test_a_join_on_the_web_is_recorded_as_the_members_from_the_web(site: Site) -> None:
    """The game's history names the member who clicked Join on its page, and the web."""
    game = await host_game(site, title="Catan night")
    await site.login(as_user="samantha")
    await post_form(site, f"/games/{game.id}/join", await site.csrf())

    joined = (await game_history(site.core.services, game.id))[-1]
    assert (joined.action, joined.origin, joined.member_id) == (
        Action.JOINED,
        FrontEnd.WEB,
        user(site, "samantha"),
    )
