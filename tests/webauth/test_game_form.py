"""The web's game form: creating a game in a channel of the member's server and editing it,
with the bot's rules (rights from Discord, the modal's limits and @name matching), on each
database engine, against the sandbox."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from gamesched.discord.rest import DiscordForbidden
from gamesched.domain.settings import Source
from gamesched.services.games import get_game, list_games
from gamesched.services.people import set_user_time_zone
from gamesched.services.views import GameView
from tests.support.demo import (
    ANNOUNCEMENTS,
    BOARD_GAMES,
    GUILD,
    MODERATOR,
    RPG,
    allow_game_hosts,
    channel_sets,
    server_sets,
)
from tests.support.pages import inherited, post_form
from tests.support.sandbox import channel_id_of, user_id_of
from tests.support.web import SITE, Site

NEW = f"/guilds/{GUILD}/games/new"


def in_two_weeks() -> date:
    return (datetime.now(UTC) + timedelta(days=14)).date()


def at_seven_pm(day: date, zone: str) -> datetime:
    """19:00 on ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(19, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def host(site: Site) -> str:
    """sam logged in where the "Game Host" role he holds may create games; his CSRF token."""
    await allow_game_hosts(site)
    return await site.logged_in("sam")


def form(site: Site, **fields: str) -> dict[str, str]:
    """A create form as a browser sends it: a game in #board-games two weeks ahead."""
    sent = {
        "channel": str(BOARD_GAMES),
        "title": "Catan night",
        "start_local": f"{in_two_weeks().isoformat()}T19:00",
        "tz": "UTC",
        "tz_offset": "",
        "when": "",
        "description": "Bring snacks",
        "participants": "",
    }
    sent.update(fields)
    return sent


async def create(site: Site, token: str, **fields: str) -> httpx.Response:
    """The create form of :func:`form` with ``fields`` changed, sent with ``token``."""
    return await post_form(site, NEW, token, form(site, **fields))


async def created(site: Site, response: httpx.Response) -> GameView:
    """The game a successful POST redirected to."""
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/games/(\d+)", response.headers["location"])
    assert found is not None, response.headers["location"]
    return await get_game(site.core.services, int(found[1]))


def announcement_of(site: Site, game: GameView) -> str:
    assert game.message_id is not None
    return str(site.sandbox.state.messages[game.message_id].payload)


def options_of(page: str) -> list[str]:
    select = re.search(r'<select id="field-channel".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r">#([\w-]+)</option>", select[0])


async def nothing_written(site: Site) -> bool:
    return (await list_games(site.core.services, guild_id=GUILD)).total == 0


# --- who may create where ---------------------------------------------------------------------


async def test_the_channel_list_offers_only_channels_to_host_in_where_the_bot_may_post(
    site: Site,
) -> None:
    """A host sees the text channels where they may host and gamesched may post: not
    #announcements (gamesched may not post there), not #rpg (only moderators host there),
    not the categories."""
    await channel_sets(site, RPG, host_role_ids=(MODERATOR,))
    await host(site)
    page = await site.browser.get(NEW)
    assert page.status_code == 200
    assert options_of(page.text) == ["general", "board-games", "lfg"]


async def test_a_preselected_channel_is_chosen_and_a_refused_one_is_explained(site: Site) -> None:
    """?channel= picks that channel in the list; a channel the member cannot use is not
    offered, and the page says why."""
    await host(site)
    lfg = channel_id_of(site.world, "lfg")
    page = await site.browser.get(f"{NEW}?channel={lfg}")
    assert f'<option value="{lfg}" selected>#lfg</option>' in page.text
    refused = await site.browser.get(f"{NEW}?channel={ANNOUNCEMENTS}")
    assert "gamesched cannot post in #announcements" in refused.text


async def test_a_member_without_host_rights_is_refused_and_nothing_is_written(
    site: Site,
) -> None:
    """samantha (no host role) gets 403 with what is missing, for the form and its POST."""
    await allow_game_hosts(site)
    token = await site.logged_in("samantha")
    page = await site.browser.get(NEW)
    assert page.status_code == 403
    assert "Creating games here needs a host role" in page.text
    assert "Host roles here: Game Host." in page.text
    sent = await create(site, token)
    assert sent.status_code == 403
    assert "Creating games here needs a host role" in sent.text
    assert await nothing_written(site)


async def test_without_host_roles_only_manage_server_may_create(site: Site) -> None:
    """With no host roles set anywhere, the Game Host role does not suffice: sam is told that
    Manage Server is needed and how an admin allows a role."""
    await site.logged_in()
    page = await site.browser.get(NEW)
    assert page.status_code == 403
    assert "Creating games needs the Manage Server permission" in page.text
    assert "server&#39;s settings page" in page.text


# --- the start time -------------------------------------------------------------------------


async def test_typed_text_is_read_in_the_members_own_zone(site: Site) -> None:
    """'<date> 19:00' typed by a member in Europe/Berlin starts at 19:00 Berlin time, stored
    in UTC and shown as that instant in the announcement."""
    await allow_game_hosts(site)
    sam = user_id_of(site.world, "sam")
    await set_user_time_zone(site.core.services, user_id=sam, zone="Europe/Berlin")
    token = await site.logged_in()
    day = in_two_weeks()
    sent = await create(site, token, when=f"{day} 19:00", start_local="", tz="Asia/Tokyo")
    game = await created(site, sent)
    expected = at_seven_pm(day, "Europe/Berlin")
    assert game.start_at == expected
    await site.core.sync.wait_idle()
    assert f"<t:{int(expected.timestamp())}:F>" in announcement_of(site, game)


@pytest.mark.parametrize(
    ("zone", "offset", "expected_zone", "read_as"),
    [
        ("America/New_York", "", "America/New_York", "19:00 America/New_York (UTC-0"),
        ("", "330", "Asia/Kolkata", "19:00 (UTC+05:30)"),
    ],
    ids=["browser-zone", "browser-offset"],
)
async def test_the_date_picker_is_read_in_the_browsers_zone(
    site: Site, zone: str, offset: str, expected_zone: str, read_as: str
) -> None:
    """A datetime-local of 19:00 with the browser's zone (or, lacking it, its UTC offset)
    starts at 19:00 there, whatever the member's own zone; the game's page then says so."""
    token = await host(site)
    day = in_two_weeks()
    response = await create(site, token, start_local=f"{day}T19:00", tz=zone, tz_offset=offset)
    game = await created(site, response)
    expected = at_seven_pm(day, expected_zone)
    assert game.start_at == expected
    await site.core.sync.wait_idle()
    assert f"<t:{int(expected.timestamp())}:F>" in announcement_of(site, game)
    landing = await site.browser.get(response.headers["location"])
    assert landing.status_code == 200
    assert f"Game #{game.id} created; it starts" in landing.text
    assert read_as in landing.text


async def test_a_start_in_the_past_is_refused_beside_the_time(site: Site) -> None:
    """A date picker value in the past answers 422 with the modal's sentence."""
    token = await host(site)
    response = await create(site, token, start_local="2020-01-01T19:00")
    assert response.status_code == 422
    assert "is in the past" in response.text
    assert 'href="#field-when"' in response.text
    assert await nothing_written(site)


# --- participants and suggestion chips --------------------------------------------------------


def chips_of(page: str) -> list[tuple[str, str]]:
    """(entry, replacement) of every suggestion chip."""
    return [
        (html.unescape(entry), html.unescape(replacement))
        for entry, replacement in re.findall(
            r'<button type="button" class="chip" data-entry="([^"]*)" '
            r'data-replacement="([^"]*)"',
            page,
        )
    ]


@pytest.mark.parametrize(
    ("entry", "replacements"),
    [("@Alex", {"@alex_r", "@alexandra"}), ("@Sam Smith", {"@sam", "@sammy_b"})],
)
async def test_an_ambiguous_name_comes_back_with_everything_kept_and_suggestion_chips(
    site: Site, entry: str, replacements: set[str]
) -> None:
    """An @name that fits two members answers 422: nothing is created, every typed value is
    still in the form, the problem is summarised and shown beside the participants, with a
    chip per member whose replacement picks exactly that member."""
    token = await host(site)
    day = in_two_weeks()
    response = await create(
        site,
        token,
        channel=str(channel_id_of(site.world, "lfg")),
        title="Azul & friends",
        start_local=f"{day.isoformat()}T20:30",
        tz="Europe/Paris",
        description="Second table <b>upstairs</b>",
        participants=f"Guest\n{entry}, zoe",
        reminder_minutes_mode="set",
        reminder_minutes="45",
        category="Board games",
        ping="on",
    )
    assert response.status_code == 422
    page = response.text
    lfg = channel_id_of(site.world, "lfg")
    assert f'<option value="{lfg}" selected>#lfg</option>' in page
    assert 'value="Azul &amp; friends"' in page
    assert f'value="{day.isoformat()}T20:30"' in page
    assert 'name="tz" value="Europe/Paris"' in page
    assert "Second table &lt;b&gt;upstairs&lt;/b&gt;</textarea>" in page
    assert f"Guest\n{entry}, zoe</textarea>" in page
    assert 'id="field-reminder-minutes-set" value="set" checked' in page
    assert 'name="reminder_minutes" value="45"' in page
    assert 'name="category" value="Board games"' in page
    assert 'id="field-ping" name="ping" value="on" checked' in page
    assert f'<a href="#field-participants">Participants (<code>{entry}</code>)' in page
    assert "matches several members" in page
    assert {replacement for _, replacement in chips_of(page)} == replacements
    assert {chip_entry for chip_entry, _ in chips_of(page)} == {entry}
    assert await nothing_written(site)


async def test_choosing_a_suggestion_and_sending_again_creates_the_game_with_that_member(
    site: Site,
) -> None:
    """The chip's replacement put in place of the entry picks that member: the game is
    created with them seated and the placeholder kept."""
    token = await host(site)
    first = await create(site, token, participants="@Alex\nGuest")
    chips = {replacement: entry for entry, replacement in chips_of(first.text)}
    assert chips["@alex_r"] == "@Alex"
    game = await created(site, await create(site, token, participants="@alex_r\nGuest"))
    assert game.joined == (user_id_of(site.world, "alex_r"),)
    assert game.placeholders == ("Guest",)


async def test_an_unknown_name_is_refused_naming_the_entry(site: Site) -> None:
    """'@zoe_' is nobody here: 422 naming the entry and how to fix it; nothing created."""
    token = await host(site)
    response = await create(site, token, participants="@zoe_")
    assert response.status_code == 422
    assert "<code>@zoe_</code>: no member of this server is called that" in response.text
    assert await nothing_written(site)


# --- inherited settings -----------------------------------------------------------------------


async def test_each_setting_shows_its_inherited_value_and_where_it_comes_from(
    site: Site,
) -> None:
    """The form shows what the chosen channel would give: the server's max players, the
    channel's reminders, the built-in duration, each with its source."""
    await server_sets(site, max_players=8)
    await channel_sets(site, BOARD_GAMES, reminder_minutes=(30,))
    await host(site)
    page = (await site.browser.get(f"{NEW}?channel={BOARD_GAMES}")).text

    assert inherited(page, "max_players") == ("8", "from the server")
    assert inherited(page, "reminder_minutes") == ("30 min before", "from the channel")
    assert inherited(page, "duration_minutes") == ("2 h", "built-in default")
    assert inherited(page, "rules") == ("none", "built-in default")
    assert 'id="field-max-players-inherit" value="inherit" checked' in page


async def test_a_game_setting_overrides_what_it_would_inherit(site: Site) -> None:
    """'Set for this game' with a value stores it on the game; inherit leaves it to the
    channel and server."""
    token = await host(site)
    response = await create(
        site,
        token,
        max_players_mode="set",
        max_players="4",
        duration_minutes_mode="inherit",
        duration_minutes="300",
        rules_mode="set",
        rules="No phones",
    )
    game = await created(site, response)
    assert (game.settings.max_players.value, game.settings.max_players.source) == (4, Source.GAME)
    assert game.settings.duration_minutes.source is Source.DEFAULT
    assert game.settings.rules.value == "No phones"


# --- limits, safety, Discord failures ---------------------------------------------------------


async def test_the_form_carries_the_modals_limits(site: Site) -> None:
    """The controls hold the modal's limits as maxlength/min/max, so browsers stop overlong
    text before it is sent."""
    await host(site)
    page = (await site.browser.get(NEW)).text
    assert 'name="title" value="" maxlength="100"' in page
    assert 'name="when" value="" maxlength="100"' in page
    assert 'name="description" rows="4" maxlength="1500"' in page
    assert 'name="participants" rows="4" maxlength="4000"' in page
    assert 'name="max_players" value="" min="1" max="500"' in page
    assert 'name="duration_minutes" value="" min="5" max="10080"' in page
    assert 'name="rules" rows="3" maxlength="1000"' in page
    assert 'name="category" value="" maxlength="50"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x" * 101}, "The title can be at most 100 characters (this one has 101)."),
        (
            {"description": "x" * 1501},
            "The description can be at most 1500 characters (this one has 1501).",
        ),
        (
            {"rules_mode": "set", "rules": "x" * 1001},
            "Rules can be at most 1000 characters (this has 1001).",
        ),
        (
            {"category_mode": "set", "category": "x" * 51},
            "A category can be at most 50 characters.",
        ),
        (
            {"participants": "Guest, " * 600},
            "The participants list can be at most 4000 characters (this one has 4200)",
        ),
        ({"when": "x" * 101, "start_local": ""}, "A start time is at most 100 characters"),
    ],
    ids=["title", "description", "rules", "category", "participants", "when"],
)
async def test_overlong_fields_are_refused_with_the_limit(
    site: Site, fields: dict[str, str], message: str
) -> None:
    """Text over the modal's limit answers 422 saying the limit; nothing is created."""
    token = await host(site)
    response = await create(site, token, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert await nothing_written(site)


@pytest.mark.parametrize(
    ("fields", "field", "label"),
    [
        ({"title": "Catan\x00night"}, "title", "Title"),
        ({"description": "Bring\x00snacks"}, "description", "Description"),
        ({"participants": "Guest\x00"}, "participants", "Participants"),
        ({"rules_mode": "set", "rules": "No\x00phones"}, "rules", "Rules"),
        ({"category_mode": "set", "category": "Board\x1bgames"}, "category", "Category"),
    ],
    ids=["title", "description", "participants", "rules", "category"],
)
async def test_text_holding_a_control_character_is_refused_beside_its_field(
    site: Site, fields: dict[str, str], field: str, label: str
) -> None:
    """A NUL or other control character in the form's text answers 422 beside its field
    saying how to fix it (it was a server error on PostgreSQL); nothing is created."""
    token = await host(site)
    response = await create(site, token, **fields)
    assert response.status_code == 422
    summary = f'href="#field-{field}">{label}: {label} may not hold control characters'
    assert summary in response.text
    assert await nothing_written(site)


async def test_every_problem_is_reported_at_once(site: Site) -> None:
    """Problems found by the web (an unreadable duration) and by the use case (an empty title,
    an ambiguous name) are all summarised together."""
    token = await host(site)
    response = await create(
        site,
        token,
        title=" ",
        participants="@Alex",
        duration_minutes_mode="set",
        duration_minutes="soon",
    )
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)
    assert summary is not None
    assert 'href="#field-title"' in summary[0]
    assert 'href="#field-participants"' in summary[0]
    assert 'href="#field-duration-minutes"' in summary[0]
    assert 'href="#field-when"' not in summary[0]
    assert await nothing_written(site)


