"""The selected game's detail: who is in it, its settings and their sources, what is planned
and what became of it, and its history. Members by display name when Discord is there to
ask, else by id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gamesched.services.history import HistoryEntry
from gamesched.services.overview import GameRecord, JobRecord
from gamesched.services.planning import JobKind
from tui._format import (
    history_line,
    job_text,
    member,
    members,
    relative,
    setting_rows,
    status_text,
    when,
    when_with_year,
    zone_name,
)

HISTORY_SHOWN = 30
"""The latest history entries the detail lists (the CLI's ``games history`` has them all)."""


@dataclass(frozen=True, slots=True)
class Detail:
    """What the detail pane shows about one game, read in one go."""

    record: GameRecord
    history: tuple[HistoryEntry, ...]
    names: Mapping[int, str]
    """Display names by member id; empty when no names were looked up."""

    @property
    def game_id(self) -> int:
        return self.record.game.id

    @property
    def member_ids(self) -> tuple[int, ...]:
        return member_ids(self.record, self.history)


def member_ids(record: GameRecord, history: Sequence[HistoryEntry]) -> tuple[int, ...]:
    """Every member the detail names: host, players, the unreachable, history's actors."""
    game = record.game
    found = [game.host_id, *game.joined, *game.waitlist, *record.unreachable]
    for job in record.jobs:
        found += [*job.sent_to, *job.refused]
    found += [entry.member_id for entry in history if entry.member_id is not None]
    return tuple(dict.fromkeys(found))


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _job_outcome(job: JobRecord, names: Mapping[int, str], zone: tzinfo) -> str:
    if job.done_at is None:
        return "planned"
    outcome = f"{job.outcome or 'done'} {when(job.done_at, zone)}"
    if job.kind == JobKind.REMINDER:
        outcome += f"; DM sent to {len(job.sent_to)}"
        if job.refused:
            outcome += f", refused by {members(job.refused, names)}"
    return outcome


def render_detail(detail: Detail, *, now: datetime, zone: tzinfo) -> RenderableType:
    record, names = detail.record, detail.names
    game = record.game
    head = Text()
    head.append(f"#{game.id} ", style="dim")
    head.append(game.title, style="bold")
    head.append("  ")
    head.append_text(status_text(game.status))
    lines: list[RenderableType] = [head]
    lines.append(
        Text(
            f"Starts {when_with_year(game.start_at, zone)} {zone_name(zone)} "
            f"({relative(game.start_at, now)}), ends {when(game.end_at, zone)}  ·  "
            f"server {game.guild_id}, channel {game.channel_id}  ·  "
            f"host {member(game.host_id, names)}"
        )
    )
    announced = (
        "not posted yet"
        if game.message_id is None
        else f"message {game.message_id}, shows version {game.rendered_version} of {game.version}"
    )
    lines.append(Text(f"Announcement: {announced}", style="yellow" if game.needs_sync else ""))
    if game.description:
        lines.append(Text(game.description, style="italic"))

    lines.append(_section(f"Players {len(game.joined)}/{game.max_players}"))
    lines.append(Text(f"Seated: {members(game.joined, names)}"))
    if game.placeholders:
        lines.append(Text("Placeholders: " + ", ".join(game.placeholders)))
    lines.append(Text(f"Waitlist: {members(game.waitlist, names)}"))
    if record.unreachable:
        lines.append(
            Text(f"Could not be reached by DM: {members(record.unreachable, names)}", style="red")
        )

    lines.append(_section("Settings"))
    settings = Table.grid(padding=(0, 2))
    for label, value, source in setting_rows(game.settings):
        settings.add_row(label, value, Text(source, style="dim"))
    lines.append(settings)

    lines.append(_section("Reminders and status changes"))
    if record.jobs:
        jobs = Table.grid(padding=(0, 2))
        for job in record.jobs:
            jobs.add_row(
                job_text(JobKind(job.kind), job.offset_minutes),
                when(job.due_at, zone),
                relative(job.due_at, now),
                _job_outcome(job, names, zone),
            )
        lines.append(jobs)
    else:
        lines.append(Text("none planned", style="dim"))

    shown = detail.history[-HISTORY_SHOWN:]
    lines.append(_section(f"History ({len(detail.history)})"))
    if len(detail.history) > len(shown):
        lines.append(Text(f"… {len(detail.history) - len(shown)} older entries", style="dim"))
    for entry in shown:
        lines.append(Text(history_line(entry, names, zone)))
    if not detail.history:
        lines.append(Text("nothing recorded", style="dim"))
    return Group(*lines)
