"""Configuration: read once from $EXPAPI_HOME/expapi.cfg and EXPAPI__SECTION__KEY variables.

Section and key names are Airflow's, and where Airflow's value is a dotted module
name (``airflow.api.auth.backend.deny_all``) expapi reads it as the same choice, so
the matching sections of an existing ``airflow.cfg`` work unchanged.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Mapping

from expapi.flavours import compat_names

ENV_PREFIX = "EXPAPI__"
CONFIG_FILE_NAME = "expapi.cfg"

# Airflow's dotted module names, mapped to expapi's short names.
AUTH_BACKENDS = {
    "default": "default",
    "airflow.api.auth.backend.default": "default",
    "deny_all": "deny_all",
    "airflow.api.auth.backend.deny_all": "deny_all",
    "password": "password",
    "airflow.contrib.auth.backends.password_auth": "password",
    "airflow.api.auth.backend.basic_auth": "password",
    "airflow.providers.fab.auth_manager.api.auth.backend.basic_auth": "password",
    "kerberos": "kerberos",
    "airflow.api.auth.backend.kerberos_auth": "kerberos",
    "airflow.providers.fab.auth_manager.api.auth.backend.kerberos_auth": "kerberos",
}
API_CLIENTS = {
    "local_client": "local_client",
    "airflow.api.client.local_client": "local_client",
    "json_client": "json_client",
    "airflow.api.client.json_client": "json_client",
}
# Behaviour flavours, by every name each answers to; see expapi.flavours for what each one changes.
COMPAT_LEVELS = compat_names()
# Who may read the spec and Swagger UI: anyone, the API's own callers, or nobody.
EXPOSE_SPEC = {"public": "public", "protected": "protected", "off": "off"}
LOGGING_LEVELS = {name: name for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}
# Gateway mode: which stable API to speak, and whose credentials Airflow sees.
GATEWAY_API_VERSIONS = {"auto": "auto", "1": "1", "v1": "1", "2": "2", "v2": "2"}
GATEWAY_AUTH = {"service": "service", "passthrough": "passthrough"}


# Keys that Airflow 1.10 kept in another section; read there when the new place is unset.
_FALLBACKS = {("logging", "logging_level"): ("core", "logging_level")}


class ConfigError(Exception):
    """A configuration value that expapi cannot use; the message names the key."""


@dataclass(frozen=True)
class CoreConfig:
    sql_alchemy_conn: str
    dags_folder: Path
    load_examples: bool = True
    dags_are_paused_at_creation: bool = True
    default_timezone: str = "utc"


@dataclass(frozen=True)
class DatabaseConfig:
    # How often, and how many seconds apart, commands retry a database server that is not
    # up yet (e.g. started by the same boot); then they stop with one line and exit 1.
    connect_retries: int = 5
    connect_retry_delay: float = 2.0
    # Bounds on a request's waits, so a held lock or a full pool ends in a 503, not a stall:
    # for a free connection from the pool, for a row or table lock (PostgreSQL lock_timeout,
    # MariaDB innodb_lock_wait_timeout, SQLite busy timeout), and for one statement.
    pool_timeout: float = 5.0
    lock_timeout: float = 5.0
    statement_timeout: float = 30.0


@dataclass(frozen=True)
class WebserverConfig:
    web_server_host: str = "127.0.0.1"
    web_server_port: int = 8080
    workers: int = 1
    # Host names the server answers to, comma-separated; "*" = any. Empty: the loopback
    # names when bound to a loopback address (DNS rebinding cannot reach it), else any.
    allowed_hosts: str = ""
    # Origins (scheme://host:port) whose pages may send state-changing requests, comma-separated.
    trusted_origins: str = ""
    # Limits on what one client may hold; see expapi.http_limits and docs/reliability.md.
    max_request_body: int = 1024 * 1024
    max_header_bytes: int = 64 * 1024
    max_header_count: int = 100
    header_read_timeout: float = 10.0
    body_read_timeout: float = 30.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 500


@dataclass(frozen=True)
class ApiConfig:
    auth_backend: str = "default"
    compat: str = "1.10"
    expose_spec: str = "public"
    # The password backend refuses (429) a user or client address with this many failed
    # checks in the last failed_login_window seconds (Airflow's web login: 5 per 40 s); 0 = off.
    failed_login_limit: int = 5
    failed_login_window: float = 40.0


@dataclass(frozen=True)
class CliConfig:
    api_client: str = "local_client"
    endpoint_url: str = "http://localhost:8080"
    # Basic credentials the json_client sends when [api] auth_backend is password.
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class KerberosConfig:
    keytab: str = "airflow.keytab"
    principal: str = "airflow"


@dataclass(frozen=True)
class LoggingConfig:
    logging_level: str = "INFO"


@dataclass(frozen=True)
class GatewayConfig:
    """Gateway mode: answer from a live Airflow's stable API instead of the database."""

    airflow_url: str = ""  # set = gateway mode
    api_version: str = "auto"
    auth: str = "service"
    # auth = service: expapi's own account at Airflow; both empty = no credentials.
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    verify_ssl: bool = True
    ca_bundle: str = ""

    def __post_init__(self) -> None:
        if bool(self.username) != bool(self.password):
            given, missing = ("username", "password") if self.username else ("password", "username")
            raise ConfigError(f"[gateway] {given} is set but [gateway] {missing} is empty: set both or neither")
        if self.ca_bundle and not self.verify_ssl:
            raise ConfigError("[gateway] ca_bundle is set but [gateway] verify_ssl is False: keep one of them")

    @property
    def enabled(self) -> bool:
        """Whether expapi answers from Airflow (``airflow_url`` is set)."""
        return bool(self.airflow_url)


