"""The dashboard as an operator uses it: guilds, channels and their games, a game's detail,
search, the key help, and the upcoming and problems views; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent, Tree

import tui.app as tui_app
from gamesched.services import announcements, outbox
from gamesched.services.context import Context
from gamesched.services.games import GameEdit, NewGame, cancel_game, create_game, edit_game
from gamesched.services.participation import join_game
from gamesched.services.planning import JobKind
from tests.support.factories import (
    ADMIN,
    CHANNEL,
    GUILD,
    OTHER_CHANNEL,
    P1,
    P2,
    P3,
    START,
    make_game,
)
from tests.support.fakes import FakeClock, NoMembers
from tests.tui.conftest import (
    DashboardFactory,
    column_of,
    refused_reminder,
    rows_of,
    settle,
    text_of,
)
from tui._help import HelpScreen
from tui.app import Dashboard, GameTable


async def three_games(ctx: Context) -> None:
    """Dungeon night (Sat 5 Dec, full with a waitlist and a placeholder), Board games (Thu 3
    Dec) in CHANNEL; Poker (Wed 2 Dec) in OTHER_CHANNEL."""
    await make_game(
        ctx,
        title="Dungeon night",
        max_players=2,
        participants="Bob the bard",
        joiners=(P1, P2),
        reminder_minutes=(60,),
    )
    await make_game(ctx, title="Board games", when="2026-12-03 18:00", joiners=(P3,))
    await make_game(ctx, title="Poker", channel_id=OTHER_CHANNEL, when="2026-12-02 20:00")


def games(app: Dashboard) -> GameTable:
    return app.query_one("#games", GameTable)


async def test_opens_on_every_game_to_come_soonest_first(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The table lists every server's games still to come, soonest first, with start in the
    operator's zone and how far off, status, seats n/max, waitlist and next reminder."""
    await three_games(ctx)
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert column_of(games(app), "title") == ["Poker", "Board games", "Dungeon night"]
        dungeon = rows_of(games(app))[2]
        assert dungeon[2:] == [
            "Sat 05 Dec 20:00",
            "in 4 d 7 h",
            "scheduled",
            "2/2",
            "",
            "Sat 05 Dec 19:00",
        ]
        scope = text_of(app.query_one("#scope", Static))
        assert "All servers · 3 games to come or running · times in Europe/Berlin" in scope