async def test_a_post_without_the_csrf_token_is_refused_and_nothing_is_written(
    site: Site,
) -> None:
    """No CSRF token: 403 before the route runs; no game."""
    await host(site)
    response = await site.browser.post(NEW, data=form(site), headers={"Origin": SITE})
    assert response.status_code == 403
    assert await nothing_written(site)


async def test_a_refused_announcement_leaves_no_game_and_keeps_the_form(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When Discord refuses the announcement the game is not kept (as in the bot): the form
    comes back with every value and says what happened and what to do."""
    token = await host(site)

    async def refuse(game_id: int) -> GameView:
        raise DiscordForbidden(403, 50013, "Missing Permissions")

    monkeypatch.setattr(site.core.sync, "publish", refuse)
    response = await create(site, token)
    assert response.status_code == 502
    assert "Discord did not accept the game&#39;s announcement" in response.text
    assert "gamesched is not allowed to post in #board-games" in response.text
    assert 'value="Catan night"' in response.text
    assert await nothing_written(site)


# --- editing ----------------------------------------------------------------------------------


async def make(site: Site, token: str, **fields: str) -> GameView:
    """A game created through the form (see :func:`create`)."""
    return await created(site, await create(site, token, **fields))


def edit_form(page: str) -> dict[str, str]:
    """The edit form's fields as the page fills them in (what a browser sends untouched)."""
    sent: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="(?:text|hidden|datetime-local|number)" '
        r'(?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"',
        page,
    ):
        sent[name] = html.unescape(value)
    for name, value in re.findall(r'name="([^"]+)" rows="\d+"[^>]*>([^<]*)</textarea>', page):
        sent[name] = html.unescape(value)
    for name, value in re.findall(r'name="([^"]+)" id="[^"]*" value="(inherit|set)" checked', page):
        sent[name] = value
    return sent


