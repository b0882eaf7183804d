"""Who a message pings, following Discord's ``allowed_mentions`` rules.

Rules (Discord docs, "Allowed Mentions Object" and its reference examples):

- Without ``allowed_mentions`` every mention written in the content pings: ``<@id>``,
  ``<@!id>``, ``<@&id>``, ``@everyone`` and ``@here``; a reply pings the replied-to author.
- With it, a kind of mention pings only if ``parse`` names it, or (users and roles) if its id
  is listed in ``users`` / ``roles``; listed ids ping only when the content mentions them.
  ``{"parse": []}`` and ``{}`` ping nobody. The replied-to author is pinged only with
  ``replied_user: true``.
- Only content is parsed: embeds, components and other fields never ping.
- A role mention pings only a mentionable role, unless the author may mention everyone;
  ``@everyone`` / ``@here`` ping only if the author may mention everyone.

Mentions inside inline code or code blocks are counted as pings. Discord's documentation does
not say that markdown shields them, and reports disagree; counting them is the safe side for a
server that checks the bot never pings by accident: the bot must silence mentions with
``allowed_mentions``, never by relying on backticks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from gamesched.sandbox.limits import is_snowflake

USER_MENTION: Final = re.compile(r"<@!?(\d+)>")
"""``<@id>`` and the older nickname form ``<@!id>``."""
ROLE_MENTION: Final = re.compile(r"<@&(\d+)>")
"""``<@&id>``."""
EVERYONE_MENTION: Final = re.compile(r"@(?:everyone|here)")
"""``@everyone`` and ``@here``; the allowed-mention type ``everyone`` controls both."""


@dataclass(frozen=True, slots=True)
class Pings:
    """Who receives a notification for one message."""

    users: frozenset[int]
    """Users pinged by a user mention or as the replied-to author."""
    roles: frozenset[int]
    """Roles whose members are pinged."""
    everyone: bool
    """Whether ``@everyone`` or ``@here`` pings."""

    @property
    def nobody(self) -> bool:
        """True when the message notifies no one."""
        return not (self.users or self.roles or self.everyone)


def compute_pings(
    *,
    content: str | None,
    allowed_mentions: Mapping[str, Any] | None,
    default_allowed_mentions: Mapping[str, Any] | None = None,
    mentionable_role_ids: Collection[int] | None = None,
    author_can_mention_everyone: bool = False,
    replied_user_id: int | None = None,
) -> Pings:
    """Return who the message pings.

    ``allowed_mentions`` is the message's own field (None when the key was absent), and
    ``default_allowed_mentions`` stands in for it when it is absent; when both are None,
    Discord's own default applies (everything in the content pings). ``mentionable_role_ids``
    None means no role is mentionable. ``replied_user_id`` is the author of the message this
    one replies to, if it is a reply.
    """
    text = content or ""
    users = {int(found) for found in USER_MENTION.findall(text)}
    roles = {int(found) for found in ROLE_MENTION.findall(text)}
    everyone = EVERYONE_MENTION.search(text) is not None
    reply = replied_user_id is not None

    rules = allowed_mentions if allowed_mentions is not None else default_allowed_mentions
    if rules is not None:
        parse = _strings(rules.get("parse"))
        if "users" not in parse:
            users &= _ids(rules.get("users"))
        if "roles" not in parse:
            roles &= _ids(rules.get("roles"))
        everyone = everyone and "everyone" in parse
        reply = reply and rules.get("replied_user") is True

    if not author_can_mention_everyone:
        roles &= set(mentionable_role_ids or ())
        everyone = False
    if reply and replied_user_id is not None:
        users.add(replied_user_id)
    return Pings(users=frozenset(users), roles=frozenset(roles), everyone=everyone)


def _strings(values: Any) -> set[str]:
    return {v for v in values if isinstance(v, str)} if _is_list(values) else set()


def _ids(values: Any) -> set[int]:
    """The valid ids of a ``users`` / ``roles`` list; the limits checks report invalid ones."""
    if not _is_list(values):
        return set()
    return {int(v) for v in values if is_snowflake(v)}


def _is_list(values: Any) -> bool:
    return isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)
