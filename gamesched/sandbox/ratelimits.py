"""Discord's per-channel message rate limits and its global limit, with Discord's headers.

Each channel has one bucket for creating messages and one for editing them; a bucket allows
``Limits.channel_messages`` requests per ``Limits.channel_window_seconds``, counted in fixed
windows that start at the first request; a guild's scheduled-event changes share one more
bucket of the same size. Every answer in a bucket carries the
``X-RateLimit-*`` headers; a request over the limit gets a 429 with ``retry_after`` in the
JSON body and a ``Via`` header (without it disnake takes the 429 for a Cloudflare ban).

The global limit counts every authenticated REST request of the bot in one-second windows;
going over it is a 429 with ``global: true`` and ``X-RateLimit-Global``, as Discord sends.

Routes a user's OAuth2 Bearer token calls have their own bucket per route and user
(:data:`USER_ROUTE_LIMITS`), counted the same way and answered with the same headers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from gamesched.sandbox.state import Clock, DiscordError

USER_ROUTE_LIMITS: Final = {
    "/users/@me": (5, 5.0),
    "/users/@me/guilds": (1, 1.0),
    "/users/@me/guilds/{guild_id}/member": (5, 30.0),
}
"""Route -> (requests, window seconds) per user token. Discord does not document these; they
are near what its headers announce, the member route being the strictest."""


@dataclass(slots=True)
class _Window:
    started: float
    used: int


class RateLimiter:
    """Fixed-window buckets keyed by (action, channel or user)."""

    def __init__(self, clock: Clock, *, limit: int, window: float) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._windows: dict[tuple[str, int], _Window] = {}

    def acquire(self, action: str, owner_id: int) -> dict[str, str]:
        """Count one request; returns the headers to send, or raises the 429."""
        now = self._clock.now()
        key = (action, owner_id)
        window = self._windows.get(key)
        if window is None or now >= window.started + self._window:
            window = self._windows[key] = _Window(started=now, used=0)
        reset_at = window.started + self._window
        bucket = hashlib.sha1(f"{action}:{owner_id}".encode()).hexdigest()[:16]
        headers = {
            "X-RateLimit-Limit": str(self._limit),
            "X-RateLimit-Reset": f"{reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{max(reset_at - now, 0.0):.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        if window.used >= self._limit:
            retry_after = max(reset_at - now, 0.001)
            headers["X-RateLimit-Remaining"] = "0"
            raise rate_limited(retry_after, headers, rule=True)
        window.used += 1
        headers["X-RateLimit-Remaining"] = str(self._limit - window.used)
        return headers


class GlobalLimiter:
    """Discord's global request limit, in fixed one-second windows."""

    def __init__(self, clock: Clock, *, per_second: int) -> None:
        self._clock = clock
        self._per_second = per_second
        self._window = _Window(started=float("-inf"), used=0)

    def acquire(self) -> None:
        """Count one request, or raise the global 429."""
        now = self._clock.now()
        if now >= self._window.started + 1.0:
            self._window = _Window(started=now, used=0)
        if self._window.used >= self._per_second:
            retry_after = max(self._window.started + 1.0 - now, 0.001)
            raise rate_limited(
                retry_after, {"X-RateLimit-Global": "true"}, rule=True, scope="global"
            )
        self._window.used += 1


def rate_limited(
    retry_after: float,
    headers: dict[str, str] | None = None,
    *,
    rule: bool = False,
    scope: str = "user",
) -> DiscordError:
    """Discord's 429 answer; ``rule`` when the bot itself exceeded a limit (not a fault)."""
    return DiscordError(
        429,
        0,
        "You are being rate limited.",
        headers={
            **(headers or {}),
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        },
        extra={"retry_after": round(retry_after, 3), "global": scope == "global"},
        rule=rule,
    )
