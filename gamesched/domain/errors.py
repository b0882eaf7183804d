"""Domain errors: what went wrong as a value, with a neutral sentence any front end can show.

Every error carries a **fault**: a frozen value naming what went wrong (its class, with a
stable :class:`Reason` code) and the values involved (the game id, the missing permission,
the roles that would allow it, the game's status...). ``error.message`` is the fault's
sentence: user-safe, saying what is wrong, and never advising one front end's controls (no
slash commands, buttons or pages), because the same error reaches Discord, the web, the CLI
and the TUI alike.

The exception class is the broad kind to branch on first:

- :class:`ValidationFailed`: a submission had problems; ``problems`` lists them per field.
- :class:`PermissionDenied`, :class:`NotFound`, :class:`Conflict` (and its
  :class:`IllegalTransition`): each accepts only its own faults (see their signatures).

Adding a front end's hint
-------------------------
Each front end turns faults into its own advice in one place of its own; the domain never
does. The bot's is ``gamesched.bot.hints``. A web page (or the CLI, or the TUI) writes
the same kind of function in its own words, matching on the fault classes and reading their
values, e.g.::

    def web_hint(error: DomainError) -> str | None:
        match error.fault:
            case UnknownGame():
                return "The games page lists every game with its number."
            case NoHostRoles():
                return "A server admin can allow a role on the server's settings page."
            case HostRoleRequired(role_ids=role_ids):
                return "Host roles here: " + ", ".join(role_name(r) for r in role_ids) + "."
        return None

and shows ``f"{error.message} {hint}"``. A front end that answers in data rather than words
uses ``error.reason`` (a stable code, e.g. for a JSON body or an exit status) and
``dataclasses.asdict(error.fault)`` (the values: ints, strings, enums, tuples). :data:`Fault`
is the closed union of the fault classes, so a function that must handle every kind can end
in ``typing.assert_never``.

A front end that raises a domain error in its own words passes just the sentence; its fault
is then :class:`Plain` (reason ``OTHER``), which no hint table matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, TypeAlias

from gamesched.domain.permission_bits import Permission
from gamesched.domain.status import GameStatus


class Reason(StrEnum):
    """What went wrong, as a stable code: one per fault class (the ``reason`` of each)."""

    OTHER = "other"
    """A sentence without structure (:class:`Plain`)."""
    INVALID = "invalid"
    """A submission had problems (:class:`Invalid`)."""
    GAME_NOT_FOUND = "game_not_found"
    PLACEHOLDER_NOT_FOUND = "placeholder_not_found"
    CHANNEL_NOT_VISIBLE = "channel_not_visible"
    HOST_ROLE_REQUIRED = "host_role_required"
    NO_HOST_ROLES = "no_host_roles"
    NOT_HOST_OR_ADMIN = "not_host_or_admin"
    SETTINGS_PERMISSION = "settings_permission"
    ALREADY_JOINED = "already_joined"
    ALREADY_WAITLISTED = "already_waitlisted"
    NOT_IN_GAME = "not_in_game"
    GAME_NOT_OPEN = "game_not_open"
    PLACEHOLDER_GONE = "placeholder_gone"
    ALREADY_IN_STATUS = "already_in_status"
    ILLEGAL_TRANSITION = "illegal_transition"


class GameAction(StrEnum):
    """Something a player or host does to a scheduled game (to say what is no longer possible)."""

    JOIN = "join"
    LEAVE = "leave"
    EDIT = "edit"
    CHANGE_PLACEHOLDERS = "change_placeholders"
    REMOVE_PLAYERS = "remove_players"

    @property
    def phrase(self) -> str:
        """The action as the end of a sentence: ``you can no longer <phrase>``."""
        return _ACTION_PHRASES[self]


_ACTION_PHRASES = {
    GameAction.JOIN: "join it",
    GameAction.LEAVE: "leave it",
    GameAction.EDIT: "edit it",
    GameAction.CHANGE_PLACEHOLDERS: "change its placeholders",
    GameAction.REMOVE_PLAYERS: "remove its players",
}


class SettingsLevel(StrEnum):
    """The place whose settings someone tried to change."""

    GUILD = "guild"
    CHANNEL = "channel"

    @property
    def permission(self) -> Permission:
        """What changing this level's settings needs."""
        return (
            Permission.MANAGE_GUILD if self is SettingsLevel.GUILD else Permission.MANAGE_CHANNELS
        )

    @property
    def label(self) -> str:
        """The level as a person calls it (a guild is a server)."""
        return "server" if self is SettingsLevel.GUILD else "channel"


