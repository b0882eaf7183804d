"""Participant entries: how a host's typed list becomes members and placeholders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamesched.domain.entries import (
    CLOSE_NAMES_POOL,
    MAX_ENTRIES,
    MAX_MENTION_LENGTH,
    MAX_PLACEHOLDER_LENGTH,
    Entries,
    Lookups,
    Member,
    MentionAmbiguous,
    MentionFound,
    MentionNotFound,
    match_mention,
    needed_lookups,
    parse_entries,
    resolve_entries,
)
from gamesched.domain.errors import Problem, Suggestion, ValidationFailed


def _id(n: int) -> int:
    """A realistic 18-digit snowflake."""
    return 400_000_000_000_000_000 + n


SAM = Member(_id(1), "sam", global_name="Sam Carter")
SAMANTHA = Member(_id(2), "samantha", global_name="Samantha Jones")
SAMSMITH = Member(_id(3), "samsmith", global_name="Sam Smith", nick="Sammy")
ALEX_KIM = Member(_id(4), "alexk", global_name="Alex Kim", nick="Alex")
ALEXANDRA = Member(_id(5), "alexandra", nick="Alex")
ALEXIS = Member(_id(6), "alexis")
JORDAN = Member(_id(7), "jordan", nick="samantha")  # a nick that is someone else's username
ZOE = Member(_id(8), "zoe", global_name="Zoë")
ZOEY = Member(_id(9), "zoey_b", nick="ZOË")
KAI = Member(_id(10), "kai")
GUILD = (SAM, SAMANTHA, SAMSMITH, ALEX_KIM, ALEXANDRA, ALEXIS, JORDAN, ZOE, ZOEY, KAI)
NOT_A_MEMBER = _id(999)


def resolve(text: str, members: tuple[Member, ...] = GUILD) -> tuple[int, ...]:
    """The user ids a participants field resolves to."""
    return resolve_entries(parse_entries(text), members).user_ids


def problems(text: str, members: tuple[Member, ...] = GUILD) -> tuple[Problem, ...]:
    """The problems a participants field is rejected with."""
    with pytest.raises(ValidationFailed) as caught:
        resolve_entries(parse_entries(text), members)
    return caught.value.problems


def parse_problems(text: str) -> tuple[Problem, ...]:
    """The problems parsing alone rejects a participants field with."""
    with pytest.raises(ValidationFailed) as caught:
        parse_entries(text)
    return caught.value.problems


def suggested_ids(text: str, members: tuple[Member, ...] = GUILD) -> list[int]:
    """The user ids suggested for the single bad entry ``text``, in order."""
    (problem,) = problems(text, members)
    return [suggestion.user_id for suggestion in problem.suggestions]


# --- members -------------------------------------------------------------------------------


def test_display_name_prefers_nick_then_global_name_then_username() -> None:
    """The name shown for a member is the guild nick, else the global name, else the username."""
    assert SAMSMITH.display_name == "Sammy"
    assert SAM.display_name == "Sam Carter"
    assert KAI.display_name == "kai"


# --- parsing -------------------------------------------------------------------------------


def test_parse_sorts_entries_into_mentions_ids_and_placeholders() -> None:
    """Each entry lands in its kind, keeping the typed spelling, in the order typed."""
    text = f"@Sam Smith\n<@{_id(1)}>, <@!{_id(2)}>, {_id(3)}\nReserved slot, @ zoe#1234"
    entries = parse_entries(text)
    assert entries.mentions == ("Sam Smith", "zoe#1234")
    assert entries.user_ids == (_id(1), _id(2), _id(3))
    assert entries.placeholders == ("Reserved slot",)


def test_parse_drops_blank_entries_and_trims_invisible_characters() -> None:
    """Empty lines, stray commas, CRLF, full-width commas and zero-width spaces are ignored."""
    entries = parse_entries("\r\n ,\u200b@sam\u200b ,,\r\n\n Guest \uff0c TBD,\n")
    assert entries.mentions == ("sam",)
    assert entries.placeholders == ("Guest", "TBD")


def test_parse_treats_short_numbers_as_placeholders() -> None:
    """Only 17-20 digit numbers are user ids; 'Table 5' or '12345' stay placeholders."""
    entries = parse_entries("12345, Table 5, 1234567890123456")
    assert entries.user_ids == ()
    assert entries.placeholders == ("12345", "Table 5", "1234567890123456")


def test_parse_accepts_entries_at_the_limits() -> None:
    """Exactly MAX_ENTRIES entries, a placeholder and a name of maximal length are fine."""
    placeholder = "p" * MAX_PLACEHOLDER_LENGTH
    name = "n" * MAX_MENTION_LENGTH
    entries = parse_entries("\n".join([placeholder, f"@{name}"] + ["x"] * (MAX_ENTRIES - 2)))
    assert len(entries.items) == MAX_ENTRIES
    assert entries.mentions == (name,)


def test_parse_rejects_too_many_entries() -> None:
    """More than MAX_ENTRIES entries is refused up front with the count and the limit."""
    (problem,) = parse_problems(",".join(["Guest"] * (MAX_ENTRIES + 1)))
    assert problem.field == "participants"
    assert problem.entry is None
    assert str(MAX_ENTRIES + 1) in problem.message
    assert str(MAX_ENTRIES) in problem.message


def test_parse_reports_every_overlong_entry_with_the_other_malformed_ones() -> None:
    """Overlong entries fail parsing, and the same report names every malformed entry in order."""
    long_placeholder = "p" * (MAX_PLACEHOLDER_LENGTH + 1)
    long_name = "@" + "n" * (MAX_MENTION_LENGTH + 1)
    found = parse_problems(f"{long_name}, Guest, <@abc>, {long_placeholder}, @nobody")
    assert [p.entry for p in found] == [long_name, "<@abc>", long_placeholder]
    assert str(MAX_MENTION_LENGTH) in found[0].message
    assert str(MAX_PLACEHOLDER_LENGTH) in found[2].message


def test_needed_lookups_lists_each_name_and_id_once() -> None:
    """A front end searches each name once (tag dropped, case ignored) and fetches each id once."""
    entries = parse_entries(f"@Sam, @sam, @alex#1234, <@{_id(1)}>, <@!{_id(1)}>, Guest, <@x>")
    assert needed_lookups(entries) == Lookups(queries=("Sam", "alex"), user_ids=(_id(1),))


# --- rule 1: exact username -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["@sam", "@SAM", "@ Sam ", "@sAm"])
def test_exact_username_wins_over_every_other_match(typed: str) -> None:
    """'@sam' is the user 'sam', although 'samantha', 'Sam Smith' and 'Sammy' contain it too."""
    assert resolve(typed) == (SAM.user_id,)


def test_exact_username_beats_another_members_equal_nick() -> None:
    """'@samantha' is the user samantha, not the member who took 'samantha' as a nickname."""
    assert resolve("@samantha") == (SAMANTHA.user_id,)


def test_discriminator_tag_is_ignored() -> None:
    """'@sam#1234' (the old name#tag form) picks the member named sam."""
    assert resolve("@sam#1234, @Sammy#0") == (SAM.user_id, SAMSMITH.user_id)


# --- rule 2: exact global name or nickname ----------------------------------------------------


def test_unique_exact_global_name_or_nick_wins() -> None:
    """A global name or nickname that only one member has picks that member."""
    assert resolve("@sam smith, @SAMMY, @Sam Carter") == (
        SAMSMITH.user_id,
        SAM.user_id,
    )


def test_whitespace_inside_names_is_not_significant() -> None:
    """'@  Sam   Smith' matches the global name 'Sam Smith'."""
    assert resolve("@  Sam   Smith ") == (SAMSMITH.user_id,)


def test_shared_nickname_is_ambiguous_and_suggests_each_member() -> None:
    """Two members nicknamed Alex: both are offered, then prefix matches like 'alexis'."""
    (problem,) = problems("@Alex")
    assert problem.entry == "@Alex"
    assert "several members" in problem.message
    assert problem.suggestions == (
        Suggestion(ALEXANDRA.user_id, "Alex (@alexandra)", "@alexandra", "alexandra", "Alex"),
        Suggestion(ALEX_KIM.user_id, "Alex (@alexk)", "@alexk", "alexk", "Alex"),
        Suggestion(ALEXIS.user_id, "@alexis", "@alexis", "alexis", "alexis"),
    )


@pytest.mark.parametrize("typed", ["@zoë", "@ZOË", "@Zoe\u0308"])
def test_unicode_names_compare_casefolded_and_normalised(typed: str) -> None:
    """'Zoë' and 'ZOË' are the same name however typed (composed or not): both members match."""
    assert suggested_ids(typed) == [ZOE.user_id, ZOEY.user_id]


def test_unicode_username_lookalike_still_picks_the_exact_username() -> None:
    """'@Zoe' is the user 'zoe', not the members displayed as 'Zoë'."""
    assert resolve("@Zoe") == (ZOE.user_id,)


def test_styled_letters_match_their_plain_spelling() -> None:
    """A nickname in decorative letters ('𝓢𝓴𝔂') is found by typing '@sky'."""
    sky = Member(_id(20), "skyler_x", nick="𝓢𝓴𝔂")
    assert resolve("@Sky", (*GUILD, sky)) == (sky.user_id,)


# --- rule 3: part of a name -------------------------------------------------------------------


def test_unique_partial_match_wins() -> None:
    """'@smith' is inside only 'Sam Smith', so it picks that member."""
    assert match_mention("smith", GUILD) == MentionFound(SAMSMITH)


def test_partial_matches_rank_prefix_before_inner_match() -> None:
    """'@jo' offers jordan (name starts with it) before Samantha Jones (inside the name)."""
    assert suggested_ids("@jo") == [JORDAN.user_id, SAMANTHA.user_id]


def test_partial_matches_rank_shorter_name_then_username() -> None:
    """Within one rank the shorter matched name comes first, then the username alphabetically."""
    assert suggested_ids("@sa") == [SAM.user_id, SAMSMITH.user_id, JORDAN.user_id, SAMANTHA.user_id]


def test_at_most_five_ranked_suggestions() -> None:
    """A name fitting eight members offers the best five: prefix matches before inner matches."""
    assert suggested_ids("@a") == [
        ALEXANDRA.user_id,
        ALEX_KIM.user_id,
        ALEXIS.user_id,
        KAI.user_id,
        SAM.user_id,
    ]


def test_match_mention_reports_ambiguity_with_suggestions() -> None:
    """The single-entry rule returns the ranked candidates when a name fits several members."""
    result = match_mention("zoë", GUILD)
    assert isinstance(result, MentionAmbiguous)
    assert [s.replacement for s in result.suggestions] == ["@zoe", "@zoey_b"]


# --- not found ---------------------------------------------------------------------------------


def test_unknown_name_is_reported_with_close_spellings() -> None:
    """'@samanta' is no one; the error says so and offers members named like it."""
    (problem,) = problems("@samanta")
    assert problem.entry == "@samanta"
    assert "no member of this server" in problem.message
    assert "@username" in problem.message
    assert problem.suggestions[0] == Suggestion(
        SAMANTHA.user_id, "Samantha Jones (@samantha)", "@samantha", "samantha", "Samantha Jones"
    )


def test_unknown_name_without_close_spellings_has_no_suggestions() -> None:
    """A name like nobody's gets the not-found message and no suggestions."""
    assert match_mention("qwxz", GUILD) == MentionNotFound(())


def test_blank_name_matches_no_one() -> None:
    """Blank text is inside every name, yet names no one rather than everyone."""
    assert match_mention(" \t", GUILD) == MentionNotFound(())


def test_huge_candidate_lists_skip_close_spellings() -> None:
    """Beyond CLOSE_NAMES_POOL names, an unknown name is reported without close spellings."""
    crowd = tuple(
        Member(_id(1000 + n), f"user{n}", nick=f"nick{n}") for n in range(CLOSE_NAMES_POOL // 2)
    )
    assert match_mention("samanta", (SAMANTHA, *crowd)) == MentionNotFound(())
    assert match_mention("samanta", (SAMANTHA, *crowd[:10])) != MentionNotFound(())


def test_unknown_id_is_not_a_member() -> None:
    """An id (any form) of someone outside the candidates is refused as not a member."""
    found = problems(f"<@{NOT_A_MEMBER}>, {NOT_A_MEMBER}")
    assert [p.entry for p in found] == [f"<@{NOT_A_MEMBER}>", str(NOT_A_MEMBER)]
    assert all("not a member of this server" in p.message for p in found)


# --- ids and placeholders ----------------------------------------------------------------------


def test_ids_in_every_form_resolve_to_members() -> None:
    """'<@id>', '<@!id>' and a bare snowflake each add that member."""
    assert resolve(f"<@{KAI.user_id}>, <@!{SAM.user_id}>, {ZOE.user_id}") == (
        KAI.user_id,
        SAM.user_id,
        ZOE.user_id,
    )


def test_text_without_at_is_a_placeholder() -> None:
    """Entries without '@' (spaces included) become placeholder slots in the order typed."""
    resolved = resolve_entries(parse_entries("Reserved slot\nTBD, john@example.com"), GUILD)
    assert resolved.placeholders == ("Reserved slot", "TBD", "john@example.com")
    assert resolved.user_ids == ()


# --- malformed entries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entry", "says"),
    [
        ("@", "@", "needs a name"),
        ("Guest, @ ,TBD", "@", "needs a name"),
        ("<@abc>", "<@abc>", "not a member's"),
        ("<@&123456789012345678>", "<@&123456789012345678>", "not a member's"),
        ("<@123", "<@123", "not a member's"),
        ("@everyone", "@everyone", "one by one"),
        ("@Here", "@Here", "one by one"),
        ("@alexk @sam", "@alexk @sam", "own line"),
        ("Tom @sam", "Tom @sam", "own line"),
        (f"<@{_id(1)}> <@{_id(2)}>", f"<@{_id(1)}> <@{_id(2)}>", "own line"),
    ],
)
def test_malformed_entries_are_refused_with_how_to_fix_them(
    text: str, entry: str, says: str
) -> None:
    """'@' alone, broken <@...> mentions, group pings and several names on one line are refused."""
    (problem,) = problems(text)
    assert problem.entry == entry
    assert says in problem.message


def test_every_problem_is_reported_together_in_entry_order() -> None:
    """One submission lists every bad entry at once, malformed and unknown alike, as typed."""
    text = f"@nobody, Guest, @alex, <@abc>, @sam, <@{NOT_A_MEMBER}>, @"
    with pytest.raises(ValidationFailed) as caught:
        resolve_entries(parse_entries(text), GUILD)
    entries = [p.entry for p in caught.value.problems]
    assert entries == ["@nobody", "@alex", "<@abc>", f"<@{NOT_A_MEMBER}>", "@"]
    assert all(p.field == "participants" for p in caught.value.problems)
    assert "@nobody: no member of this server" in caught.value.message


# --- duplicates ------------------------------------------------------------------------------


def test_same_member_reached_twice_collapses_to_the_first_place() -> None:
    """'@sam', '<@sam's id>', '@SAM' and 'Sam Carter' add sam once, where first typed."""
    text = f"@alexk, @sam, <@{SAM.user_id}>, @kai, @SAM, @Sam Carter, {SAM.user_id}"
    assert resolve(text) == (ALEX_KIM.user_id, SAM.user_id, KAI.user_id)


def test_repeated_placeholder_collapses_ignoring_case() -> None:
    """'Guest', 'guest' and 'GUEST' are one placeholder, spelled as first typed."""
    resolved = resolve_entries(parse_entries("Guest, TBD, guest, GUEST, tbd"), GUILD)
    assert resolved.placeholders == ("Guest", "TBD")


def test_member_listed_twice_among_candidates_is_not_ambiguous() -> None:
    """A member returned by two searches is still one member."""
    assert resolve("@ka", (KAI, KAI, SAM)) == (KAI.user_id,)


# --- suggestions always lead somewhere ------------------------------------------------------


def test_shared_legacy_username_suggests_ids_that_pick_each_member() -> None:
    """Members sharing an old-style username get '<@id>' replacements, which pick each one."""
    first, second = Member(_id(30), "Legacy"), Member(_id(31), "legacy", nick="Leg")
    (problem,) = problems("@legacy", (first, second))
    assert [s.replacement for s in problem.suggestions] == [f"<@{_id(30)}>", f"<@{_id(31)}>"]
    for suggestion in problem.suggestions:
        assert resolve(suggestion.replacement, (first, second)) == (suggestion.user_id,)


def test_hand_built_entries_resolve_like_parsed_ones() -> None:
    """Entries built from the three lists alone still resolve (mentions, then ids, then text)."""
    entries = Entries(mentions=("alexk",), user_ids=(SAM.user_id,), placeholders=("Guest",))
    resolved = resolve_entries(entries, GUILD)
    assert resolved.user_ids == (ALEX_KIM.user_id, SAM.user_id)
    assert resolved.placeholders == ("Guest",)


# --- properties --------------------------------------------------------------------------------

DISCORD_USERNAMES = st.from_regex(r"[a-z0-9_.]{2,32}", fullmatch=True).filter(
    lambda name: name not in {"everyone", "here"}  # Discord refuses these usernames
)
SNOWFLAKES = st.integers(min_value=10**16, max_value=2**63 - 1)
DISPLAY_NAMES = st.text(max_size=12)


@st.composite
def guilds(
    draw: st.DrawFn,
    *,
    usernames: st.SearchStrategy[str] = DISCORD_USERNAMES,
    names: st.SearchStrategy[str] = DISPLAY_NAMES,
    unique_usernames: bool = True,
) -> list[Member]:
    """A small list of members with distinct ids and arbitrary display names."""
    size = draw(st.integers(min_value=1, max_value=8))
    ids = draw(st.lists(SNOWFLAKES, min_size=size, max_size=size, unique=True))
    picked = draw(st.lists(usernames, min_size=size, max_size=size, unique=unique_usernames))
    optional = st.none() | names
    return [
        Member(user_id, username, draw(optional), draw(optional))
        for user_id, username in zip(ids, picked, strict=True)
    ]


@given(data=st.data(), members=guilds())
def test_property_any_username_in_any_casing_picks_exactly_that_member(
    data: st.DataObject, members: list[Member]
) -> None:
    """Whatever the other members are called, '@' + a username in any casing picks that member."""
    member = data.draw(st.sampled_from(members))
    upper = data.draw(st.lists(st.booleans(), min_size=len(member.username)))
    cased = "".join(c.upper() if up else c for c, up in zip(member.username, upper, strict=False))
    assert resolve(f"@{cased}", tuple(members)) == (member.user_id,)


@given(
    members=guilds(
        usernames=st.text(alphabet="saSß_ ,.", min_size=1, max_size=4),
        names=st.text(alphabet="samSëË ", max_size=5),
        unique_usernames=False,
    ),
    query=st.text(alphabet="samSëË #1", min_size=1, max_size=4),
)
def test_property_every_suggestion_replacement_picks_exactly_its_member(
    members: list[Member], query: str
) -> None:
    """Typing any offered replacement (even for colliding names) picks exactly that member."""
    result = match_mention(query, members)
    suggestions = () if isinstance(result, MentionFound) else result.suggestions
    for suggestion in suggestions:
        assert resolve(suggestion.replacement, tuple(members)) == (suggestion.user_id,)


ENTRY_TEXT = st.text(alphabet="aZë@<>!#0 7", min_size=1, max_size=10).filter(
    lambda entry: entry == entry.strip()
)
SEPARATORS = st.sampled_from([",", "\n", "\r\n", ", ", " ,\n\n", "\n,\n", "\uff0c", ",,"])
PADDING = st.sampled_from(["", " ", "\t", "  ", "\u200b"])


@given(data=st.data(), typed=st.lists(ENTRY_TEXT, max_size=20))
def test_property_parsing_ignores_layout(data: st.DataObject, typed: list[str]) -> None:
    """Extra spaces, empty lines and commas versus newlines never change what is parsed."""
    messy = data.draw(PADDING) + data.draw(SEPARATORS)
    for entry in typed:
        messy += data.draw(PADDING) + entry + data.draw(PADDING) + data.draw(SEPARATORS)
    assert parse_entries(messy) == parse_entries("\n".join(typed))
    assert parse_entries(", ".join(typed)) == parse_entries("\n".join(typed))


@given(data=st.data(), members=guilds())
def test_property_resolved_entries_hold_no_duplicates(
    data: st.DataObject, members: list[Member]
) -> None:
    """However often and in whatever form members and placeholders repeat, each appears once."""
    forms = ["@{m.username}", "@{upper}", "<@{m.user_id}>", "<@!{m.user_id}>", "{m.user_id}"]
    picks = data.draw(
        st.lists(st.tuples(st.sampled_from(members), st.sampled_from(forms)), max_size=15)
    )
    typed: list[tuple[str, int | None]] = [
        (form.format(m=m, upper=m.username.upper()), m.user_id) for m, form in picks
    ]
    placeholders = st.sampled_from(["Guest", "guest", "GUEST", "TBD"])
    typed += [(text, None) for text in data.draw(st.lists(placeholders, max_size=10))]
    order = data.draw(st.permutations(typed))
    resolved = resolve_entries(parse_entries("\n".join(text for text, _ in order)), members)
    first_spellings: dict[str, str] = {}
    for text, user_id in order:
        if user_id is None:
            first_spellings.setdefault(text.casefold(), text)
    assert resolved.user_ids == tuple(dict.fromkeys(u for _, u in order if u is not None))
    assert resolved.placeholders == tuple(first_spellings.values())
