"""The API's games: create (and its 422 with suggestions), list, show, edit, cancel, join and
leave, as logged-in demo members against the sandbox, on each database engine."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from typing import Any

import pytest

from gamesched.discord.rest import DiscordForbidden
from gamesched.services.views import GameView
from tests.support.api import Api, api_as, code_of, iso, new_game, other_browser, soon
from tests.support.demo import (
    ALEX_R,
    ALEXANDRA,
    ANNOUNCEMENTS,
    BOARD_GAMES,
    GUILD,
    RPG,
    SAM,
    SAMANTHA,
    allow_game_hosts,
)
from tests.support.web import SITE, Site


async def created(api: Api, **overrides: Any) -> dict[str, Any]:
    """A game created through the API (as ``api``'s member)."""
    response = await api.post("/games", new_game(**overrides))
    assert response.status_code == 201, response.text
    game: dict[str, Any] = response.json()
    return game


async def host_api(site: Site) -> Api:
    """sam (a Game Host) logged in, with the Game Host role allowed to create games."""
    await allow_game_hosts(site)
    return await api_as(site, "sam")


def announcements_in(site: Site, channel_id: int) -> list[str]:
    """The sandbox channel's messages (the bot's announcements) as JSON text."""
    return [json.dumps(m.payload) for m in site.sandbox.state.channel_messages(channel_id)]


async def test_creating_a_game_answers_201_with_it_and_announces_it(site: Site) -> None:
    """A host's valid create answers 201 with the game (its address in Location, times in UTC,
    people by display name) and its announcement appears in the Discord channel."""
    api = await host_api(site)
    start = soon()
    response = await api.post(
        "/games",
        new_game(
            scheduled_at=start.astimezone(timezone(timedelta(hours=2))).isoformat(),
            initial_participants=["@alex_r", "Reserved"],
            max_players=4,
        ),
    )
    assert response.status_code == 201, response.text
    game = response.json()
    assert response.headers["location"] == f"/api/v1/games/{game['id']}"
    assert game["game_id"] == game["id"]
    assert game["title"] == "Catan night"
    assert game["scheduled_at"] == iso(start)
    assert game["status"] == "scheduled"
    assert game["host"] == {"discordId": str(SAM), "displayName": "Sammy"}
    assert game["participants"] == [
        {
            "discordId": str(ALEX_R),
            "displayName": "Alex",
            "status": "joined",
            "isPlaceholder": False,
            "isHost": False,
        },
        {
            "discordId": None,
            "displayName": "Reserved",
            "status": "placeholder",
            "isPlaceholder": True,
            "isHost": False,
        },
    ]
    assert game["settings"]["max_players"] == {"value": 4, "source": "game"}
    assert game["settings"]["duration_minutes"] == {"value": 120, "source": "default"}
    assert game["can_manage"] is True
    await site.core.sync.wait_idle()
    (announcement,) = announcements_in(site, BOARD_GAMES)
    assert "Catan night" in announcement
    assert game["announcement_url"].endswith(
        f"/channels/{GUILD}/{BOARD_GAMES}/{json.loads(announcement)['id']}"
    )


async def test_an_ambiguous_name_answers_422_with_suggestions_and_the_form_echoed(
    site: Site,
) -> None:
    """'@Alex' (two members nicknamed Alex) answers 422 invalid_mentions listing both with
    their discordId, username and displayName, the entries that were fine, every problem, and
    the body as sent; nothing is created or announced."""
    api = await host_api(site)
    body = new_game(initial_participants=["@Alex", "Reserved", "@sam", "@nobody_here"])
    response = await api.post("/games", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid_mentions"
    assert "was not created" in answer["message"]
    assert answer["invalid_mentions"] == [
        {
            "input": "@Alex",
            "reason": (
                "matches several members; pick one of the suggestions or type their exact "
                "@username."
            ),
            "suggestions": [
                {
                    "discordId": str(ALEX_R),
                    "username": "alex_r",
                    "displayName": "Alex",
                    "replacement": "@alex_r",
                },
                {
                    "discordId": str(ALEXANDRA),
                    "username": "alexandra",
                    "displayName": "Alex",
                    "replacement": "@alexandra",
                },
            ],
        },
        {
            "input": "@nobody_here",
            "reason": (
                "no member of this server is called that; check the spelling or use their "
                "@username."
            ),
            "suggestions": [],
        },
    ]
    assert answer["valid_participants"] == ["Reserved", "@sam"]
    assert [(p["field"], p["entry"]) for p in answer["problems"]] == [
        ("initial_participants", "@Alex"),
        ("initial_participants", "@nobody_here"),
    ]
    assert answer["form_data"] == body
    assert (await api.get("/games")).json()["total"] == 0
    await site.core.sync.wait_idle()
    assert announcements_in(site, BOARD_GAMES) == []


async def test_every_problem_of_a_create_comes_back_together(site: Site) -> None:
    """A blank title, a start in the past and a cap out of range answer one 422 'invalid'
    naming each field (the start by the field that was sent)."""
    api = await host_api(site)
    body = new_game(title="  ", scheduled_at=None, when="yesterday 7pm", max_players=0)
    response = await api.post("/games", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid"
    assert [p["field"] for p in answer["problems"]] == ["title", "when", "max_players"]
    assert answer["invalid_mentions"] == []
    assert answer["form_data"] == body


async def test_wrong_types_answer_422_per_field_with_the_form_echoed(site: Site) -> None:
    """A body whose values have the wrong types (or unknown fields) answers 422 naming each
    field in words, with the body echoed; nothing is created."""
    api = await host_api(site)
    body = new_game(max_players="lots", title=5, colour="red")
    response = await api.post("/games", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid"
    messages = {p["field"]: p["message"] for p in answer["problems"]}
    assert messages["title"] == "Input should be a valid string."
    assert messages["max_players"] == "Input should be a valid integer."
    assert "no such field" in messages["colour"]
    assert answer["form_data"] == body
    assert (await api.get("/games")).json()["total"] == 0


async def test_each_participant_entry_is_its_own_item(site: Site) -> None:
    """An item holding a comma or a line break (two entries in one) answers 422 naming the
    item, instead of being split silently."""
    api = await host_api(site)
    response = await api.post("/games", new_game(initial_participants=["@sam", "Guest, TBD"]))
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == "initial_participants"
    assert problem["message"].startswith("Item 2: An entry holds a comma or a line break")


async def test_the_start_is_given_once(site: Site) -> None:
    """A create needs scheduled_at or when, not both: each mistake is a 422 on scheduled_at."""
    api = await host_api(site)
    both = await api.post("/games", new_game(when="tomorrow 8pm"))
    neither = await api.post("/games", new_game(scheduled_at=None))
    assert both.status_code == neither.status_code == 422
    assert "not both" in both.json()["problems"][0]["message"]
    assert "Give the start" in neither.json()["problems"][0]["message"]


async def test_typed_text_is_read_like_the_modals(site: Site) -> None:
    """``when`` takes the text a host types in Discord, read in their zone (UTC here)."""
    api = await host_api(site)
    day = soon(days=3)
    game = await created(api, scheduled_at=None, when=day.strftime("%Y-%m-%d 19:00"))
    assert game["scheduled_at"] == iso(day)


async def test_a_channel_the_bot_cannot_post_in_is_a_problem_of_channel_id(site: Site) -> None:
    """Creating in a channel gamesched may not post in answers 422 on channel_id saying what
    to do; nothing is created."""
    await allow_game_hosts(site)
    api = await api_as(site, "olivia")
    response = await api.post("/games", new_game(channel_id=str(ANNOUNCEMENTS)))
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == "channel_id"
    assert "may not post in #announcements" in problem["message"]
    assert (await api.get("/games")).json()["total"] == 0


async def test_a_channel_discord_refuses_the_announcement_in_is_a_problem_of_channel_id(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When Discord refuses the announcement (gamesched lost its rights there since the site
    last looked), the create answers 422 on channel_id saying what to do, not 'Discord could
    not be asked'; no game is kept."""
    api = await host_api(site)

    async def refuse(game_id: int) -> GameView:
        raise DiscordForbidden(403, 50013, "Missing Permissions")

    monkeypatch.setattr(site.core.sync, "publish", refuse)
    response = await api.post("/games", new_game())
    assert code_of(response) == (422, "invalid")
    (problem,) = response.json()["problems"]
    assert problem["field"] == "channel_id"
    assert "gamesched may not post in #board-games" in problem["message"]
    assert response.json()["form_data"]["title"] == "Catan night"
    assert (await api.get("/games")).json()["total"] == 0


async def test_a_member_without_a_host_role_is_refused_and_nothing_is_written(
    site: Site,
) -> None:
    """samantha (no Game Host role) gets 403 host_role_required naming the role to ask for;
    no game exists afterwards and nothing is announced."""
    await allow_game_hosts(site)
    api = await api_as(site, "samantha")
    response = await api.post("/games", new_game())
    assert response.status_code == 403
    answer = response.json()
    assert answer["error"] == "host_role_required"
    assert "Game Host" in answer["message"]
    assert (await api.get("/games")).json()["total"] == 0
    await site.core.sync.wait_idle()
    assert announcements_in(site, BOARD_GAMES) == []


async def test_a_guild_the_member_is_not_in_is_not_found(site: Site) -> None:
    """A create in a server the member does not share with the bot answers 404."""
    api = await host_api(site)
    response = await api.post("/games", new_game(guild_id="1170000000000000099"))
    assert code_of(response) == (404, "not_found")


async def test_a_game_shows_with_its_people_by_display_name(site: Site) -> None:
    """GET /games/{id} and /participants give each person's discordId and displayName
    (nick, else global name), joined then waitlist then placeholders, the host marked."""
    api = await host_api(site)
    game = await created(api, max_players=1, initial_participants=["@sam", "@samantha", "TBD"])
    shown = await api.get(f"/games/{game['id']}")
    assert shown.status_code == 200
    assert shown.json()["my_status"] == "joined"
    people = (await api.get(f"/games/{game['id']}/participants")).json()
    assert people == [
        {
            "discordId": str(SAM),
            "displayName": "Sammy",
            "status": "joined",
            "isPlaceholder": False,
            "isHost": True,
        },
        {
            "discordId": str(SAMANTHA),
            "displayName": "Samantha",
            "status": "waitlist",
            "isPlaceholder": False,
            "isHost": False,
        },
        {
            "discordId": None,
            "displayName": "TBD",
            "status": "placeholder",
            "isPlaceholder": True,
            "isHost": False,
        },
    ]


async def test_an_unknown_game_is_404_game_not_found(site: Site) -> None:
    """A game number that does not exist (or is not a number) answers 404 game_not_found
    with where to find the games."""
    api = await host_api(site)
    for path in ("/games/999", "/games/abc", "/games/99999999999999999999/participants"):
        response = await api.get(path)
        assert code_of(response) == (404, "game_not_found"), path
        assert "GET /api/v1/games" in response.json()["message"]


async def test_games_are_listed_by_filter_a_page_at_a_time(site: Site) -> None:
    """GET /games filters by channel, category and status and pages with limit/offset."""
    api = await host_api(site)
    first = await created(api, title="One", category="Board games")
    await created(api, title="Two", scheduled_at=iso(soon(days=8)))
    await created(api, title="Three", channel_id=str(RPG), scheduled_at=iso(soon(days=9)))
    page = (await api.get("/games", limit=2)).json()
    assert [g["title"] for g in page["games"]] == ["One", "Two"]
    assert (page["total"], page["offset"], page["next_offset"]) == (3, 0, 2)
    rest = (await api.get("/games", limit=2, offset=2)).json()
    assert [g["title"] for g in rest["games"]] == ["Three"]
    assert rest["next_offset"] is None
    in_rpg = (await api.get("/games", channel_id=str(RPG))).json()
    assert [g["title"] for g in in_rpg["games"]] == ["Three"]
    board = (await api.get("/games", category="board GAMES", guild_id=str(GUILD))).json()
    assert [g["id"] for g in board["games"]] == [first["id"]]
    await api.delete(f"/games/{first['id']}")
    cancelled = (await api.get("/games", status="cancelled")).json()
    assert [g["title"] for g in cancelled["games"]] == ["One"]
    assert (await api.get("/games")).json()["total"] == 2


async def test_bad_list_filters_answer_422_naming_each(site: Site) -> None:
    """Out-of-range limit, an unknown status and a malformed id answer 422 with a problem
    for each parameter."""
    api = await host_api(site)
    response = await api.get("/games", limit=0, status="soon", channel_id="general")
    assert response.status_code == 422
    assert {p["field"] for p in response.json()["problems"]} == {"limit", "status", "channel_id"}


async def test_the_host_edits_a_game_and_null_makes_a_setting_inherit(site: Site) -> None:
    """PUT changes the fields sent, keeps the others, null makes a setting inherit again; the
    announcement shows the change."""
    api = await host_api(site)
    game = await created(api, max_players=4)
    response = await api.put(
        f"/games/{game['id']}",
        {"title": "Catan marathon", "max_players": None, "duration_minutes": 240},
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["title"] == "Catan marathon"
    assert edited["description"] == "Bring snacks"
    assert edited["settings"]["max_players"] == {"value": 10, "source": "default"}
    assert edited["settings"]["duration_minutes"] == {"value": 240, "source": "game"}
    assert edited["version"] > game["version"]
    await site.core.sync.wait_idle()
    (announcement,) = announcements_in(site, BOARD_GAMES)
    assert "Catan marathon" in announcement


async def test_an_invalid_edit_changes_nothing(site: Site) -> None:
    """A PUT with problems answers 422 with each (and the body echoed); the game is as before."""
    api = await host_api(site)
    game = await created(api)
    body = {"title": "", "duration_minutes": 1, "scheduled_at": None}
    response = await api.put(f"/games/{game['id']}", body)
    assert response.status_code == 422
    assert {p["field"] for p in response.json()["problems"]} == {"scheduled_at"}
    response = await api.put(f"/games/{game['id']}", {"title": "", "duration_minutes": 1})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["title", "duration_minutes"]
    assert response.json()["form_data"] == {"title": "", "duration_minutes": 1}
    again = (await api.get(f"/games/{game['id']}")).json()
    assert again["title"] == game["title"]
    assert again["version"] == game["version"]


async def test_someone_elses_game_cannot_be_edited_or_cancelled(site: Site) -> None:
    """samantha gets 403 not_host_or_admin for sam's game, for PUT and DELETE alike, and the
    game stays as it was."""
    sam = await host_api(site)
    game = await created(sam)
    async with other_browser(site) as browser:
        samantha = await api_as(browser, "samantha")
        edit = await samantha.put(f"/games/{game['id']}", {"title": "Mine now"})
        cancel = await samantha.delete(f"/games/{game['id']}")
    for refused in (edit, cancel):
        assert code_of(refused) == (403, "not_host_or_admin")
    again = (await sam.get(f"/games/{game['id']}")).json()
    assert (again["title"], again["status"], again["version"]) == (
        "Catan night",
        "scheduled",
        game["version"],
    )


async def test_cancelling_keeps_the_game_as_cancelled(site: Site) -> None:
    """DELETE cancels: 200 with the cancelled game, which GET still shows; a second DELETE is
    409 already_in_status."""
    api = await host_api(site)
    game = await created(api)
    response = await api.delete(f"/games/{game['id']}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    shown = await api.get(f"/games/{game['id']}")
    assert shown.status_code == 200
    assert shown.json()["status"] == "cancelled"
    again = await api.delete(f"/games/{game['id']}")
    assert code_of(again) == (409, "already_in_status")
    joining = await api.post(f"/games/{game['id']}/join")
    assert code_of(joining) == (409, "game_not_open")


async def test_members_join_and_leave_and_mistakes_are_409(site: Site) -> None:
    """Joining takes a seat (or the waitlist when full); joining twice is 409 already_joined;
    leaving frees the seat for the first in line; leaving twice is 409 not_in_game."""
    sam = await host_api(site)
    game = await created(sam, max_players=1)
    path = f"/games/{game['id']}"
    joined = await sam.post(path + "/join")
    assert joined.status_code == 200
    assert joined.json()["my_status"] == "joined"
    twice = await sam.post(path + "/join")
    assert code_of(twice) == (409, "already_joined")
    async with other_browser(site) as browser:
        samantha = await api_as(browser, "samantha")
        queued = await samantha.post(path + "/join")
        assert queued.json()["my_status"] == "waitlist"
        left = await sam.post(path + "/leave")
        assert left.status_code == 200
        assert left.json()["my_status"] is None
        assert [p["discordId"] for p in left.json()["participants"]] == [str(SAMANTHA)]
        again = await sam.post(path + "/leave")
    assert code_of(again) == (409, "not_in_game")


async def test_a_write_without_the_csrf_token_is_refused_and_nothing_is_written(
    site: Site,
) -> None:
    """A create without X-CSRF-Token (or from another origin) answers 403 csrf_failed in
    JSON saying how to send it; no game is created."""
    api = await host_api(site)
    missing = await api.browser.post("/api/v1/games", json=new_game(), headers={"Origin": SITE})
    foreign = await api.browser.post(
        "/api/v1/games",
        json=new_game(),
        headers={"Origin": "https://evil.example", "X-CSRF-Token": api.csrf},
    )
    for refused in (missing, foreign):
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/json"
        assert refused.json()["error"] == "csrf_failed"
        assert "X-CSRF-Token" in refused.json()["message"]
    assert (await api.get("/games")).json()["total"] == 0


async def test_a_body_too_large_is_413_json(site: Site) -> None:
    """A body over the site's limit answers 413 body_too_large in JSON; nothing is created."""
    api = await host_api(site)
    response = await api.post("/games", new_game(description="x" * 70_000))
    assert code_of(response) == (413, "body_too_large")
    assert (await api.get("/games")).json()["total"] == 0


async def test_a_body_that_is_not_json_is_400_bad_json(site: Site) -> None:
    """Text that is not JSON answers 400 bad_json saying what to send."""
    api = await host_api(site)
    response = await api.browser.post(
        "/api/v1/games",
        content=b"title=Catan",
        headers={**api.headers(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert code_of(response) == (400, "bad_json")
    assert "application/json" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    ["[" * 30_000 + "]" * 30_000, '{"title": ' + "[" * 500 + "]" * 500 + "}"],
    ids=["thousands-deep", "hundreds-deep"],
)
async def test_a_body_nested_too_deep_is_400_bad_json(site: Site, body: str) -> None:
    """A JSON body nested hundreds or thousands deep answers 400 bad_json saying so (it was
    a server error, or blamed on a lone surrogate); nothing is created."""
    api = await host_api(site)
    headers = {**api.headers(), "Content-Type": "application/json"}
    response = await site.browser.post("/api/v1/games", content=body, headers=headers)
    assert code_of(response) == (400, "bad_json")
    assert "nests deeper than 16 levels" in response.json()["message"]
    assert (await api.get("/games")).json()["total"] == 0


async def test_without_a_login_the_games_answer_401_json(site: Site) -> None:
    """Not logged in, reading games answers 401 login_required telling how to log in."""
    for path in ("/api/v1/games", "/api/v1/games/1", "/api/v1/games/1/participants"):
        response = await site.browser.get(path)
        assert code_of(response) == (401, "login_required")
        assert "POST /api/v1/auth/login" in response.json()["message"]


async def test_unknown_api_addresses_and_methods_answer_json(site: Site) -> None:
    """An unknown API path is 404 and a method a route does not take is 405 with Allow, both
    in JSON pointing at the API description, never an HTML page."""
    missing = await site.browser.get("/api/v1/nothing-here", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["error"] == "not_found"
    assert "/api/v1/openapi.json" in missing.json()["message"]
    wrong = await site.browser.get("/api/v1/auth/refresh")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert wrong.json()["error"] == "method_not_allowed"


async def test_a_crash_is_a_json_500_without_details(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug while answering an API request is a JSON 500 saying to try again; the detail
    stays in the log."""
    api = await host_api(site)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr("webauth.api.games.list_games", broken)
    response = await api.get("/games")
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "message": "Something went wrong on our side. Please try again.",
    }
    assert "internal detail" in caplog.text
