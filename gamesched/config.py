"""Settings from ``config.toml`` and ``GAMESCHED_*`` environment variables.

The configuration is a frozen value: :func:`load_config` builds and validates it once at
start-up, and the processes pass it on to whatever they wire up. Nothing here runs at import
time, and tests build :class:`Config` directly.

Precedence, lowest first: built-in defaults, the TOML file, ``GAMESCHED_<SECTION>__<KEY>``
environment variables.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic.fields import FieldInfo

CONFIG_ENV_VAR = "GAMESCHED_CONFIG"
"""Environment variable naming the config file to read."""
ENV_PREFIX = "GAMESCHED_"
"""Prefix of the ``GAMESCHED_<SECTION>__<KEY>`` override variables."""
DEFAULT_CONFIG_FILE = Path("config.toml")
"""Read when no path is given, if it exists (relative to the working directory)."""
BUNDLED_WORLD = Path(__file__).parent / "sandbox" / "worlds" / "demo.toml"
"""The sandbox world used when ``sandbox.world`` is empty."""


class ConfigError(Exception):
    """The configuration has problems; the message lists every one, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class Allowed:
    """``Annotated`` metadata: what a key accepts, in words, for error messages."""

    text: str
    """Completes the sentence "expected ...", e.g. ``an integer from 1 to 65535``."""


_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pwd)=)[^&]*", re.IGNORECASE)


def _hide_password(url: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host``; other text unchanged.

    Written for URLs as people paste them: a password often holds unescaped ``/ ? # @``
    (SQLAlchemy accepts that), which hides it from standard URL splitting. So the
    credentials run from the scheme to the last ``@``, a missing or mistyped scheme does
    not matter, and ``password=`` query parameters are masked too.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    userinfo, at, host = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.partition(':')[0]}:***@{host}"
    return _QUERY_PASSWORD.sub(r"\1***", f"{scheme}{sep}{rest}")


_DATABASE_SCHEMES = {  # accepted prefix -> the async driver's prefix
    "sqlite+aiosqlite://": "sqlite+aiosqlite://",
    "sqlite://": "sqlite+aiosqlite://",
    "postgresql+asyncpg://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
}


def _database_url(url: str) -> str:
    for prefix, canonical in _DATABASE_SCHEMES.items():
        if url.startswith(prefix):
            return canonical + url[len(prefix) :]
    raise ValueError("unsupported database URL scheme")


def _url_with_scheme(url: str, schemes: tuple[str, ...]) -> str:
    """Check that ``url`` has one of ``schemes`` and a host; return it without trailing ``/``."""
    parts = urlsplit(url)
    _ = parts.port  # raises ValueError for a port that is not a number
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"not a {'/'.join(schemes)} URL with a host")
    return url.rstrip("/")


def _http_url(url: str) -> str:
    return _url_with_scheme(url, ("http", "https"))


def _optional_http_url(url: str) -> str:
    return url and _http_url(url)


def _optional_redis_url(url: str) -> str:
    return url and _url_with_scheme(url, ("redis", "rediss"))


def _session_secret(secret: SecretStr) -> SecretStr:
    if 0 < len(secret.get_secret_value()) < 32:
        raise ValueError("session secret too short")
    return secret


def _existing_world(world: str) -> str:
    if not world:
        return world
    path = Path(world).expanduser()
    if not path.is_file():
        raise ValueError("world file not found")
    return str(path)


def _optional_zone(zone: str) -> str:
    if not zone:
        return zone
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError("unknown time zone") from None
    return zone


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


Flag = Annotated[bool, Allowed("true or false (in environment variables also 1/0/yes/no)")]
Text = Annotated[str, Allowed("a string")]
Name = Annotated[str, Field(min_length=1), Allowed("a non-empty string")]
Host = Annotated[
    str, Field(min_length=1), Allowed("a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0")
]
Port = Annotated[int, Field(ge=1, le=65535), Allowed("an integer from 1 to 65535")]
PortOrAny = Annotated[
    int, Field(ge=0, le=65535), Allowed("an integer from 0 (any free port) to 65535")
]
HttpUrl = Annotated[str, AfterValidator(_http_url), Allowed("an http:// or https:// URL")]
OptionalHttpUrl = Annotated[
    str, AfterValidator(_optional_http_url), Allowed('"" or an http:// or https:// URL')
]
Secret = Annotated[SecretStr, Allowed("a string")]
Snowflake = Annotated[int, Field(gt=0)]


class _Section(BaseModel):
    """One ``[section]`` of the file: frozen, strict about types, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Like pydantic's, but with passwords in URLs replaced by ``***``."""
        for name, value in super().__repr_args__():
            yield name, _hide_password(value) if isinstance(value, str) else value


