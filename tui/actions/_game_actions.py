"""Changes to one game that are not its form: cancel, move, remove a player, fill a placeholder,
send refused DMs again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from gamesched.app import Operating
from gamesched.discord.render import duration_text
from gamesched.discord.rest import DiscordError, DiscordNotFound
from gamesched.discord.rights import POSTABLE_TYPES
from gamesched.domain.errors import Problem, ValidationFailed
from gamesched.services.games import cancel_game, get_game, move_game
from gamesched.services.outbox import DMS_CLOSED
from gamesched.services.overview import channels
from gamesched.services.participation import assign_placeholder, remove_player
from gamesched.services.reminders import Failure, failures, retry_game
from gamesched.services.views import GameView
from tui.actions._common import ActionScreen, display_names, member_id


def _game_name(game: GameView) -> str:
    return f"game #{game.id} ({game.title})"


def _chosen(select: Select[int], *, field: str, what: str) -> int:
    value = select.value
    if not isinstance(value, int):
        raise ValidationFailed([Problem(field, f"Pick {what} first.")])
    return value


class _GameAction(ActionScreen):
    """A dialog about one game, read when it opens."""

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op)
        self.game_id = game_id
        self.game: GameView | None = None

    async def load(self) -> None:
        self.game = await get_game(self.op.services, self.game_id)
        await self.show_game(self.game)

    async def show_game(self, game: GameView) -> None:
        """Fill the dialog from the game."""

    def set_heading(self, text: str) -> None:
        self.query_one("#heading", Static).update(text)


class CancelGameScreen(_GameAction):
    """Asks before cancelling a game and telling its players."""

    submit_label = "Cancel the game"
    back_label = "Keep it"

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op, game_id=game_id)
        self.heading = f"Cancel game #{game_id}?"

    def body(self) -> ComposeResult:
        yield Static("", id="question", markup=False)

    async def show_game(self, game: GameView) -> None:
        people = len(game.joined) + len(game.waitlist)
        told = "its 1 player" if people == 1 else f"its {people} players"
        self.set_heading(f"Cancel {_game_name(game)}?")
        self.query_one("#question", Static).update(
            f"Cancel {_game_name(game)} and tell {told} by DM? It stays listed as cancelled."
        )

    async def act(self) -> str | None:
        game = await cancel_game(self.op.services, actor=self.op.actor, game_id=self.game_id)
        return f"Game #{game.id} ({game.title}) is cancelled. {await self.op.what_follows()}"


class MoveGameScreen(_GameAction):
    """Announce a game in another channel of its server."""

    submit_label = "Move"

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op, game_id=game_id)
        self.heading = f"Move game #{game_id}"
        self.channel_names: dict[int, str] = {}

    def body(self) -> ComposeResult:
        yield from self.field(
            "channel",
            Select[int]([], id="channel", prompt="Pick a channel"),
            label="To channel",
            hint="Channels of the same server: those gamesched knows, and (with a bot token) "
            "the text and announcement channels on Discord.",
        )

    async def show_game(self, game: GameView) -> None:
        self.set_heading(f"Move {_game_name(game)} from channel {game.channel_id}")
        known = {
            c.channel_id: str(c.channel_id)
            for c in await channels(self.op.services, guild_id=game.guild_id)
        }
        if self.op.core is not None:
            for found in await self.op.core.rest.get_guild_channels(game.guild_id):
                if int(found.get("type", -1)) in POSTABLE_TYPES:
                    known[int(found["id"])] = f"#{found.get('name', found['id'])} ({found['id']})"
        known.pop(game.channel_id, None)
        self.channel_names = known
        choices = sorted(known.items(), key=lambda item: item[1])
        self.query_one("#channel", Select).set_options([(name, i) for i, name in choices])

    async def act(self) -> str | None:
        channel_id = _chosen(self.query_one("#channel", Select), field="channel", what="a channel")
        op = self.op
        moved = await move_game(
            op.services, actor=op.actor, game_id=self.game_id, channel_id=channel_id
        )
        where = self.channel_names.get(channel_id, str(channel_id))
        lines = [f"Game #{moved.game.id} ({moved.game.title}) moved to channel {where}."]
        if moved.promoted:
            lines.append(f"{len(moved.promoted)} waitlisted got a seat (the cap there is higher).")
        lines.append(await self._announce(moved.game.id, where))
        lines.append(await self._old_announcement(moved.from_channel_id, moved.old_message_id))
        if self.op.core is None:
            lines.append(await op.what_follows())
        return " ".join(line for line in lines if line)

    async def _announce(self, game_id: int, where: str) -> str:
        """Post the announcement in the new channel now when Discord is at hand (else the
        worker does, after the grace a new game gets)."""
        if self.op.core is None:
            return ""
        try:
            await self.op.core.sync.publish(game_id)
        except DiscordError as error:
            return (
                f"Discord did not accept the announcement in channel {where} ({error.message}); "
                "a running worker keeps trying: let gamesched post there, or move the game back."
            )
        return "It is announced there."

    async def _old_announcement(self, channel_id: int, message_id: int | None) -> str:
        """Delete the announcement in the old channel; what the operator must know about it."""
        if message_id is None:
            return ""
        if self.op.core is None:
            return (
                f"The old announcement in channel {channel_id} stays: this dashboard has no "
                "Discord connection (discord.token); delete it there by hand."
            )
        try:
            await self.op.core.rest.delete_message(channel_id, message_id)
        except DiscordNotFound:
            return ""  # gone already
        except DiscordError as error:
            return (
                f"The old announcement in channel {channel_id} could not be deleted "
                f"({error.message}); delete it there by hand."
            )
        return "The old announcement was deleted."


class RemovePlayerScreen(_GameAction):
    """Take a seated or waitlisted member off a game, after saying who and what follows."""

    submit_label = "Remove"

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op, game_id=game_id)
        self.heading = f"Remove a player from game #{game_id}"
        self.names: dict[int, str] = {}

    def body(self) -> ComposeResult:
        yield from self.field(
            "member", Select[int]([], id="member", prompt="Pick a player"), label="Player"
        )
        yield Static("", id="question", markup=False)

    async def show_game(self, game: GameView) -> None:
        self.set_heading(f"Remove a player from {_game_name(game)}")
        self.names = await display_names(self.op, game.guild_id, [*game.joined, *game.waitlist])
        options = [(f"{self.names[u]} — seated", u) for u in game.joined]
        options += [(f"{self.names[u]} — waitlist #{n}", u) for n, u in enumerate(game.waitlist, 1)]
        self.query_one("#member", Select).set_options(options)
        if not options:
            self.show_summary("Nobody is seated or waitlisted in this game.")

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.game is None or not isinstance(event.value, int):
            self.query_one("#question", Static).update("")
            return
        who = self.names.get(event.value, str(event.value))
        follow = (
            " The first on the waitlist gets the seat."
            if event.value in self.game.joined and self.game.waitlist
            else ""
        )
        self.query_one("#question", Static).update(
            f"Remove {who} from {_game_name(self.game)}? They are told by DM.{follow}"
        )

    async def act(self) -> str | None:
        user_id = _chosen(self.query_one("#member", Select), field="member", what="a player")
        left = await remove_player(
            self.op.services, actor=self.op.actor, game_id=self.game_id, user_id=user_id
        )
        game = left.game
        names = await display_names(self.op, game.guild_id, [user_id, *left.promoted])
        lines = [f"{names[user_id]} is off game #{game.id} ({game.title})."]
        lines += [f"{names[u]} moved from the waitlist into a seat." for u in left.promoted]
        lines.append(await self.op.what_follows())
        return " ".join(lines)


class AssignPlaceholderScreen(_GameAction):
    """Give a placeholder's slot to a member."""

    submit_label = "Assign"

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op, game_id=game_id)
        self.heading = f"Assign a placeholder of game #{game_id}"

    def body(self) -> ComposeResult:
        yield from self.field(
            "placeholder", Select[int]([], id="placeholder", prompt="Pick a placeholder")
        )
        yield from self.field(
            "member", Input(id="member"), hint="The member taking it: their id or <@id>."
        )

    async def show_game(self, game: GameView) -> None:
        self.set_heading(f"Assign a placeholder of {_game_name(game)}")
        options = [(text, n) for n, text in enumerate(game.placeholders)]
        self.query_one("#placeholder", Select).set_options(options)
        if not options:
            self.show_summary("This game has no placeholders.")

    async def act(self) -> str | None:
        problems: list[Problem] = []
        index = -1
        try:
            index = _chosen(
                self.query_one("#placeholder", Select), field="placeholder", what="a placeholder"
            )
        except ValidationFailed as error:
            problems += error.problems
        user_id = 0
        try:
            user_id = member_id(self.query_one("#member", Input).value, field="member")
        except ValidationFailed as error:
            problems += error.problems
        if problems:
            raise ValidationFailed(problems)
        assert self.game is not None
        text = self.game.placeholders[index]
        assigned = await assign_placeholder(
            self.op.services,
            actor=self.op.actor,
            game_id=self.game_id,
            placeholder=text,
            user_id=user_id,
        )
        names = await display_names(self.op, assigned.game.guild_id, [user_id])
        where = "a seat" if assigned.status == "joined" else f"the {assigned.status.value}"
        return (
            f"{names[user_id]} took the place of `{assigned.placeholder}` in game "
            f"#{self.game_id} ({where}). {await self.op.what_follows()}"
        )


