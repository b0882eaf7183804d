"""What the tests share, in one place.

Helpers are plain modules that tests import: ``factories`` (ids, actors, members, and
``make_game``, the one way tests create a game), ``fakes`` (a clock and member directories),
``fake_discord`` (a scripted Discord over HTTP for the REST client), ``sandbox`` (the demo
world, Discord's API description, a bare gateway client), ``bot`` (the real bot on the
sandbox and what its tests read back), ``worker`` (claims and a dispatcher driven by hand),
``environment`` (the optional PostgreSQL and Redis) and ``error_examples``. Fixtures used by
more than one directory live in the ``fixtures_*`` modules, which the top-level conftest
registers as plugins.
"""
