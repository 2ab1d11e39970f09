"""Credentials never printed, client values bounded in logs (issue 9 item 9)."""

from __future__ import annotations

import io
import logging

import pytest

from http_helpers import API
from expapi import logs
from expapi.config import ConfigError
from expapi.db import DatabaseUnreachable, make_engine
from expapi.redact import clip, mask_url


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql+psycopg://u@db.example/airflow?password=s3cret", "postgresql+psycopg://***@db.example/airflow?password=***"),
        ("postgresql://u:s3cret@db.example:5432/airflow", "postgresql://***:***@db.example:5432/airflow"),
        ("mysql+pymysql://root:s3cret@[::1]:3306/db?ssl_key=s3cret&charset=utf8", "mysql+pymysql://***:***@[::1]:3306/db?ssl_key=***&charset=***"),
        ("sqlite:////home/me/expapi.db", "sqlite:////home/me/expapi.db"),
        ("http://airflow.example.com:8080?token=s3cret#s3cret", "http://airflow.example.com:8080?token=***#***"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_url_hides_a_query_that_is_not_pairs() -> None:
    assert "s3cret" not in mask_url("postgresql://h/db?s3cret")


def test_unknown_driver_error_masks_query_password() -> None:
    with pytest.raises(ConfigError) as caught:
        make_engine("postgresql+nosuchdriver://u@db.example/airflow?password=s3cret")
    assert "s3cret" not in str(caught.value)
    assert "password=***" in str(caught.value)


def test_unreachable_database_message_masks_query_password() -> None:
    engine = make_engine("postgresql+psycopg://u@127.0.0.1:9/airflow?password=s3cret&connect_timeout=1")
    try:
        from sqlalchemy.exc import OperationalError

        with pytest.raises(OperationalError) as caught:
            engine.connect()
        message = str(DatabaseUnreachable(engine.url, 1, caught.value))
    finally:
        engine.dispose()
    assert "s3cret" not in message
    assert "password=***" in message


def test_serve_start_up_error_masks_query_password(home, capsys, monkeypatch) -> None:
    from expapi.cli import main

    monkeypatch.setenv("EXPAPI_HOME", str(home))
    monkeypatch.setenv("EXPAPI__CORE__SQL_ALCHEMY_CONN", "postgresql+psycopg://u@127.0.0.1:9/airflow?password=s3cret&connect_timeout=1")
    monkeypatch.setenv("EXPAPI__DATABASE__CONNECT_RETRIES", "0")
    code = main(["serve", "--port", "9"])
    out = capsys.readouterr()
    assert code != 0
    assert "s3cret" not in out.out + out.err
    assert "password=***" in out.out + out.err


def test_clip_states_the_full_size() -> None:
    assert clip("x" * 1_000_099) == "x" * 200 + "... (1000099 characters)"
    assert clip("short") == "short"


def test_a_1mb_run_id_makes_no_long_log_line(client) -> None:
    # The handler as the server configures it (expapi.logs), on the root logger.
    written = io.StringIO()
    config = logs.logging_config("DEBUG")
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter(logs.FORMAT))
    handler.addFilter(config["filters"]["bounded"]["()"]())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        response = client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"run_id": "r" * 1_000_000})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert response.status_code == 400
    lines = written.getvalue().splitlines()
    assert any("(1000000 characters)" in line or "characters)" in line for line in lines)
    assert max(len(line) for line in lines) < 1200


def test_a_long_path_makes_a_bounded_access_log_line(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="expapi.access")
    response = client.get(f"{API}/pools/{'p' * 60_000}")
    assert response.status_code in (400, 404)
    lines = [r.getMessage() for r in caplog.records if r.name == "expapi.access"]
    assert lines and all(len(line) < 1000 for line in lines)
    assert any("characters)" in line for line in lines)
