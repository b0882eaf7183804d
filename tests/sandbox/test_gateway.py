"""The gateway handshake, heartbeats, member chunks, drops and RESUME."""

from __future__ import annotations

import aiohttp

from gamesched.sandbox.driver import SandboxDriver
from gamesched.sandbox.server import RunningSandbox
from gamesched.sandbox.world import World
from tests.support.sandbox import RawGateway, connect_gateway

GUILD = "1170000000000000001"


async def test_hello_heartbeat_identify_ready_guild_create(
    sandbox: RunningSandbox, demo_world: World
) -> None:
    """HELLO gives an interval, heartbeats are ACKed, IDENTIFY yields READY then GUILD_CREATE."""
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        hello = await gateway.receive()
        assert hello["op"] == 10
        assert hello["d"]["heartbeat_interval"] > 0
        await gateway.send(1, None)
        assert (await gateway.receive())["op"] == 11

        await gateway.send(2, {"token": demo_world.token, "intents": 1 | 2})
        ready = await gateway.next_dispatch("READY")
        assert ready["s"] == 1
        assert ready["d"]["user"]["id"] == str(demo_world.bot.id)
        assert ready["d"]["application"]["id"] == str(demo_world.application_id)
        assert ready["d"]["resume_gateway_url"].startswith("ws://")
        guild = (await gateway.next_dispatch("GUILD_CREATE"))["d"]
        assert guild["member_count"] == len(guild["members"]) == 13
        assert {c["name"] for c in guild["channels"]} >= {"general", "lfg", "Games"}
        assert all("colors" in role for role in guild["roles"])
        await gateway.socket.close()


async def test_without_members_intent_only_the_bot_member_is_sent(
    sandbox: RunningSandbox, demo_world: World
) -> None:
    """Without GUILD_MEMBERS the GUILD_CREATE lists only the bot, as Discord does."""
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(2, {"token": demo_world.token, "intents": 1})
        guild = (await gateway.next_dispatch("GUILD_CREATE"))["d"]
        assert [m["user"]["id"] for m in guild["members"]] == [str(demo_world.bot.id)]
        await gateway.socket.close()


async def test_bad_token_closes_with_4004(sandbox: RunningSandbox) -> None:
    """IDENTIFY with a wrong token closes the connection with 4004 (not reconnectable)."""
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(2, {"token": "wrong", "intents": 1})
        message = await gateway.socket.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert gateway.socket.close_code == 4004


async def test_request_guild_members_answers_a_chunk(raw_bot: RawGateway) -> None:
    """Op 8 with a query returns the prefix matches in one GUILD_MEMBERS_CHUNK with the nonce."""
    await raw_bot.send(8, {"guild_id": GUILD, "query": "alex", "limit": 0, "nonce": "n1"})
    chunk = (await raw_bot.next_dispatch("GUILD_MEMBERS_CHUNK"))["d"]
    assert chunk["nonce"] == "n1"
    assert sorted(m["user"]["username"] for m in chunk["members"]) == ["alex_r", "alexandra"]


async def test_resume_replays_dispatches_missed_while_dropped(
    raw_bot: RawGateway, discord: SandboxDriver, sandbox: RunningSandbox, demo_world: World
) -> None:
    """After a drop, RESUME replays the interaction created meanwhile, then sends RESUMED."""
    ready_seq = sandbox.sandbox.gateway.current.seq  # type: ignore[union-attr]
    session_id = sandbox.sandbox.gateway.current.id  # type: ignore[union-attr]
    await discord.drop_gateway()
    closing = await raw_bot.socket.receive(timeout=5)
    assert closing.type is aiohttp.WSMsgType.CLOSE
    assert raw_bot.socket.close_code == 4000

    missed = await discord.slash(
        "sam", "create", channel="lfg", options={"title": "Azul"}, wait=False
    )
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(
            6, {"token": demo_world.token, "session_id": session_id, "seq": ready_seq}
        )
        replayed = await gateway.next_dispatch("INTERACTION_CREATE")
        assert replayed["d"]["id"] == str(missed.id)
        assert (await gateway.receive())["t"] == "RESUMED"
        status = await discord.gateway(connected=True, resumes=1)
        assert status["identifies"] == 1
        await gateway.socket.close()


async def test_non_resumable_drop_makes_resume_fail_with_op_9(
    raw_bot: RawGateway, discord: SandboxDriver, sandbox: RunningSandbox, demo_world: World
) -> None:
    """A drop that invalidates the session answers RESUME with op 9 d=false (IDENTIFY again)."""
    session_id = sandbox.sandbox.gateway.current.id  # type: ignore[union-attr]
    await discord.drop_gateway(resumable=False)
    async with aiohttp.ClientSession() as session:
        gateway = await connect_gateway(session, sandbox)
        await gateway.receive()
        await gateway.send(6, {"token": demo_world.token, "session_id": session_id, "seq": 1})
        assert await gateway.receive() == {"op": 9, "d": False, "s": None, "t": None}
        await gateway.send(2, {"token": demo_world.token, "intents": 1})
        await gateway.next_dispatch("READY")
        assert (await discord.gateway(identifies=2))["connected"]
        await gateway.socket.close()


async def test_request_guild_members_by_id_reports_the_ids_not_found(raw_bot: RawGateway) -> None:
    """Op 8 with user_ids returns those members and lists unknown ids under not_found."""
    sam, ghost = "1160000000000000002", "1160000000000000999"
    await raw_bot.send(8, {"guild_id": GUILD, "user_ids": [sam, ghost], "limit": 0})
    chunk = (await raw_bot.next_dispatch("GUILD_MEMBERS_CHUNK"))["d"]
    assert [m["user"]["id"] for m in chunk["members"]] == [sam]
    assert chunk["not_found"] == [ghost]


async def test_undecodable_frames_and_unknown_opcodes_close_with_discords_codes(
    sandbox: RunningSandbox,
) -> None:
    """A frame that is not JSON closes with 4002, an opcode clients may not send with 4001."""
    async with aiohttp.ClientSession() as session:
        for frame, code in (("not json", 4002), ('{"op": 99, "d": null}', 4001)):
            gateway = await connect_gateway(session, sandbox)
            await gateway.receive()
            await gateway.socket.send_str(frame)
            message = await gateway.socket.receive(timeout=5)
            assert message.type is aiohttp.WSMsgType.CLOSE
            assert gateway.socket.close_code == code
