"""Login with Discord against the sandbox: the round trip, its failures, token renewal and
logout, on each database engine."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest

from gamesched.app import DiscordTarget, open_core
from gamesched.config import Config
from gamesched.sandbox.oauth2_web import AUTHORIZE_PATH
from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import World
from gamesched.services.web_sessions import load_session
from tests.support.environment import free_port
from tests.support.web import (
    SAM,
    SECRET,
    SITE,
    Site,
    client_for,
    csrf_of,
    login_config,
    open_site,
    session_in,
)
from webauth.app import create_app
from webauth.state import SESSION_COOKIE


@pytest.fixture
async def short_site(database_url: str, demo_world: World) -> AsyncIterator[Site]:
    """As :func:`site`, on a sandbox whose access tokens last 30 seconds (always due for
    renewal, which happens within a minute of expiry)."""
    limits = dataclasses.replace(demo_world.limits, oauth2_access_token_seconds=30.0)
    world = dataclasses.replace(demo_world, limits=limits)
    running = await start_sandbox(world)
    try:
        async with open_site(database_url, running, world) as opened:
            yield opened
    finally:
        await running.close()


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def test_login_redirects_to_discord_with_state_and_pkce(site: Site) -> None:
    """/login sends the browser to the authorize URL with the app's client id, the site's own
    callback, the three scopes, a random state and an S256 PKCE challenge."""
    response = await site.browser.get("/login", headers={"Host": "evil.example"})
    location = response.headers["location"]
    assert location.startswith(site.sandbox.url + AUTHORIZE_PATH + "?")
    query = query_of(location)
    assert query["response_type"] == "code"
    assert query["client_id"] == str(site.world.application_id)
    assert query["redirect_uri"] == SITE + "/callback"
    assert query["scope"] == "identify guilds guilds.members.read"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    again = query_of((await site.browser.get("/login")).headers["location"])
    assert again["state"] != query["state"]


async def test_logging_in_shows_the_member_and_keeps_tokens_sealed_server_side(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """After the round trip the header names the member; the tokens are in the database,
    sealed, and neither in the cookie nor in any log line."""
    caplog.set_level(logging.DEBUG)
    # aiosqlite's worker thread logs each call at DEBUG and may still do so while the
    # capture is being torn down ("Logging error"); its lines carry only sealed blobs.
    caplog.set_level(logging.INFO, logger="aiosqlite")
    response = await site.login()
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = await site.browser.get("/")
    assert "Signed in as <strong>Sam Smith</strong>" in page.text
    assert "Log out" in page.text
    session = session_in(site.browser)
    assert session["user"] == SAM
    tokens = await site.tokens()
    assert (await site.me(tokens.access_token)).json()["username"] == "sam"
    stored = await load_session(site.core.services, session_id=session["sid"])
    assert stored is not None
    cookie = site.browser.cookies[SESSION_COOKIE]
    for secret in (tokens.access_token, tokens.refresh_token):
        assert secret.encode() not in stored.tokens
        assert secret not in cookie
        assert secret not in caplog.text
        assert secret not in page.text


async def test_cancelling_at_discord_says_so(site: Site) -> None:
    """Cancel on Discord's page brings a page saying the login was cancelled, with a link to
    try again, and nobody logged in."""
    response = await site.browser.get(await site.authorize(decision="cancel"))
    assert response.status_code == 400
    assert "You cancelled the login at Discord" in response.text
    assert 'href="/login"' in response.text
    assert "Traceback" not in response.text
    assert "user" not in session_in(site.browser)


async def test_a_wrong_state_is_refused(site: Site) -> None:
    """A callback whose state is not the one this browser was given logs nobody in."""
    callback = await site.authorize()
    forged = callback.replace("state=", "state=x")
    response = await site.browser.get(forged)
    assert response.status_code == 400
    assert "its state did not match" in response.text
    assert 'href="/login"' in response.text
    assert "user" not in session_in(site.browser)


async def test_a_callback_without_a_login_started_here_is_refused(site: Site) -> None:
    """A callback reaching a browser that never went to /login (a planted link) is refused."""
    callback = await site.authorize()
    site.browser.cookies.clear()
    response = await site.browser.get(callback)
    assert response.status_code == 400
    assert "its state did not match" in response.text


async def test_a_replayed_callback_is_refused(site: Site) -> None:
    """Opening the same callback URL again after logging in is refused (its state was
    single-use) and does not disturb the login."""
    callback = await site.authorize()
    assert (await site.browser.get(callback)).status_code == 303
    replay = await site.browser.get(callback)
    assert replay.status_code == 400
    assert "already used" in replay.text


async def test_a_spent_code_is_refused(site: Site) -> None:
    """A code already exchanged, brought back with a fresh state, is refused by Discord and
    the page says the code expired or was used."""
    callback = await site.authorize()
    assert (await site.browser.get(callback)).status_code == 303
    again = query_of((await site.browser.get("/login")).headers["location"])
    spent = query_of(callback)["code"]
    response = await site.browser.get(f"/callback?code={spent}&state={again['state']}")
    assert response.status_code == 400
    assert "its code has expired or was already used" in response.text
    assert "Traceback" not in response.text


async def test_an_expired_code_is_refused(site: Site, sandbox_clock: Clock) -> None:
    """A code used after Discord's ten minutes is refused with a page, nobody logged in."""
    callback = await site.authorize()
    sandbox_clock.advance(11 * 60)
    response = await site.browser.get(callback)
    assert response.status_code == 400
    assert "its code has expired or was already used" in response.text
    assert "user" not in session_in(site.browser)


