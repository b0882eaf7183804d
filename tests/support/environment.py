"""The optional test services, named by environment variables.

Set GAMESCHED_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run every
database test on PostgreSQL too, and GAMESCHED_TEST_REDIS_URL for the Redis tests.
"""

from __future__ import annotations

import os
import socket

POSTGRES_URL = os.environ.get("GAMESCHED_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("GAMESCHED_TEST_REDIS_URL", "")


def free_port() -> int:
    """A local port nothing listens on right now: connections to it are refused, and a server
    may bind it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
