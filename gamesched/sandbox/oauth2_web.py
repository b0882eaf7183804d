"""The OAuth2 endpoints of "Login with Discord": the authorize page, token and revocation.

``GET /oauth2/authorize`` (at the root, as Discord's is) takes Discord's query:
``response_type=code``, ``client_id``, ``redirect_uri``, ``scope`` (space separated, of
:data:`~gamesched.sandbox.oauth2.SCOPES`), ``state``, ``code_challenge`` with
``code_challenge_method=S256``, and ``prompt`` (accepted, the page is always shown). An
unknown client or a redirect URI that is neither registered in the world nor ``http`` on
127.0.0.1, localhost or [::1] gets an error page (never a redirect); other mistakes redirect
back with ``error`` and ``state``. The page lists the world's users to log in as, with
Authorize and Cancel.

``POST /oauth2/authorize`` is what the page submits: the same parameters (in the form or the
query string), ``as=<username or id>`` and ``decision=authorize|cancel`` (authorize when
left out). Tests and scripts skip the page by posting the authorize URL with ``as=...``:
the answer is the 302 to ``redirect_uri?code=...&state=...`` (Cancel:
``error=access_denied``).

``POST /api/v10/oauth2/token`` (and ``/api/oauth2/token``), form-encoded, the client
authenticated by HTTP Basic or ``client_id``/``client_secret`` in the form:
``grant_type=authorization_code`` (``code``, ``redirect_uri``, ``code_verifier``) or
``grant_type=refresh_token`` (``refresh_token``). ``POST .../oauth2/token/revoke`` takes
``token`` and answers 200 whether or not it knew it (RFC 7009). These answer with RFC 6749's
JSON errors, not Discord's REST error shape, and are not in the REST request log (their
bodies are forms and hold secrets).
"""

from __future__ import annotations

import base64
import binascii
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NoReturn
from urllib.parse import unquote_plus, urlencode

from aiohttp import web

from gamesched.sandbox.context import SANDBOX, Sandbox
from gamesched.sandbox.oauth2 import SCOPES, OAuth2Error
from gamesched.sandbox.rest import PREFIX, json_response

AUTHORIZE_PATH: Final = "/oauth2/authorize"
TOKEN_PATH: Final = "/oauth2/token"
"""Below ``/api/v10`` or ``/api``; revocation is below it at ``/revoke``."""

SCOPE_TEXT: Final = {
    "identify": "Access your username, avatar and banner",
    "guilds": "Know what servers you're in",
    "guilds.members.read": "Read your member info (nickname, roles) in servers you're in",
}
"""What the page says each scope allows, in Discord's words."""
_FORWARDED: Final = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "prompt",
)
"""Authorize parameters the page hands on to its form."""


def add_routes(app: web.Application) -> None:
    """Register the authorize page and the token endpoints."""
    app.router.add_get(AUTHORIZE_PATH, show_authorize_page)
    app.router.add_post(AUTHORIZE_PATH, decide)
    for api in ("/api", PREFIX):
        app.router.add_post(api + TOKEN_PATH, token)
        app.router.add_post(api + TOKEN_PATH + "/revoke", revoke)


# --- authorize ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Authorization:
    redirect_uri: str
    scopes: frozenset[str]
    state: str | None
    code_challenge: str | None
    params: Mapping[str, str]
    """The request's parameters, to hand on from the page to its form."""


async def show_authorize_page(request: web.Request) -> web.Response:
    """GET /oauth2/authorize: choose who logs in, then Authorize or Cancel."""
    sandbox = request.app[SANDBOX]
    asked = _authorization(sandbox, request.query)
    return web.Response(text=_page(sandbox, asked), content_type="text/html")


async def decide(request: web.Request) -> web.Response:
    """POST /oauth2/authorize: redirect back with a code, or with ``access_denied``."""
    sandbox = request.app[SANDBOX]
    params = {**request.query, **await _form(request)}
    asked = _authorization(sandbox, params)
    if params.get("decision", "authorize") == "cancel":
        _redirect(
            asked,
            error="access_denied",
            error_description="The resource owner or authorization server denied the request",
        )
    user = sandbox.state.world.find_user(params.get("as", ""))
    if user is None or user.bot:
        _error_page("Pick a member of the world to log in as (as=<username or id>).")
    code = sandbox.oauth2.issue_code(
        user_id=user.id,
        redirect_uri=asked.redirect_uri,
        scopes=asked.scopes,
        code_challenge=asked.code_challenge,
    )
    _redirect(asked, code=code)