class DatabaseConfig(_Section):
    """``[database]``: where games are stored."""

    url: Annotated[
        str,
        AfterValidator(_database_url),
        Allowed(
            "a URL starting with sqlite+aiosqlite:// or postgresql+asyncpg:// "
            "(sqlite://, postgresql:// and postgres:// are accepted too)"
        ),
    ] = "sqlite+aiosqlite:///gamesched.sqlite3"
    """SQLAlchemy URL, normalised to the async driver (aiosqlite or asyncpg)."""
    echo: Flag = False
    """Log every SQL statement."""
    pool_size: Annotated[int, Field(ge=1, le=100), Allowed("an integer from 1 to 100")] = 5
    """Connections kept open per process (PostgreSQL only)."""


class DiscordConfig(_Section):
    """``[discord]``: the bot's identity and where Discord's API is."""

    token: Secret = SecretStr("")
    """Bot token; empty means there is no real bot: run against the bundled sandbox."""
    application_id: Annotated[
        int, Field(ge=0), Allowed("a Discord application ID, or 0 to ask Discord")
    ] = 0
    """The bot's application ID; 0 means ask Discord at start-up."""
    api_base_url: HttpUrl = "https://discord.com/api/v10"
    """Discord REST API base URL, without trailing slash."""
    test_guild_ids: Annotated[
        tuple[Snowflake, ...],
        Field(strict=False),
        Allowed(
            "a list of guild IDs (positive integers); in environment variables "
            "a JSON list or comma-separated"
        ),
    ] = ()
    """Guilds to sync slash commands to instantly; empty means sync them globally."""
    members_intent: Flag = True
    """Request the privileged members intent (needed to resolve @name mentions from cache)."""


class BrokerConfig(_Section):
    """``[broker]``: the taskiq broker for reminders and status changes."""

    url: Annotated[
        str,
        AfterValidator(_optional_redis_url),
        Allowed('"" (in-process broker) or a redis:// or rediss:// URL'),
    ] = ""
    """Empty means in-process (single process); a Redis URL for separate workers."""
    queue_name: Name = "gamesched"
    """Name of the Redis queue (lets several deployments share one Redis)."""
    lease_seconds: Annotated[
        int, Field(ge=5, le=3600), Allowed("an integer from 5 to 3600 (seconds)")
    ] = 60
    """A reminder or DM a worker claimed but did not finish in this time (it crashed) is
    taken over by another worker."""
    idle_check_seconds: Annotated[
        float, Field(ge=0.1, le=60), Allowed("a number from 0.1 to 60 (seconds)")
    ] = 2.0
    """Longest a worker sleeps without looking for work written by other processes (with
    Redis, wake-ups usually arrive at once)."""


class WebConfig(_Section):
    """``[web]``: the Starlette service for Discord login and the game form."""

    enabled: Flag = True
    """Run the web service."""
    host: Host = "127.0.0.1"
    """Address to listen on."""
    port: Port = 8080
    """Port to listen on."""
    public_url: OptionalHttpUrl = ""
    """URL users reach the service at (OAuth redirects); empty means ``http://host:port``."""
    client_id: Text = ""
    """OAuth2 client ID of the Discord application."""
    client_secret: Secret = SecretStr("")
    """OAuth2 client secret of the Discord application."""
    session_secret: Annotated[
        SecretStr,
        AfterValidator(_session_secret),
        Allowed(
            '"" (a random secret per process; sessions do not survive restarts) '
            "or a random string of at least 32 characters"
        ),
    ] = SecretStr("")
    """Key signing session cookies; empty means a random one per process."""
    oauth_authorize_url: HttpUrl = "https://discord.com/oauth2/authorize"
    """Discord's OAuth2 authorization endpoint."""
    oauth_token_url: HttpUrl = "https://discord.com/api/oauth2/token"
    """Discord's OAuth2 token endpoint."""

    @property
    def base_url(self) -> str:
        """``public_url``, or the listening address when it is empty (wildcards -> loopback)."""
        if self.public_url:
            return self.public_url
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


class SandboxConfig(_Section):
    """``[sandbox]``: the local Discord-compatible server used when there is no token."""

    host: Host = "127.0.0.1"
    """Address to listen on."""
    port: PortOrAny = 8090
    """Port to listen on; 0 picks any free port."""
    world: Annotated[
        str,
        AfterValidator(_existing_world),
        Allowed('"" (the bundled demo world) or the path of an existing world file'),
    ] = ""
    """World file (guilds, channels, members); empty means the bundled demo world."""

    @property
    def world_path(self) -> Path:
        """The world file to load."""
        return Path(self.world) if self.world else BUNDLED_WORLD


