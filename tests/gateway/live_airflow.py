"""The real Airflows the gateway tests run against: Airflow 2.11 (/api/v1) and 3.3 (/api/v2).

``.ci/airflow_peers start`` starts both and writes their variables: ``EXPAPI_TEST_AIRFLOW2_URL``
and ``EXPAPI_TEST_AIRFLOW3_URL`` (base URLs carrying an admin's Basic credentials), and
``EXPAPI_TEST_AIRFLOW2_VIEWER``/``EXPAPI_TEST_AIRFLOW3_VIEWER`` (``user:password`` of a
read-only user). Without them these tests are skipped, or fail under CI=true.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest

from databases import IN_CI
from expapi.config import GatewayConfig
from expapi.gateway.tokens import Credentials

URL_VARIABLES = {2: "EXPAPI_TEST_AIRFLOW2_URL", 3: "EXPAPI_TEST_AIRFLOW3_URL"}
VIEWER_VARIABLES = {2: "EXPAPI_TEST_AIRFLOW2_VIEWER", 3: "EXPAPI_TEST_AIRFLOW3_VIEWER"}
# Read once at import: some fixtures clear EXPAPI* variables while a test runs.
SETTINGS = {name: os.environ.get(name, "") for name in (*URL_VARIABLES.values(), *VIEWER_VARIABLES.values())}


@dataclass(frozen=True)
class LiveAirflow:
    """One running Airflow: its base URL and the accounts the CI made on it."""

    major: int
    url: str
    admin: Credentials
    viewer: Credentials | None

    @property
    def api_prefix(self) -> str:
        return "/api/v1" if self.major == 2 else "/api/v2"

    def config(self, **settings: object) -> GatewayConfig:
        """[gateway] for this Airflow with the admin as service account, plus ``settings``."""
        config = GatewayConfig(airflow_url=self.url, username=self.admin.username, password=self.admin.password, timeout=30.0)
        return replace(config, **settings)

    def require_viewer(self) -> Credentials:
        if self.viewer is None:
            _missing(f"set {VIEWER_VARIABLES[self.major]} (user:password of a read-only user) to run this test")
        return self.viewer


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def _credentials(text: str) -> Credentials | None:
    username, colon, password = text.partition(":")
    return Credentials(username, password) if colon and username and password else None


def live_airflow(major: int) -> LiveAirflow:
    """The Airflow ``major`` named by its variable; skips (fails under CI) without one."""
    variable = URL_VARIABLES[major]
    text = SETTINGS[variable]
    if not text:
        _missing(f"set {variable} (e.g. by `.ci/airflow_peers start`) to run the gateway tests against Airflow {major}")
    parts = urlsplit(text)
    if not parts.username or not parts.password:
        _missing(f"{variable} must carry an admin's credentials: http://user:password@host:port")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    url = urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
    admin = Credentials(unquote(parts.username), unquote(parts.password))
    return LiveAirflow(major, url, admin, _credentials(SETTINGS[VIEWER_VARIABLES[major]]))