# --- validation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One candidate offered when an entry was ambiguous."""

    user_id: int
    """The Discord user id of the candidate."""
    label: str
    """How to show the candidate, e.g. ``Sam Smith (@samsmith)``."""
    replacement: str
    """The text that, typed in place of the bad entry, picks exactly this candidate."""
    username: str = ""
    """The candidate's unique Discord username (for front ends that lay the label out)."""
    display_name: str = ""
    """The name Discord shows for the candidate in the guild: nick, else global name, else
    username."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of a submission."""

    field: str
    """The form field at fault: ``title``, ``when``, ``participants``, ``max_players``..."""
    message: str
    """What is wrong and how to fix it, in one sentence."""
    entry: str | None = None
    """The offending piece of input, when the field holds several entries."""
    suggestions: tuple[Suggestion, ...] = ()
    """Candidates the user can pick from (ambiguous mentions)."""


# --- faults --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plain:
    """A sentence without structure: an error a front end raised in its own words."""

    reason: ClassVar[Reason] = Reason.OTHER
    message: str
    """The sentence, shown as it is."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """A submission had one or more problems; nothing was written."""

    reason: ClassVar[Reason] = Reason.INVALID
    problems: tuple[Problem, ...]
    """Every problem, in the order found."""

    @property
    def message(self) -> str:
        """One line per problem, prefixed with the offending entry when there is one."""
        lines = [
            f"{p.entry}: {p.message}" if p.entry is not None else p.message for p in self.problems
        ]
        return "\n".join(lines) if lines else "The submission is not valid."


@dataclass(frozen=True, slots=True)
class UnknownGame:
    """No game has this number (among the games the actor may see)."""

    reason: ClassVar[Reason] = Reason.GAME_NOT_FOUND
    game_id: int
    """The number asked for."""
    in_guild: bool = False
    """The search kept to the guild the actor acts in: a game of another guild is answered
    as if it did not exist."""

    @property
    def message(self) -> str:
        where = " in this server" if self.in_guild else ""
        return f"There is no game #{self.game_id}{where}."


@dataclass(frozen=True, slots=True)
class UnknownPlaceholder:
    """A host named a placeholder slot the game does not have."""

    reason: ClassVar[Reason] = Reason.PLACEHOLDER_NOT_FOUND
    typed: str
    """What the host typed, trimmed."""
    placeholders: tuple[str, ...]
    """The game's placeholder slots (empty when it has none)."""

    @property
    def message(self) -> str:
        if not self.placeholders:
            return "This game has no placeholder slots."
        choices = ", ".join(f"`{p}`" for p in self.placeholders)
        return f"This game has no placeholder `{self.typed}`. Its placeholders: {choices}."


@dataclass(frozen=True, slots=True)
class ChannelHidden:
    """A would-be host cannot see the channel the game would be announced in."""

    reason: ClassVar[Reason] = Reason.CHANNEL_NOT_VISIBLE
    permission: Permission = field(default=Permission.VIEW_CHANNEL, init=False)
    """What is missing."""

    @property
    def message(self) -> str:
        return (
            "You cannot see that channel, so you cannot announce a game there. "
            "Pick a channel you can see."
        )


@dataclass(frozen=True, slots=True)
class HostRoleRequired:
    """Host roles are set for the channel, and the would-be host holds none of them."""

    reason: ClassVar[Reason] = Reason.HOST_ROLE_REQUIRED
    role_ids: tuple[int, ...]
    """The roles any one of which would allow it, in ascending id order."""

    @property
    def message(self) -> str:
        return "Creating games here needs a host role; ask a server admin for one."


@dataclass(frozen=True, slots=True)
class NoHostRoles:
    """No host roles are set, so creating games needs Manage Server, which the actor lacks."""

    reason: ClassVar[Reason] = Reason.NO_HOST_ROLES
    permission: Permission = field(default=Permission.MANAGE_GUILD, init=False)
    """What is missing."""

    @property
    def message(self) -> str:
        return (
            f"Creating games needs the {self.permission.label} permission, "
            "because no host roles are set."
        )


@dataclass(frozen=True, slots=True)
class NotHostOrAdmin:
    """Someone other than the host, without Manage Server, tried to change a game."""

    reason: ClassVar[Reason] = Reason.NOT_HOST_OR_ADMIN
    host_id: int
    """The game's host, who may change it."""
    permission: Permission = field(default=Permission.MANAGE_GUILD, init=False)
    """What would allow it to anyone else."""

    @property
    def message(self) -> str:
        return (
            f"Only the game's host or someone with the {self.permission.label} permission "
            "can change this game."
        )


@dataclass(frozen=True, slots=True)
class SettingsPermission:
    """Someone without the needed permission tried to change a guild's or channel's settings."""

    reason: ClassVar[Reason] = Reason.SETTINGS_PERMISSION
    level: SettingsLevel
    """Whose settings."""

    @property
    def permission(self) -> Permission:
        """What is missing."""
        return self.level.permission

    @property
    def message(self) -> str:
        return f"Changing {self.level.label} settings needs the {self.permission.label} permission."


