"""Reading the whole numbers people type (player caps, reminder minutes, durations)."""

from __future__ import annotations

from typing import Final

MAX_DIGITS: Final = 15
"""Significant digits read at most; every limit in gamesched is far below 10**15."""


def read_whole_number(text: str) -> int | None:
    """``text`` as a non-negative whole number, or None when it is not one we can read.

    ``str.isdigit()`` is not the test: it passes superscripts and circled digits (``²``,
    ``①``) that ``int()`` cannot read. Decimal digits of any script (``６０``) are fine.
    More than :data:`MAX_DIGITS` significant digits also reads as None, because such a
    number is beyond every limit and ``int()`` refuses strings of over 4300 digits.
    """
    if not text.isdecimal():
        return None
    significant = text.lstrip("0")
    if len(significant) > MAX_DIGITS:
        return None
    return int(significant or "0")
