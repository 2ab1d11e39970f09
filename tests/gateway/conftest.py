"""Fixtures for the gateway tests: the live Airflows, and clients of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from expapi.gateway.client import SyncUpstream
from live_airflow import URL_VARIABLES, SETTINGS, LiveAirflow, live_airflow


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"airflow {major}: " + ("on" if SETTINGS[variable] else f"off (set {variable}, e.g. with .ci/airflow_peers)")
        for major, variable in URL_VARIABLES.items()
    ]


@pytest.fixture(scope="session", params=[2, 3], ids=["airflow2", "airflow3"])
def airflow(request: pytest.FixtureRequest) -> LiveAirflow:
    """Each live Airflow in turn."""
    return live_airflow(request.param)


@pytest.fixture(scope="session")
def airflow3() -> LiveAirflow:
    """The live Airflow 3, for what only it has (tokens)."""
    return live_airflow(3)


@pytest.fixture
def upstream(airflow: LiveAirflow) -> Iterator[SyncUpstream]:
    """A blocking client of ``airflow`` as its admin (the service account)."""
    with SyncUpstream(airflow.config()) as client:
        yield client
