"""One-time notes for the next page: "Game created", "Saved".

A route that answers a POST with a redirect leaves a note with :func:`flash`; the next page
rendered for the same session shows it once (the layout takes it with :func:`take_flashes`).
Notes live in the signed session cookie, so they are short plain text.
"""

from __future__ import annotations

from starlette.requests import Request

FLASH_KEY = "flash"
MAX_FLASHES = 3
"""Notes kept at most (the oldest go first), so the cookie never grows without bound."""


def flash(request: Request, text: str) -> None:
    """Show ``text`` on the next page this session sees."""
    kept = request.session.get(FLASH_KEY)
    notes = [note for note in kept if isinstance(note, str)] if isinstance(kept, list) else []
    request.session[FLASH_KEY] = [*notes, text][-MAX_FLASHES:]


def take_flashes(request: Request) -> list[str]:
    """The notes left for this page (and forget them); none without a session."""
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    kept = session.pop(FLASH_KEY)
    return [note for note in kept if isinstance(note, str)] if isinstance(kept, list) else []
