"""The operator's terminal dashboard (``gamesched tui``): every guild's games, live.

Layout: a health header; on the Games tab a tree of guilds and channels, the selected level's
games (a page at a time, more loaded as the cursor or the scroll nears the end) and the
selected game's detail; an Upcoming tab (reminders and status changes not done yet, soonest
first) and a Problems tab (closed DMs, missed reminders, announcements that did not post).

Live: every :attr:`Dashboard.poll_seconds` the dashboard asks which games changed since the
last poll (:func:`gamesched.services.overview.changed_games`, one cheap query) and updates
those rows in place by key, so the cursor and the scroll stay where they are.

Tests build it with :func:`create_dashboard` on a test database's services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import (
    DataTable,
    Footer,
    Input,
    Static,
    TabbedContent,
    TabPane,
    Tree,
)
from textual.widgets.tree import TreeNode

from gamesched.app import (
    DiscordTarget,
    Operating,
    ServiceUnavailable,
    database_in_use,
    operating,
)
from gamesched.config import Config
from gamesched.discord.rest import DiscordError
from gamesched.domain.errors import DomainError
from gamesched.domain.status import GameStatus
from gamesched.services import history, overview, reminders
from gamesched.services.context import FrontEnd
from gamesched.services.overview import (
    DASHBOARD_STATUSES,
    ChannelOverview,
    GameLine,
    GuildOverview,
)
from tui._detail import Detail, member_ids, render_detail
from tui._format import (
    job_text,
    member,
    relative,
    seats_text,
    status_text,
    when,
    zone_name,
)
from tui._health import HealthProbe
from tui._help import HelpScreen
from tui.actions import (
    AssignPlaceholderScreen,
    CancelGameScreen,
    CreateGameScreen,
    EditGameScreen,
    MoveGameScreen,
    RemovePlayerScreen,
    RetryScreen,
    SettingsScreen,
)

T = TypeVar("T")

PAGE_SIZE = 200
"""Games loaded at a time; the next page loads when the cursor or the scroll nears the end."""
LOAD_AHEAD = 40
"""How close to the last loaded row the cursor or the scroll gets before the next page loads."""
VIEW_LIMIT = 200
"""The most rows the Upcoming and Problems tabs list."""
RECHECK = timedelta(seconds=30)
"""A row whose reminder fell due (and no worker has sent it yet) is read again this often."""
SETTLE_SECONDS = 0.15
"""How long the cursor rests on a game (or a tree node) before its detail (or games) load."""

RESERVED_KEYS: Mapping[str, str] = {
    "n": "New game",
    "e": "Edit",
    "c": "Cancel",
    "m": "Move",
    "x": "Remove player",
    "p": "Assign placeholder",
    "s": "Settings",
    "t": "Retry reminder",
}
"""Keys kept for the actions on games and settings (they show in the footer once wired)."""

GAME_ACTIONS: Mapping[str, Callable[..., ModalScreen[str | None]]] = {
    "cancel": CancelGameScreen,
    "move": MoveGameScreen,
    "remove": RemovePlayerScreen,
    "assign": AssignPlaceholderScreen,
    "retry": RetryScreen,
}
"""The screens that act on the selected game given only its id (editing also needs the zone)."""

GAME_COLUMNS = (
    ("id", "#", 5),
    ("title", "Title", 26),
    ("start", "Starts", 16),
    ("in", "In", 10),
    ("status", "Status", 9),
    ("seats", "Seats", 5),
    ("wait", "Wait", 4),
    ("reminder", "Next reminder", 16),
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which games the table lists."""

    guild_id: int | None = None
    channel_id: int | None = None
    text: str = ""
    every_status: bool = False
    """Also completed and cancelled games (else those still to come or running)."""

    @property
    def statuses(self) -> tuple[GameStatus, ...]:
        return () if self.every_status else DASHBOARD_STATUSES

    def holds(self, line: GameLine) -> bool:
        """Whether a game belongs in the table (the same test the database applies)."""
        if self.guild_id is not None and line.guild_id != self.guild_id:
            return False
        if self.channel_id is not None and line.channel_id != self.channel_id:
            return False
        if self.statuses and line.status not in self.statuses:
            return False
        wanted = self.text.strip().lower()
        return not wanted or wanted in line.title.lower() or wanted in (line.category or "").lower()


