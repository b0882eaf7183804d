"""The sandbox serves its page and the page's script without external assets."""

from __future__ import annotations

import aiohttp

from gamesched.sandbox.server import RunningSandbox


async def test_page_and_script_are_served_from_the_sandbox(sandbox: RunningSandbox) -> None:
    """GET / is the HTML page; its script and style load from the sandbox itself."""
    async with aiohttp.ClientSession() as session:
        page = await session.get(sandbox.url + "/")
        html = await page.text()
        assert page.status == 200
        assert page.content_type == "text/html"
        assert "/page/app.js" in html
        assert "http" not in html
        for asset in ("app.js", "style.css"):
            response = await session.get(f"{sandbox.url}/page/{asset}")
            assert response.status == 200
            assert "https://" not in await response.text()