async def save(
    site: Site, game: GameView, token: str, page: str | None = None, **changes: str
) -> httpx.Response:
    """The game's edit form as ``page`` fills it in (else as it shows now), with ``changes``,
    sent with ``token``."""
    if page is None:
        page = (await site.browser.get(f"/games/{game.id}/edit")).text
    return await post_form(site, f"/games/{game.id}/edit", token, edit_form(page), **changes)


async def test_the_edit_form_shows_the_game_as_it_stands(site: Site) -> None:
    """The host's edit form holds the title, description, start (in their zone) and the
    game's own settings."""
    token = await host(site)
    game = await make(site, token, max_players_mode="set", max_players="6")
    page = await site.browser.get(f"/games/{game.id}/edit")
    assert page.status_code == 200
    assert 'value="Catan night"' in page.text
    assert "Bring snacks</textarea>" in page.text
    assert f'value="{game.start_at:%Y-%m-%dT%H:%M}"' in page.text
    assert 'id="field-max-players-set" value="set" checked' in page.text
    assert 'name="max_players" value="6"' in page.text


async def test_saving_the_edit_form_unchanged_keeps_the_start(site: Site) -> None:
    """Sent back with only the title changed, the game keeps its start to the second."""
    token = await host(site)
    day = in_two_weeks()
    game = await make(site, token, when=f"{day.isoformat()} 19:00:30", start_local="")
    response = await save(site, game, token, title="Catan night (2 tables)")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/games/{game.id}"
    saved = await get_game(site.core.services, game.id)
    assert saved.title == "Catan night (2 tables)"
    assert saved.start_at == game.start_at
    assert saved.description == "Bring snacks"