@dataclass(frozen=True)
class Config:
    """Every setting expapi reads, grouped by Airflow's section names."""

    home: Path
    core: CoreConfig
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    webserver: WebserverConfig = field(default_factory=WebserverConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    cli: CliConfig = field(default_factory=CliConfig)
    kerberos: KerberosConfig = field(default_factory=KerberosConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    gateway: GatewayConfig = field(default_factory=GatewayConfig)


def default_home(environ: Mapping[str, str] = os.environ) -> Path:
    """$EXPAPI_HOME, or ~/expapi."""
    return Path(environ.get("EXPAPI_HOME") or Path.home() / "expapi").expanduser()


def load_config(home: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration file under ``home`` and apply environment overrides."""
    environ = os.environ if environ is None else environ
    home = (home or default_home(environ)).expanduser()
    raw = _read_raw(home / CONFIG_FILE_NAME, environ)
    defaults = {
        ("core", "sql_alchemy_conn"): f"sqlite:///{home / 'expapi.db'}",
        ("core", "dags_folder"): str(home / "dags"),
    }

    def section(cls, name):
        values = {}
        for f in fields(cls):
            text = raw.get((name, f.name), raw.get(_FALLBACKS.get((name, f.name)), defaults.get((name, f.name))))
            if text is None:
                continue
            values[f.name] = _convert(name, f.name, text, _PARSERS.get((name, f.name), str))
        return cls(**values)

    return Config(
        home=home,
        core=section(CoreConfig, "core"),
        database=section(DatabaseConfig, "database"),
        webserver=section(WebserverConfig, "webserver"),
        api=section(ApiConfig, "api"),
        cli=section(CliConfig, "cli"),
        kerberos=section(KerberosConfig, "kerberos"),
        logging=section(LoggingConfig, "logging"),
        gateway=section(GatewayConfig, "gateway"),
    )


def _read_raw(path: Path, environ: Mapping[str, str]) -> dict[tuple[str, str], str]:
    # Interpolation off: Airflow's files hold '%' in log formats we do not read.
    parser = configparser.ConfigParser(interpolation=None)
    if path.exists():
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
    raw = {(s, k): v for s in parser.sections() for k, v in parser.items(s)}
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX) and name.count("__") == 2:
            _, sect, key = name.split("__")
            raw[(sect.lower(), key.lower())] = value
    return raw


def _convert(section: str, key: str, text: str, parse: Callable[[str], object]) -> object:
    try:
        return parse(text.strip())
    except ValueError as exc:
        raise ConfigError(f"invalid value for [{section}] {key}: {text.strip()!r} ({exc})") from None


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "t", "yes", "y", "1", "on"):
        return True
    if lowered in ("false", "f", "no", "n", "0", "off"):
        return False
    raise ValueError("expected True or False")


def positive_int(text: str) -> int:
    """A whole number of at least 1 (workers); ValueError otherwise."""
    number = int(text)
    if number < 1:
        raise ValueError("expected a whole number of at least 1")
    return number


def _non_negative_int(text: str) -> int:
    number = int(text)
    if number < 0:
        raise ValueError("expected a whole number of at least 0")
    return number


def _seconds(text: str) -> float:
    number = float(text)
    if not 0 <= number <= 3600:
        raise ValueError("expected a number of seconds from 0 to 3600")
    return number


def _positive_seconds(text: str) -> float:
    number = _seconds(text)
    if number < 0.001:
        raise ValueError("expected a number of seconds above 0")
    return number


def port_number(text: str) -> int:
    """A TCP port from 1 to 65535; ValueError otherwise."""
    number = int(text)
    if not 0 < number < 65536:
        raise ValueError("expected a port number from 1 to 65535")
    return number


def _choice(choices: Mapping[str, str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return choices[text]
        except KeyError:
            names = ", ".join(sorted({v for v in choices.values()}))
            raise ValueError(f"expected one of: {names}") from None

    return parse


def _timezone(text: str) -> str:
    from expapi.dates import resolve_timezone

    resolve_timezone(text)  # raises ValueError for unknown names
    return text


def _path(text: str) -> Path:
    return Path(text).expanduser()


def _timeout(text: str) -> float:
    number = float(text)
    if not 0 < number <= 3600:
        raise ValueError("expected a number of seconds above 0, at most 3600")
    return number


def _airflow_url(text: str) -> str:
    from expapi.gateway.urls import mask_url, parse_airflow_url

    try:
        return parse_airflow_url(text)
    except ValueError as exc:
        # Raised here, not by _convert, so that the value is printed masked.
        raise ConfigError(f"invalid value for [gateway] airflow_url: {mask_url(text)!r} ({exc})") from None


def _existing_file(text: str) -> str:
    if text and not Path(text).expanduser().is_file():
        raise ValueError("no such file")
    return str(Path(text).expanduser()) if text else ""


_PARSERS: dict[tuple[str, str], Callable[[str], object]] = {
    ("core", "dags_folder"): _path,
    ("core", "load_examples"): _boolean,
    ("core", "dags_are_paused_at_creation"): _boolean,
    ("core", "default_timezone"): _timezone,
    ("database", "connect_retries"): _non_negative_int,
    ("database", "connect_retry_delay"): _seconds,
    ("database", "pool_timeout"): _positive_seconds,
    ("database", "lock_timeout"): _positive_seconds,
    ("database", "statement_timeout"): _seconds,
    ("webserver", "web_server_port"): port_number,
    ("webserver", "workers"): positive_int,
    ("webserver", "max_request_body"): positive_int,
    ("webserver", "max_header_bytes"): positive_int,
    ("webserver", "max_header_count"): positive_int,
    ("webserver", "header_read_timeout"): _timeout,
    ("webserver", "body_read_timeout"): _timeout,
    ("webserver", "keep_alive_timeout"): _timeout,
    ("webserver", "max_connections"): positive_int,
    ("api", "auth_backend"): _choice(AUTH_BACKENDS),
    ("api", "compat"): _choice(COMPAT_LEVELS),
    ("api", "expose_spec"): _choice(EXPOSE_SPEC),
    ("api", "failed_login_limit"): _non_negative_int,
    ("api", "failed_login_window"): _positive_seconds,
    ("cli", "api_client"): _choice(API_CLIENTS),
    ("logging", "logging_level"): _choice({**LOGGING_LEVELS, **{k.lower(): k for k in LOGGING_LEVELS}}),
    ("gateway", "airflow_url"): _airflow_url,
    ("gateway", "api_version"): _choice(GATEWAY_API_VERSIONS),
    ("gateway", "auth"): _choice(GATEWAY_AUTH),
    ("gateway", "timeout"): _timeout,
    ("gateway", "verify_ssl"): _boolean,
    ("gateway", "ca_bundle"): _existing_file,
}