class OperatorConfig(_Section):
    """``[operator]``: the command line and the terminal dashboard."""

    timezone: Annotated[
        str,
        AfterValidator(_optional_zone),
        Allowed('"" (this machine\'s zone) or an IANA zone name, e.g. "Europe/Berlin"'),
    ] = ""
    """Zone the operator's tools show times in and read typed times in (``--tz`` wins)."""


class MetricsConfig(_Section):
    """``[metrics]``: Prometheus metrics and the health check (README, "Metrics and health")."""

    on_web: Flag = True
    """Serve ``/metrics`` on the web service's own address (``/healthz`` is always served)."""
    host: Host = "127.0.0.1"
    """Address of this process's own ``/metrics`` and ``/healthz`` listener."""
    port: Annotated[
        int, Field(ge=0, le=65535), Allowed("0 (no listener) or a port from 1 to 65535")
    ] = 0
    """Port of that listener, served by any gamesched process that runs (a worker or the bot
    alone has no other); 0 means none. Each process on one machine needs its own."""


class LoggingConfig(_Section):
    """``[logging]``."""

    level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR"],
        BeforeValidator(_upper),
        Allowed("one of DEBUG, INFO, WARNING, ERROR"),
    ] = "INFO"
    """Lowest level that is logged (any case accepted, stored upper-case)."""
    json_format: Flag = Field(default=False, alias="json")
    """Write one JSON object per line instead of text (key ``json``)."""


class Config(BaseModel):
    """The whole configuration of one gamesched process."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    """``[database]``."""
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    """``[discord]``."""
    broker: BrokerConfig = Field(default_factory=BrokerConfig)
    """``[broker]``."""
    web: WebConfig = Field(default_factory=WebConfig)
    """``[web]``."""
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    """``[sandbox]``."""
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    """``[metrics]``."""
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    """``[logging]``."""
    operator: OperatorConfig = Field(default_factory=OperatorConfig)
    """``[operator]``."""


_Schema = dict[str, dict[str, FieldInfo]]
"""Section name -> key as written in the file -> the field it sets."""


def _schema() -> _Schema:
    schema: _Schema = {}
    for name, section in Config.model_fields.items():
        model = section.annotation
        assert isinstance(model, type)
        assert issubclass(model, _Section)
        schema[name] = {field.alias or key: field for key, field in model.model_fields.items()}
    return schema


def describe(config: Config) -> dict[str, dict[str, object]]:
    """Effective values by section and key, safe to print.

    Secrets show as ``***`` when set and ``""`` when not; passwords in URLs as ``***``.
    """
    return {
        name: {
            key: _display(value)
            for key, value in getattr(config, name).model_dump(by_alias=True).items()
        }
        for name in Config.model_fields
    }


def _display(value: object) -> object:
    if isinstance(value, SecretStr):
        return "***" if value.get_secret_value() else ""
    if isinstance(value, str):
        return _hide_password(value)
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True, slots=True)
class _Given:
    """One key as the user set it, before validation."""

    value: object
    """What is validated (environment strings already converted for bool/int/list keys)."""
    raw: object
    """What the user wrote: the TOML value or the environment string."""
    origin: str
    """Where it came from, e.g. ``in config.toml`` or ``from GAMESCHED_WEB__PORT``."""


_Settings = dict[str, dict[str, _Given]]


def load_config(path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read, merge and validate the configuration once; raise ConfigError listing all problems.

    ``path`` None means: the file named by ``GAMESCHED_CONFIG`` if set, else ``./config.toml``
    if it exists, else defaults only. A file that was named (by argument or variable) but does
    not exist is an error. ``GAMESCHED_<SECTION>__<KEY>`` variables (any case) override the
    file; lists are JSON or comma-separated, booleans true/false/1/0/yes/no.
    """
    env = os.environ if environ is None else environ
    schema = _schema()
    settings: _Settings = {name: {} for name in schema}
    problems: list[str] = []
    file = _choose_file(path, env)
    if file is not None:
        _read_file(file, schema, settings, problems)
    _read_environ(env, schema, settings, problems)
    data = {
        name: {key: given.value for key, given in keys.items()} for name, keys in settings.items()
    }
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe_errors(exc, schema, settings))
    if problems:
        raise ConfigError(problems)  # outside `except`: no chained error holding raw input
    return config


def _choose_file(path: Path | None, env: Mapping[str, str]) -> Path | None:
    if path is not None:
        named, origin = Path(path), "given explicitly"
    elif env.get(CONFIG_ENV_VAR):
        named, origin = Path(env[CONFIG_ENV_VAR]), f"named by {CONFIG_ENV_VAR}"
    else:
        return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None
    if not named.exists():
        raise ConfigError(
            [
                f"config file {named} ({origin}) does not exist; fix the path, or copy "
                "config.example.toml to create it"
            ]
        )
    return named


