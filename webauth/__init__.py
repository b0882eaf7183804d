"""The web front end: Discord login and pages for players and hosts (Starlette)."""
