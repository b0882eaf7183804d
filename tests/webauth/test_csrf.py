"""CSRF: a state-changing request needs this site's origin and the session's token."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Mount, Route

from gamesched.domain.settings import Source
from gamesched.services.configuration import guild_settings
from gamesched.services.games import get_game, list_games
from tests.support.demo import BOARD_GAMES, GUILD, allow_game_hosts
from tests.support.pages import host_game
from tests.support.web import PUBLIC_URL, SITE, ProbeSite, Site, signed_session
from webauth.api.errors import LOGIN_PATH
from webauth.csrf import origin_of
from webauth.routes import routes
from webauth.state import SESSION_COOKIE

FOREIGN = "https://evil.example"


async def _token(client: httpx.AsyncClient) -> str:
    return (await client.get("/token")).text


async def test_a_form_with_the_token_from_this_site_is_written(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A same-origin form carrying the session's token reaches its route with every field."""
    token = await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"csrf_token": token, "title": "Catan"}, headers={"Origin": PUBLIC_URL}
    )
    assert response.status_code == 200
    assert probe.writes == [{"csrf_token": token, "title": "Catan"}]


async def test_a_multipart_form_with_the_token_is_written(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A multipart form is checked the same way and still reaches its route whole."""
    token = await _token(probe_client)
    response = await probe_client.post(
        "/write",
        data={"csrf_token": token, "title": "Go"},
        files={"note": ("note.txt", b"hi")},
        headers={"Origin": PUBLIC_URL},
    )
    assert response.status_code == 200
    assert probe.writes[0]["title"] == "Go"


async def test_the_token_may_come_in_a_header(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A script sends the token as X-CSRF-Token instead of a form field."""
    token = await _token(probe_client)
    headers = {"Origin": PUBLIC_URL, "X-CSRF-Token": token}
    response = await probe_client.post("/write", data={"title": "Chess"}, headers=headers)
    assert response.status_code == 200


async def test_a_missing_token_is_refused_and_nothing_is_written(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A same-origin form without the token gets a 403 page and its route never runs."""
    await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"title": "x"}, headers={"Origin": PUBLIC_URL}
    )
    assert response.status_code == 403
    assert "security token is missing or out of date" in response.text
    assert "Nothing was changed" in response.text
    assert probe.writes == []


async def test_a_wrong_token_is_refused(probe: ProbeSite, probe_client: httpx.AsyncClient) -> None:
    """A token that is not this session's (an old or guessed one) is refused with 403."""
    await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"csrf_token": "guessed"}, headers={"Origin": PUBLIC_URL}
    )
    assert response.status_code == 403
    assert probe.writes == []


async def test_a_session_without_a_token_refuses_every_token(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """Without a token in the session (no page was ever shown), even an empty one fails."""
    response = await probe_client.post(
        "/write", data={"csrf_token": ""}, headers={"Origin": PUBLIC_URL}
    )
    assert response.status_code == 403
    assert probe.writes == []


async def test_a_foreign_origin_is_refused_even_with_the_token(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A form posted from another site is refused with 403 though its token is right."""
    token = await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"csrf_token": token}, headers={"Origin": FOREIGN}
    )
    assert response.status_code == 403
    assert "came from another site" in response.text
    assert probe.writes == []


async def test_without_origin_a_foreign_referer_is_refused(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """When the browser sends no Origin, a Referer of another site is refused."""
    token = await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"csrf_token": token}, headers={"Referer": f"{FOREIGN}/page"}
    )
    assert response.status_code == 403
    assert probe.writes == []


async def test_without_origin_a_referer_of_this_site_passes(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """When the browser sends no Origin, a Referer of one of this site's pages is enough."""
    token = await _token(probe_client)
    response = await probe_client.post(
        "/write", data={"csrf_token": token}, headers={"Referer": f"{PUBLIC_URL}/games?x=1"}
    )
    assert response.status_code == 200


async def test_neither_origin_nor_referer_is_refused(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A request that does not say where it comes from is refused (browsers always say)."""
    token = await _token(probe_client)
    response = await probe_client.post("/write", data={"csrf_token": token})
    assert response.status_code == 403
    assert probe.writes == []


async def test_the_app_guards_before_its_routes(client: httpx.AsyncClient) -> None:
    """On the real app a tokenless POST is refused as 403 (JSON for scripts), not routed."""
    client.cookies.set(SESSION_COOKIE, signed_session({"csrf": "t0ken"}))
    response = await client.post("/", headers={"Origin": PUBLIC_URL, "Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://Games.Test", "http://games.test:80"),
        ("https://games.test:443/x", "https://games.test:443"),
        ("http://games.test:8080", "http://games.test:8080"),
        ("null", None),
        ("ftp://games.test", None),
        ("http://games.test:notaport", None),
    ],
)
def test_origins_compare_by_scheme_host_and_port(url: str, origin: str | None) -> None:
    """Origins match however the host is cased or the default port is written."""
    assert origin_of(url) == origin


def unsafe_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the site that changes something, the API's too."""
    found = []
    for route in routes():
        prefix, inner = (route.path, route.routes) if isinstance(route, Mount) else ("", [route])
        for sub in inner:
            assert isinstance(sub, Route)
            unsafe = sorted(set(sub.methods or ()) & UNSAFE)
            found += [(method, prefix + sub.path_format) for method in unsafe]
    return found


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def test_every_route_that_changes_something_refuses_a_request_without_the_token(
    site: Site,
) -> None:
    """Every POST, PUT and DELETE of the pages and the API, sent from this site by a
    logged-in member without the session's token, is refused 403 before its route runs:
    the game, the settings and the login stay as they were."""
    await allow_game_hosts(site)
    game = await host_game(site, host="olivia")
    await site.logged_in("olivia")
    ids = {"guild_id": GUILD, "channel_id": BOARD_GAMES, "game_id": game.id, "id": game.id}
    checked = []
    for method, path in unsafe_routes():
        if path == LOGIN_PATH:  # starting a login: the origin alone (no session has a token yet)
            continue
        url = path.format(**ids)
        form = {"title": "Mine now", "max_players_mode": "set", "max_players": "3"}
        response = await site.browser.request(method, url, data=form, headers={"Origin": SITE})
        assert response.status_code == 403, (method, url, response.text)
        checked.append((method, path))
    assert ("POST", "/guilds/{guild_id}/games/new") in checked
    assert ("DELETE", "/api/v1/games/{id}") in checked
    assert await get_game(site.core.services, game.id) == game
    assert (await list_games(site.core.services, guild_id=GUILD)).total == 1
    settings = await guild_settings(site.core.services, guild_id=GUILD)
    assert settings.settings.max_players.source is Source.DEFAULT
    assert (await site.browser.get("/api/v1/auth/user")).status_code == 200
