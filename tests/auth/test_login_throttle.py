"""Failed logins throttled per user and per client address: 429 JSON with Retry-After, and no bcrypt spent."""

from __future__ import annotations

import threading

import pytest
from starlette.testclient import TestClient

from expapi.auth import password_hashing
from expapi.auth.login_throttle import FailedLogins
from expapi.db import Database
from expapi.errors import TooManyRequests
from auth_support import NOTICE, WRONG_CREDENTIALS, add_user, basic, notice, refusal
from http_helpers import API

TEST = f"{API}/test"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread names of every bcrypt check made."""
    made: list[str] = []
    real_checkpw = password_hashing.bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        made.append(threading.current_thread().name)
        return real_checkpw(password, hashed)

    monkeypatch.setattr(password_hashing.bcrypt, "checkpw", spy)
    return made


@pytest.fixture
def unthrottled(password_settings: dict[str, str]) -> None:
    password_settings["EXPAPI__API__FAILED_LOGIN_LIMIT"] = "0"


class TestOverHttp:
    def test_the_sixth_wrong_password_is_429_without_a_bcrypt_check(
        self, flavour: str, password_client: TestClient, checks: list[str]
    ) -> None:
        for _ in range(5):
            assert refusal(password_client.get(TEST, headers=basic(password="wrong"))) == WRONG_CREDENTIALS[flavour]
        assert len(checks) == 5
        throttled = password_client.get(TEST, headers=basic(password="wrong"))
        assert throttled.status_code == 429
        assert throttled.headers["content-type"] == "application/json"
        assert notice(throttled) == NOTICE[flavour]
        assert "www-authenticate" not in throttled.headers
        seconds = int(throttled.headers["Retry-After"])
        assert 1 <= seconds <= 40
        assert throttled.json() == {"error": f"Too many failed logins; try again in {seconds} s"}
        assert len(checks) == 5

    def test_a_throttled_user_is_refused_even_with_the_right_password(self, password_client: TestClient) -> None:
        # Otherwise the cache would tell a right guess from a wrong one while the others wait.
        assert password_client.get(TEST, headers=basic()).status_code == 200
        for _ in range(5):
            password_client.get(TEST, headers=basic(password="wrong"))
        assert password_client.get(TEST, headers=basic()).status_code == 429

    def test_the_client_address_is_throttled_across_user_names(
        self, password_client: TestClient, database: Database, checks: list[str]
    ) -> None:
        for number in range(5):
            password_client.get(TEST, headers=basic(username=f"nobody{number}", password="wrong"))
        add_user(database, "other", "secret")
        assert password_client.get(TEST, headers=basic(username="other", password="secret")).status_code == 429
        assert len(checks) == 5

    def test_a_limit_of_zero_turns_it_off(self, flavour: str, unthrottled: None, password_client: TestClient) -> None:
        for _ in range(8):
            assert refusal(password_client.get(TEST, headers=basic(password="wrong"))) == WRONG_CREDENTIALS[flavour]
        assert password_client.get(TEST, headers=basic()).status_code == 200


class TestFailedLogins:
    def test_failures_leave_the_window(self) -> None:
        now = [100.0]
        logins = FailedLogins(limit=2, window=40.0, clock=lambda: now[0])
        keys = [("user", "u"), ("address", "10.0.0.1")]
        logins.record_failure(keys)
        now[0] = 110.0
        logins.record_failure(keys)
        with pytest.raises(TooManyRequests) as caught:
            logins.refuse_if_throttled([("address", "10.0.0.1")])
        assert caught.value.headers == {"Retry-After": "30"}  # the first failure leaves at 140
        now[0] = 140.0
        logins.refuse_if_throttled(keys)  # one failure left in the window: allowed

    def test_other_keys_are_not_affected(self) -> None:
        logins = FailedLogins(limit=1, window=40.0)
        logins.record_failure([("user", "u")])
        logins.refuse_if_throttled([("user", "v"), ("address", "10.0.0.1")])

    def test_the_number_of_keys_kept_is_bounded(self) -> None:
        logins = FailedLogins(limit=1, window=40.0, max_keys=3)
        for number in range(10):
            logins.record_failure([("user", f"u{number}")])
        assert len(logins._failures) == 3
        logins.refuse_if_throttled([("user", "u0")])  # forgotten
        with pytest.raises(TooManyRequests):
            logins.refuse_if_throttled([("user", "u9")])
