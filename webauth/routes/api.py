"""The JSON API, mounted at ``/api/v1`` (see :mod:`webauth.api`)."""

from __future__ import annotations

from webauth.api.routes import routes

ROUTES = routes()
