"""What every answer gets: security headers, a body-size limit, a crash page, the cookie's flags."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.web import CRASH_DETAIL, PUBLIC_URL, ProbeSite, client_for
from webauth.middleware import MAX_BODY_BYTES, SECURITY_HEADERS
from webauth.state import SESSION_COOKIE


@pytest.mark.parametrize("path", ["/", "/static/style.css", "/no-such-page"])
async def test_every_answer_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    """Pages, files and errors all forbid framing, inline script, sniffing and leaky referrers."""
    response = await client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


async def test_refusals_carry_the_security_headers_too(
    probe_client: httpx.AsyncClient,
) -> None:
    """A CSRF refusal, an oversized body and a crash are answered with the same headers."""
    answers = [
        await probe_client.post("/write", headers={"Origin": PUBLIC_URL}),
        await probe_client.post("/write", content=b"x" * (MAX_BODY_BYTES + 1)),
        await probe_client.get("/crash"),
    ]
    assert [answer.status_code for answer in answers] == [403, 413, 500]
    for answer in answers:
        assert (
            answer.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        )


async def test_a_body_declared_too_large_is_refused_unread(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A body whose Content-Length passes 64 KiB gets 413 before any check or route runs."""
    token = (await probe_client.get("/token")).text
    response = await probe_client.post(
        "/write",
        data={"csrf_token": token, "text": "x" * MAX_BODY_BYTES},
        headers={"Origin": PUBLIC_URL},
    )
    assert response.status_code == 413
    assert "larger than this site accepts (64 KiB)" in response.text
    assert probe.writes == []


async def test_a_streamed_body_is_cut_off_at_the_limit(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A body sent without a length is refused with 413 once it passes the limit."""
    token = (await probe_client.get("/token")).text
    chunks_read = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        yield f"csrf_token={token}&text=".encode()
        for _ in range(100):
            chunks_read += 1
            yield b"x" * 16 * 1024

    response = await probe_client.post(
        "/write",
        content=chunks(),
        headers={"Origin": PUBLIC_URL, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert probe.writes == []
    assert chunks_read < 10


async def test_a_body_within_the_limit_is_accepted(
    probe: ProbeSite, probe_client: httpx.AsyncClient
) -> None:
    """A form just under 64 KiB is read and written whole."""
    token = (await probe_client.get("/token")).text
    text = "x" * (MAX_BODY_BYTES - 200)
    response = await probe_client.post(
        "/write", data={"csrf_token": token, "text": text}, headers={"Origin": PUBLIC_URL}
    )
    assert response.status_code == 200
    assert probe.writes[0]["text"] == text


async def test_a_crash_is_a_plain_500_page_and_logged_with_its_request(
    probe_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash shows a short apology without traceback; the log names the request and error."""
    with caplog.at_level(logging.ERROR, logger="webauth"):
        response = await probe_client.get("/crash")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert CRASH_DETAIL not in response.text
    assert "Error answering GET /crash" in caplog.text
    assert CRASH_DETAIL in caplog.text


async def test_the_session_cookie_is_httponly_lax_and_not_secure_on_http(
    probe_client: httpx.AsyncClient,
) -> None:
    """On an http public URL the session cookie is hidden from scripts and kept same-site."""
    response = await probe_client.get("/token")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    flags = {flag.strip().lower() for flag in cookie.split(";")}
    assert {"httponly", "samesite=lax"} <= flags
    assert "secure" not in flags


async def test_the_session_cookie_is_secure_on_an_https_public_url() -> None:
    """With an https public URL the browser sends the session cookie over https only."""
    site = ProbeSite(public_url="https://games.test")
    async with client_for(site.app(), base_url="https://games.test") as client:
        response = await client.get("/token")
    flags = {flag.strip().lower() for flag in response.headers["set-cookie"].split(";")}
    assert {"httponly", "samesite=lax", "secure"} <= flags