class GameTable(DataTable[Text]):
    """The games table; says when the scroll nears the last loaded row."""

    class NearEnd(Message):
        pass

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and new_value + self.size.height >= self.row_count - LOAD_AHEAD:
            self.post_message(self.NearEnd())


class Dashboard(App[None]):
    """The terminal dashboard; build it with :func:`create_dashboard`."""

    TITLE = "gamesched"
    CSS = """
    #health { height: 1; background: $panel; padding: 0 1; }
    #tabs { height: 1fr; }
    #tabs ContentSwitcher { height: 1fr; }
    #tabs TabPane { height: 1fr; padding: 0; }
    #places { width: 32; border-right: solid $primary-background; }
    #scope { height: 1; padding: 0 1; color: $text-muted; }
    #search { display: none; height: 3; }
    #search.shown { display: block; }
    #games { height: 1fr; }
    #detail-scroll { height: 45%; border-top: solid $primary-background; padding: 0 1; }
    .view-summary { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("question_mark", "help", "Keys"),
        Binding("1", "show_tab('games')", "Games"),
        Binding("2", "show_tab('upcoming')", "Upcoming"),
        Binding("3", "show_tab('problems')", "Problems"),
        Binding("a", "toggle_statuses", "Open/all"),
        Binding("r", "reload", "Reload"),
        Binding("n", "new_game", RESERVED_KEYS["n"]),
        Binding("e", "on_game('edit')", RESERVED_KEYS["e"]),
        Binding("c", "on_game('cancel')", RESERVED_KEYS["c"]),
        Binding("m", "on_game('move')", RESERVED_KEYS["m"]),
        Binding("x", "on_game('remove')", RESERVED_KEYS["x"]),
        Binding("p", "on_game('assign')", RESERVED_KEYS["p"]),
        Binding("s", "settings", RESERVED_KEYS["s"]),
        Binding("t", "on_game('retry')", RESERVED_KEYS["t"]),
        Binding("escape", "clear_search", "Clear search", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        op: Operating,
        *,
        config: Config,
        zone: tzinfo,
        poll_seconds: float = 1.0,
        health_seconds: float = 3.0,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self.op = op
        self.config = config
        self.zone = zone
        self.poll_seconds = poll_seconds
        self.health_seconds = health_seconds
        self._on_close = on_close
        self.probe = HealthProbe(op, config)
        self.scope = Scope()
        self.lines: dict[int, GameLine] = {}
        """The loaded rows' games, by id."""
        self.versions: dict[int, int] = {}
        """The version of every game seen, loaded or not (what the poll compares)."""
        self.total = 0
        self.next_offset: int | None = None
        self.detail: Detail | None = None
        self.problem: str | None = None
        """The last error a read met, shown in place of the scope line; None when fine."""
        self._mark: datetime | None = None
        self._generation = 0
        self._loading_more = False
        self._polling = False
        self._reading_health = False
        self._polls = 0
        self._detail_timer: Timer | None = None
        self._scope_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._place_names: dict[int, str] = {}
        self._rechecked: dict[int, datetime] = {}
        """When each game was last read again because its next reminder fell due."""

    # ----- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="health")
        with TabbedContent(id="tabs", initial="games-tab"):
            with TabPane("Games", id="games-tab"), Horizontal():
                yield Tree[tuple[str, int | None]]("All servers", id="places")
                with Vertical():
                    yield Static("", id="scope")
                    yield Input(placeholder="Search titles and categories", id="search")
                    yield GameTable(id="games", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id="detail-scroll"):
                        yield Static("No game selected.", id="detail")
            with TabPane("Upcoming", id="upcoming-tab"):
                yield Static("", id="upcoming-summary", classes="view-summary")
                yield DataTable[Text](id="upcoming", cursor_type="row", zebra_stripes=True)
            with TabPane("Problems", id="problems-tab"):
                yield Static("", id="problems-summary", classes="view-summary")
                yield DataTable[Text](id="problems", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        table = self.query_one("#games", GameTable)
        for key, label, width in GAME_COLUMNS:
            table.add_column(label, key=key, width=width)
        upcoming = self.query_one("#upcoming", DataTable)
        for key, label in (
            ("due", f"Due ({zone_name(self.zone)})"),
            ("in", "In"),
            ("what", "What"),
            ("game", "Game"),
            ("place", "Server / channel"),
            ("seats", "Seats"),
        ):
            upcoming.add_column(label, key=key)
        problems = self.query_one("#problems", DataTable)
        for key, label in (
            ("ref", "Id"),
            ("what", "What"),
            ("game", "Game"),
            ("who", "Who"),
            ("at", f"When ({zone_name(self.zone)})"),
            ("retry", "Retry"),
        ):
            problems.add_column(label, key=key)
        tree = self.query_one("#places", Tree)
        tree.root.data = ("all", None)
        tree.root.expand()
        tree.show_root = True
        await self._load_places()
        await self._load_games()
        self._mark = await self._read(overview.change_mark(self.op.services), None)
        table.focus()
        await self._read_health()
        self.set_interval(self.poll_seconds, self._poll_tick)
        self.set_interval(self.health_seconds, self._health_tick)
        if self.op.core is not None:
            self.run_worker(self._name_places(), group="places")

    async def on_unmount(self) -> None:
        if self._on_close is not None:
            await self._on_close()

    # ----- reading, with errors shown in place -------------------------------------------

    async def _read(self, coroutine: Coroutine[Any, Any, T], fallback: T) -> T:
        """Await a use case; a database or Discord failure, or a game that went away, is
        shown in the scope line and ``fallback`` returned."""
        try:
            with database_in_use():
                result = await coroutine
        except (ServiceUnavailable, DomainError, DiscordError) as error:
            text = error.message if isinstance(error, DomainError) else str(error)
            self._show_problem(" ".join(text.splitlines()))
            return fallback
        if self.problem is not None:
            self._show_problem(None)
        return result

    def _show_problem(self, text: str | None) -> None:
        self.problem = text
        self._show_scope()

    def now(self) -> datetime:
        return self.op.services.now()

    # ----- places ------------------------------------------------------------------------

    async def _load_places(self) -> None:
        guilds = await self._read(overview.guilds(self.op.services), list[GuildOverview]())
        channels = await self._read(overview.channels(self.op.services), list[ChannelOverview]())
        tree = self.query_one("#places", Tree)
        existing: dict[tuple[str, int | None], TreeNode[tuple[str, int | None]]] = {
            node.data: node for node in _walk(tree.root) if node.data is not None
        }
        total = sum(g.upcoming_games for g in guilds)
        tree.root.set_label(f"All servers ({total})")
        for guild in guilds:
            key = ("guild", guild.guild_id)
            label = self._place_label(guild.guild_id, "server", guild.upcoming_games)
            node = existing.get(key)
            if node is None:
                node = tree.root.add(label, data=key, expand=True)
                existing[key] = node
            else:
                node.set_label(label)
        for channel in channels:
            key = ("channel", channel.channel_id)
            label = self._place_label(channel.channel_id, "#", channel.upcoming_games)
            node = existing.get(key)
            if node is not None:
                node.set_label(label)
                continue
            parent = existing.get(("guild", channel.guild_id))
            if parent is not None:
                existing[key] = parent.add_leaf(label, data=key)

    def _place_label(self, place_id: int, kind: str, upcoming: int) -> str:
        name = self._place_names.get(place_id)
        shown = name or str(place_id)
        if kind == "#":
            shown = f"#{shown}"
        return f"{shown} ({upcoming})"

    async def _name_places(self) -> None:
        """Servers and channels by their Discord names (asked once, in the background)."""
        core = self.op.core
        if core is None:
            return
        tree = self.query_one("#places", Tree)
        for node in list(tree.root.children):
            if node.data is None or node.data[1] is None:
                continue
            try:
                facts = await core.rights.guild(node.data[1])
            except DiscordError:
                continue
            if facts is None:
                continue
            self._place_names[node.data[1]] = facts.name
            for child in node.children:
                if child.data is not None and child.data[1] is not None:
                    channel = facts.channel(child.data[1])
                    if channel is not None:
                        self._place_names[child.data[1]] = channel.name
        await self._load_places()

    @on(Tree.NodeHighlighted, "#places")
    def _place_highlighted(self, event: Tree.NodeHighlighted[tuple[str, int | None]]) -> None:
        data = event.node.data or ("all", None)
        kind, place_id = data
        scope = replace(
            self.scope,
            guild_id=place_id if kind == "guild" else None,
            channel_id=place_id if kind == "channel" else None,
        )
        if kind == "channel" and event.node.parent is not None and event.node.parent.data:
            scope = replace(scope, guild_id=event.node.parent.data[1])
        if scope == self.scope:
            return
        self.scope = scope
        if self._scope_timer is not None:
            self._scope_timer.stop()
        self._scope_timer = self.set_timer(SETTLE_SECONDS, self._reload_games)

    async def _reload_games(self) -> None:
        await self._load_games()

    # ----- the games table --------------------------------------------------------------

    def _row(self, line: GameLine) -> list[Text]:
        now = self.now()
        return [
            Text(str(line.id), style="dim"),
            Text(line.title),
            Text(when(line.start_at, self.zone)),
            Text(relative(line.start_at, now)),
            status_text(line.status),
            seats_text(line.seated, line.max_players),
            Text(str(line.waitlisted) if line.waitlisted else ""),
            Text(when(line.next_reminder_at, self.zone)),
        ]

    def _show_scope(self) -> None:
        scope_line = self.query_one("#scope", Static)
        if self.problem is not None:
            scope_line.update(Text(self.problem, style="bold red"))
            return
        if self.scope.channel_id is not None:
            where = self._place_label(self.scope.channel_id, "#", 0).rsplit(" (", 1)[0]
        elif self.scope.guild_id is not None:
            name = self._place_label(self.scope.guild_id, "server", 0).rsplit(" (", 1)[0]
            where = f"Server {name}"
        else:
            where = "All servers"
        which = "every status" if self.scope.every_status else "to come or running"
        shown = f"{len(self.lines)} of {self.total}" if self.next_offset else f"{self.total}"
        text = f"{where} · {shown} games {which} · times in {zone_name(self.zone)}"
        if self.scope.text:
            text += f" · matching “{self.scope.text}”"
        scope_line.update(text)

    async def _load_games(self) -> None:
        """Load the first page of the scope's games, keeping the cursor on the same game
        when it is still listed."""
        self._generation += 1
        generation = self._generation
        scope = self.scope
        page = await self._read(
            overview.game_lines(
                self.op.services,
                guild_id=scope.guild_id,
                channel_id=scope.channel_id,
                statuses=scope.statuses,
                text=scope.text,
                limit=PAGE_SIZE,
            ),
            None,
        )
        if page is None or generation != self._generation:
            return
        table = self.query_one("#games", GameTable)
        kept = self.selected_game_id()
        table.clear()
        self.lines = {}
        self._add_lines(page.items)
        self.total = page.total
        self.next_offset = page.next_offset
        if kept is not None and kept in self.lines:
            table.move_cursor(row=table.get_row_index(str(kept)), scroll=True)
        self._show_scope()
        self._settle_detail()

    def _add_lines(self, lines: Iterable[GameLine]) -> None:
        table = self.query_one("#games", GameTable)
        for line in lines:
            if line.id in self.lines:
                continue
            self.lines[line.id] = line
            self.versions[line.id] = line.version
            table.add_row(*self._row(line), key=str(line.id))

    async def _load_more(self) -> None:
        if self._loading_more or self.next_offset is None:
            return
        self._loading_more = True
        generation = self._generation
        scope = self.scope
        try:
            page = await self._read(
                overview.game_lines(
                    self.op.services,
                    guild_id=scope.guild_id,
                    channel_id=scope.channel_id,
                    statuses=scope.statuses,
                    text=scope.text,
                    limit=PAGE_SIZE,
                    offset=self.next_offset,
                ),
                None,
            )
        finally:
            self._loading_more = False
        if page is None or generation != self._generation:
            return
        self._add_lines(page.items)
        self.total = page.total
        self.next_offset = page.next_offset
        self._show_scope()

    @on(GameTable.NearEnd)
    async def _near_end(self) -> None:
        await self._load_more()

    def selected_game_id(self) -> int | None:
        """The game under the cursor (None with an empty table)."""
        table = self.query_one("#games", GameTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if row_key.value is None else int(row_key.value)

    @on(DataTable.RowHighlighted, "#games")
    async def _game_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one("#games", GameTable)
        if event.cursor_row >= table.row_count - LOAD_AHEAD:
            self.run_worker(self._load_more(), group="more")
        self._settle_detail()

    def _settle_detail(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(SETTLE_SECONDS, self._load_detail)

    # ----- the detail --------------------------------------------------------------------

    async def _load_detail(self) -> None:
        game_id = self.selected_game_id()
        pane = self.query_one("#detail", Static)
        if game_id is None:
            self.detail = None
            pane.update("No game selected.")
            return
        services = self.op.services
        record = await self._read(overview.game_record(services, game_id), None)
        if record is None:
            return
        entries = await self._read(history.game_history(services, game_id), ())
        names: dict[int, str] = {}
        if self.op.core is not None:
            names = await self._read(
                self.op.core.names.resolve(record.game.guild_id, member_ids(record, entries)), {}
            )
        if game_id != self.selected_game_id():
            return  # the cursor moved on while this one was read
        self.detail = Detail(record=record, history=entries, names=names)
        pane.update(render_detail(self.detail, now=self.now(), zone=self.zone))

    # ----- live --------------------------------------------------------------------------

    def _poll_tick(self) -> None:
        if not self._polling:
            self.run_worker(self.poll(), group="poll")

    async def poll(self) -> None:
        """Bring what changed since the last poll onto the screen (rows updated in place)."""
        if self._polling:
            return
        self._polling = True
        try:
            await self._poll()
        finally:
            self._polling = False

    async def _poll(self) -> None:
        self._polls += 1
        changed = await self._read(
            overview.changed_games(self.op.services, since=self._mark, known=self.versions), None
        )
        if changed is None:
            return
        self._mark = changed.mark
        if changed.overflow:  # a bulk change: read the places and the page again
            await self._load_places()
            await self._load_games()
            await self._refresh_views()
            return
        now = self.now()
        lines = list(changed.lines)
        # A reminder that fell due changes no game: read those rows again to show the next.
        passed = [
            line.id
            for line in self.lines.values()
            if line.next_reminder_at is not None
            and line.next_reminder_at <= now
            and now - self._rechecked.get(line.id, now - RECHECK) >= RECHECK
        ]
        for game_id in passed:
            self._rechecked[game_id] = now
        if passed:
            fresh = await self._read(overview.lines_of(self.op.services, passed[:100]), {})
            lines += [line for line in fresh.values() if line != self.lines.get(line.id)]
        for line in lines:
            self.versions[line.id] = line.version
        self.apply(lines)
        selected = self.selected_game_id()
        if selected is not None and (
            any(line.id == selected for line in lines) or self._polls % 5 == 0
        ):
            await self._load_detail()
        if changed.lines:
            await self._load_places()
        if changed.lines or self._polls % 5 == 0:
            await self._refresh_views()

    def apply(self, lines: Iterable[GameLine]) -> None:
        """Show changed games: rows updated in place, new games of the scope added where
        they sort; the cursor stays on its game."""
        table = self.query_one("#games", GameTable)
        added = False
        last_loaded = max(((line.start_at, line.id) for line in self.lines.values()), default=None)
        for line in lines:
            if line.id in self.lines:
                old = self._row(self.lines[line.id])
                self.lines[line.id] = line
                for (column, _, _), before, after in zip(
                    GAME_COLUMNS, old, self._row(line), strict=True
                ):
                    if before != after:
                        table.update_cell(str(line.id), column, after)
                continue
            if not self.scope.holds(line):
                continue
            self.total += 1
            if self.next_offset is not None and (
                last_loaded is None or (line.start_at, line.id) > last_loaded
            ):
                self.next_offset += 1  # it sorts into the part not loaded yet
                continue
            self._add_lines([line])
            added = True
        if added:
            kept = self.selected_game_id()
            order = {game_id: (line.start_at, game_id) for game_id, line in self.lines.items()}
            table.sort("id", key=lambda cell: order[int(cell.plain)])
            if kept is not None:
                table.move_cursor(row=table.get_row_index(str(kept)), scroll=False)
        self._show_scope()

    # ----- health ------------------------------------------------------------------------

    def _health_tick(self) -> None:
        if not self._reading_health:
            self.run_worker(self._read_health(), group="health")

    async def _read_health(self) -> None:
        self._reading_health = True
        try:
            health = await self.probe.read()
        finally:
            self._reading_health = False
        self.query_one("#health", Static).update(health.text(now=self.now(), zone=self.zone))

    # ----- upcoming and problems --------------------------------------------------------

    async def _refresh_views(self) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active == "upcoming-tab":
            await self.load_upcoming()
        elif tabs.active == "problems-tab":
            await self.load_problems()

    async def load_upcoming(self) -> None:
        work = await self._read(overview.upcoming_work(self.op.services, limit=VIEW_LIMIT), None)
        if work is None:
            return
        now = self.now()
        rows = [
            (
                f"j{item.job_id}",
                [
                    Text(when(item.due_at, self.zone)),
                    Text(relative(item.due_at, now), style="yellow" if item.claimed else ""),
                    Text(job_text(item.kind, item.offset_minutes)),
                    Text(f"#{item.game.id} {item.game.title}"),
                    Text(f"{item.game.guild_id} / {item.game.channel_id}", style="dim"),
                    seats_text(item.game.seated, item.game.max_players),
                ],
            )
            for item in work.items
        ]
        _sync_rows(self.query_one("#upcoming", DataTable), rows)
        shown = f"{len(work.items)} of {work.total}" if work.total > len(work.items) else ""
        summary = f"{shown or work.total} reminders and status changes to come, soonest first"
        self.query_one("#upcoming-summary", Static).update(summary)

    async def load_problems(self) -> None:
        services = self.op.services
        found = await self._read(reminders.failures(services, limit=VIEW_LIMIT), None)
        behind = await self._read(overview.announcements_behind(services, limit=VIEW_LIMIT), None)
        if found is None or behind is None:
            return
        names: dict[int, str] = {}
        if self.op.core is not None:
            wanted: dict[int, list[int]] = {}
            for failure in found.items:
                if failure.member_id is not None:
                    wanted.setdefault(failure.game.guild_id, []).append(failure.member_id)
            for guild_id, user_ids in wanted.items():
                names |= await self._read(self.op.core.names.resolve(guild_id, user_ids), {})
        rows: list[tuple[str, list[Text]]] = []
        for game in behind.games:
            what = "announcement not posted" if not game.announced else "announcement behind"
            rows.append(
                (
                    f"a{game.id}",
                    [
                        Text(f"a{game.id}", style="dim"),
                        Text(what, style="red"),
                        Text(f"#{game.id} {game.title}"),
                        Text(""),
                        Text(when(game.changed_at, self.zone)),
                        Text("by the worker", style="dim"),
                    ],
                )
            )
        for failure in found.items:
            rows.append(
                (
                    str(failure.ref),
                    [
                        Text(str(failure.ref), style="dim"),
                        Text(_failure_text(failure), style="red"),
                        Text(f"#{failure.game.id} {failure.game.title}"),
                        Text("" if failure.member_id is None else member(failure.member_id, names)),
                        Text(when(failure.at, self.zone)),
                        Text(
                            "possible"
                            if failure.blocker is None
                            else f"no: {failure.blocker.sentence}",
                            style="green" if failure.blocker is None else "dim",
                        ),
                    ],
                )
            )
        _sync_rows(self.query_one("#problems", DataTable), rows)
        summary = (
            f"{behind.total} announcements behind, {found.total} reminder and DM failures"
            if rows
            else "No problems: every announcement is up to date and every DM went out."
        )
        self.query_one("#problems-summary", Static).update(summary)

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        await self._refresh_views()

    # ----- actions -----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"{tab}-tab"
        target = {"games": "#games", "upcoming": "#upcoming", "problems": "#problems"}[tab]
        self.query_one(target).focus()

    def action_search(self) -> None:
        self.action_show_tab("games")
        search = self.query_one("#search", Input)
        search.add_class("shown")
        search.focus()

    async def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if not search.has_class("shown"):
            return
        search.remove_class("shown")
        search.value = ""
        self.query_one("#games").focus()
        if self.scope.text:
            self.scope = replace(self.scope, text="")
            await self._load_games()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self._apply_search)

    @on(Input.Submitted, "#search")
    async def _search_submitted(self) -> None:
        await self._apply_search()
        self.query_one("#games").focus()

    async def _apply_search(self) -> None:
        text = self.query_one("#search", Input).value.strip()
        if text != self.scope.text:
            self.scope = replace(self.scope, text=text)
            await self._load_games()

    async def action_toggle_statuses(self) -> None:
        self.scope = replace(self.scope, every_status=not self.scope.every_status)
        await self._load_games()

    async def action_reload(self) -> None:
        self.probe.forget_remote()
        await self._load_places()
        await self._load_games()
        await self._refresh_views()
        await self._read_health()

    # --- actions: each opens its screen; on its way out the table is brought up to date ---

    def _act(self, screen: ModalScreen[str | None]) -> None:
        self.push_screen(screen, self._acted)

    async def _acted(self, done: str | None) -> None:
        if done:
            self.notify(done)
        await self.poll()

    def _game_or_say(self) -> int | None:
        """The game the cursor is on, or None after telling the operator to pick one."""
        game_id = self.selected_game_id()
        if game_id is None:
            self.notify("Select a game in the table first.", severity="warning")
        return game_id

    def action_new_game(self) -> None:
        if self.scope.guild_id is None or self.scope.channel_id is None:
            self.notify(
                "Pick a channel in the tree first: the new game is announced there.",
                severity="warning",
            )
            return
        self._act(
            CreateGameScreen(
                self.op, self.zone, guild_id=self.scope.guild_id, channel_id=self.scope.channel_id
            )
        )

    def action_on_game(self, action: str) -> None:
        """Open ``action``'s screen (a key of :data:`GAME_ACTIONS`) on the selected game."""
        if (game_id := self._game_or_say()) is None:
            return
        if action == "edit":
            self._act(EditGameScreen(self.op, self.zone, game_id=game_id))
        else:
            self._act(GAME_ACTIONS[action](self.op, game_id=game_id))

    def action_settings(self) -> None:
        if self.scope.guild_id is None:
            self.notify("Pick a server or a channel in the tree first.", severity="warning")
            return
        self._act(
            SettingsScreen(self.op, guild_id=self.scope.guild_id, channel_id=self.scope.channel_id)
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> list[tuple[str, str]]:
        """Every key and what it does, for the help screen."""
        shown = [
            ("/", "Search games by title or category (Enter: to the table, Esc: clear)"),
            ("?", "This help"),
            ("1 2 3", "Games, Upcoming work, Problems"),
            ("a", "Games still to come or running / every status"),
            ("r", "Reload everything now"),
            ("Tab", "Next pane (servers, games, detail)"),
            ("↑ ↓ PgUp PgDn", "Move in the tree or the table (more games load as you go)"),
            ("ctrl+p", "Command palette"),
            ("q", "Quit"),
        ]
        wired = {binding.key for binding in self.BINDINGS if isinstance(binding, Binding)}
        for key, label in RESERVED_KEYS.items():
            if key in wired or key in self._bindings.key_to_bindings:
                shown.append((key, label))
        return shown

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Games", "Show the games tab", lambda: self.action_show_tab("games"))
        yield SystemCommand(
            "Upcoming work",
            "Reminders and status changes to come, soonest first",
            lambda: self.action_show_tab("upcoming"),
        )
        yield SystemCommand(
            "Problems",
            "Closed DMs, missed reminders, announcements that did not post",
            lambda: self.action_show_tab("problems"),
        )
        yield SystemCommand("Search games", "Filter by title or category", self.action_search)
        yield SystemCommand(
            "Open / all games",
            "Games still to come or running, or every status",
            self.action_toggle_statuses,
        )
        yield SystemCommand("Reload", "Read everything again now", self.action_reload)
        yield SystemCommand("Keys", "Every key and what it does", self.action_help)


def _failure_text(failure: reminders.Failure) -> str:
    if failure.reason == "dms_closed":
        return "DMs closed" + ("" if failure.notice is None else f" ({failure.notice} notice)")
    if failure.member_id is None:
        return f"reminder {failure.reason}"
    return f"DM refused ({failure.reason})"


def _walk(node: TreeNode[T]) -> Iterable[TreeNode[T]]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _sync_rows(table: DataTable[Text], rows: list[tuple[str, list[Text]]]) -> None:
    """Show ``rows`` (key, cells), keeping the cursor on the same key when it is still there
    and updating cells in place when the keys are the same as before."""
    keys = [key for key, _ in rows]
    current = [row_key.value for row_key in table.rows]
    if keys == current:
        for key, cells in rows:
            for column, value in zip(table.columns, cells, strict=True):
                if table.get_cell(key, column) != value:
                    table.update_cell(key, column, value)
        return
    kept: str | None = None
    if table.row_count:
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        kept = row_key.value
    cursor_row = table.cursor_row
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if kept is not None and kept in keys:
        table.move_cursor(row=keys.index(kept), scroll=False)
    elif rows:
        table.move_cursor(row=min(cursor_row, len(rows) - 1), scroll=False)


def create_dashboard(
    op: Operating,
    *,
    config: Config,
    zone: tzinfo,
    poll_seconds: float = 1.0,
    health_seconds: float = 3.0,
    on_close: Callable[[], Awaitable[None]] | None = None,
) -> Dashboard:
    """The dashboard on ``op``'s use cases, showing times in ``zone``; it asks what changed
    every ``poll_seconds`` and reads the health header every ``health_seconds``.
    ``on_close`` runs when the app ends, on its loop (a test's database disposal)."""
    return Dashboard(
        op,
        config=config,
        zone=zone,
        poll_seconds=poll_seconds,
        health_seconds=health_seconds,
        on_close=on_close,
    )


async def run_dashboard(config: Config, *, zone: tzinfo, target: DiscordTarget | None) -> None:
    """``gamesched tui``: the dashboard acting as this machine's operator on ``target`` (the
    configured Discord or a running sandbox; None: the database alone), until quit. A
    database that cannot be used is a ServiceUnavailable before anything is drawn."""
    async with operating(config, FrontEnd.TUI, target) as op:
        await create_dashboard(op, config=config, zone=zone).run_async()