async def test_discord_unreachable_when_finishing_the_login_says_so(
    database_url: str, sandbox: RunningSandbox, demo_world: World
) -> None:
    """When Discord cannot be reached to trade the code, the page says so (502) with a way to
    try again, shows no traceback, and nobody is logged in."""
    token_url = f"http://127.0.0.1:{free_port()}/api/v10/oauth2/token"
    async with open_site(database_url, sandbox, demo_world, token_url=token_url) as site:
        page = await site.login()
        home = await site.browser.get("/")
    assert page.status_code == 502
    assert "Could not reach Discord to finish the login." in page.text
    assert 'href="/login"' in page.text
    assert "Traceback" not in page.text
    assert "Signed in as" not in home.text


async def test_logging_in_too_often_says_how_long_to_wait(site: Site) -> None:
    """Discord allows a member's token to ask who they are 5 times in 5 seconds: a sixth
    login at once is a 503 page saying how long to wait, never "could not reach Discord"."""
    for _ in range(5):
        assert (await site.login()).status_code == 303
    page = await site.login()
    assert page.status_code == 503
    assert re.search(
        r"Discord is limiting how often you can log in just now\. Wait [1-5] seconds? and log in",
        page.text,
    )
    assert 'href="/login"' in page.text


async def test_an_expiring_access_token_is_renewed(short_site: Site) -> None:
    """An access token expiring within a minute is refreshed on the next page: the new pair
    is kept, the new access token works and the old refresh token is spent."""
    await short_site.login()
    before = await short_site.tokens()
    page = await short_site.browser.get("/")
    assert "Signed in as <strong>Sam Smith</strong>" in page.text
    after = await short_site.tokens()
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert (await short_site.me(after.access_token)).status_code == 200
    assert (await short_site.me(before.access_token)).status_code == 401


async def test_pages_loading_at_once_renew_an_expiring_login_once(short_site: Site) -> None:
    """Several pages of one login opened at once all stay logged in: the token is renewed
    once, not once per page (a second renewal would spend the refresh token and log out)."""
    await short_site.login()
    before = await short_site.tokens()
    pages = await asyncio.gather(*(short_site.browser.get("/") for _ in range(4)))
    assert all("Signed in as <strong>Sam Smith</strong>" in page.text for page in pages)
    after = await short_site.tokens()
    assert after.refresh_token != before.refresh_token
    assert (await short_site.me(after.access_token)).status_code == 200


async def test_a_revoked_login_logs_out_with_a_message(short_site: Site) -> None:
    """When Discord refuses to renew the tokens (the member revoked the app), the next page
    says so, logs out and forgets the tokens."""
    await short_site.login()
    sid = session_in(short_site.browser)["sid"]
    short_site.sandbox.sandbox.oauth2.revoke((await short_site.tokens()).refresh_token)
    page = await short_site.browser.get("/")
    assert page.status_code == 401
    assert "Discord no longer accepts your login" in page.text
    assert 'href="/login"' in page.text
    assert session_in(short_site.browser) == {}
    assert await short_site.vault.fetch(sid) is None
    assert "Log in with Discord" in (await short_site.browser.get("/")).text