def _reason_text(reason: str) -> str:
    if reason == DMS_CLOSED:
        return "DMs closed"
    if reason.startswith("refused_"):
        return f"refused ({reason.removeprefix('refused_')})"
    return reason


def _what(failure: Failure) -> str:
    if failure.notice is not None:
        return f"notice: {failure.notice.value}"
    assert failure.reminder is not None
    return f"reminder DM {duration_text(failure.reminder.offset_minutes)} before"


class RetryScreen(_GameAction):
    """A game's refused DMs, whether each can be sent again, and sending those again."""

    submit_label = "Retry"
    LIMIT = 100

    def __init__(self, op: Operating, *, game_id: int) -> None:
        super().__init__(op, game_id=game_id)
        self.heading = f"Refused DMs of game #{game_id}"
        self.refused: tuple[Failure, ...] = ()

    def body(self) -> ComposeResult:
        yield Static("", id="failures", markup=False)

    async def show_game(self, game: GameView) -> None:
        self.set_heading(f"Refused DMs of {_game_name(game)}")
        found = await failures(self.op.services, game_id=game.id, limit=self.LIMIT)
        self.refused = tuple(f for f in found.items if f.member_id is not None)
        names = await display_names(
            self.op, game.guild_id, [f.member_id for f in self.refused if f.member_id]
        )
        lines = []
        for failure in self.refused:
            assert failure.member_id is not None
            verdict = (
                "can be sent again"
                if failure.blocker is None
                else f"cannot be sent again: {failure.blocker.sentence}"
            )
            lines.append(
                f"{failure.ref}  {_what(failure)} to {names[failure.member_id]}: "
                f"{_reason_text(failure.reason)}; {verdict}"
            )
        retryable = sum(1 for f in self.refused if f.retryable)
        if not lines:
            lines = ["Discord refused no DM of this game."]
        self.query_one("#failures", Static).update("\n".join(lines))
        button = self.query_one("#submit", Button)
        button.label = f"Retry {retryable}" if retryable else "Retry"
        button.disabled = retryable == 0

    async def act(self) -> str | None:
        done = await retry_game(self.op.services, game_id=self.game_id)
        sent = len(done.retried)
        what = "1 refused DM is" if sent == 1 else f"{sent} refused DMs are"
        lines = [f"Game #{self.game_id}: {what} planned again."]
        if done.not_retried:
            lines.append(f"{len(done.not_retried)} cannot be sent again.")
        lines.append(await self.op.what_follows())
        return " ".join(lines)