async def test_choosing_a_server_then_a_channel_lists_only_their_games(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """Moving down the tree narrows the table to a server, then to one of its channels."""
    await three_games(ctx)
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        tree = app.query_one("#places", Tree)
        assert [str(node.label) for node in tree.root.children[0].children] == [
            f"#{CHANNEL} (2)",
            f"#{OTHER_CHANNEL} (1)",
        ]
        tree.focus()
        await pilot.press("down")  # the server
        await settle(pilot)
        assert len(rows_of(games(app))) == 3
        await pilot.press("down")  # its first channel
        await settle(pilot)
        assert column_of(games(app), "title") == ["Board games", "Dungeon night"]
        await pilot.press("down")  # the other channel
        await settle(pilot)
        assert column_of(games(app), "title") == ["Poker"]
        assert f"#{OTHER_CHANNEL} · 1 games" in text_of(app.query_one("#scope", Static))


async def test_the_detail_shows_players_settings_plans_and_history(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The selected game's detail lists seated players, placeholders and the waitlist (by id
    without Discord), settings with where they come from, its planned reminders and status
    changes, and its history."""
    await three_games(ctx)
    await join_game(ctx, game_id=1, user_id=P3)  # Dungeon night is full: waitlisted
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        games(app).focus()
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.selected_game_id() == 1
        shown = text_of(app.query_one("#detail", Static))
        assert "#1 Dungeon night  scheduled" in shown
        assert "Starts Sat 05 Dec 2026 20:00 Europe/Berlin (in 4 d 7 h)" in shown
        assert "Players 2/2" in shown
        assert f"Seated: {P1}, {P2}" in shown
        assert "Placeholders: Bob the bard" in shown
        assert f"Waitlist: {P3}" in shown
        assert re.search(r"Max players +2 +set on the game", shown)
        assert re.search(r"Duration +2 h +built-in default", shown)
        assert re.search(r"Reminder 1 h before +Sat 05 Dec 19:00 +in 4 d 6 h +planned", shown)
        assert re.search(r"End +Sat 05 Dec 22:00 +in 4 d 9 h +planned", shown)
        assert "History (4)" in shown
        assert f"{ADMIN.user_id} created (bot): title: none -> Dungeon night" in shown
        assert f"{P3} joined (bot): waitlist: [] -> [{P3}]" in shown


async def test_a_change_made_elsewhere_shows_at_the_next_poll_with_the_cursor_kept(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """A join made through the use cases (as the bot does) updates the game's row in place at
    the next poll; a game created elsewhere is added where it sorts; the cursor stays on the
    game it was on."""
    await three_games(ctx)
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        table = games(app)
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        assert app.selected_game_id() == 2  # Board games
        await join_game(ctx, game_id=2, user_id=P1)
        created = await create_game(
            ctx,
            actor=ADMIN,
            new=NewGame(guild_id=GUILD, channel_id=CHANNEL, title="Early", when="2026-12-01 19:00"),
            directory=NoMembers(),
        )
        await app.poll()
        await settle(pilot)
        assert column_of(table, "title") == ["Early", "Poker", "Board games", "Dungeon night"]
        assert rows_of(table)[2][5] == "2/10"
        assert app.selected_game_id() == 2
        assert table.cursor_row == 2
        assert created.game.id in app.lines
        assert "Seated: 300000000000000002" not in text_of(app.query_one("#detail", Static))
        assert f"{P1}" in text_of(app.query_one("#detail", Static))  # the detail followed


async def test_search_keeps_games_whose_title_or_category_matches(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """`/` opens the search; typing keeps the games whose title or category contains the text
    (any case), Enter goes back to the table, Esc clears it and lists every game again."""
    await three_games(ctx)
    await make_game(ctx, title="Friday session", when="2026-12-04 19:00")
    await edit_game(ctx, actor=ADMIN, game_id=4, edit=GameEdit(category="Poker league"))
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert getattr(app.focused, "id", None) == "search"
        await pilot.press(*"POKER")
        await settle(pilot)
        assert column_of(games(app), "title") == ["Poker", "Friday session"]
        assert "matching “POKER”" in text_of(app.query_one("#scope", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert getattr(app.focused, "id", None) == "games"
        await pilot.press("escape")
        await settle(pilot)
        assert len(rows_of(games(app))) == 4
        assert not app.query_one("#search", Input).has_class("shown")


async def test_ended_games_are_listed_on_asking_for_every_status(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The table lists games to come or running; `a` adds cancelled and completed ones."""
    await three_games(ctx)
    await cancel_game(ctx, actor=ADMIN, game_id=3)
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert column_of(games(app), "title") == ["Board games", "Dungeon night"]
        await pilot.press("a")
        await settle(pilot)
        assert column_of(games(app), "status") == ["cancelled", "scheduled", "scheduled"]
        assert "every status" in text_of(app.query_one("#scope", Static))


async def test_more_games_load_as_the_cursor_nears_the_end(
    ctx: Context, dashboard: DashboardFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page at a time: the first page shows "n of total", and moving down loads the next
    pages until every game is listed, in order."""
    monkeypatch.setattr(tui_app, "PAGE_SIZE", 4)
    monkeypatch.setattr(tui_app, "LOAD_AHEAD", 2)
    for day in range(10):
        await make_game(ctx, title=f"Day {day + 2}", when=f"2026-12-{day + 2:02d} 19:00")
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert len(rows_of(games(app))) == 4
        assert "4 of 10 games" in text_of(app.query_one("#scope", Static))
        games(app).focus()
        for _ in range(9):
            await pilot.press("down")
            await settle(pilot)
        assert column_of(games(app), "title") == [f"Day {day + 2}" for day in range(10)]
        assert "All servers · 10 games" in text_of(app.query_one("#scope", Static))


async def test_the_key_help_lists_every_key(ctx: Context, dashboard: DashboardFactory) -> None:
    """`?` opens the key help over the dashboard; Esc closes it."""
    app = dashboard()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = text_of(app.screen.query_one("#help-keys", Static))
        for key in ("/", "?", "1 2 3", "a", "r", "ctrl+p", "q"):
            assert re.search(rf"^{re.escape(key)} ", shown, re.MULTILINE), key
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_command_palette_offers_the_views(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The command palette has the dashboard's commands; choosing Problems shows that tab."""
    app = dashboard()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Games", "Upcoming work", "Problems", "Search games", "Reload", "Keys"} <= set(
            commands
        )
        commands["Problems"].callback()
        await settle(pilot)
        assert app.query_one("#tabs", TabbedContent).active == "problems-tab"


async def test_upcoming_lists_every_servers_reminders_and_status_changes_soonest_first(
    ctx: Context, dashboard: DashboardFactory
) -> None:
    """The Upcoming tab (`2`) lists planned reminders, starts and ends of every game, soonest
    first, in the operator's zone, and follows a change at the next poll."""
    await make_game(ctx, title="Later", reminder_minutes=(60,))
    await make_game(ctx, title="Sooner", when="2026-12-02 20:00", reminder_minutes=())
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        upcoming = app.query_one("#upcoming", DataTable)
        assert [row[:3] + row[3:4] for row in rows_of(upcoming)] == [
            ["Wed 02 Dec 21:00", "in 32 h", "Start", "#2 Sooner"],
            ["Wed 02 Dec 23:00", "in 34 h", "End", "#2 Sooner"],
            ["Sat 05 Dec 19:00", "in 4 d 6 h", "Reminder 1 h before", "#1 Later"],
            ["Sat 05 Dec 20:00", "in 4 d 7 h", "Start", "#1 Later"],
            ["Sat 05 Dec 22:00", "in 4 d 9 h", "End", "#1 Later"],
        ]
        summary = text_of(app.query_one("#upcoming-summary", Static))
        assert "5 reminders and status changes to come" in summary
        await cancel_game(ctx, actor=ADMIN, game_id=2)
        await app.poll()
        await settle(pilot)
        assert [row[3] for row in rows_of(upcoming)] == ["#1 Later"] * 3


async def test_problems_list_closed_dms_missed_reminders_and_stuck_announcements(
    ctx: Context, clock: FakeClock, dashboard: DashboardFactory
) -> None:
    """The Problems tab (`3`) lists a reminder DM refused because DMs are closed (retryable),
    a missed reminder (not retryable, with why), and an announcement that never posted."""
    game = await make_game(ctx, title="Poker", max_players=3, joiners=(P1, P2))
    await refused_reminder(ctx, clock, game)
    missed = await make_game(ctx, title="Go", when=START - timedelta(minutes=90), joiners=(P1,))
    await announcements.record_rendered(ctx, game_id=game.id, message_id=9, version=99)
    clock.now = START - timedelta(minutes=50)  # Go started 40 minutes ago; no worker ran
    claimed = await outbox.claim_due(ctx, worker="w1")
    for job_id in claimed.job_ids:
        if await outbox.job_kind(ctx, job_id) is JobKind.REMINDER:
            await outbox.start_reminder(ctx, job_id=job_id, claim=claimed.claim)
    app = dashboard()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        shown = rows_of(app.query_one("#problems", DataTable))
        by_what = {(row[1], row[2]): row for row in shown}
        closed = by_what[("DMs closed", "#1 Poker")]
        assert closed[3] == str(P2)
        assert closed[5] == "possible"
        assert by_what[("reminder missed", f"#{missed.id} Go")][5] == "no: the game has started"
        summary = text_of(app.query_one("#problems-summary", Static))
        assert "reminder and DM failures" in summary
        assert not any(what.startswith("announcement") for what, _ in by_what)
        # The unposted game is a problem once its grace is over.
        clock.now = datetime.now(UTC) + timedelta(hours=1)
        await app.action_reload()
        await settle(pilot)
        shown = rows_of(app.query_one("#problems", DataTable))
        assert ["announcement not posted", f"#{missed.id} Go"] in [row[1:3] for row in shown]
