"""The game form and the game page in headless Chromium, against the web served for real and
the sandbox: creating a game with an ambiguous @name fixed by a chip, the start typed in the
browser's zone, a member who may not host, Join and Leave, and the form without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Locator, Page, expect

from gamesched.app import Core
from gamesched.domain.permission_bits import Permission
from gamesched.domain.permissions import Actor
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.state import StoredMessage
from gamesched.sandbox.world import World
from gamesched.services.games import NewGame, create_game
from tests.support.browser import LOCALE, TIMEZONE, log_in
from tests.support.sandbox import channel_id_of, user_id_of

GUILD = 1170000000000000001
"""The demo world's guild, "Game Night"."""
HOST = "mia_mod"
"""A member with Manage Server: with no host roles set, the members who may host."""
NEW_YORK = ZoneInfo(TIMEZONE)


def next_spring_forward(today: date) -> date:
    """The next day, two days ahead at the earliest, on which New York's clocks go forward:
    that evening it is four hours behind UTC, though five that morning and all winter, so a
    start read with the wrong side of the change (or in the server's zone) is caught."""
    day = today + timedelta(days=2)
    while True:
        noon, before = (datetime.combine(d, time(12), NEW_YORK) for d in (day, day - timedelta(1)))
        if noon.utcoffset() != before.utcoffset() and noon.dst():
            return day
        day += timedelta(days=1)


def evening_start() -> datetime:
    """19:30 in New York on the next day its clocks go forward (always within a year)."""
    return datetime.combine(next_spring_forward(datetime.now(NEW_YORK).date()), time(19, 30))


def setting(page: Page, key: str) -> Locator:
    """The form's fieldset for one inheritable setting."""
    return page.locator(f"fieldset[data-setting={key}]")


def choice(page: Page, key: str, name: str) -> Locator:
    """A setting's radio button: "Inherit:" or "Set for this game:"."""
    return setting(page, key).get_by_role("radio", name=name)


def value_of(page: Page, key: str) -> Locator:
    """A setting's own value control."""
    return setting(page, key).locator(f"[name={key}]")


async def open_new_game_form(page: Page, site: str) -> None:
    """From the guild's page, "New game"."""
    await page.goto(f"{site}/guilds/{GUILD}")
    await page.get_by_role("link", name="New game").click()
    await expect(page.get_by_role("heading", name="New game", level=1)).to_be_visible()


def announcements(sandbox: RunningSandbox) -> list[StoredMessage]:
    """Every game announcement the bot posted in any channel of the sandbox."""
    return [m for m in sandbox.state.messages.values() if m.payload.get("embeds")]


def field_of(embed: dict[str, Any], name: str) -> str:
    """The value of an embed's field called ``name``."""
    value: str = next(f["value"] for f in embed["fields"] if f["name"] == name)
    return value


