"""The Airflow base URL: what [gateway] airflow_url accepts, and how URLs are masked when printed."""

from __future__ import annotations

import pytest

from expapi.gateway.urls import mask_url, parse_airflow_url


class TestParseAirflowUrl:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", ""),
            ("   ", ""),
            ("http://airflow:8080", "http://airflow:8080"),
            ("http://airflow:8080/", "http://airflow:8080"),
            (" https://airflow.example.com/prefix/ ", "https://airflow.example.com/prefix"),
            ("http://[::1]:8080", "http://[::1]:8080"),
        ],
    )
    def test_accepts_http_base_urls(self, text: str, expected: str) -> None:
        assert parse_airflow_url(text) == expected

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("ftp://airflow", "expected an http:// or https:// URL with a host, e.g. http://airflow.example.com:8080"),
            ("airflow:8080", "expected an http:// or https:// URL with a host, e.g. http://airflow.example.com:8080"),
            ("http://", "expected an http:// or https:// URL with a host, e.g. http://airflow.example.com:8080"),
            ("http://airflow:port", "not a URL (Port could not be cast to integer value as 'port')"),
            ("http://admin:secret@airflow", "credentials in the URL are not used: set [gateway] username and password"),
            ("http://admin@airflow", "credentials in the URL are not used: set [gateway] username and password"),
            ("http://airflow/?token=abc", "expected a base URL without a query or fragment"),
            ("http://airflow/#x", "expected a base URL without a query or fragment"),
        ],
    )
    def test_refuses_anything_else_with_a_reason(self, text: str, message: str) -> None:
        with pytest.raises(ValueError) as caught:
            parse_airflow_url(text)
        assert str(caught.value) == message


class TestMaskUrl:
    @pytest.mark.parametrize(
        ("url", "masked"),
        [
            ("http://airflow:8080/api", "http://airflow:8080/api"),
            ("http://admin:s3cret@airflow:8080/api", "http://***:***@airflow:8080/api"),
            ("http://admin@airflow", "http://***@airflow"),
            ("https://airflow/x?token=abc&limit=5", "https://airflow/x?token=***&limit=***"),
            ("https://airflow/x?flag", "https://airflow/x?***"),  # a bare piece may be the secret itself
            ("https://airflow/x#access_token=abc", "https://airflow/x#***"),
            ("http://u:p@[::1]:8080/?a=b", "http://***:***@[::1]:8080/?a=***"),
        ],
    )
    def test_hides_userinfo_query_values_and_fragment(self, url: str, masked: str) -> None:
        assert mask_url(url) == masked

    def test_text_that_is_not_a_url_is_hidden_whole(self) -> None:
        assert mask_url("http://user:pa ss@[bad") == "***"
