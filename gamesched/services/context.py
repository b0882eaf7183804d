"""What every use case needs: the database, a clock (tests pass a fake one) and the front end
the change comes from (recorded in the history)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from gamesched.db.engine import Database, database_failure
from gamesched.domain.entries import Entries, Member
from gamesched.metrics import count_error


class MemberDirectory(Protocol):
    """Finds the guild members that participant entries could mean.

    The bot answers from its member cache, other processes from Discord's REST API; the
    domain then decides which member each entry means.
    """

    async def candidates(self, guild_id: int, entries: Entries) -> Sequence[Member]: ...


class FrontEnd(StrEnum):
    """Where a change was made, as the history shows it."""

    BOT = "bot"
    WEB = "web"
    CLI = "cli"
    TUI = "tui"
    WORKER = "worker"
    """Changes the worker makes by the clock (a game starting, a game ending)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """The front end changes come from, and the operator at the terminal for the CLI and TUI."""

    front_end: FrontEnd
    operator: str | None = None
    """The operator's login name on this machine; None for changes made by Discord members."""


def _precise_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Context:
    """The database and clock a use case runs with."""

    database: Database
    clock: Callable[[], datetime] = field(default=_precise_now)
    """Returns now, aware UTC, to the microsecond (the dispatcher sleeps until due times by
    it); :meth:`now` gives the whole-second time that is stored."""
    on_due_work: Callable[[], None] | None = None
    """Called after a commit that planned side effects or changed a game, so the worker's
    dispatcher wakes at once instead of at its next check."""
    origin: Origin = Origin(FrontEnd.BOT)
    """Where this context's changes come from: each front end passes its own
    (:meth:`acting_from`); the bot, the main one, is the default."""

    def acting_from(self, origin: Origin) -> Context:
        """The same database and clock, recording changes as made from ``origin``."""
        return replace(self, origin=origin)

    def now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session in one transaction: committed on success, rolled back on any error.

        A database failure on the way is counted (``gamesched_errors_total``) as it passes.
        """
        try:
            async with self.database.sessions() as session:
                async with session.begin():
                    yield session
                if session.info.pop(DUE_WORK, False) and self.on_due_work is not None:
                    self.on_due_work()
                for committed in session.info.pop(AFTER_COMMIT, ()):
                    committed()
        except Exception as error:
            if database_failure(error) is not None:
                count_error("database", error)
            raise


DUE_WORK = "gamesched.due_work"
"""Session flag: this transaction wrote rows a worker must act on."""
AFTER_COMMIT = "gamesched.after_commit"
"""Session list: what to do once this transaction committed (nothing if it rolled back)."""


def after_commit(session: Session | AsyncSession, action: Callable[[], None]) -> None:
    """Do ``action`` once the open transaction has committed (e.g. count what it closed, so
    a rolled-back change is never counted)."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


def mark_due_work(session: Session | AsyncSession) -> None:
    """Note that the open transaction leaves work for the worker (reminders, DMs, a sync)."""
    session.info[DUE_WORK] = True
