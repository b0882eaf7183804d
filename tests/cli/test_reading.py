"""How the read commands merge what Discord says about members of several servers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import pytest

from cli._reading import Reader
from gamesched.discord.names import UNKNOWN_USER, DisplayNames, short_id
from gamesched.services.context import Context

SAM = 200_000_000_000_000_001


class TwoServers:
    """Server 1 knows Sam as "Sammy"; server 2 answers as configured."""

    def __init__(self, second_answer: str) -> None:
        self.second_answer = second_answer

    async def resolve(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        return {u: "Sammy" if guild_id == 1 else self.second_answer for u in user_ids}


@pytest.mark.parametrize("other", [short_id(SAM), UNKNOWN_USER])
@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
async def test_a_name_from_one_server_is_not_lost_to_anothers_fallback(
    other: str, order: tuple[int, int]
) -> None:
    """A member of games in two servers keeps their display name when the other server's
    lookup failed (short id) or says they left it, whichever server is asked first."""
    reader = Reader(services=cast(Context, None), names=cast(DisplayNames, TwoServers(other)))
    names = await reader.resolve_in_guilds([(guild, [SAM]) for guild in order])
    assert names == {SAM: "Sammy"}
