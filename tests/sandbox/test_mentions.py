"""Who a message pings under Discord's allowed_mentions rules."""

from __future__ import annotations

from typing import Any

from gamesched.sandbox.mentions import Pings, compute_pings

EVERYTHING = "<@1> <@!2> <@&30> @everyone"
"""Content with a user, a nickname-form user, a role and an everyone mention."""


def pings(
    content: str | None = EVERYTHING, allowed: dict[str, Any] | None = None, **kw: Any
) -> Pings:
    """Pings for ``content`` by an author who may mention everyone, role 30 mentionable."""
    options: dict[str, Any] = {
        "mentionable_role_ids": {30},
        "author_can_mention_everyone": True,
        **kw,
    }
    return compute_pings(content=content, allowed_mentions=allowed, **options)


def test_without_allowed_mentions_everything_in_content_pings() -> None:
    """With no allowed_mentions key, user, role and everyone mentions in the content all ping."""
    assert pings() == Pings(users=frozenset({1, 2}), roles=frozenset({30}), everyone=True)


def test_here_counts_as_everyone() -> None:
    """@here pings like @everyone and is governed by the same 'everyone' type."""
    assert pings("@here").everyone
    assert not pings("@here", {"parse": ["users"]}).everyone


def test_empty_parse_pings_nobody() -> None:
    """allowed_mentions {"parse": []} silences every mention in the content."""
    assert pings(allowed={"parse": []}).nobody


def test_empty_allowed_mentions_pings_nobody() -> None:
    """An allowed_mentions object with no fields allows nothing."""
    assert pings(allowed={}).nobody


def test_parse_allows_only_the_named_kinds() -> None:
    """parse ["users"] lets user mentions ping but not roles or everyone."""
    assert pings(allowed={"parse": ["users"]}) == Pings(
        users=frozenset({1, 2}), roles=frozenset(), everyone=False
    )
    assert pings(allowed={"parse": ["roles", "everyone"]}) == Pings(
        users=frozenset(), roles=frozenset({30}), everyone=True
    )


def test_listed_user_ids_ping_only_when_mentioned_in_content() -> None:
    """users lists who may be pinged; a listed id absent from the content is not pinged."""
    result = pings("<@1> <@2>", {"users": ["1", 5]})
    assert result.users == {1}


def test_listed_role_ids_ping_only_when_mentioned_in_content() -> None:
    """roles lists which roles may be pinged, still only if the content mentions them."""
    result = pings("<@&30> <@&31>", {"roles": [30, "40"]}, mentionable_role_ids={30, 31, 40})
    assert result.roles == {30}


def test_role_mentions_need_a_mentionable_role_or_permission() -> None:
    """A non-mentionable role pings only when the author may mention everyone."""
    assert pings("<@&31>", author_can_mention_everyone=False).roles == set()
    assert pings("<@&30>", author_can_mention_everyone=False).roles == {30}
    assert pings("<@&31>").roles == {31}


def test_no_role_is_mentionable_unless_said_so() -> None:
    """Without mentionable_role_ids, role mentions by an ordinary author ping nobody."""
    assert compute_pings(content="<@&30>", allowed_mentions=None).nobody


def test_everyone_needs_the_permission() -> None:
    """@everyone does not ping when the author may not mention everyone, even if parsed."""
    result = pings("@everyone", {"parse": ["everyone"]}, author_can_mention_everyone=False)
    assert not result.everyone


def test_reply_pings_the_replied_author_by_default() -> None:
    """A reply without allowed_mentions pings the author of the message replied to."""
    assert pings("thanks", replied_user_id=9).users == {9}


def test_reply_with_allowed_mentions_pings_author_only_if_asked() -> None:
    """With allowed_mentions, the replied-to author is pinged only with replied_user true."""
    assert pings("thanks", {"parse": ["users"]}, replied_user_id=9).nobody
    assert pings("thanks", {"replied_user": True}, replied_user_id=9).users == {9}


def test_default_allowed_mentions_apply_when_the_message_has_none() -> None:
    """The default stands in for a missing allowed_mentions and yields to a present one."""
    assert pings(default_allowed_mentions={"parse": []}).nobody
    result = pings(allowed={"parse": ["users"]}, default_allowed_mentions={"parse": []})
    assert result.users == {1, 2}


def test_mentions_in_code_still_ping() -> None:
    """Backticks do not shield mentions: inline code and code blocks are parsed too."""
    result = pings("`<@1>`\n```\n<@&30> @everyone\n```")
    assert result == Pings(users=frozenset({1}), roles=frozenset({30}), everyone=True)


def test_only_content_is_parsed() -> None:
    """A message without content pings nobody: embeds and components are never parsed."""
    assert pings(None).nobody
    assert pings("").nobody


def test_text_that_only_looks_like_a_mention_does_not_ping() -> None:
    """Malformed mentions such as <@abc> or <@ 1> are plain text."""
    assert pings("<@abc> <@ 1> <@&> @every one").nobody


def test_invalid_listed_ids_are_ignored() -> None:
    """Garbage in the users list never raises; it simply allows nobody."""
    assert pings("<@1>", {"users": ["abc", None, True]}).nobody
