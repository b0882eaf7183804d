"""Login with Discord against the sandbox: the authorize page, the token endpoint, revocation
and the routes a user's Bearer token calls, answering as Discord does."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from gamesched.sandbox.server import RunningSandbox, start_sandbox
from gamesched.sandbox.state import Clock
from gamesched.sandbox.world import User, World

GUILD = 1170000000000000001
CALLBACK = "http://127.0.0.1:8080/auth/callback"
ALL_SCOPES = "identify guilds guilds.members.read"
WEEK = 604800


@dataclasses.dataclass(frozen=True, slots=True)
class Login:
    """Talks to one sandbox as gamesched's web would."""

    session: aiohttp.ClientSession
    sandbox: RunningSandbox
    world: World

    @property
    def client(self) -> dict[str, str]:
        """The application's credentials as an HTTP Basic header."""
        return basic(str(self.world.application_id), self.world.oauth2.client_secret)

    def query(self, **changes: str) -> dict[str, str]:
        """An authorization request's query (PKCE challenge of :func:`verifier_of`)."""
        return {
            "response_type": "code",
            "client_id": str(self.world.application_id),
            "redirect_uri": CALLBACK,
            "scope": ALL_SCOPES,
            "state": "xyz",
            "code_challenge": challenge_of("v" * 50),
            "code_challenge_method": "S256",
            **changes,
        }

    async def authorize(self, member: str = "sam", **changes: str) -> dict[str, str]:
        """Approve as ``member``, skipping the page; the redirect's query parameters."""
        response = await self.session.post(
            self.sandbox.url + "/oauth2/authorize",
            params=self.query(**changes),
            data={"as": member},
            allow_redirects=False,
        )
        assert response.status == 302, await response.text()
        return redirected(response, to=changes.get("redirect_uri", CALLBACK))

    async def token(
        self, form: dict[str, str], *, auth: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        """POST the token endpoint (client authenticated by Basic unless ``auth`` says)."""
        return await self.session.post(
            self.sandbox.base_url + "/oauth2/token", data=form, headers=auth or self.client
        )

    async def exchange(self, code: str, *, verifier: str = "v" * 50) -> aiohttp.ClientResponse:
        """Exchange a code the way :meth:`authorize` asked for it."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        }
        return await self.token(form)

    async def tokens(self, member: str = "sam", **changes: str) -> dict[str, Any]:
        """A token response for ``member``."""
        response = await self.exchange((await self.authorize(member, **changes))["code"])
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    async def get(self, path: str, access_token: str) -> aiohttp.ClientResponse:
        """GET a REST route with a Bearer token."""
        headers = {"Authorization": f"Bearer {access_token}"}
        return await self.session.get(self.sandbox.base_url + path, headers=headers)


def basic(client_id: str, secret: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def challenge_of(verifier: str) -> str:
    """RFC 7636's S256 challenge, computed here independently of the sandbox."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirected(response: aiohttp.ClientResponse, *, to: str) -> dict[str, str]:
    """The query of a redirect to ``to`` (asserting it goes there)."""
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == to
    return {key: values[0] for key, values in parse_qs(location.query).items()}


async def error_of(response: aiohttp.ClientResponse) -> tuple[int, str]:
    """Status and RFC 6749 ``error`` of a token endpoint answer."""
    return response.status, (await response.json())["error"]


@pytest.fixture
async def login(sandbox: RunningSandbox, demo_world: World) -> AsyncIterator[Login]:
    """A web's view of the demo world's sandbox."""
    async with aiohttp.ClientSession() as session:
        yield Login(session, sandbox, demo_world)


async def test_code_flow_with_pkce_logs_in_the_member_chosen_on_the_page(login: Login) -> None:
    """The page lists the members; Authorize redirects with code and state; the exchange
    gives a week-long Bearer token that GET /users/@me answers as that member."""
    page = await login.session.get(login.sandbox.url + "/oauth2/authorize", params=login.query())
    text = await page.text()
    assert page.status == 200
    assert page.content_type == "text/html"
    assert all(f'value="{user.username}"' in text for user in login.world.users)
    assert 'value="gamesched"' not in text  # the bot does not log in

    answer = await login.authorize("samantha")
    assert answer["state"] == "xyz"
    response = await login.exchange(answer["code"])
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    tokens = await response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == WEEK
    assert tokens["scope"].split() == sorted(ALL_SCOPES.split())
    assert tokens["refresh_token"] != tokens["access_token"]

    me = await login.get("/users/@me", tokens["access_token"])
    assert me.status == 200
    assert (await me.json())["username"] == "samantha"


async def test_the_page_form_posts_back_everything_it_was_asked(login: Login) -> None:
    """Submitting the page's form as a browser would (decision=authorize) gives a code."""
    form = {**login.query(), "as": "olivia", "decision": "authorize"}
    response = await login.session.post(
        login.sandbox.url + "/oauth2/authorize", data=form, allow_redirects=False
    )
    answer = redirected(response, to=CALLBACK)
    assert (await login.exchange(answer["code"])).status == 200


async def test_wrong_code_verifier_is_invalid_grant(login: Login) -> None:
    """A verifier that does not hash to the challenge is refused with invalid_grant (400)."""
    code = (await login.authorize())["code"]
    assert await error_of(await login.exchange(code, verifier="w" * 50)) == (400, "invalid_grant")


async def test_a_code_works_once(login: Login) -> None:
    """Replaying a code that was already exchanged is invalid_grant."""
    code = (await login.authorize())["code"]
    assert (await login.exchange(code)).status == 200
    assert await error_of(await login.exchange(code)) == (400, "invalid_grant")


async def test_a_code_expires_after_ten_minutes(login: Login, sandbox_clock: Clock) -> None:
    """A code exchanged more than Discord's 10 minutes after it was issued is invalid_grant."""
    code = (await login.authorize())["code"]
    sandbox_clock.advance(601)
    assert await error_of(await login.exchange(code)) == (400, "invalid_grant")


async def test_the_exchange_needs_the_authorize_redirect_uri(login: Login) -> None:
    """A token request naming another redirect_uri than the authorize one is invalid_grant."""
    code = (await login.authorize())["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:9999/other",
        "code_verifier": "v" * 50,
    }
    assert await error_of(await login.token(form)) == (400, "invalid_grant")


async def test_unknown_client_or_unregistered_redirect_gets_an_error_page(login: Login) -> None:
    """An unknown client_id or a redirect_uri not registered (nor loopback) is answered with an
    error page, never a redirect to that URI."""
    url = login.sandbox.url + "/oauth2/authorize"
    for changes in ({"client_id": "123"}, {"redirect_uri": "https://evil.example/callback"}):
        response = await login.session.get(url, params=login.query(**changes))
        assert response.status == 400
        assert "Location" not in response.headers
        assert response.content_type == "text/html"


async def test_a_redirect_uri_listed_in_the_world_is_accepted(demo_world: World) -> None:
    """Redirect URIs registered in the world's [oauth2] table work besides loopback ones."""
    registered = "https://games.example/auth/callback"
    oauth2 = dataclasses.replace(demo_world.oauth2, redirect_uris=(registered,))
    running = await start_sandbox(dataclasses.replace(demo_world, oauth2=oauth2))
    try:
        async with aiohttp.ClientSession() as session:
            answer = await Login(session, running, demo_world).authorize(redirect_uri=registered)
    finally:
        await running.close()
    assert answer["code"]


async def test_bad_client_credentials_are_invalid_client(login: Login) -> None:
    """A wrong secret, an unknown client id, or the bot token instead of the secret is 401
    invalid_client, by HTTP Basic or in the form."""
    code = (await login.authorize())["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    client_id = str(login.world.application_id)
    for auth in (
        basic(client_id, "wrong"),
        basic("123", login.world.oauth2.client_secret),
        basic(client_id, login.world.token),
    ):
        assert await error_of(await login.token(form, auth=auth)) == (401, "invalid_client")
    in_form = {**form, "client_id": client_id, "client_secret": "wrong"}
    response = await login.session.post(login.sandbox.base_url + "/oauth2/token", data=in_form)
    assert await error_of(response) == (401, "invalid_client")


async def test_client_credentials_in_the_form_and_the_unversioned_path_work(login: Login) -> None:
    """client_id/client_secret in the form are accepted, at /api/oauth2/token too."""
    answer = await login.authorize()
    form = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "redirect_uri": CALLBACK,
        "code_verifier": "v" * 50,
        "client_id": str(login.world.application_id),
        "client_secret": login.world.oauth2.client_secret,
    }
    response = await login.session.post(login.sandbox.url + "/api/oauth2/token", data=form)
    assert response.status == 200


async def test_the_bot_token_opens_no_oauth2_door(login: Login) -> None:
    """The bot token is not a user's Bearer token, nor a client credential at the token
    endpoint; and the bot cannot read a member through the user-only route."""
    bot_token = login.world.token
    assert (await login.get("/users/@me", bot_token)).status == 401
    response = await login.session.post(
        login.sandbox.base_url + "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": f"Bearer {bot_token}"},
    )
    assert await error_of(response) == (401, "invalid_client")
    as_bot = await login.session.get(
        f"{login.sandbox.base_url}/users/@me/guilds/{GUILD}/member",
        headers={"Authorization": f"Bot {bot_token}"},
    )
    assert as_bot.status == 401


