"""Reading typed whole numbers without the crashes int() and str.isdigit() allow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamesched.domain.numbers import MAX_DIGITS, read_whole_number

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(st.integers(0, 10**MAX_DIGITS - 1), st.integers(0, 5000))
def test_plain_numbers_read_as_themselves_with_any_leading_zeros(number: int, zeros: int) -> None:
    """Digits up to the limit read as their value, however many zeros lead them."""
    assert read_whole_number("0" * zeros + str(number)) == number


@given(st.integers(0, 10**MAX_DIGITS - 1))
def test_full_width_digits_read_like_ascii(number: int) -> None:
    """Full-width digits (what an IME types) read as the same number."""
    assert read_whole_number(str(number).translate(FULL_WIDTH)) == number


@pytest.mark.parametrize(
    "text", ["", "²", "①", "3²", "-1", "+1", "1.5", "1 000", "1e3", "0x10", "1" * (MAX_DIGITS + 1)]
)
def test_what_is_no_plain_whole_number_reads_as_none(text: str) -> None:
    """Superscripts, circled digits, signs, decimals and numbers beyond every limit are None."""
    assert read_whole_number(text) is None


@given(st.text(max_size=20))
def test_any_text_reads_as_none_or_its_int(text: str) -> None:
    """Whatever the text, the answer is None or what int() makes of it; nothing raises."""
    number = read_whole_number(text)
    assert number is None or number == int(text)
