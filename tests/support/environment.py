"""The optional test services, named by environment variables.

Set GAMESCHED_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run every
database test on PostgreSQL too, and GAMESCHED_TEST_REDIS_URL for the Redis tests.
"""

from __future__ import annotations

import os

POSTGRES_URL = os.environ.get("GAMESCHED_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("GAMESCHED_TEST_REDIS_URL", "")
