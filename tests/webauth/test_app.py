"""The web app's pages: the start page, the layout, error pages, and start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from gamesched.app import Core, DiscordTarget, open_core
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from gamesched.services.web_sessions import delete_session, load_session, save_session
from tests.support.web import SECRET, signed_session, web_config
from webauth.app import create_app
from webauth.render import USER_KEY
from webauth.state import SESSION_COOKIE
from webauth.tokens import OAuthTokens, TokenSeal, TokenVault

HOUR = timedelta(hours=1)


async def test_the_start_page_offers_discord_login_to_a_stranger(client: httpx.AsyncClient) -> None:
    """Logged out, the start page says what the site is and links to the Discord login."""
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<a class="button" href="/login">Log in with Discord</a>' in response.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
    assert "<script" not in response.text


async def test_the_header_names_who_is_logged_in(client: httpx.AsyncClient, core: Core) -> None:
    """With a member in the session the header says who they are, escaped, and hides login."""
    tokens = OAuthTokens("access", "refresh", datetime.now(UTC) + HOUR, "identify")
    vault = TokenVault(core.services, TokenSeal(SECRET))
    await vault.keep("s1", tokens, until=datetime.now(UTC) + HOUR)
    user = {"id": "7", "name": "<Sam>"}
    client.cookies.set(SESSION_COOKIE, signed_session({"sid": "s1", USER_KEY: user}))
    response = await client.get("/")
    assert "Signed in as <strong>&lt;Sam&gt;</strong>" in response.text
    assert "Log in with Discord" not in response.text


async def test_a_forged_session_cookie_is_ignored(client: httpx.AsyncClient) -> None:
    """A session cookie not signed with the site's secret logs nobody in."""
    value = signed_session({USER_KEY: {"id": "7", "name": "Mallory"}})
    client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = await client.get("/")
    assert "Mallory" not in response.text
    assert "Log in with Discord" in response.text


async def test_the_stylesheet_is_served(client: httpx.AsyncClient) -> None:
    """The layout's one stylesheet is served as CSS from the site itself."""
    response = await client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


async def test_an_unknown_address_is_a_404_page(client: httpx.AsyncClient) -> None:
    """A missing page answers 404 with the site's layout and a way back, no traceback."""
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>Not Found</h1>" in response.text
    assert "There is no page at this address." in response.text
    assert 'href="/"' in response.text


async def test_a_wrong_method_is_a_405_page_naming_the_allowed_ones(
    client: httpx.AsyncClient,
) -> None:
    """DELETE on the start page (with a valid CSRF proof) is refused as 405 with Allow."""
    client.cookies.set(SESSION_COOKIE, signed_session({"csrf": "t0ken"}))
    response = await client.delete(
        "/", headers={"X-CSRF-Token": "t0ken", "Origin": "http://games.test"}
    )
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert "This address does not take that kind of request." in response.text


async def test_a_script_asking_for_json_gets_json_errors(client: httpx.AsyncClient) -> None:
    """Errors answer JSON with the same words when the client asks for JSON."""
    response = await client.get("/missing", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "detail": "There is no page at this address."}


async def test_start_up_sweeps_expired_sessions(
    database_url: str, sandbox: RunningSandbox, demo_world: World
) -> None:
    """When the web starts, sessions that expired while it was down are removed."""
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(web_config(database_url), target) as core:
        now = datetime.now(UTC)
        for session_id, until in (("gone", now - HOUR), ("live", now + HOUR)):
            await save_session(core.services, session_id=session_id, tokens=b"x", expires_at=until)
        app = create_app(core)
        async with app.router.lifespan_context(app):
            assert await delete_session(core.services, session_id="gone") is False
            assert await load_session(core.services, session_id="live") is not None
