"""Logging in through the API: the same Discord login as the pages, answered in JSON."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from gamesched.sandbox.oauth2_web import AUTHORIZE_PATH
from tests.support.api import api_as, code_of
from tests.support.demo import SAM
from tests.support.web import PUBLIC_URL, SITE, Site, session_in
from webauth.api.openapi import document


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def start_login(site: Site, body: object = None) -> httpx.Response:
    return await site.browser.post("/api/v1/auth/login", json=body, headers={"Origin": SITE})


async def discord_answer(site: Site, authorize_url: str, *, as_user: str = "sam") -> str:
    """Approve a login on the sandbox's authorize page as ``as_user``; the callback URL."""
    async with httpx.AsyncClient() as discord:
        answer = await discord.post(authorize_url, data={"as": as_user, "decision": "authorize"})
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


async def test_starting_a_login_answers_discords_address(site: Site) -> None:
    """POST /auth/login (same origin, no token needed yet) answers the authorize URL with the
    site's callback, the scopes, a state and a PKCE challenge, as /login redirects to."""
    response = await start_login(site, {"next": "/games"})
    assert response.status_code == 200
    url = response.json()["authorize_url"]
    assert url.startswith(site.sandbox.url + AUTHORIZE_PATH + "?")
    query = query_of(url)
    assert query["redirect_uri"] == SITE + "/callback"
    assert query["scope"] == "identify guilds guilds.members.read"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32


async def test_a_login_started_through_the_api_ends_on_the_pages_callback(site: Site) -> None:
    """Discord sends the browser to /callback, which logs it in and goes on to ``next``;
    GET /auth/user then names the member."""
    started = await start_login(site, {"next": "/games"})
    callback = await discord_answer(site, started.json()["authorize_url"])
    done = await site.browser.get(callback)
    assert done.status_code == 303
    assert done.headers["location"] == "/games"
    user = await site.browser.get("/api/v1/auth/user")
    assert user.json()["discordId"] == str(SAM)


async def test_the_api_callback_answers_the_member_in_json(site: Site) -> None:
    """Discord's answer handed to GET /auth/callback logs in a new session and answers the
    member with the new session's CSRF token."""
    started = await start_login(site)
    callback = await discord_answer(site, started.json()["authorize_url"])
    response = await site.browser.get("/api/v1/auth/callback?" + urlsplit(callback).query)
    assert response.status_code == 200
    user = response.json()
    assert user == {
        "discordId": str(SAM),
        "username": "sam",
        "displayName": "Sam Smith",
        "csrfToken": session_in(site.browser)["csrf"],
    }


async def test_a_callback_with_a_wrong_state_is_400_json(site: Site) -> None:
    """A callback whose state was not handed out here answers 400 login_failed in JSON and
    logs nobody in."""
    started = await start_login(site)
    callback = await discord_answer(site, started.json()["authorize_url"])
    forged = urlsplit(callback).query.replace("state=", "state=x")
    response = await site.browser.get("/api/v1/auth/callback?" + forged)
    assert code_of(response) == (400, "login_failed")
    assert "state did not match" in response.json()["message"]
    assert "user" not in session_in(site.browser)


async def test_a_login_from_another_site_is_refused(site: Site) -> None:
    """Starting a login needs this site's Origin: another origin gets 403 csrf_failed."""
    response = await site.browser.post(
        "/api/v1/auth/login", json={}, headers={"Origin": "https://evil.example"}
    )
    assert code_of(response) == (403, "csrf_failed")


async def test_the_user_is_who_logged_in_with_a_csrf_token(site: Site) -> None:
    """GET /auth/user gives the member's id (a string), username, display name and the
    session's CSRF token, which then lets a script write."""
    api = await api_as(site, "sam")
    user = (await site.browser.get("/api/v1/auth/user")).json()
    assert user["discordId"] == str(SAM)
    assert (user["username"], user["displayName"]) == ("sam", "Sam Smith")
    assert user["csrfToken"] == api.csrf
    assert (await api.post("/auth/refresh")).status_code == 200


async def test_without_a_login_the_user_is_401_json(site: Site) -> None:
    """Nobody logged in: GET /auth/user answers 401 login_required saying how to log in."""
    response = await site.browser.get("/api/v1/auth/user")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "login_required"


async def test_refresh_renews_the_discord_token_now(site: Site) -> None:
    """POST /auth/refresh trades the refresh token for a new pair at once and answers when
    the new access token expires; the new token works at Discord."""
    api = await api_as(site, "sam")
    before = await site.tokens()
    response = await api.post("/auth/refresh")
    assert response.status_code == 200
    after = await site.tokens()
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    expires = after.expires_at.isoformat().replace("+00:00", "Z")
    assert response.json() == {"expires_at": expires}
    assert (await site.me(after.access_token)).status_code == 200


async def test_a_refresh_discord_refuses_ends_the_login(site: Site) -> None:
    """When Discord refuses the refresh token (revoked), refresh answers 401 login_required
    and the member is logged out."""
    api = await api_as(site, "sam")
    site.sandbox.sandbox.oauth2.revoke((await site.tokens()).refresh_token)
    response = await api.post("/auth/refresh")
    assert code_of(response) == (401, "login_required")
    assert (await site.browser.get("/api/v1/auth/user")).status_code == 401


async def test_refresh_without_the_csrf_token_changes_nothing(site: Site) -> None:
    """POST /auth/refresh without X-CSRF-Token is 403 csrf_failed; the tokens stay."""
    await api_as(site, "sam")
    before = await site.tokens()
    response = await site.browser.post("/api/v1/auth/refresh", headers={"Origin": SITE})
    assert code_of(response) == (403, "csrf_failed")
    assert (await site.tokens()).access_token == before.access_token


async def test_a_site_without_discord_credentials_answers_503(client: httpx.AsyncClient) -> None:
    """Without web.client_id and web.client_secret, starting a login answers 503
    login_unavailable naming the keys to set."""
    response = await client.post("/api/v1/auth/login", headers={"Origin": PUBLIC_URL})
    assert code_of(response) == (503, "login_unavailable")
    assert "web.client_id" in response.json()["message"]


async def test_a_login_body_that_is_not_json_is_400(site: Site) -> None:
    """A login start whose body is not JSON answers 400 bad_json."""
    response = await site.browser.post(
        "/api/v1/auth/login", content=b"{oops", headers={"Origin": SITE}
    )
    assert code_of(response) == (400, "bad_json")


async def test_every_members_only_read_answers_401_json_without_a_login(site: Site) -> None:
    """Every GET of the API that needs a login answers 401 login_required in JSON when
    nobody is logged in (the document and the callback excepted)."""
    ids = {"guild_id": "1170000000000000001", "channel_id": "1190000000000000005", "id": "1"}
    paths = [
        path.format(**ids)
        for path, item in document()["paths"].items()
        if "get" in item and item["get"]["security"]
    ]
    assert len(paths) == 8
    for path in paths:
        response = await site.browser.get(path)
        assert code_of(response) == (401, "login_required"), path
