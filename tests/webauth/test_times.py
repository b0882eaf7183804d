"""How pages say when something happens: UTC text without script, relative to now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from webauth.times import moment, relative_text

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_moment_reads_in_utc_and_carries_the_instant_for_the_browser() -> None:
    """Any zone is shown in UTC text, with the ISO instant for ``<time datetime>``."""
    berlin = timezone(timedelta(hours=1))
    shown = moment(datetime(2026, 12, 7, 20, 30, tzinfo=berlin), now=NOW)
    assert shown.iso == "2026-12-07T19:30:00Z"
    assert shown.text == "Mon 7 Dec 2026, 19:30 UTC"
    assert shown.relative == "in 1 day"


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (timedelta(seconds=30), "now"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(minutes=59), "in 59 minutes"),
        (timedelta(hours=5, minutes=10), "in 5 hours"),
        (timedelta(days=3, hours=23), "in 3 days"),
        (-timedelta(minutes=2), "2 minutes ago"),
        (-timedelta(hours=1), "1 hour ago"),
    ],
)
def test_relative_times_use_the_largest_whole_unit(offset: timedelta, said: str) -> None:
    """ "in 3 days", "2 minutes ago": the largest whole unit, singular when it is one."""
    assert relative_text(NOW + offset, now=NOW) == said