def _read_file(file: Path, schema: _Schema, settings: _Settings, problems: list[str]) -> None:
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        problems.append(f"cannot read config file {file}: {exc.strerror}")
        return
    except UnicodeDecodeError:
        problems.append(f"config file {file} is not UTF-8 text; save it as UTF-8")
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"config file {file} is not valid TOML: {exc}")
        return
    origin = f"in {file}"
    for name, table in document.items():
        if name not in schema:
            problems.append(_unknown_section(name, origin, schema))
        elif not isinstance(table, dict):
            problems.append(
                f"`{name}` ({origin}) must be a section: write [{name}] and its keys below it"
            )
        else:
            for key, value in table.items():
                _put(name, key, _Given(value, value, origin), schema, settings, problems)


def _read_environ(
    env: Mapping[str, str], schema: _Schema, settings: _Settings, problems: list[str]
) -> None:
    seen: dict[tuple[str, str], str] = {}
    for var in sorted(env):
        section, sep, key = var.upper().removeprefix(ENV_PREFIX).partition("__")
        if not var.upper().startswith(ENV_PREFIX) or not sep:
            continue
        name, key, raw, origin = section.lower(), key.lower(), env[var], f"from {var}"
        if name not in schema:
            problems.append(_unknown_section(name, origin, schema))
        elif (name, key) in seen:
            problems.append(f"`{name}.{key}` is set by both {seen[name, key]} and {var}; keep one")
        else:
            seen[name, key] = var
            field = schema[name].get(key)
            value = raw if field is None else _from_env(raw, field.annotation)
            _put(name, key, _Given(value, raw, origin), schema, settings, problems)


def _put(
    name: str,
    key: str,
    given: _Given,
    schema: _Schema,
    settings: _Settings,
    problems: list[str],
) -> None:
    """Record ``name.key``, or a problem suggesting what the user probably meant."""
    keys = schema[name]
    if key in keys:
        settings[name][key] = given
        return
    message = f"unknown key `{name}.{key}` ({given.origin})"
    close = difflib.get_close_matches(key, keys, n=1)
    elsewhere = [other for other in schema if key in schema[other]]
    if close:
        message += f"; did you mean `{name}.{close[0]}`?"
    elif elsewhere:
        message += f"; did you mean `{elsewhere[0]}.{key}`?"
    else:
        message += f"; keys in [{name}]: {', '.join(keys)}"
    problems.append(message)


def _unknown_section(name: str, origin: str, schema: _Schema) -> str:
    message = f"unknown section `{name}` ({origin})"
    close = difflib.get_close_matches(name, schema, n=1)
    if close:
        return f"{message}; did you mean `{close[0]}`?"
    return f"{message}; sections: {', '.join(schema)}"


_ENV_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _from_env(raw: str, annotation: object) -> object:
    """Convert an environment string for a bool/int/float/list key; leave anything else as is.

    A string that does not convert is passed on unchanged, so validation reports it.
    """
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if annotation is bool:
        return _ENV_BOOLS.get(raw.strip().lower(), raw)
    for number in (int, float):
        if annotation is number:
            try:
                return number(raw.strip())
            except ValueError:
                return raw
    if get_origin(annotation) is tuple:
        items = _env_list(raw)
        if not isinstance(items, list):
            return raw
        item_type = get_args(annotation)[0]
        return [_from_env(item, item_type) if isinstance(item, str) else item for item in items]
    return raw


def _env_list(raw: str) -> object:
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    return [item.strip() for item in text.split(",") if item.strip()]


def _describe_errors(exc: ValidationError, schema: _Schema, settings: _Settings) -> list[str]:
    """One line per bad key (pydantic may report several errors for one list key)."""
    lines: dict[tuple[str, str], str] = {}
    for error in exc.errors():
        # Sections are known tables by now, so every error is about a key: (section, key, ...).
        name, key = str(error["loc"][0]), str(error["loc"][1])
        if (name, key) in lines:
            continue
        field = schema[name][key]
        given = settings[name][key]
        shown = "a hidden value" if field.annotation is SecretStr else _show(given.raw)
        allowed = next(m.text for m in field.metadata if isinstance(m, Allowed))
        lines[name, key] = f"`{name}.{key}` ({given.origin}): got {shown}; expected {allowed}"
    return list(lines.values())


def _show(value: object) -> str:
    if isinstance(value, str):
        value = _hide_password(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def config_sources(
    path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> tuple[Path | None, tuple[str, ...]]:
    """Where :func:`load_config` reads from with these arguments: the file (None when there
    is none) and the ``GAMESCHED_<SECTION>__<KEY>`` variables that are set."""
    env = os.environ if environ is None else environ
    variables = tuple(
        sorted(var for var in env if var.upper().startswith(ENV_PREFIX) and "__" in var)
    )
    return _choose_file(path, env), variables
