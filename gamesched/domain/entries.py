"""The participants field of a new game: parsing entries and matching them to members.

A host types one entry per line or comma. ``@text`` names a member, ``<@id>``, ``<@!id>`` or a
bare snowflake is a member by id, and any other text is a placeholder slot ("Guest", "TBD").

Using it takes three steps, because only the front end can reach Discord:

1. :func:`parse_entries` splits the text. It raises at once when the text breaks the size
   limits (too many entries, an overlong entry), listing every problem it can see.
2. :func:`needed_lookups` says which member searches and id fetches gather the candidates.
3. :func:`resolve_entries` matches every entry against those candidates and raises one
   :class:`ValidationFailed` listing every bad entry, in the order typed: malformed entries
   ("@" alone, a broken ``<@...>``) are reported here together with unknown and ambiguous
   names, so the host fixes everything in one go.

A member is found by :func:`match_mention`; the rule, comparing Unicode-casefolded,
NFKC-normalised names with whitespace runs collapsed:

1. An exact username match wins outright.
2. Else a unique exact match on global name or nickname wins.
3. Else a unique member with the text inside a username, global name or nickname wins.

Anything else is ambiguous (ranked suggestions) or not found (close spellings, if any).
A suggestion's replacement text always resolves to exactly its member.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

from gamesched.domain.errors import Problem, Suggestion, ValidationFailed

MAX_ENTRIES = 100
"""Entries (after splitting, empties dropped) one field may hold. The modal holds 4000
characters, so this, not the modal, bounds the member searches one submission can cause,
while staying well above any game's player count."""
MAX_PLACEHOLDER_LENGTH = 50
"""Characters a placeholder may have: it is shown as one line of the announcement."""
MAX_MENTION_LENGTH = 64
"""Characters after the ``@``: Discord names have at most 32, leaving room for ``#1234``
and stray spacing."""
MAX_SUGGESTIONS = 5
"""Candidates offered for one ambiguous or unknown name."""
CLOSE_NAMES_POOL = 5000
"""Distinct names beyond which unknown names get no close-spelling suggestions: comparing
spellings costs about 5 microseconds per name, per unknown entry. Search results and small
guilds stay below it; a whole large guild's member cache does not."""

FIELD = "participants"
"""The form field every problem of this module names."""

_SEPARATORS = re.compile(r"[,\uff0c]")  # comma, and the full-width comma of CJK keyboards
_EDGE_BLANKS = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
_USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
_SNOWFLAKE = re.compile(r"\d{17,20}")
_INNER_MENTION = re.compile(r"\s<?@")
_DISCRIMINATOR = re.compile(r"(.+?)\s*#\d{1,4}")
_EVERYONE = frozenset({"everyone", "here"})


@dataclass(frozen=True, slots=True)
class Member:
    """A guild member as a front end fetched it: the candidates entries are matched against."""

    user_id: int
    """The Discord user id."""
    username: str
    """The unique Discord username (``samsmith``)."""
    global_name: str | None = None
    """The name the user shows everywhere, if set."""
    nick: str | None = None
    """The name the user shows in this guild, if set."""

    @property
    def display_name(self) -> str:
        """The name Discord shows in this guild: nick, else global name, else username."""
        return self.nick or self.global_name or self.username


@dataclass(frozen=True, slots=True)
class MentionEntry:
    """An ``@text`` entry."""

    typed: str
    """The entry as typed, trimmed (``@Sam Smith``)."""
    name: str
    """The text after the ``@``, trimmed (``Sam Smith``)."""


@dataclass(frozen=True, slots=True)
class IdEntry:
    """A ``<@id>``, ``<@!id>`` or bare snowflake entry."""

    typed: str
    """The entry as typed, trimmed."""
    user_id: int
    """The user id it names."""


@dataclass(frozen=True, slots=True)
class PlaceholderEntry:
    """Text without ``@``: a slot held for someone who is not (yet) a member."""

    typed: str
    """The placeholder text, trimmed."""


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    """An entry that is wrong whatever the members are (``@`` alone, a broken ``<@...>``)."""

    typed: str
    """The entry as typed, trimmed."""
    message: str
    """What is wrong and how to fix it."""


Entry: TypeAlias = MentionEntry | IdEntry | PlaceholderEntry | InvalidEntry
"""One classified entry."""