async def test_discord_unreachable_while_renewing_keeps_the_login_for_later(
    short_site: Site, database_url: str
) -> None:
    """A renewal that cannot reach Discord is a 502 page saying so; the login and its tokens
    are kept, so the next page, with Discord back, renews and shows the member again."""
    await short_site.login()
    sid = session_in(short_site.browser)["sid"]
    before = await short_site.tokens()
    config = login_config(database_url, short_site.sandbox, short_site.world)
    token_url = f"http://127.0.0.1:{free_port()}/api/v10/oauth2/token"
    unreachable = config.web.model_copy(update={"oauth_token_url": token_url})
    target = DiscordTarget(api_base_url=short_site.sandbox.base_url, token=short_site.world.token)
    async with (
        open_core(config.model_copy(update={"web": unreachable}), target) as core,
        client_for(create_app(core), SITE) as browser,
    ):
        browser.cookies = short_site.browser.cookies
        page = await browser.get("/")
    assert page.status_code == 502
    assert "Could not reach Discord to renew your login." in page.text
    assert "Traceback" not in page.text
    assert await short_site.vault.fetch(sid) == before
    back = await short_site.browser.get("/")
    assert "Signed in as <strong>Sam Smith</strong>" in back.text
    assert (await short_site.tokens()).access_token != before.access_token


async def test_logout_revokes_at_discord_and_clears_the_session(site: Site) -> None:
    """The header's Log out button revokes the tokens (the old access token gets 401), forgets
    them and returns to the start page logged out."""
    await site.login()
    tokens = await site.tokens()
    sid = session_in(site.browser)["sid"]
    page = await site.browser.get("/")
    response = await site.browser.post(
        "/logout", data={"csrf_token": csrf_of(page)}, headers={"Origin": SITE}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await site.me(tokens.access_token)).status_code == 401
    assert await site.vault.fetch(sid) is None
    assert session_in(site.browser) == {}
    assert "Log in with Discord" in (await site.browser.get("/")).text


async def test_logout_without_the_csrf_token_is_refused(site: Site) -> None:
    """A cross-site POST to /logout does nothing: the member stays logged in."""
    await site.login()
    response = await site.browser.post("/logout", headers={"Origin": SITE})
    assert response.status_code == 403
    assert "Signed in as" in (await site.browser.get("/")).text


async def test_logging_in_starts_a_new_session(site: Site) -> None:
    """A session cookie from before the login (planted by someone else) does not carry the
    login: the login gets a fresh session id and the old cookie stays logged out."""
    await site.browser.get("/login")
    before = site.browser.cookies[SESSION_COOKIE]
    await site.login()
    assert site.browser.cookies[SESSION_COOKIE] != before
    assert "login" not in session_in(site.browser)
    site.browser.cookies.set(SESSION_COOKIE, before)
    assert "Log in with Discord" in (await site.browser.get("/")).text


async def test_next_is_kept_through_the_login_and_sanitized(site: Site) -> None:
    """/login?next=/path comes back to that path after the login; another site never."""
    response = await site.login("/login?next=/games%3Fday%3D2")
    assert response.headers["location"] == "/games?day=2"
    response = await site.login("/login?next=//evil.example/x")
    assert response.headers["location"] == "/"
    response = await site.login("/login?next=https://evil.example/")
    assert response.headers["location"] == "/"


async def test_login_without_client_credentials_says_which_keys_to_set(
    database_url: str, sandbox: RunningSandbox, demo_world: World
) -> None:
    """With no web.client_id and web.client_secret, /login explains which keys to set."""
    config = Config.model_validate(
        {"database": {"url": database_url}, "web": {"public_url": SITE, "session_secret": SECRET}}
    )
    target = DiscordTarget(api_base_url=sandbox.base_url, token=demo_world.token)
    async with open_core(config, target) as core, client_for(create_app(core), SITE) as browser:
        response = await browser.get("/login")
    assert response.status_code == 503
    assert "web.client_id and web.client_secret" in response.text


async def test_logout_still_logs_out_when_discord_cannot_revoke(
    site: Site, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """When the revocation fails, Log out still ends the login here; the failure is logged
    without the tokens."""
    await site.login()
    tokens = await site.tokens()
    sid = session_in(site.browser)["sid"]
    csrf = csrf_of(await site.browser.get("/"))
    config = login_config(database_url, site.sandbox, site.world)
    broken = config.web.model_copy(update={"oauth_token_url": site.sandbox.url + "/nowhere"})
    target = DiscordTarget(api_base_url=site.sandbox.base_url, token=site.world.token)
    async with (
        open_core(config.model_copy(update={"web": broken}), target) as core,
        client_for(create_app(core), SITE) as browser,
    ):
        browser.cookies = site.browser.cookies
        response = await browser.post(
            "/logout", data={"csrf_token": csrf}, headers={"Origin": SITE}
        )
        assert response.status_code == 303
        assert session_in(browser) == {}
    assert await site.vault.fetch(sid) is None
    assert "Could not revoke a login's tokens at Discord" in caplog.text
    assert tokens.access_token not in caplog.text
    assert tokens.refresh_token not in caplog.text