async def test_bot_routes_refuse_a_user_token(login: Login) -> None:
    """A valid Bearer token gets 401 on routes that need the bot's token."""
    access = (await login.tokens())["access_token"]
    for path in (f"/guilds/{GUILD}", f"/guilds/{GUILD}/members/{login.world.users[0].id}"):
        response = await login.get(path, access)
        assert response.status == 401
        assert await response.json() == {"message": "401: Unauthorized", "code": 0}


async def test_cancel_redirects_with_access_denied(login: Login) -> None:
    """Cancel on the page redirects back with error=access_denied, a description and state."""
    response = await login.session.post(
        login.sandbox.url + "/oauth2/authorize",
        data={**login.query(), "as": "sam", "decision": "cancel"},
        allow_redirects=False,
    )
    answer = redirected(response, to=CALLBACK)
    assert answer["error"] == "access_denied"
    assert answer["error_description"]
    assert answer["state"] == "xyz"
    assert "code" not in answer


async def test_unsupported_response_type_or_scope_redirect_with_an_error(login: Login) -> None:
    """An unsupported response_type or scope is sent back to the redirect URI with state."""
    url = login.sandbox.url + "/oauth2/authorize"
    for changes, error in (
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "identify bot"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
    ):
        response = await login.session.get(
            url, params=login.query(**changes), allow_redirects=False
        )
        answer = redirected(response, to=CALLBACK)
        assert (answer["error"], answer["state"]) == (error, "xyz")