@dataclass(frozen=True, slots=True)
class Entries:
    """Parsed but unresolved entries."""

    mentions: tuple[str, ...]
    """``@text`` entries: the text without the ``@``, original spelling, trimmed."""
    user_ids: tuple[int, ...]
    """Ids from ``<@id>``, ``<@!id>`` and bare snowflakes (17-20 digits)."""
    placeholders: tuple[str, ...]
    """Entries without ``@``."""
    items: tuple[Entry, ...] = ()
    """Every entry in the order typed, including invalid ones; what :func:`resolve_entries`
    reads. Left empty when built by hand, it is derived from the three lists above (mentions,
    then ids, then placeholders)."""

    def __post_init__(self) -> None:
        if not self.items:
            derived = (
                *(_classify(f"@{mention}") for mention in self.mentions),
                *(IdEntry(f"<@{user_id}>", user_id) for user_id in self.user_ids),
                *(PlaceholderEntry(text) for text in self.placeholders),
            )
            object.__setattr__(self, "items", derived)


@dataclass(frozen=True, slots=True)
class ResolvedEntries:
    """The members and placeholders a submission adds."""

    user_ids: tuple[int, ...]
    """Every member to add, in the order typed, duplicates collapsed."""
    placeholders: tuple[str, ...]
    """Placeholder texts in the order typed; repeats (ignoring case) collapsed to the first."""


@dataclass(frozen=True, slots=True)
class Lookups:
    """What a front end must fetch to gather the candidate members for :func:`resolve_entries`."""

    queries: tuple[str, ...]
    """Names to run through the guild member search (prefix match on username and nick),
    one per distinct ``@text`` ignoring case, a ``#1234`` suffix dropped. Ask for many results
    per query (Discord allows 1000) so that ambiguity is seen; names only matched in the
    middle or by global name are found only among members the front end already holds."""
    user_ids: tuple[int, ...]
    """Distinct ids to fetch as members; an id that is no member is simply left out."""


@dataclass(frozen=True, slots=True)
class MentionFound:
    """The name picks exactly one member."""

    member: Member
    """The member it picks."""


@dataclass(frozen=True, slots=True)
class MentionAmbiguous:
    """The name fits several members."""

    suggestions: tuple[Suggestion, ...]
    """The best candidates (at most :data:`MAX_SUGGESTIONS`), best first: exact display-name
    matches, then prefix matches, then other matches; shorter matched name, then username,
    first within each."""


@dataclass(frozen=True, slots=True)
class MentionNotFound:
    """No member has the name."""

    suggestions: tuple[Suggestion, ...]
    """Members with similar names (at most :data:`MAX_SUGGESTIONS`), closest first."""


MentionMatch: TypeAlias = MentionFound | MentionAmbiguous | MentionNotFound
"""The outcome of matching one ``@text`` entry."""


def parse_entries(text: str) -> Entries:
    """Split the field on newlines and commas, trim, drop empties and classify each entry.

    Raises :class:`ValidationFailed` when there are more than :data:`MAX_ENTRIES` entries or an
    entry is too long, listing every problem visible without members. Other malformed entries
    are kept and reported by :func:`resolve_entries`, together with the unknown names.
    """
    typed = _split(text)
    items = tuple(_classify(entry) for entry in typed)
    too_many = len(items) > MAX_ENTRIES
    if too_many or any(_length_problem(item) for item in items):
        problems = [p for item in items if (p := _length_problem(item) or _invalid_problem(item))]
        if too_many:
            message = (
                f"{len(items)} entries are too many; a game takes at most {MAX_ENTRIES}, "
                "so remove some."
            )
            problems.insert(0, Problem(field=FIELD, message=message))
        raise ValidationFailed(problems)
    return Entries(
        mentions=tuple(item.name for item in items if isinstance(item, MentionEntry)),
        user_ids=tuple(item.user_id for item in items if isinstance(item, IdEntry)),
        placeholders=tuple(item.typed for item in items if isinstance(item, PlaceholderEntry)),
        items=items,
    )


def needed_lookups(entries: Entries) -> Lookups:
    """The member searches and id fetches that gather every candidate the entries need."""
    queries: dict[str, str] = {}
    for item in entries.items:
        if isinstance(item, MentionEntry):
            name = _without_discriminator(item.name)
            queries.setdefault(_key(name), name)
    user_ids = (item.user_id for item in entries.items if isinstance(item, IdEntry))
    return Lookups(queries=tuple(queries.values()), user_ids=tuple(dict.fromkeys(user_ids)))


