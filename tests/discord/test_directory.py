"""Finding the members that typed @name entries mean, through Discord's member search."""

from __future__ import annotations

from gamesched.discord.directory import RestDirectory
from gamesched.discord.rest import DiscordRest
from gamesched.domain.entries import MentionAmbiguous, match_mention, parse_entries
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.sandbox import user_id_of

GUILD = 1170000000000000001


async def test_a_display_name_of_several_words_finds_every_member_it_fits(
    sandbox: RunningSandbox, demo_world: World
) -> None:
    """'@Sam Smith' (two members' global name, which the search does not match) reaches both
    members through its first word, so the host is offered both instead of 'not found'."""
    rest = DiscordRest(base_url=sandbox.base_url, token=demo_world.token)
    try:
        found = await RestDirectory(rest).candidates(GUILD, parse_entries("@Sam Smith"))
    finally:
        await rest.aclose()
    match = match_mention("Sam Smith", found)
    assert isinstance(match, MentionAmbiguous)
    assert {s.user_id for s in match.suggestions} == {
        user_id_of(demo_world, "sam"),
        user_id_of(demo_world, "sammy_b"),
    }
    assert {s.replacement for s in match.suggestions} == {"@sam", "@sammy_b"}
