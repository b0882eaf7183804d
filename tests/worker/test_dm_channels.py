"""Members' DM channels remembered in the database: a reminder to a member written to before
costs one request, after a worker restart and from another worker; a DM channel Discord lost
is opened afresh and the reminder delivered once; closed DMs stay recorded as unreachable."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from gamesched.db.engine import create_database
from gamesched.discord.rest import DiscordRest
from gamesched.discord.sync import AnnouncementSync
from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.services import outbox
from gamesched.services.context import Context
from gamesched.services.dm_channels import RememberedDmChannels
from gamesched.worker.tasks import WorkerDeps, run_job
from tests.support.factories import START, make_game
from tests.support.fakes import FakeClock
from tests.support.sandbox import user_id_of
from tests.support.worker import claim_one

PLAYERS = ("sam", "zoe", "hana")


class CountedLookups(RememberedDmChannels):
    """The database's DM channels, noting each lookup's members."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.lookups: list[list[int]] = []

    async def recall(self, user_ids: Collection[int]) -> dict[int, int]:
        self.lookups.append(sorted(user_ids))
        return await super().recall(user_ids)


@asynccontextmanager
async def worker_process(
    database_url: str, sandbox: RunningSandbox, clock: FakeClock
) -> AsyncIterator[tuple[WorkerDeps, CountedLookups]]:
    """What a worker process builds at start: its own engine and REST client, with the DM
    channels remembered in the database; closed when the block ends (the process stops)."""
    database = create_database(database_url)
    services = Context(database=database, clock=clock)
    store = CountedLookups(services)
    world = sandbox.state.world
    rest = DiscordRest(base_url=sandbox.base_url, token=world.token, dm_channels=store)
    try:
        yield WorkerDeps(services=services, rest=rest, sync=AnnouncementSync(services, rest)), store
    finally:
        await rest.aclose()
        await database.dispose()


async def reminder_round(
    deps: WorkerDeps, clock: FakeClock, number: int, players: Sequence[int]
) -> int:
    """A game "Round <number>" for ``players``, its reminder sent by ``deps``' worker when due
    (each round's game starts ten minutes after the one before); the game's id."""
    start = START + timedelta(minutes=10 * number)
    clock.now = start - timedelta(minutes=61)
    game = await make_game(
        deps.services,
        title=f"Round {number}",
        when=start,
        reminder_minutes=(60,),
        joiners=players,
    )
    clock.now = start - timedelta(minutes=60)
    job_id, claim = await claim_one(deps.services)
    await run_job(deps, job_id, claim)
    return game.id


def dm_channels_opened(sandbox: RunningSandbox) -> Counter[int]:
    """How many times the bot asked Discord for each member's DM channel."""
    return Counter(
        int(entry.body["recipient_id"])
        for entry in sandbox.state.log
        if (entry.method, entry.path) == ("POST", "/users/@me/channels")
    )


def unknown_channel_answers(sandbox: RunningSandbox) -> int:
    """How many posts Discord answered with Unknown Channel."""
    return sum(entry.error_code == 10003 for entry in sandbox.state.log)


async def reminders_of(discord: SandboxDriver, member: str) -> list[str]:
    """The titles of the reminder DMs ``member`` got, oldest first."""
    return [dm["content"].split("**")[1] for dm in await discord.dms(member)]


async def remembered(deps: WorkerDeps, user_id: int) -> int | None:
    return (await RememberedDmChannels(deps.services).recall([user_id])).get(user_id)


async def test_a_dm_channel_is_opened_once_per_member_across_worker_restarts(
    database_url: str, sandbox: RunningSandbox, discord: SandboxDriver, clock: FakeClock
) -> None:
    """A worker restarted on the same database sends its next round with one request per
    DM: each member's DM channel was opened once, by the first process, and each round
    looked up its players' channels in one go."""
    world = sandbox.state.world
    players = [user_id_of(world, name) for name in PLAYERS]

    for number in range(2):
        async with worker_process(database_url, sandbox, clock) as (deps, store):
            await reminder_round(deps, clock, number, players)
        assert store.lookups == [sorted(players)]

    assert dm_channels_opened(sandbox) == Counter(players)
    dm_posts = [e for e in sandbox.state.log if e.method == "POST" and e.path.startswith("/ch")]
    assert len(dm_posts) == 2 * len(players)
    for name in PLAYERS:
        assert await reminders_of(discord, name) == ["Round 0", "Round 1"]


