"""What the bot adds to a domain error's neutral sentence: the Discord way to fix it.

The domain says what went wrong (``error.fault``) in words every front end can show; only the
bot knows its slash commands, options and mention syntax, so that advice lives here, one
entry per fault kind. Faults not listed (and errors the bot raised in its own words) are
shown as they are.
"""

from __future__ import annotations

from gamesched.domain.errors import DomainError, HostRoleRequired, NoHostRoles, UnknownGame


def discord_hint(error: DomainError) -> str | None:
    """The sentence that tells a Discord user how to fix ``error``, if the bot has one."""
    match error.fault:
        case UnknownGame():
            return "Check the number with /list-games."
        case NoHostRoles():
            return "An admin can allow a role with /config-guild add_host_role."
        case HostRoleRequired(role_ids=role_ids):
            return "Host roles here: " + ", ".join(f"<@&{r}>" for r in role_ids) + "."
    return None


def discord_text(error: DomainError) -> str:
    """The error's neutral sentence, followed by the Discord hint when there is one."""
    hint = discord_hint(error)
    return error.message if hint is None else f"{error.message} {hint}"
