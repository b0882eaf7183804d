"""Login with Discord in headless Chromium: the served web and the sandbox's authorize page,
clicked through as a person would."""

from __future__ import annotations

from playwright.async_api import Page, expect

MEMBER = "Zoë Ünal"
"""The demo member who logs in: not the page's preselected one, and a name beyond ASCII."""


async def start_login(page: Page, site: str) -> None:
    """From the start page, follow "Log in with Discord" to the sandbox's authorize page."""
    await page.goto(site)
    await page.get_by_role("link", name="Log in with Discord").click()
    await expect(
        page.get_by_role("heading", name="Gamesched wants to access your account")
    ).to_be_visible()


async def authorize_as(page: Page, member: str) -> None:
    """On the authorize page, pick ``member`` and approve."""
    await page.get_by_label(member).check()
    await page.get_by_role("button", name="Authorize").click()


async def test_logging_in_shows_the_chosen_member(page: Page, live_web: str) -> None:
    """Log in, pick a member and Authorize: back on the start page, greeted by that name."""
    await start_login(page, live_web)
    await authorize_as(page, MEMBER)
    await expect(page).to_have_url(f"{live_web}/")
    await expect(page.locator("header")).to_contain_text(f"Signed in as {MEMBER}")
    await expect(page.get_by_role("heading", name="Game nights")).to_be_visible()
    await expect(page.get_by_text(f"Welcome, {MEMBER}.")).to_be_visible()
    await expect(page.get_by_role("link", name="Log in with Discord")).to_have_count(0)


async def test_cancelling_at_discord_offers_to_try_again(page: Page, live_web: str) -> None:
    """Cancel at Discord: a "Login failed" page saying so, nobody logged in, and its "Try
    logging in again" leads back to Discord and to a login."""
    await start_login(page, live_web)
    await page.get_by_role("button", name="Cancel").click()
    await expect(page.get_by_role("heading", name="Login failed")).to_be_visible()
    await expect(page.get_by_text("You cancelled the login at Discord")).to_be_visible()
    await expect(page.locator("header")).not_to_contain_text("Signed in as")
    await page.get_by_role("link", name="Try logging in again").click()
    await authorize_as(page, MEMBER)
    await expect(page.locator("header")).to_contain_text(f"Signed in as {MEMBER}")


async def test_logging_out_returns_to_the_start_page_logged_out(page: Page, live_web: str) -> None:
    """Log out in the header: the start page offers to log in again, also after a reload."""
    await start_login(page, live_web)
    await authorize_as(page, MEMBER)
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("link", name="Log in with Discord")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("link", name="Log in with Discord")).to_be_visible()
    await expect(page.locator("header")).not_to_contain_text("Signed in as")
