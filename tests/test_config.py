"""Configuration: defaults, file and environment precedence, validation messages, secrets."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gamesched.config import (
    BUNDLED_WORLD,
    Config,
    ConfigError,
    DatabaseConfig,
    DiscordConfig,
    WebConfig,
    describe,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
SECRET = "s3cr3t-value-that-must-never-leak-0123456789"


@pytest.fixture(autouse=True)
def _empty_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test where no ./config.toml exists unless the test writes one."""
    monkeypatch.chdir(tmp_path)


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def problems_of(path: Path | None = None, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


async def test_defaults_give_working_single_process_sqlite_setup(tmp_path: Path) -> None:
    """With no file and no variables, gamesched runs in one process on a local SQLite file."""
    config = load_config(environ={})
    assert config == Config()
    assert config.broker.url == ""  # in-process broker
    assert config.discord.token.get_secret_value() == ""  # bundled sandbox, no real Discord
    assert config.sandbox.world_path == BUNDLED_WORLD
    assert config.web.base_url == "http://127.0.0.1:8080"
    engine = create_async_engine(config.database.url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("select 1"))).scalar() == 1
    finally:
        await engine.dispose()
    assert (tmp_path / "gamesched.sqlite3").exists()


def test_example_file_loads_and_equals_defaults() -> None:
    """config.example.toml is valid and shows exactly the built-in defaults."""
    assert load_config(EXAMPLE, environ={}) == Config()