async def test_token_requests_name_what_is_wrong(login: Login) -> None:
    """An unknown grant_type is unsupported_grant_type; a missing code is invalid_request."""
    unknown = await login.token({"grant_type": "password"})
    assert await error_of(unknown) == (400, "unsupported_grant_type")
    missing = await login.token({"grant_type": "authorization_code", "redirect_uri": CALLBACK})
    assert await missing.json() == {
        "error": "invalid_request",
        "error_description": 'Missing "code" in request.',
    }


async def test_refresh_rotates_the_pair_and_the_old_refresh_token_stops_working(
    login: Login,
) -> None:
    """A refresh gives a new access and refresh token; the old refresh token is then
    invalid_grant and the old access token 401."""
    first = await login.tokens()
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    response = await login.token(refresh)
    assert response.status == 200
    second = await response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == first["scope"]
    assert await error_of(await login.token(refresh)) == (400, "invalid_grant")
    assert (await login.get("/users/@me", first["access_token"])).status == 401
    assert (await login.get("/users/@me", second["access_token"])).status == 200


async def test_revoking_ends_the_pair_and_unknown_tokens_are_fine(login: Login) -> None:
    """Revoking the access token makes it 401 and its refresh token invalid_grant; revoking
    an unknown token still answers 200 (RFC 7009)."""
    tokens = await login.tokens()
    revoke_url = login.sandbox.base_url + "/oauth2/token/revoke"
    for token in (tokens["access_token"], "never-issued"):
        response = await login.session.post(revoke_url, data={"token": token}, headers=login.client)
        assert response.status == 200
    me = await login.get("/users/@me", tokens["access_token"])
    assert (me.status, await me.json()) == (401, {"message": "401: Unauthorized", "code": 0})
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    assert await error_of(await login.token(refresh)) == (400, "invalid_grant")


async def test_an_access_token_expires_after_its_lifetime(
    login: Login, sandbox_clock: Clock
) -> None:
    """Once expires_in seconds passed, the access token is 401 (the refresh token still works)."""
    tokens = await login.tokens()
    sandbox_clock.advance(tokens["expires_in"])
    assert (await login.get("/users/@me", tokens["access_token"])).status == 401
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    assert (await login.token(refresh)).status == 200


