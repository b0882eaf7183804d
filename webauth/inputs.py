"""What the site reads from what a member sends, pages and API alike: ids typed into
addresses, queries and forms, and text, which may hold no control characters.

``str.isdigit()`` is not the test for an id: it passes ``²`` and other digits ``int()``
cannot read, and an id of thousands of digits makes ``int()`` refuse it; either would crash
the request. PostgreSQL cannot store a NUL character, and no keyboard types the others.
"""

from __future__ import annotations

import re

MAX_SNOWFLAKE = 2**63 - 1
"""Discord ids and game numbers fit a signed 64-bit integer, as the database stores them."""
SNOWFLAKE_PATTERN = r"^[0-9]{1,19}$"
"""What an id looks like, as the API's description says it."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLAIN_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
"""Text may hold tabs and line breaks but no other control characters (a JSON Schema
pattern, for the API's description)."""
NO_CONTROLS = "control characters; remove them (tabs and line breaks are fine)"
"""How a refusal of such text ends (``Rules may not hold …``)."""


def read_id(text: str) -> int | None:
    """``text`` as an id (ASCII digits, below 2**63), or None when it is not one."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_SNOWFLAKE else None


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character other than a tab or a line break."""
    return _CONTROLS.search(text) is not None