def test_example_file_documents_every_key() -> None:
    """Every section and key gamesched knows appears in config.example.toml, and nothing else."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    expected = {name: set(keys) for name, keys in describe(Config()).items()}
    assert {name: set(keys) for name, keys in example.items()} == expected


def test_environment_overrides_file_overrides_defaults(tmp_path: Path) -> None:
    """A GAMESCHED_<SECTION>__<KEY> variable beats the file, which beats the default."""
    file = write(tmp_path / "gs.toml", '[web]\nport = 9000\nhost = "0.0.0.0"\n')
    config = load_config(file, environ={"GAMESCHED_WEB__PORT": "9100"})
    assert config.web.port == 9100
    assert config.web.host == "0.0.0.0"
    assert config.web.base_url == "http://127.0.0.1:9100"
    assert config.broker.queue_name == "gamesched"


def env_text(value: object) -> str:
    """A value as an operator would write it in an environment variable."""
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if isinstance(value, list) else str(value)


@pytest.mark.parametrize(
    ("section", "key"),
    [(section, key) for section, keys in describe(Config()).items() for key in keys],
)
def test_every_key_can_be_set_from_the_environment(section: str, key: str) -> None:
    """Each key, whatever its type, reads its default back from GAMESCHED_<SECTION>__<KEY>."""
    default = describe(Config())[section][key]
    variable = f"GAMESCHED_{section.upper()}__{key.upper()}"
    assert load_config(environ={variable: env_text(default)}) == Config()


def test_fractional_seconds_from_the_environment() -> None:
    """A number key takes a decimal from the environment and still checks its range."""
    config = load_config(environ={"GAMESCHED_BROKER__IDLE_CHECK_SECONDS": "0.5"})
    assert config.broker.idle_check_seconds == 0.5
    [problem] = problems_of(environ={"GAMESCHED_BROKER__IDLE_CHECK_SECONDS": "0.01"})
    assert "expected a number from 0.1 to 60" in problem


def test_environment_variable_names_are_case_insensitive() -> None:
    """Section and key in a variable name may be written in any case."""
    assert load_config(environ={"gamesched_Web__Port": "9100"}).web.port == 9100


def test_other_gamesched_variables_are_ignored() -> None:
    """Variables without a SECTION__KEY shape (e.g. test settings) are not config overrides."""
    environ = {"GAMESCHED_TEST_POSTGRES_URL": "postgresql://x", "GAMESCHED_CONFIG": ""}
    assert load_config(environ=environ) == Config()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("111,222", (111, 222)),
        (" 111 , 222 ", (111, 222)),
        ("[111, 222]", (111, 222)),
        ('["111", 222]', (111, 222)),
        ("", ()),
        ("[]", ()),
    ],
)
def test_environment_lists_are_json_or_comma_separated(raw: str, expected: tuple[int, ...]) -> None:
    """A list key set from the environment accepts JSON or comma-separated values."""
    config = load_config(environ={"GAMESCHED_DISCORD__TEST_GUILD_IDS": raw})
    assert config.discord.test_guild_ids == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("no", False)],
)
def test_environment_booleans(raw: str, expected: bool) -> None:
    """Booleans from the environment are true/false/1/0/yes/no in any case."""
    assert load_config(environ={"GAMESCHED_DATABASE__ECHO": raw}).database.echo is expected


def test_bad_boolean_in_environment_lists_accepted_words() -> None:
    """An unreadable boolean names its variable and the words that are accepted."""
    [problem] = problems_of(environ={"GAMESCHED_WEB__ENABLED": "maybe"})
    assert problem.startswith('`web.enabled` (from GAMESCHED_WEB__ENABLED): got "maybe"')
    assert "1/0/yes/no" in problem


def test_bad_integer_in_environment_names_the_variable() -> None:
    """A non-number for an integer key names the key, the variable, the value and the range."""
    [problem] = problems_of(environ={"GAMESCHED_DATABASE__POOL_SIZE": "lots"})
    assert problem == (
        '`database.pool_size` (from GAMESCHED_DATABASE__POOL_SIZE): got "lots"; '
        "expected an integer from 1 to 100"
    )


def test_bad_item_in_environment_list_is_reported_once() -> None:
    """A list with a non-number item gives one problem naming the variable and what it held."""
    [problem] = problems_of(environ={"GAMESCHED_DISCORD__TEST_GUILD_IDS": "1,x,y"})
    assert problem.startswith("`discord.test_guild_ids` (from GAMESCHED_DISCORD__TEST_GUILD_IDS)")
    assert '"1,x,y"' in problem


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@db/gs", "postgresql+asyncpg://u@db/gs"),
        ("postgresql://u@db/gs", "postgresql+asyncpg://u@db/gs"),
        ("postgresql+asyncpg://u@db/gs", "postgresql+asyncpg://u@db/gs"),
        ("sqlite:///data/gs.db", "sqlite+aiosqlite:///data/gs.db"),
        ("sqlite+aiosqlite:///gs.db", "sqlite+aiosqlite:///gs.db"),
    ],
)
def test_database_url_is_normalised_to_async_driver(given: str, expected: str) -> None:
    """Plain PostgreSQL and SQLite URLs are switched to the asyncpg / aiosqlite drivers."""
    config = load_config(environ={"GAMESCHED_DATABASE__URL": given})
    assert config.database.url == expected


def test_bad_database_url_scheme(tmp_path: Path) -> None:
    """An unsupported database URL names key, file and value, and lists the accepted schemes."""
    file = write(tmp_path / "gs.toml", '[database]\nurl = "mysql://db/gs"\n')
    [problem] = problems_of(file)
    assert problem.startswith(f'`database.url` (in {file}): got "mysql://db/gs"; expected')
    assert "sqlite+aiosqlite://" in problem
    assert "postgresql+asyncpg://" in problem


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("discord.api_base_url", "ftp://discord.com/api", "an http:// or https:// URL"),
        ("discord.api_base_url", "https://", "an http:// or https:// URL"),
        ("web.public_url", "example.org", '"" or an http:// or https:// URL'),
        ("web.oauth_token_url", "discord.com/token", "an http:// or https:// URL"),
        ("broker.url", "http://redis:6379", "a redis:// or rediss:// URL"),
    ],
)
def test_bad_url_schemes_are_rejected(key: str, value: str, allowed: str) -> None:
    """URL keys accept only their documented schemes, and say which."""
    section, name = key.split(".")
    [problem] = problems_of(environ={f"GAMESCHED_{section}__{name}": value})
    assert problem.startswith(f'`{key}` (from GAMESCHED_{section}__{name}): got "{value}"')
    assert allowed in problem


def test_trailing_slashes_are_stripped_from_urls() -> None:
    """Base URLs are stored without a trailing slash so paths can be appended."""
    config = load_config(
        environ={
            "GAMESCHED_DISCORD__API_BASE_URL": "http://127.0.0.1:8090/api/v10/",
            "GAMESCHED_WEB__PUBLIC_URL": "https://games.example.org/",
        }
    )
    assert config.discord.api_base_url == "http://127.0.0.1:8090/api/v10"
    assert config.web.base_url == "https://games.example.org"


def test_redis_broker_url_accepted() -> None:
    """A redis:// broker URL selects the Redis broker as given."""
    config = load_config(environ={"GAMESCHED_BROKER__URL": "redis://127.0.0.1:6379/0"})
    assert config.broker.url == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("web.port", "0", "an integer from 1 to 65535"),
        ("web.port", "65536", "an integer from 1 to 65535"),
        ("sandbox.port", "-1", "an integer from 0 (any free port) to 65535"),
        ("sandbox.port", "70000", "an integer from 0 (any free port) to 65535"),
        ("database.pool_size", "101", "an integer from 1 to 100"),
    ],
)
def test_numbers_out_of_range(key: str, value: str, allowed: str) -> None:
    """Ports and pool size outside their ranges are rejected with the range."""
    section, name = key.split(".")
    [problem] = problems_of(environ={f"GAMESCHED_{section}__{name}": value})
    assert (
        problem == f'`{key}` (from GAMESCHED_{section}__{name}): got "{value}"; expected {allowed}'
    )


