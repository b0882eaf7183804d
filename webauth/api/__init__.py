"""The JSON API under ``/api/v1``: the same use cases as the pages, answered in JSON.

It shares the pages' session cookie (a browser front end logs in with Discord as the site
does) and their safety rules: a state-changing request carries the session's CSRF token in the
``X-CSRF-Token`` header and comes from this site's origin. Every answer is JSON, refusals
included (``{"error": "<stable code>", "message": "<what was wrong and how to fix it>"}``);
``GET /api/v1/openapi.json`` describes every route (:mod:`webauth.api.openapi`).

This package's ``__init__`` imports nothing, so the site's shared plumbing can use
:mod:`webauth.api.errors` without importing the routes.
"""
