"""Where to send someone after a step (login, a form): only ever a page of this site."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2000


def safe_next(value: str | None, *, default: str = "/") -> str:
    """``value`` when it is a path on this site, else ``default``.

    Browsers read ``//host``, ``/\\host`` and paths with tabs or newlines in them (which they
    strip) as other sites, so anything but a plain absolute path is refused: that keeps a
    crafted ``?next=`` from turning the site into an open redirect.
    """
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/"):
        return default
    if value.startswith("//") or "\\" in value:
        return default
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char.isspace() for char in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