def resolve_entries(entries: Entries, members: Iterable[Member]) -> ResolvedEntries:
    """Match every entry against the candidate members.

    Raises :class:`ValidationFailed` listing every bad entry in the order typed. The same
    member reached twice, or the same placeholder typed twice, collapses silently.
    """
    roster = _Roster(members)
    user_ids: dict[int, None] = {}
    placeholders: dict[str, str] = {}
    problems: list[Problem] = []
    for item in entries.items:
        if isinstance(item, MentionEntry):
            match roster.match(item.name):
                case MentionFound(member):
                    user_ids.setdefault(member.user_id)
                case MentionAmbiguous(suggestions):
                    problems.append(_problem(item, _AMBIGUOUS, suggestions))
                case MentionNotFound(suggestions):
                    problems.append(_problem(item, _NOT_FOUND, suggestions))
        elif isinstance(item, IdEntry):
            if item.user_id in roster.by_id:
                user_ids.setdefault(item.user_id)
            else:
                problems.append(_problem(item, _NOT_A_MEMBER))
        elif isinstance(item, PlaceholderEntry):
            placeholders.setdefault(_key(item.typed), item.typed)
        else:
            problems.append(_problem(item, item.message))
    if problems:
        raise ValidationFailed(problems)
    return ResolvedEntries(user_ids=tuple(user_ids), placeholders=tuple(placeholders.values()))


def match_mention(text: str, members: Iterable[Member]) -> MentionMatch:
    """Which member ``@text`` names (``text`` without the ``@``); see the module docstring."""
    return _Roster(members).match(text)


_AMBIGUOUS = "matches several members; pick one of the suggestions or type their exact @username."
_NOT_FOUND = "no member of this server is called that; check the spelling or use their @username."
_NOT_A_MEMBER = "is not a member of this server; check the id, or add someone who is a member."


def _split(text: str) -> list[str]:
    parts = (part for line in text.splitlines() for part in _SEPARATORS.split(line))
    return [entry for part in parts if (entry := _trim(part))]


def _trim(text: str) -> str:
    """Strip whitespace and the invisible characters that copying from Discord can leave."""
    return _EDGE_BLANKS.sub("", text)


def _classify(entry: str) -> Entry:
    if (mention := _USER_MENTION.fullmatch(entry)) is not None:
        return IdEntry(entry, int(mention[1]))
    if _SNOWFLAKE.fullmatch(entry):
        return IdEntry(entry, int(entry))
    if _INNER_MENTION.search(entry):
        return InvalidEntry(
            entry,
            "has an @name inside other text; put each entry on its own line or separate "
            "entries with commas (placeholders cannot contain @names).",
        )
    if "<@" in entry:
        return InvalidEntry(
            entry,
            "looks like a Discord mention but is not a member's; write @username or paste "
            "the member's numeric id.",
        )
    if not entry.startswith("@"):
        return PlaceholderEntry(entry)
    name = _trim(entry[1:])
    key = _key(name)
    if not key:
        return InvalidEntry(
            entry,
            "an @ needs a name after it; write @username, or drop the @ to make a placeholder.",
        )
    if key in _EVERYONE:
        return InvalidEntry(entry, "cannot add a whole group; list the members one by one.")
    return MentionEntry(entry, name)


def _length_problem(item: Entry) -> Problem | None:
    if isinstance(item, MentionEntry) and len(item.name) > MAX_MENTION_LENGTH:
        return _problem(
            item,
            f"is too long for a name ({len(item.name)} characters, at most "
            f"{MAX_MENTION_LENGTH}); check that it is one name.",
        )
    if isinstance(item, PlaceholderEntry) and len(item.typed) > MAX_PLACEHOLDER_LENGTH:
        return _problem(
            item,
            f"is too long for a placeholder ({len(item.typed)} characters, at most "
            f"{MAX_PLACEHOLDER_LENGTH}); shorten it or split it with a comma.",
        )
    return None


def _invalid_problem(item: Entry) -> Problem | None:
    return _problem(item, item.message) if isinstance(item, InvalidEntry) else None


def _problem(item: Entry, message: str, suggestions: tuple[Suggestion, ...] = ()) -> Problem:
    return Problem(field=FIELD, message=message, entry=item.typed, suggestions=suggestions)


