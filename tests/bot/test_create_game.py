"""Creating a game in Discord: the form, the announcement, and recovering from mistakes."""

from __future__ import annotations

from datetime import UTC, datetime

from gamesched.sandbox.driver import SandboxDriver
from gamesched.services.games import list_games
from tests.support.bot import GAME_FORM, RunningBot, embed_fields

FORM = GAME_FORM | {"participants": "@sam\nGuest from work"}
"""The valid form with a member and a placeholder typed in."""


async def test_form_creates_game_and_posts_announcement(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A valid form posts the announcement (time, seats, players, buttons) and tells the host."""
    opened = await discord.slash("olivia", "create-game", channel="board-games")
    assert opened.callback_type == 9
    assert opened.modal is not None
    submitted = await discord.submit_modal("olivia", FORM)
    assert submitted.ephemeral
    assert "Created **Catan night**" in submitted.content
    assert "UTC" in submitted.content

    (announcement,) = await discord.messages("board-games")
    start = int(datetime(2026, 12, 5, 19, 0, tzinfo=UTC).timestamp())
    fields = embed_fields(announcement)
    assert announcement["embeds"][0]["title"] == "Catan night"
    assert any(f"<t:{start}:F>" in value and f"<t:{start}:R>" in value for value in fields.values())
    assert any(value.startswith("1/4") for value in fields.values())
    sam = gamesched_bot.user_id("sam")
    assert any(f"<@{sam}>" in value and "Guest from work" in value for value in fields.values())
    assert announcement["sandbox"]["pinged_nobody"]
    custom_ids = [c["custom_id"] for row in announcement["components"] for c in row["components"]]
    page = await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)
    (game,) = page.items
    assert custom_ids == [f"game:join:v1:{game.id}", f"game:leave:v1:{game.id}"]
    assert game.message_id == int(announcement["id"])
    assert await discord.violations() == []


async def test_bad_form_creates_nothing_and_reopens_with_everything_typed(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Every problem is listed, nothing is created, and the form reopens pre-filled."""
    await discord.slash("olivia", "create-game", channel="board-games")
    typed = FORM | {"when": "yesterday 7pm", "participants": "@nobody_at_all\n@alex"}
    failed = await discord.submit_modal("olivia", typed)
    assert failed.ephemeral
    assert "@nobody_at_all" in failed.content
    assert "@alex" in failed.content
    assert "past" in failed.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0
    assert await discord.messages("board-games") == []

    reopen = next(c for c in failed.custom_ids if c.startswith("draft:reopen:"))
    reopened = await discord.click("olivia", reopen)
    assert reopened.callback_type == 9
    assert reopened.modal is not None
    values = _modal_values(reopened.modal)
    assert values == typed


async def test_picking_a_suggestion_fills_it_into_the_reopened_form(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Choosing from the ambiguous-mention menu puts that member's @username in the form."""
    await discord.slash("olivia", "create-game", channel="board-games")
    failed = await discord.submit_modal("olivia", FORM | {"participants": "@alex\nGuest"})
    pick = next(c for c in failed.custom_ids if c.startswith("draft:pick:"))
    picked = await discord.select("olivia", pick, ["@alex_r"])
    assert "@alex_r" in picked.content
    reopen = next(c for c in picked.custom_ids if c.startswith("draft:reopen:"))
    reopened = await discord.click("olivia", reopen)
    assert reopened.modal is not None
    assert _modal_values(reopened.modal)["participants"] == "@alex_r\nGuest"
    done = await discord.submit_modal("olivia", _modal_values(reopened.modal))
    assert "Created" in done.content


async def test_a_second_pick_replaces_the_first(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Picking @alex_r and then @alexandra for "@alex" leaves @alexandra in the form."""
    await discord.slash("olivia", "create-game", channel="board-games")
    failed = await discord.submit_modal("olivia", FORM | {"participants": "@alex\nGuest"})
    pick = next(c for c in failed.custom_ids if c.startswith("draft:pick:"))
    await discord.select("olivia", pick, ["@alex_r"])
    picked = await discord.select("olivia", pick, ["@alexandra"])
    assert "Picked @alexandra for @alex" in picked.content
    reopen = next(c for c in picked.custom_ids if c.startswith("draft:reopen:"))
    reopened = await discord.click("olivia", reopen)
    assert reopened.modal is not None
    assert _modal_values(reopened.modal)["participants"] == "@alexandra\nGuest"


async def test_an_old_fix_and_resubmit_button_does_not_create_the_game_twice(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """After the corrected form created the game, the earlier error's button says the form
    was sent already instead of opening it again for a duplicate."""
    await discord.slash("olivia", "create-game", channel="board-games")
    failed = await discord.submit_modal("olivia", FORM | {"when": "yesterday 7pm"})
    reopen = next(c for c in failed.custom_ids if c.startswith("draft:reopen:"))
    reopened = await discord.click("olivia", reopen)
    assert reopened.modal is not None
    done = await discord.submit_modal("olivia", FORM)
    assert "Created" in done.content
    again = await discord.click("olivia", reopen)
    assert again.modal is None
    assert "already sent" in again.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 1


async def test_members_without_permission_are_told_what_is_missing(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """Without host roles configured, a plain member is told Manage Server is needed."""
    denied = await discord.slash("taylor", "create-game", channel="board-games")
    assert denied.callback_type == 4
    assert denied.ephemeral
    assert "Manage Server" in denied.content
    assert await discord.open_modals("taylor") == []


async def test_a_channel_where_the_bot_cannot_post_is_refused_before_the_form(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """A channel the bot may not post in is refused before the form opens, naming the
    permissions to grant, whether the command is typed there or names it; no game exists."""
    here = await discord.slash("olivia", "create-game", channel="announcements")
    elsewhere = await discord.slash(
        "olivia", "create-game", channel="general", options={"channel": "announcements"}
    )
    for refused in (here, elsewhere):
        assert refused.modal is None
        assert "Send Messages" in refused.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0


async def test_a_post_refused_after_the_form_was_filled_leaves_no_game(
    gamesched_bot: RunningBot, discord: SandboxDriver
) -> None:
    """The bot's rights were taken away while the host typed: the refusal names the
    permissions, and the half-made game is removed."""
    await discord.slash("olivia", "create-game", channel="board-games")
    await discord.add_fault("error", r"^POST /channels/\d+/messages$", status=403, times=1)
    failed = await discord.submit_modal("olivia", FORM | {"participants": ""})
    assert "Send Messages" in failed.content
    assert (await list_games(gamesched_bot.services, guild_id=gamesched_bot.guild_id)).total == 0


def _modal_values(modal: object) -> dict[str, str]:
    """custom_id -> pre-filled value of every text input in a modal payload."""
    assert isinstance(modal, dict)
    values: dict[str, str] = {}

    def walk(components: list[dict[str, object]]) -> None:
        for component in components:
            if component.get("type") == 4:
                values[str(component["custom_id"])] = str(component.get("value") or "")
            for key in ("components",):
                inner = component.get(key)
                if isinstance(inner, list):
                    walk(inner)
            inner_one = component.get("component")
            if isinstance(inner_one, dict):
                walk([inner_one])

    walk(list(modal.get("components", [])))
    return values
