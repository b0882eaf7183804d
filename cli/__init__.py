"""The ``gamesched`` command line: run the services, migrate, and operate guilds and games."""