def test_sandbox_port_zero_means_any_free_port() -> None:
    """The sandbox may be asked to pick any free port."""
    assert load_config(environ={"GAMESCHED_SANDBOX__PORT": "0"}).sandbox.port == 0


def test_quoted_number_in_file_is_rejected(tmp_path: Path) -> None:
    """TOML values must have the key's type: a quoted port is reported, not guessed."""
    file = write(tmp_path / "gs.toml", '[web]\nport = "8080"\n')
    assert problems_of(file) == [
        f'`web.port` (in {file}): got "8080"; expected an integer from 1 to 65535'
    ]


def test_bad_log_level(tmp_path: Path) -> None:
    """An unknown log level lists the four accepted levels."""
    file = write(tmp_path / "gs.toml", '[logging]\nlevel = "verbose"\n')
    assert problems_of(file) == [
        f'`logging.level` (in {file}): got "verbose"; expected one of DEBUG, INFO, WARNING, ERROR'
    ]


def test_log_level_any_case(tmp_path: Path) -> None:
    """Log levels are accepted in any case and stored upper-case."""
    file = write(tmp_path / "gs.toml", '[logging]\nlevel = "debug"\njson = true\n')
    config = load_config(file, environ={})
    assert config.logging.level == "DEBUG"
    assert config.logging.json_format is True


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    """A misspelt key is reported with the key it most likely meant."""
    file = write(tmp_path / "gs.toml", '[database]\nuri = "sqlite:///x.db"\n')
    assert problems_of(file) == [
        f"unknown key `database.uri` (in {file}); did you mean `database.url`?"
    ]


def test_key_in_wrong_section_suggests_its_section(tmp_path: Path) -> None:
    """A key placed under the wrong section points to the section that has it."""
    file = write(tmp_path / "gs.toml", '[web]\ntoken = "x"\n')
    assert problems_of(file) == [
        f"unknown key `web.token` (in {file}); did you mean `discord.token`?"
    ]


def test_unknown_key_without_match_lists_the_section_keys() -> None:
    """With no close match, the message lists the keys the section has."""
    [problem] = problems_of(environ={"GAMESCHED_BROKER__FLAVOUR": "x"})
    assert problem == (
        "unknown key `broker.flavour` (from GAMESCHED_BROKER__FLAVOUR); "
        "keys in [broker]: url, queue_name, lease_seconds, idle_check_seconds"
    )


