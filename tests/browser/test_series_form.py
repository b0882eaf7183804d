"""A recurring game made with the web form in headless Chromium: a repeat it cannot read said
beside the field with everything typed kept, the preview of the next dates in the browser's
zone, and the series created with its first game announced."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from playwright.async_api import Page, expect

from gamesched.sandbox.server import RunningSandbox
from tests.browser.test_game_form import HOST, NEW_YORK, announcements, open_new_game_form
from tests.support.browser import log_in


async def test_a_series_is_previewed_corrected_and_created(
    page: Page, live_web: str, sandbox: RunningSandbox
) -> None:
    """An unreadable repeat comes back beside its field with the form as typed; "Preview the
    dates" lists the next dates in the browser's zone without saving; "Create game" makes the
    series and announces its first game."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=3)
    start = datetime.combine(day, time(19, 30))
    weekday = f"{start:%A}"
    await log_in(page, live_web, HOST)
    await open_new_game_form(page, live_web)
    await page.get_by_label("Title").fill("Weekly Catan")
    await page.get_by_label("Date and time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("Repeats").fill("every full moon")
    await page.get_by_role("button", name="Preview the dates").click()

    await expect(page.locator("#field-repeat-errors")).to_contain_text("weekly on Mon, Thu")
    await expect(page.get_by_label("Repeats")).to_have_value("every full moon")
    await expect(page.get_by_label("Title")).to_have_value("Weekly Catan")
    await expect(page.get_by_label("Date and time")).to_have_value(start.strftime("%Y-%m-%dT%H:%M"))
    assert announcements(sandbox) == []

    await page.get_by_label("Repeats").fill(f"weekly on {weekday}")
    await page.get_by_role("button", name="Preview the dates").click()
    preview = page.locator("#repeat-preview")
    await expect(preview).to_contain_text(f"Every week on {weekday}")
    dates = preview.locator("li time")
    await expect(dates).to_have_count(5)
    later = start + timedelta(days=7)
    # Shown by the page's script in the browser's zone and language (New York, US English).
    await expect(dates.nth(1)).to_have_text(
        re.compile(rf"{later:%b} {later.day}, {later.year}.*07:30\sPM")
    )
    await expect(page.get_by_label("Repeats")).to_have_value(f"weekly on {weekday}")
    assert announcements(sandbox) == []

    await page.get_by_role("button", name="Create game").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly Catan")
    await expect(page.get_by_role("status")).to_contain_text("Recurring game created")
    (posted,) = announcements(sandbox)
    assert posted.payload["embeds"][0]["title"] == "Weekly Catan"