async def test_ambiguous_name_fixed_with_a_chip_creates_the_game_as_typed(
    page: Page, live_web: str, sandbox: RunningSandbox, demo_world: World
) -> None:
    """Every field filled with an ambiguous @Alex: the form comes back with everything kept
    and chips beside the participants; a chip replaces just that entry, and the next submit
    creates the game with that member and announces it in the channel."""
    start = evening_start()
    participants = "@Alex\n@zoe, Jordan (maybe)"
    await log_in(page, live_web, HOST)
    await open_new_game_form(page, live_web)

    await page.get_by_label("Channel").select_option(label="#rpg")
    await page.get_by_label("Title").fill("Blades in the Dark")
    await page.get_by_label("Date and time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("Description").fill("A heist in Doskvol.\nCharacters provided.")
    await page.get_by_role("textbox", name="Participants").fill(participants)
    await choice(page, "max_players", "Set for this game:").check()
    await value_of(page, "max_players").fill("5")
    # Typing a value is enough: the form's script then chooses "Set for this game".
    await value_of(page, "duration_minutes").fill("150")
    await value_of(page, "category").fill("Role-playing")
    await page.get_by_role("button", name="Create game").click()

    problem = page.locator("#field-participants-errors .entry-problem[data-entry='@Alex']")
    await expect(problem).to_contain_text("matches several members")
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    await expect(page.get_by_label("Channel")).to_have_value(str(channel_id_of(demo_world, "rpg")))
    await expect(page.get_by_label("Title")).to_have_value("Blades in the Dark")
    await expect(page.get_by_label("Date and time")).to_have_value(start.strftime("%Y-%m-%dT%H:%M"))
    await expect(page.get_by_label("…or type it")).to_have_value("")
    await expect(page.get_by_label("Description")).to_have_value(
        "A heist in Doskvol.\nCharacters provided."
    )
    await expect(page.get_by_role("textbox", name="Participants")).to_have_value(participants)
    for key, value in (
        ("max_players", "5"),
        ("duration_minutes", "150"),
        ("category", "Role-playing"),
    ):
        await expect(choice(page, key, "Set for this game:")).to_be_checked()
        await expect(value_of(page, key)).to_have_value(value)
    for key in ("reminder_minutes", "rules"):
        await expect(choice(page, key, "Inherit:")).to_be_checked()
    assert announcements(sandbox) == []

    chips = problem.get_by_role("button")
    await expect(chips).to_have_count(2)
    await problem.get_by_role("button", name="Alex (@alex_r)").click()
    await expect(page.get_by_role("textbox", name="Participants")).to_have_value(
        "@alex_r\n@zoe, Jordan (maybe)"
    )
    await expect(problem.get_by_role("button", name="Alex (@alex_r)")).to_have_attribute(
        "aria-pressed", "true"
    )
    await page.get_by_role("button", name="Create game").click()

    await expect(page.get_by_role("heading", level=1)).to_contain_text("Blades in the Dark")
    await expect(page.get_by_role("status")).to_contain_text("created; it starts")
    players = page.locator("ul.people > li")
    await expect(players).to_have_text(["Alex", "Zoë", re.compile(r"Jordan \(maybe\)")])
    await expect(page.locator(".details")).to_contain_text("2/5 (set on the game)")
    await expect(page.locator(".details")).to_contain_text("Role-playing")
    (posted,) = announcements(sandbox)
    assert posted.channel_id == channel_id_of(demo_world, "rpg")
    embed = posted.payload["embeds"][0]
    assert embed["title"] == "Blades in the Dark"
    seated = field_of(embed, "Participants")
    assert f"<@{user_id_of(demo_world, 'alex_r')}>" in seated
    assert f"<@{user_id_of(demo_world, 'alexandra')}>" not in seated
    assert field_of(embed, "Players") == "2/5"  # a placeholder never takes a seat


async def test_the_start_picked_in_the_browser_is_the_announced_instant(
    page: Page, live_web: str, sandbox: RunningSandbox
) -> None:
    """19:30 picked in a New York browser on the day its clocks go forward is announced as
    that instant (the <t:…> timestamp), and the game page shows 7:30 PM New York time."""
    start = evening_start()
    expected = int(start.replace(tzinfo=NEW_YORK).timestamp())
    await log_in(page, live_web, HOST)
    await open_new_game_form(page, live_web)
    await page.get_by_label("Title").fill("Spring-forward Catan")
    await page.get_by_label("Date and time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Create game").click()

    await expect(page.get_by_role("heading", level=1)).to_contain_text("Spring-forward Catan")
    await expect(page.get_by_role("status")).to_contain_text("19:30 America/New_York (UTC-04:00)")
    shown = f"{start:%b} {start.day}, {start.year}"
    await expect(page.locator(".game-when time").first).to_have_text(
        re.compile(rf"{shown}.*07:30\sPM EDT")
    )
    (posted,) = announcements(sandbox)
    when = field_of(posted.payload["embeds"][0], "When")
    assert f"<t:{expected}:F>" in when
    assert datetime.fromtimestamp(expected, UTC).hour == 23  # EDT, four hours behind UTC


async def test_a_member_who_may_not_host_is_told_why_and_nothing_is_created(
    page: Page, live_web: str, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A plain member's "New game" says there is no channel she may host in and why (Manage
    Server, with no host roles set); even a hand-made POST is refused and nothing posted."""
    await log_in(page, live_web, "samantha")
    await page.goto(f"{live_web}/guilds/{GUILD}")
    await page.get_by_role("link", name="New game").click()
    await expect(page.get_by_role("heading", name="No channel to host in")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Manage Server")
    await expect(page.get_by_role("button", name="Create game")).to_have_count(0)

    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token is not None
    answer = await page.request.post(
        f"{live_web}/guilds/{GUILD}/games/new",
        form={
            "csrf_token": token,
            "channel": str(channel_id_of(demo_world, "lfg")),
            "title": "Sneaky game",
            "when": "tomorrow 8pm",
        },
        headers={"Origin": live_web},
    )
    assert answer.status == 403
    assert "Manage Server" in await answer.text()
    assert announcements(sandbox) == []


async def test_join_and_leave_on_the_game_page_change_the_seats(
    page: Page, live_web: str, live_core: Core, demo_world: World
) -> None:
    """Another member clicks Join: a seat is theirs, the count and the note say so; Leave
    frees it again."""
    actor = Actor(
        user_id=user_id_of(demo_world, "sam"),
        permissions=int(Permission.ADMINISTRATOR),
        guild_id=GUILD,
    )
    new = NewGame(
        guild_id=GUILD,
        channel_id=channel_id_of(demo_world, "board-games"),
        title="Catan night",
        when=datetime.now(UTC) + timedelta(days=2),
        max_players=3,
    )
    created = await create_game(
        live_core.services, actor=actor, new=new, directory=live_core.directory
    )
    await live_core.sync.publish(created.game.id)
    await log_in(page, live_web, "zoe")
    await page.goto(f"{live_web}/games/{created.game.id}")
    await expect(page.get_by_role("heading", name="Players (0/3)")).to_be_visible()

    await page.get_by_role("button", name="Join", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("You're in Catan night (1/3 seats).")
    await expect(page.get_by_role("heading", name="Players (1/3)")).to_be_visible()
    await expect(page.locator("ul.people > li")).to_have_text(["Zoë"])
    await expect(page.get_by_text("You have a seat in this game.")).to_be_visible()

    await page.get_by_role("button", name="Leave", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(
        "You left Catan night; your seat is free again."
    )
    await expect(page.get_by_role("heading", name="Players (0/3)")).to_be_visible()
    await expect(page.get_by_text("No players yet.")).to_be_visible()
    await expect(page.get_by_role("button", name="Join", exact=True)).to_be_visible()


async def test_without_javascript_a_typed_start_creates_the_game(
    browser: Browser, live_web: str, sandbox: RunningSandbox
) -> None:
    """With JavaScript off: log in, open the form, type the start as in Discord and submit;
    the game is created and announced, its time shown in UTC."""
    context = await browser.new_context(
        java_script_enabled=False, timezone_id=TIMEZONE, locale=LOCALE
    )
    page = await context.new_page()
    try:
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
        start = start.replace(hour=20, minute=0)
        await log_in(page, live_web, HOST)
        await open_new_game_form(page, live_web)
        await page.get_by_label("Title").fill("Script-free Azul")
        await page.get_by_label("…or type it").fill(start.strftime("%Y-%m-%d %H:%M"))
        await page.get_by_role("button", name="Create game").click()

        await expect(page.get_by_role("heading", level=1)).to_contain_text("Script-free Azul")
        await expect(page.get_by_role("status")).to_contain_text("created; it starts")
        await expect(page.locator(".game-when time").first).to_contain_text("20:00 UTC")
        (posted,) = announcements(sandbox)
        assert f"<t:{int(start.timestamp())}:F>" in field_of(posted.payload["embeds"][0], "When")
    finally:
        await context.close()