def test_unknown_sections_are_errors(tmp_path: Path) -> None:
    """Misspelt sections, in the file or a variable name, are reported with a suggestion."""
    file = write(tmp_path / "gs.toml", "[databse]\necho = true\n")
    assert problems_of(file, {"GAMESCHED_LOGGIN__LEVEL": "INFO"}) == [
        f"unknown section `databse` (in {file}); did you mean `database`?",
        "unknown section `loggin` (from GAMESCHED_LOGGIN__LEVEL); did you mean `logging`?",
    ]


def test_section_written_as_a_value_is_an_error(tmp_path: Path) -> None:
    """A section name used as a plain key is explained, not silently ignored."""
    file = write(tmp_path / "gs.toml", 'web = "on"\n')
    [problem] = problems_of(file)
    assert problem.startswith(f"`web` (in {file}) must be a section")


def test_same_key_from_two_variables_is_an_error() -> None:
    """Two variables differing only in case that set one key are reported, not raced."""
    [problem] = problems_of(environ={"GAMESCHED_WEB__PORT": "1", "gamesched_web__port": "2"})
    assert (
        problem == "`web.port` is set by both GAMESCHED_WEB__PORT and gamesched_web__port; keep one"
    )


def test_all_problems_reported_together(tmp_path: Path) -> None:
    """File and environment problems all appear in one error, one per line."""
    file = write(
        tmp_path / "gs.toml",
        '[database]\nuri = "x"\npool_size = 0\n[web]\nport = 0\n[logging]\nlevel = "loud"\n',
    )
    problems = problems_of(file, {"GAMESCHED_SANDBOX__PORT": "high"})
    assert [problem.split(" (")[0] for problem in problems] == [
        "unknown key `database.uri`",
        "`database.pool_size`",
        "`web.port`",
        "`sandbox.port`",
        "`logging.level`",
    ]


def test_every_key_says_what_it_accepts(tmp_path: Path) -> None:
    """Whatever key gets a value of the wrong kind, its problem line says what is expected."""
    tables = describe(Config())
    body = "".join(
        f"[{name}]\n" + "".join(f"{key} = {{}}\n" for key in keys) for name, keys in tables.items()
    )
    problems = problems_of(write(tmp_path / "gs.toml", body))
    assert len(problems) == sum(len(keys) for keys in tables.values())
    assert all("; expected " in problem for problem in problems)


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    """A syntax error in the file names the file and the line to fix."""
    file = write(tmp_path / "gs.toml", '[web]\nport = 8080\nhost = = "x"\n')
    [problem] = problems_of(file)
    assert str(file) in problem
    assert "line 3" in problem


def test_gamesched_config_variable_is_honoured(tmp_path: Path) -> None:
    """GAMESCHED_CONFIG names the file to read, and wins over ./config.toml."""
    write(tmp_path / "config.toml", "[web]\nport = 9001\n")
    other = write(tmp_path / "elsewhere.toml", "[web]\nport = 9002\n")
    assert load_config(environ={}).web.port == 9001
    assert load_config(environ={"GAMESCHED_CONFIG": str(other)}).web.port == 9002


def test_explicit_missing_path_is_an_error(tmp_path: Path) -> None:
    """A config file that was named but does not exist stops start-up with a clear message."""
    missing = tmp_path / "nope.toml"
    [problem] = problems_of(missing)
    assert problem.startswith(f"config file {missing} (given explicitly) does not exist")
    [problem] = problems_of(environ={"GAMESCHED_CONFIG": str(missing)})
    assert problem.startswith(f"config file {missing} (named by GAMESCHED_CONFIG) does not exist")


def test_secrets_hidden_in_repr_and_str() -> None:
    """repr() and str() of a config never contain secrets or database passwords."""
    config = Config(
        database=DatabaseConfig(url=f"postgresql+asyncpg://gs:{SECRET}@db/gs"),
        discord=DiscordConfig(token=SecretStr(SECRET)),
        web=WebConfig(client_secret=SecretStr(SECRET), session_secret=SecretStr(SECRET)),
    )
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert "postgresql+asyncpg://gs:***@db/gs" in repr(config)