async def test_the_edit_form_moves_the_start_and_the_announcement_follows(site: Site) -> None:
    """A new date picker value moves the game; the announcement shows the new time."""
    token = await host(site)
    game = await make(site, token)
    later = in_two_weeks() + timedelta(days=1)
    response = await save(site, game, token, start_local=f"{later}T19:00", tz="America/New_York")
    assert response.status_code == 303, response.text
    moved = await get_game(site.core.services, game.id)
    expected = at_seven_pm(later, "America/New_York")
    assert moved.start_at == expected
    await site.core.sync.wait_idle()
    assert f"<t:{int(expected.timestamp())}:F>" in announcement_of(site, moved)


async def test_a_game_setting_can_be_reset_to_inherit(site: Site) -> None:
    """Choosing 'inherit' for a setting the game set drops it: the channel's or server's
    value applies again."""
    token = await host(site)
    game = await make(site, token, max_players_mode="set", max_players="4")
    response = await save(site, game, token, max_players_mode="inherit")
    assert response.status_code == 303, response.text
    saved = await get_game(site.core.services, game.id)
    assert saved.settings.max_players.source is Source.DEFAULT
    assert saved.settings.max_players.value == 10


async def test_a_failed_edit_keeps_what_was_typed(site: Site) -> None:
    """An edit with problems answers 422, changes nothing, and keeps the typed values."""
    token = await host(site)
    game = await make(site, token)
    response = await save(
        site,
        game,
        token,
        title="",
        description="Changed my mind",
        max_players_mode="set",
        max_players="900",
    )
    assert response.status_code == 422
    assert "Give the game a title." in response.text
    assert "Max players must be between 1 and 500." in response.text
    assert "Changed my mind</textarea>" in response.text
    assert 'name="max_players" value="900"' in response.text
    unchanged = await get_game(site.core.services, game.id)
    assert unchanged.title == "Catan night"
    assert unchanged.version == game.version


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"start_local": "0001-01-01T00:00", "tz": "", "tz_offset": "600"}, 422),
        ({"start_local": "0001-01-01T00:00", "tz": "Asia/Tokyo"}, 422),
        ({"start_shown": "9999-12-31T23:59:59-05:00"}, 303),
    ],
    ids=["picker-at-year-1-by-offset", "picker-at-year-1-by-zone", "shown-start-past-year-9999"],
)
async def test_an_edit_at_the_ends_of_the_calendar_is_answered_not_a_crash(
    site: Site, fields: dict[str, str], status: int
) -> None:
    """A date picker at the calendar's first day (which no UTC instant fits) answers 422
    beside the start; a shown start past the calendar's end is read as not shown (the
    picker's value is kept). Both were server errors; the start stays."""
    token = await host(site)
    game = await make(site, token)
    response = await save(site, game, token, **fields)
    assert response.status_code == status, response.text
    if status == 422:
        assert 'href="#field-when"' in response.text
    assert (await get_game(site.core.services, game.id)).start_at == game.start_at


async def test_an_edit_with_a_control_character_is_refused_and_changes_nothing(
    site: Site,
) -> None:
    """A title holding a NUL answers 422 beside the title; the game stays as it was."""
    token = await host(site)
    game = await make(site, token)
    response = await save(site, game, token, title="Catan\x00night")
    assert response.status_code == 422
    assert "Title may not hold control characters; remove them" in response.text
    assert (await get_game(site.core.services, game.id)).version == game.version


async def test_only_the_host_or_a_server_manager_may_edit(site: Site) -> None:
    """Another host (alex_r) is refused the form and the save with 403; nothing changes."""
    token = await host(site)
    game = await make(site, token)
    page = (await site.browser.get(f"/games/{game.id}/edit")).text
    other = await site.logged_in("alex_r")
    refused = await site.browser.get(f"/games/{game.id}/edit")
    assert refused.status_code == 403
    assert "Only the game&#39;s host" in refused.text
    posted = await save(site, game, other, page, title="Mine now")
    assert posted.status_code == 403
    assert (await get_game(site.core.services, game.id)).title == "Catan night"