def _key(name: str) -> str:
    """The form names are compared in: NFKC, casefolded, whitespace runs made one space."""
    if name.isascii():  # the common case, and normalising changes nothing in it but case
        return " ".join(name.lower().split())
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _without_discriminator(name: str) -> str:
    """``name#1234`` -> ``name``: the tag of pre-2023 usernames is not part of the name."""
    tagged = _DISCRIMINATOR.fullmatch(name)
    return tagged[1] if tagged is not None else name


class _Roster:
    """The candidate members, deduplicated by id, with their names normalised once."""

    def __init__(self, members: Iterable[Member]) -> None:
        self.by_id: dict[int, Member] = {}
        for member in members:
            self.by_id.setdefault(member.user_id, member)
        self._names: list[tuple[Member, tuple[str, ...]]] = []
        self._by_username: dict[str, list[Member]] = {}
        self._by_display: dict[str, list[Member]] = {}
        for member in self.by_id.values():
            username = _key(member.username)
            self._by_username.setdefault(username, []).append(member)
            names = [username]
            for display in (member.global_name, member.nick):
                key = _key(display) if display else ""
                if key and key not in names:  # equal to the username: rule 1 decides anyway
                    names.append(key)
                    self._by_display.setdefault(key, []).append(member)
            self._names.append((member, tuple(names)))
        self._close_pool: dict[str, list[Member]] | None = None

    def match(self, text: str) -> MentionMatch:
        """Match the whole text; failing that, the text without a ``#1234`` tag."""
        query = _key(text)
        if not query:  # blank text names no one (it is inside every name)
            return MentionNotFound(())
        found = self._match_key(query)
        bare = _without_discriminator(text)
        if isinstance(found, MentionNotFound) and bare != text:
            return self._match_key(_key(bare))
        return found

    def _match_key(self, query: str) -> MentionMatch:
        by_username = self._by_username.get(query, [])
        if len(by_username) == 1:
            return MentionFound(by_username[0])
        by_display = self._by_display.get(query, [])
        if not by_username and len(by_display) == 1:
            return MentionFound(by_display[0])
        ranked = self._ranked(query)
        if len(ranked) == 1:
            return MentionFound(ranked[0])
        if ranked:
            return MentionAmbiguous(self._suggestions(ranked))
        return MentionNotFound(self._suggestions(self._close(query)))

    def _ranked(self, query: str) -> list[Member]:
        """Members with the query in a name, best first (see :class:`MentionAmbiguous`)."""
        scored: list[tuple[tuple[int, int], str, int, Member]] = []
        for member, names in self._names:
            fits = [(_rank(name, query), len(name)) for name in names if query in name]
            if fits:
                scored.append((min(fits), names[0], member.user_id, member))
        scored.sort(key=lambda score: score[:3])
        return [member for *_, member in scored]

    def _close(self, query: str) -> list[Member]:
        """Members whose names are spelled like the query, closest first."""
        if self._close_pool is None:
            self._close_pool = {}
            for member, names in self._names:
                for name in names:
                    self._close_pool.setdefault(name, []).append(member)
        if len(self._close_pool) > CLOSE_NAMES_POOL:
            return []
        similar = difflib.get_close_matches(query, self._close_pool, n=MAX_SUGGESTIONS)
        close = (member for name in similar for member in self._close_pool[name])
        return list(dict.fromkeys(close))

    def _suggestions(self, members: list[Member]) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(
                user_id=m.user_id,
                label=_label(m),
                replacement=self._replacement(m),
                username=m.username,
                display_name=m.display_name,
            )
            for m in members[:MAX_SUGGESTIONS]
        )

    def _replacement(self, member: Member) -> str:
        """``@username`` when that picks exactly this member (rule 1), else ``<@id>``."""
        text = f"@{member.username}"
        unique = len(self._by_username[_key(member.username)]) == 1
        parses = _split(text) == [text] and _classify(text) == MentionEntry(text, member.username)
        if unique and parses and len(member.username) <= MAX_MENTION_LENGTH:
            return text
        return f"<@{member.user_id}>"


def _rank(name: str, query: str) -> int:
    """0 for an exact match, 1 for a prefix match, 2 for a match inside the name."""
    if name == query:
        return 0
    return 1 if name.startswith(query) else 2


def _label(member: Member) -> str:
    """``Sam Smith (@samsmith)``, or just ``@samsmith`` when the display name is the username."""
    if member.display_name == member.username:
        return f"@{member.username}"
    return f"{member.display_name} (@{member.username})"