@dataclass(frozen=True, slots=True)
class AlreadyJoined:
    """A member who holds a seat tried to join again."""

    reason: ClassVar[Reason] = Reason.ALREADY_JOINED
    user_id: int

    @property
    def message(self) -> str:
        return "You have already joined this game."


@dataclass(frozen=True, slots=True)
class AlreadyWaitlisted:
    """A waitlisted member tried to join again."""

    reason: ClassVar[Reason] = Reason.ALREADY_WAITLISTED
    user_id: int
    position: int
    """Their 1-based place in line."""

    @property
    def message(self) -> str:
        return f"You are already on the waitlist (position {self.position})."


@dataclass(frozen=True, slots=True)
class NotInGame:
    """A member who is neither joined nor waitlisted tried to leave."""

    reason: ClassVar[Reason] = Reason.NOT_IN_GAME
    user_id: int
    leaving: bool = True
    """They tried to leave themselves (else someone tried to remove them)."""

    @property
    def message(self) -> str:
        if self.leaving:
            return "You are not in this game, so there is nothing to leave."
        return "That member is not in this game (not seated, not waitlisted): nothing to remove."


@dataclass(frozen=True, slots=True)
class GameNotOpen:
    """The game is no longer scheduled, so the action is no longer possible."""

    reason: ClassVar[Reason] = Reason.GAME_NOT_OPEN
    game_id: int
    status: GameStatus
    """Where the game is now."""
    action: GameAction
    """What was attempted."""

    @property
    def message(self) -> str:
        return f"This game is {self.status.label}, so you can no longer {self.action.phrase}."


@dataclass(frozen=True, slots=True)
class PlaceholderGone:
    """The placeholder was removed by another change between reading and writing."""

    reason: ClassVar[Reason] = Reason.PLACEHOLDER_GONE
    game_id: int
    placeholder: str

    @property
    def message(self) -> str:
        return (
            "That placeholder was just removed by another change; "
            "check the game's placeholders and try again."
        )


@dataclass(frozen=True, slots=True)
class AlreadyInStatus:
    """A status change to the status the game already has."""

    reason: ClassVar[Reason] = Reason.ALREADY_IN_STATUS
    status: GameStatus

    @property
    def message(self) -> str:
        return f"This game is already {self.status.label}."


@dataclass(frozen=True, slots=True)
class TransitionRefused:
    """A status change the lifecycle does not allow (e.g. out of a final status)."""

    reason: ClassVar[Reason] = Reason.ILLEGAL_TRANSITION
    current: GameStatus
    target: GameStatus

    @property
    def message(self) -> str:
        return f"This game is {self.current.label}; it cannot become {self.target.label}."


NotFoundFault: TypeAlias = UnknownGame | UnknownPlaceholder
PermissionFault: TypeAlias = (
    ChannelHidden | HostRoleRequired | NoHostRoles | NotHostOrAdmin | SettingsPermission
)
TransitionFault: TypeAlias = AlreadyInStatus | TransitionRefused
ConflictFault: TypeAlias = (
    AlreadyJoined | AlreadyWaitlisted | NotInGame | GameNotOpen | PlaceholderGone | TransitionFault
)
Fault: TypeAlias = Plain | Invalid | NotFoundFault | PermissionFault | ConflictFault
"""Every fault class: what a front end matches on to add its hint."""


# --- exceptions ----------------------------------------------------------------------------


class DomainError(Exception):
    """Base class: ``fault`` says what went wrong, ``message`` is its user-safe sentence."""

    def __init__(self, fault: Fault | str) -> None:
        self.fault: Fault = Plain(fault) if isinstance(fault, str) else fault
        self.message: str = self.fault.message
        super().__init__(self.message)

    @property
    def reason(self) -> Reason:
        """The fault's stable code."""
        return self.fault.reason


class ValidationFailed(DomainError):
    """A submission had one or more problems; nothing was written."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__(Invalid(self.problems))


class PermissionDenied(DomainError):
    """The actor lacks a permission or role; the fault names what is missing."""

    def __init__(self, fault: PermissionFault | str) -> None:
        super().__init__(fault)


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the actor)."""

    def __init__(self, fault: NotFoundFault | str) -> None:
        super().__init__(fault)


class Conflict(DomainError):
    """The action does not fit the current state (already joined, not joined, ...)."""

    def __init__(self, fault: ConflictFault | str) -> None:
        super().__init__(fault)


class IllegalTransition(Conflict):
    """A game status change that the lifecycle does not allow."""

    def __init__(self, fault: TransitionFault | str) -> None:
        super().__init__(fault)
