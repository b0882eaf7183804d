"""Domain errors. Their text is written for the person who caused them and is safe to show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One candidate offered when an entry was ambiguous."""

    user_id: int
    """The Discord user id of the candidate."""
    label: str
    """How to show the candidate, e.g. ``Sam Smith (@samsmith)``."""
    replacement: str
    """The text that, typed in place of the bad entry, picks exactly this candidate."""


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


class DomainError(Exception):
    """Base class: the message is user-safe and says how to fix the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """A submission had one or more problems; nothing was written."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        lines = [
            f"{p.entry}: {p.message}" if p.entry is not None else p.message for p in self.problems
        ]
        super().__init__("\n".join(lines) if lines else "The submission is not valid.")


class PermissionDenied(DomainError):
    """The actor lacks a permission or role; the message names what is missing."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the actor)."""


class Conflict(DomainError):
    """The action does not fit the current state (already joined, not joined, ...)."""


class IllegalTransition(Conflict):
    """A game status change that the lifecycle does not allow."""