def _authorization(sandbox: Sandbox, params: Mapping[str, str]) -> _Authorization:
    """Check an authorization request as Discord does (error page, or redirect with error)."""
    if not sandbox.oauth2.is_client(params.get("client_id", "")):
        _error_page("Unknown application: client_id is not this sandbox's application id.")
    redirect_uri = params.get("redirect_uri", "")
    if not sandbox.oauth2.redirect_allowed(redirect_uri):
        _error_page("Invalid OAuth2 redirect_uri: it is not registered for this application.")
    scopes = frozenset(params.get("scope", "").split())
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    asked = _Authorization(
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=params.get("state"),
        code_challenge=challenge,
        params={k: params[k] for k in _FORWARDED if k in params},
    )
    if params.get("response_type") != "code":
        _redirect(asked, error="unsupported_response_type")
    if not scopes or not scopes <= SCOPES:
        _redirect(
            asked,
            error="invalid_scope",
            error_description=f"The sandbox grants only {' '.join(sorted(SCOPES))}",
        )
    if (challenge is None) != (method is None) or method not in (None, "S256"):
        _redirect(
            asked,
            error="invalid_request",
            error_description="code_challenge needs code_challenge_method=S256",
        )
    return asked


def _redirect(asked: _Authorization, **answer: str) -> NoReturn:
    if asked.state is not None:
        answer["state"] = asked.state
    joiner = "&" if "?" in asked.redirect_uri else "?"
    raise web.HTTPFound(asked.redirect_uri + joiner + urlencode(answer))


def _error_page(text: str) -> NoReturn:
    raise web.HTTPBadRequest(
        text=_document(f"<p>{html.escape(text)}</p>"), content_type="text/html"
    )


def _page(sandbox: Sandbox, asked: _Authorization) -> str:
    world = sandbox.state.world
    app_name = html.escape(world.bot.global_name or world.bot.username)
    members = "".join(
        f'<label><input type="radio" name="as" value="{html.escape(user.username)}"'
        f"{' checked' if n == 0 else ''}> {html.escape(user.global_name or user.username)}"
        f" <small>@{html.escape(user.username)}</small></label>"
        for n, user in enumerate(world.users)
    )
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in asked.params.items()
    )
    scopes = "".join(f"<li>{html.escape(SCOPE_TEXT[s])}</li>" for s in sorted(asked.scopes))
    return _document(
        f'<form class="authorize" method="post" action="{AUTHORIZE_PATH}">'
        f"<h2>{app_name} wants to access your account</h2>"
        f"<p>Log in as:</p>{members}"
        f"<p>This will allow {app_name} to:</p><ul>{scopes}</ul>{hidden}"
        '<button type="submit" name="decision" value="authorize">Authorize</button>'
        '<button type="submit" name="decision" value="cancel">Cancel</button>'
        "</form>"
    )


def _document(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Authorize - gamesched sandbox</title>"
        '<link rel="stylesheet" href="/page/style.css"></head>'
        f"<body><header><strong>gamesched sandbox</strong></header>{body}</body></html>"
    )


# --- token and revocation ----------------------------------------------------------------------


async def token(request: web.Request) -> web.Response:
    """POST /oauth2/token: exchange a code, or refresh a pair."""
    oauth2 = request.app[SANDBOX].oauth2
    try:
        form = await _client_form(request)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = oauth2.exchange_code(
                _required(form, "code"),
                redirect_uri=_required(form, "redirect_uri"),
                code_verifier=form.get("code_verifier"),
            )
        elif grant_type == "refresh_token":
            grant = oauth2.refresh(_required(form, "refresh_token"))
        else:
            raise OAuth2Error("unsupported_grant_type")
    except OAuth2Error as error:
        return _oauth2_error(error)
    return _no_store(json_response(grant.token_response(request.app[SANDBOX].state.clock.now())))


async def revoke(request: web.Request) -> web.Response:
    """POST /oauth2/token/revoke: end a token pair (200 even for unknown tokens)."""
    oauth2 = request.app[SANDBOX].oauth2
    try:
        form = await _client_form(request)
        oauth2.revoke(_required(form, "token"))
    except OAuth2Error as error:
        return _oauth2_error(error)
    return json_response({})


async def _client_form(request: web.Request) -> dict[str, str]:
    """The form, once the client authenticated (HTTP Basic or the form's credentials)."""
    form = await _form(request)
    header = request.headers.get("Authorization")
    if header is None:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    else:
        client_id, secret = _basic_credentials(header)
    request.app[SANDBOX].oauth2.check_client(client_id, secret)
    return form


async def _form(request: web.Request) -> dict[str, str]:
    """A form body's fields (uploaded files have no place in OAuth2 requests)."""
    return {k: v for k, v in (await request.post()).items() if isinstance(v, str)}


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuth2Error("invalid_client", status=401)
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuth2Error("invalid_client", status=401) from exc
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuth2Error("invalid_request", f'Missing "{name}" in request.')
    return value


def _oauth2_error(error: OAuth2Error) -> web.Response:
    headers = {"WWW-Authenticate": "Basic"} if error.status == 401 else None
    return _no_store(json_response(error.body(), status=error.status, headers=headers))


def _no_store(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
