"""[gateway]: gateway mode's settings, from expapi.cfg and EXPAPI__GATEWAY__* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from expapi.config import ConfigError, load_config


def test_off_by_default(tmp_path: Path) -> None:
    gateway = load_config(tmp_path, environ={}).gateway
    assert gateway.enabled is False
    assert (gateway.airflow_url, gateway.api_version, gateway.auth) == ("", "auto", "service")
    assert (gateway.username, gateway.password, gateway.timeout) == ("", "", 10.0)
    assert (gateway.verify_ssl, gateway.ca_bundle) == (True, "")


def test_read_from_the_file_and_the_environment(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    (tmp_path / "expapi.cfg").write_text(
        "[gateway]\nairflow_url = https://airflow.example.com/prefix/\napi_version = v2\nauth = passthrough\n"
        f"timeout = 2.5\nca_bundle = {bundle}\n"
    )
    gateway = load_config(tmp_path, environ={"EXPAPI__GATEWAY__API_VERSION": "1"}).gateway
    assert gateway.enabled is True
    assert gateway.airflow_url == "https://airflow.example.com/prefix"
    assert (gateway.api_version, gateway.auth, gateway.timeout, gateway.ca_bundle) == ("1", "passthrough", 2.5, str(bundle))


def test_service_credentials(tmp_path: Path) -> None:
    environ = {"EXPAPI__GATEWAY__USERNAME": "expapi", "EXPAPI__GATEWAY__PASSWORD": "s3cret", "EXPAPI__GATEWAY__VERIFY_SSL": "off"}
    gateway = load_config(tmp_path, environ=environ).gateway
    assert (gateway.username, gateway.password, gateway.verify_ssl) == ("expapi", "s3cret", False)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"EXPAPI__GATEWAY__AIRFLOW_URL": "http://admin:s3cret@airflow:8080?token=t0ken"},
            "invalid value for [gateway] airflow_url: 'http://***:***@airflow:8080?token=***' "
            "(credentials in the URL are not used: set [gateway] username and password)",
        ),
        (
            {"EXPAPI__GATEWAY__AIRFLOW_URL": "airflow:8080"},
            "invalid value for [gateway] airflow_url: 'airflow:8080' "
            "(expected an http:// or https:// URL with a host, e.g. http://airflow.example.com:8080)",
        ),
        ({"EXPAPI__GATEWAY__API_VERSION": "3"}, "invalid value for [gateway] api_version: '3' (expected one of: 1, 2, auto)"),
        ({"EXPAPI__GATEWAY__AUTH": "kerberos"}, "invalid value for [gateway] auth: 'kerberos' (expected one of: passthrough, service)"),
        ({"EXPAPI__GATEWAY__TIMEOUT": "0"}, "invalid value for [gateway] timeout: '0' (expected a number of seconds above 0, at most 3600)"),
        ({"EXPAPI__GATEWAY__VERIFY_SSL": "maybe"}, "invalid value for [gateway] verify_ssl: 'maybe' (expected True or False)"),
        ({"EXPAPI__GATEWAY__CA_BUNDLE": "/nonexistent/ca.pem"}, "invalid value for [gateway] ca_bundle: '/nonexistent/ca.pem' (no such file)"),
        (
            {"EXPAPI__GATEWAY__USERNAME": "expapi"},
            "[gateway] username is set but [gateway] password is empty: set both or neither",
        ),
        (
            {"EXPAPI__GATEWAY__PASSWORD": "s3cret"},
            "[gateway] password is set but [gateway] username is empty: set both or neither",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_key(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ=environ)
    assert str(caught.value) == message
    assert "s3cret" not in str(caught.value) and "t0ken" not in str(caught.value)


def test_a_ca_bundle_needs_verification_on(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={"EXPAPI__GATEWAY__CA_BUNDLE": str(bundle), "EXPAPI__GATEWAY__VERIFY_SSL": "False"})
    assert str(caught.value) == "[gateway] ca_bundle is set but [gateway] verify_ssl is False: keep one of them"