async def test_a_lost_dm_channel_is_opened_again_and_the_reminder_delivered_once(
    database_url: str, sandbox: RunningSandbox, discord: SandboxDriver, clock: FakeClock
) -> None:
    """When Discord no longer knows Sam's remembered DM channel, the worker forgets it, opens
    a new one once and delivers the reminder there, once; nobody is recorded as refused."""
    world = sandbox.state.world
    sam, zoe = user_id_of(world, "sam"), user_id_of(world, "zoe")
    async with worker_process(database_url, sandbox, clock) as (deps, _):
        await reminder_round(deps, clock, 0, [sam, zoe])
        lost = await discord.lose_dm_channel("sam")

        game_id = await reminder_round(deps, clock, 1, [sam, zoe])

        assert unknown_channel_answers(sandbox) == 1
        assert dm_channels_opened(sandbox) == Counter({sam: 2, zoe: 1})
        assert await remembered(deps, sam) == sandbox.state.dm_channels[sam] != lost
        assert await reminders_of(discord, "sam") == ["Round 0", "Round 1"]
        assert await reminders_of(discord, "zoe") == ["Round 0", "Round 1"]
        assert await outbox.unreachable_players(deps.services, game_id=game_id) == ()


async def test_two_workers_share_the_remembered_dm_channels(
    database_url: str, sandbox: RunningSandbox, discord: SandboxDriver, clock: FakeClock
) -> None:
    """A second worker uses the DM channels the first one opened; after Sam's channel is
    lost, the worker that finds out first opens a new one, and the other, whose memory
    still holds the lost one, finds the new one without forgetting it: every reminder
    arrives once."""
    world = sandbox.state.world
    players = [user_id_of(world, name) for name in PLAYERS]
    sam = players[0]
    async with (
        worker_process(database_url, sandbox, clock) as (first, _),
        worker_process(database_url, sandbox, clock) as (second, _),
    ):
        await reminder_round(first, clock, 0, players)
        await reminder_round(second, clock, 1, players)
        assert dm_channels_opened(sandbox) == Counter(players)

        await discord.lose_dm_channel("sam")
        await reminder_round(second, clock, 2, players)
        await reminder_round(first, clock, 3, players)

        assert unknown_channel_answers(sandbox) == 2
        assert dm_channels_opened(sandbox) == Counter(players) + Counter({sam: 2})
        assert await remembered(first, sam) == sandbox.state.dm_channels[sam]
    rounds = [f"Round {n}" for n in range(4)]
    for name in PLAYERS:
        assert await reminders_of(discord, name) == rounds


async def test_closed_dms_stay_recorded_as_unreachable(
    database_url: str, sandbox: RunningSandbox, discord: SandboxDriver, clock: FakeClock
) -> None:
    """Cleo, whose DMs are closed, is recorded as unreachable in every round, before and
    after a restart, while Sam gets his reminders; her DM channel is not opened again."""
    world = sandbox.state.world
    cleo, sam = user_id_of(world, "cleo"), user_id_of(world, "sam")
    games = []
    for number in range(2):
        async with worker_process(database_url, sandbox, clock) as (deps, _):
            games.append(await reminder_round(deps, clock, number, [cleo, sam]))
            for game_id in games:
                assert await outbox.unreachable_players(deps.services, game_id=game_id) == (cleo,)

    assert dm_channels_opened(sandbox) == Counter([cleo, sam])
    assert await discord.dms("cleo") == []
    assert await reminders_of(discord, "sam") == ["Round 0", "Round 1"]
