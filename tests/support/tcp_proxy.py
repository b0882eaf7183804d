"""A TCP proxy the fault tests put between gamesched and a real server, to cut and restore it.

The real Redis and PostgreSQL are shared and must never be stopped; a test points gamesched at
the proxy instead and "takes the server away" by cutting the proxy: every open connection is
closed and new ones are refused, as when the server goes down. ``restore`` lets connections
through again, as when it comes back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url

from tests.support.environment import free_port

CHUNK = 64 * 1024


class TcpProxy:
    """Forwards connections on ``127.0.0.1:port`` to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        """Both ends of every connection being forwarded (a cut aborts them)."""
        self._forwarding: set[asyncio.Task[None]] = set()
        self.connections = 0
        """How many connections were accepted so far (a client did reconnect)."""

    def url_for(self, url: str) -> str:
        """``url`` (a Redis or database URL naming the target) pointed at this proxy."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(False)

    async def restore(self) -> None:
        """Accept connections again (also the first start)."""
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Close every open connection and refuse new ones until :meth:`restore`."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self._open:
            writer.transport.abort()
        if self._forwarding:  # each ends once it sees its connection go
            await asyncio.wait(self._forwarding)

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._forwarding.add(task)
        self.connections += 1
        ends = {client_out}
        self._open |= ends
        try:
            server_in, server_out = await asyncio.open_connection(*self._target)
            ends.add(server_out)
            self._open.add(server_out)
            if self._server is None:
                return  # cut while connecting
            await asyncio.gather(_copy(client_in, server_out), _copy(server_in, client_out))
        except OSError:
            pass  # either side went away: end the other too
        finally:
            for writer in ends:
                writer.transport.abort()
            self._open -= ends
            self._forwarding.discard(task)


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy bytes until ``source`` ends, then end ``sink`` (which ends the other direction)."""
    try:
        while data := await source.read(CHUNK):
            sink.write(data)
            await sink.drain()
    finally:
        sink.transport.abort()


@asynccontextmanager
async def proxy_to(url: str) -> AsyncIterator[TcpProxy]:
    """A running proxy to the server ``url`` names, cut (every connection closed) at the end."""
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or _default_port(parsed.drivername))
    await proxy.restore()
    try:
        yield proxy
    finally:
        await proxy.cut()


def _default_port(scheme: str) -> int:
    return 6379 if scheme.startswith("redis") else 5432
