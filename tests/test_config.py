"""Configuration: defaults, the INI file, environment overrides and Airflow's dotted names."""

from __future__ import annotations

from pathlib import Path

import pytest

from expapi.config import ConfigError, load_config


def test_defaults_live_under_home(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config.core.sql_alchemy_conn == f"sqlite:///{tmp_path / 'expapi.db'}"
    assert config.core.dags_folder == tmp_path / "dags"
    assert config.core.load_examples is True
    assert config.core.dags_are_paused_at_creation is True
    assert config.webserver.web_server_host == "127.0.0.1"
    assert config.webserver.web_server_port == 8080
    assert config.api.auth_backend == "default"
    assert config.api.compat == "1.10"
    assert config.cli.api_client == "local_client"
    assert config.cli.endpoint_url == "http://localhost:8080"
    assert config.kerberos.principal == "airflow"


def test_home_comes_from_expapi_home(tmp_path: Path) -> None:
    config = load_config(environ={"EXPAPI_HOME": str(tmp_path)})
    assert config.home == tmp_path


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    (tmp_path / "expapi.cfg").write_text(
        "[core]\nload_examples = False\ndags_folder = /srv/dags\n"
        "[webserver]\nweb_server_port = 9090\n"
        "[api]\nauth_backend = airflow.api.auth.backend.deny_all\n"
        "[logging]\nlog_format = [%%(asctime)s] %(message)s\n"
    )
    config = load_config(tmp_path, environ={"EXPAPI__WEBSERVER__WEB_SERVER_PORT": "9191"})
    assert config.core.load_examples is False
    assert config.core.dags_folder == Path("/srv/dags")
    assert config.webserver.web_server_port == 9191
    assert config.api.auth_backend == "deny_all"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("airflow.api.auth.backend.default", "default"),
        ("airflow.contrib.auth.backends.password_auth", "password"),
        ("airflow.api.auth.backend.basic_auth", "password"),
        ("airflow.api.auth.backend.kerberos_auth", "kerberos"),
        ("deny_all", "deny_all"),
    ],
)
def test_airflow_module_names_choose_backends(tmp_path: Path, value: str, expected: str) -> None:
    assert load_config(tmp_path, environ={"EXPAPI__API__AUTH_BACKEND": value}).api.auth_backend == expected


def test_airflow_client_module_names(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={"EXPAPI__CLI__API_CLIENT": "airflow.api.client.json_client"})
    assert config.cli.api_client == "json_client"


@pytest.mark.parametrize(
    ("value", "flavour"), [("1.10", "1.10"), ("1", "1.10"), ("1.10.15", "1.10"), ("2", "2"), ("2.10", "2"), ("2.11", "2"), ("2.11.2", "2")]
)
def test_compat_names_choose_a_flavour(tmp_path: Path, value: str, flavour: str) -> None:
    assert load_config(tmp_path, environ={"EXPAPI__API__COMPAT": value}).api.compat == flavour


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("API__AUTH_BACKEND", "nope", "[api] auth_backend: 'nope'"),
        ("API__COMPAT", "3", "[api] compat: '3'"),
        ("WEBSERVER__WEB_SERVER_PORT", "http", "[webserver] web_server_port: 'http'"),
        ("WEBSERVER__WORKERS", "0", "[webserver] workers: '0'"),
        ("CORE__LOAD_EXAMPLES", "maybe", "[core] load_examples: 'maybe'"),
        ("CORE__DEFAULT_TIMEZONE", "Mars/Olympus", "[core] default_timezone: 'Mars/Olympus'"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(tmp_path, environ={f"EXPAPI__{key}": value})


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "expapi.cfg").write_text("no section header\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path, environ={})


def test_airflow_1_10_logging_level_in_core_is_read(tmp_path: Path) -> None:
    (tmp_path / "expapi.cfg").write_text("[core]\nlogging_level = WARNING\n")
    assert load_config(tmp_path, environ={}).logging.logging_level == "WARNING"


def test_database_retries_default_to_a_bounded_wait(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert (config.database.connect_retries, config.database.connect_retry_delay) == (5, 2.0)
    config = load_config(tmp_path, environ={"EXPAPI__DATABASE__CONNECT_RETRIES": "0", "EXPAPI__DATABASE__CONNECT_RETRY_DELAY": "0.5"})
    assert (config.database.connect_retries, config.database.connect_retry_delay) == (0, 0.5)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("CONNECT_RETRIES", "-1", "expected a whole number of at least 0"),
        ("CONNECT_RETRY_DELAY", "nan", "expected a number of seconds from 0 to 3600"),
        ("CONNECT_RETRY_DELAY", "7200", "expected a number of seconds from 0 to 3600"),
    ],
)
def test_invalid_database_retries_are_refused(tmp_path: Path, key: str, value: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[database\] {key.lower()}: '{value}' \({reason}\)"):
        load_config(tmp_path, environ={f"EXPAPI__DATABASE__{key}": value})
