"""One-time messages: a route that redirects after a change says what happened on the next
page the member sees (post-redirect-get), and only there.

A route calls :func:`flash` before answering with a redirect; the layout shows the messages
kept so far on the next page it renders (:func:`take_flashes`), and they are gone after that.
They live in the signed session cookie, so keep them to a sentence or two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

FLASH_KEY = "flash"
"""Session key of the messages waiting to be shown: ``[[kind, text], ...]``."""
FlashKind = Literal["success", "info", "error"]
KINDS: tuple[FlashKind, ...] = ("success", "info", "error")
MAX_KEPT = 5
"""At most this many wait at once (the newest); a session cookie is small."""


@dataclass(frozen=True, slots=True)
class Flash:
    """A message for the next page: what happened (``success``, ``info``) or went wrong."""

    text: str
    kind: FlashKind = "success"


def flash(request: Request, text: str, kind: FlashKind = "success") -> None:
    """Show ``text`` on the next page this member's browser renders."""
    waiting = request.session.get(FLASH_KEY)
    kept = waiting if isinstance(waiting, list) else []
    request.session[FLASH_KEY] = [*kept, [kind, text]][-MAX_KEPT:]


def take_flashes(request: Request) -> list[Flash]:
    """The messages waiting for this page, removed from the session (shown once)."""
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    waiting = session.pop(FLASH_KEY)
    if not isinstance(waiting, list):
        return []
    return [
        Flash(text=str(text), kind=kind)
        for kind, text in (item for item in waiting if isinstance(item, list) and len(item) == 2)
        if kind in KINDS
    ]