async def test_a_route_outside_the_granted_scopes_is_403_missing_access(login: Login) -> None:
    """A token granted only identify reads /users/@me but gets 403/50001 for the guild routes."""
    access = (await login.tokens(scope="identify"))["access_token"]
    assert (await login.get("/users/@me", access)).status == 200
    for path in ("/users/@me/guilds", f"/users/@me/guilds/{GUILD}/member"):
        response = await login.get(path, access)
        assert response.status == 403
        assert (await response.json())["code"] == 50001


async def test_user_routes_answer_with_the_members_guilds_and_membership(login: Login) -> None:
    """/users/@me/guilds lists Game Night with owner and permissions; .../member gives the
    member with nick and roles, as the world has them."""
    guild = login.world.guilds[0]
    for username in ("olivia", "mia_mod"):
        user = login.world.find_user(username)
        assert user is not None
        member = guild.member(user.id)
        assert member is not None
        access = (await login.tokens(username))["access_token"]
        guilds = await (await login.get("/users/@me/guilds", access)).json()
        assert guilds == [
            {
                "id": str(GUILD),
                "name": "Game Night",
                "icon": None,
                "banner": None,
                "owner": username == "olivia",
                "permissions": str(guild.base_permissions(member)),
                "features": [],
            }
        ]
        found = await (await login.get(f"/users/@me/guilds/{GUILD}/member", access)).json()
        assert found["user"]["id"] == str(user.id)
        assert found["nick"] == member.nick
        assert found["roles"] == [str(r) for r in member.role_ids]


async def test_member_of_a_guild_the_user_is_not_in_is_unknown_guild(demo_world: World) -> None:
    """A user outside the guild, or an unknown guild id, gets 404 / 10004 Unknown Guild; the
    outsider's guild list is empty."""
    outsider = User(id=1160000000000000099, username="outsider", global_name="Outsider")
    world = dataclasses.replace(demo_world, users=(*demo_world.users, outsider))
    running = await start_sandbox(world)
    try:
        async with aiohttp.ClientSession() as session:
            login = Login(session, running, world)
            cases = [("outsider", GUILD), ("sam", 1170000000000000999)]
            for username, guild_id in cases:
                access = (await login.tokens(username))["access_token"]
                response = await login.get(f"/users/@me/guilds/{guild_id}/member", access)
                assert response.status == 404
                assert (await response.json())["code"] == 10004
            outsider_access = (await login.tokens("outsider"))["access_token"]
            assert await (await login.get("/users/@me/guilds", outsider_access)).json() == []
    finally:
        await running.close()


async def test_the_member_route_is_rate_limited_per_user(
    login: Login, sandbox_clock: Clock
) -> None:
    """GET /users/@me/guilds/{id}/member allows 5 requests per 30 s per user with Discord's
    headers; the sixth is a 429 with retry_after, and the next window passes again."""
    access = (await login.tokens())["access_token"]
    other = (await login.tokens("olivia"))["access_token"]
    path = f"/users/@me/guilds/{GUILD}/member"
    remaining = []
    for _ in range(5):
        response = await login.get(path, access)
        assert response.status == 200
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["4", "3", "2", "1", "0"]
    limited = await login.get(path, access)
    assert limited.status == 429
    retry_after = (await limited.json())["retry_after"]
    assert 0 < retry_after <= 30
    assert (await login.get(path, other)).status == 200  # another user's bucket
    sandbox_clock.advance(retry_after)
    assert (await login.get(path, access)).status == 200


async def test_a_verifier_is_not_needed_without_a_challenge(login: Login) -> None:
    """A code asked for without PKCE is exchanged without a code_verifier."""
    query = login.query()
    del query["code_challenge"], query["code_challenge_method"]
    response = await login.session.post(
        login.sandbox.url + "/oauth2/authorize",
        data={**query, "as": "sam"},
        allow_redirects=False,
    )
    code = redirected(response, to=CALLBACK)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    assert (await login.token(form)).status == 200


def test_verifier_helper_matches_rfc_7636_example() -> None:
    """The test's own S256 helper gives RFC 7636's appendix B challenge."""
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge_of(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