def test_config_error_never_shows_secrets(tmp_path: Path) -> None:
    """Errors next to secrets, or about a secret itself, never contain its text."""
    file = write(
        tmp_path / "gs.toml",
        f'[discord]\ntoken = "{SECRET}"\napplication_id = -1\ntokn = "{SECRET}"\n'
        f'[web]\nsession_secret = "{SECRET[:10]}"\n'
        f'[database]\nurl = "mysql://gs:{SECRET}@db/gs"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(
            file, environ={"GAMESCHED_WEB__CLIENT_SECRET": SECRET, "GAMESCHED_WEB__PORT": "x"}
        )
    message = str(caught.value)
    assert len(caught.value.problems) == 5
    assert "`web.session_secret` (in" in message
    assert "got a hidden value" in message
    assert SECRET[:10] not in message
    assert caught.value.__context__ is None  # no chained validation error holding the raw input


@pytest.mark.parametrize("cut", ["/", "#", "?", "@", ":"])
@pytest.mark.parametrize(
    "template",
    [
        "postgresql://gs:{pw}@db/gs",
        "postgresql+asyncpg://gs:{pw}@db:5432/gs?ssl=true",
        "postgres ql://gs:{pw}@db/gs",
        "gs:{pw}@db/gs",
        "redis://:{pw}@cache:6379/0",
        "postgresql://db/gs?sslmode=require&password={pw}",
    ],
    ids=["plain", "port-query", "bad-scheme", "no-scheme", "redis", "query"],
)
def test_pasted_passwords_never_show(template: str, cut: str) -> None:
    """A password pasted unescaped (with / # ? @ :) stays hidden from repr, check and errors."""
    halves = (SECRET[:20], SECRET[20:])
    url = template.format(pw=cut.join(halves))
    for key in ("DATABASE__URL", "BROKER__URL", "DISCORD__API_BASE_URL"):
        try:
            config = load_config(environ={f"GAMESCHED_{key}": url})
        except ConfigError as error:
            shown = str(error)
        else:
            shown = repr(config) + repr(describe(config))
        assert not [half for half in halves if half in shown], (key, shown)


def test_describe_hides_secrets() -> None:
    """`config check` output shows *** for a set secret and an empty string for an unset one."""
    config = load_config(
        environ={
            "GAMESCHED_DISCORD__TOKEN": SECRET,
            "GAMESCHED_DATABASE__URL": f"postgresql://gs:{SECRET}@db/gs",
        }
    )
    shown = describe(config)
    assert shown["discord"]["token"] == "***"
    assert shown["web"]["client_secret"] == ""
    assert shown["database"]["url"] == "postgresql+asyncpg://gs:***@db/gs"
    assert shown["logging"] == {"level": "INFO", "json": False}
    assert SECRET not in repr(shown)


def test_short_session_secret_is_rejected() -> None:
    """A session secret too short to sign cookies safely is refused with the fix."""
    [problem] = problems_of(environ={"GAMESCHED_WEB__SESSION_SECRET": "short"})
    assert problem.startswith("`web.session_secret` (from GAMESCHED_WEB__SESSION_SECRET): got a")
    assert "at least 32 characters" in problem


def test_sandbox_world_must_exist(tmp_path: Path) -> None:
    """A named sandbox world file must exist; an existing one is used instead of the demo."""
    [problem] = problems_of(environ={"GAMESCHED_SANDBOX__WORLD": "missing.toml"})
    assert problem.startswith('`sandbox.world` (from GAMESCHED_SANDBOX__WORLD): got "missing.toml"')
    world = write(tmp_path / "world.toml", "")
    config = load_config(environ={"GAMESCHED_SANDBOX__WORLD": str(world)})
    assert config.sandbox.world_path == world


def test_public_url_defaults_to_listen_address() -> None:
    """Without public_url, links point at the listening address (wildcards read as loopback)."""
    assert WebConfig(host="localhost", port=8000).base_url == "http://localhost:8000"
    assert WebConfig(host="::", port=8000).base_url == "http://[::1]:8000"


def test_config_is_immutable() -> None:
    """A loaded config cannot be changed by the code it is passed to."""
    config = load_config(environ={})
    with pytest.raises(ValidationError):
        config.web.port = 1
