"""What differs between Airflow 2's stable API (/api/v1) and Airflow 3's (/api/v2), as data.

Every fact here was checked against a running Airflow 2.11.2 and 3.3.2 (see docs/gateway.md);
code that calls the stable API asks the line, never "if version == ...".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiLine:
    """One stable REST API: its path, its names, and how it authenticates."""

    name: str  # "1" or "2", as [gateway] api_version spells it
    prefix: str  # every endpoint but /auth/token lives under it
    airflow_major: int
    # DAG runs: the date field of a run, the name of its range filters (<name>_gte/_lte) and the
    # order_by key. v1 has both execution_date and logical_date in a run, but filters only on
    # execution_date; v2 has logical_date only (and ignores unknown filters silently).
    run_date_field: str
    run_date_filter: str
    # A trigger's date field; v2 requires it in the body (null is allowed but unaddressable).
    trigger_date_field: str
    # GET /dagSources/{key}: v1 takes the DAG's file_token, v2 the dag_id.
    source_by_file_token: bool
    # PATCH /pools/{name}: the body's name key ("name" in v1, "pool" in v2). v1's update_mask
    # ignores "slots" (so v1 PATCHes the whole pool); v2 needs update_mask plus include_deferred.
    pool_patch_name_key: str
    pool_patch_uses_update_mask: bool
    # Listing a DAG's runs for a DAG that does not exist: v1 answers an empty 200, v2 a 404.
    run_list_checks_dag: bool
    # The largest page the server returns whatever limit is asked (its [api] maximum_page_limit
    # default); the client walks pages by the count it got, so a lower server cap is harmless.
    max_page_limit: int
    # v2 authenticates with a JWT from /auth/token; v1 with HTTP Basic on every call.
    uses_tokens: bool
    # v1 only: the web server's login form (FAB), whose session cookie the stable API also
    # accepts (its `session` auth backend). Basic makes Airflow 2 check the password hash on
    # every call (scrypt, 0.2 s idle, ~1 s on a busy machine) and it never opens a session
    # for an API call; one login does that check once. None: no such form.
    login_path: str | None = None

    @property
    def version_path(self) -> str:
        """The unauthenticated endpoint naming Airflow's version."""
        return f"{self.prefix}/version"


API_V1 = ApiLine(
    name="1",
    prefix="/api/v1",
    airflow_major=2,
    run_date_field="execution_date",
    run_date_filter="execution_date",
    trigger_date_field="logical_date",
    source_by_file_token=True,
    pool_patch_name_key="name",
    pool_patch_uses_update_mask=False,
    run_list_checks_dag=False,
    max_page_limit=100,
    uses_tokens=False,
    login_path="/login/",
)

API_V2 = ApiLine(
    name="2",
    prefix="/api/v2",
    airflow_major=3,
    run_date_field="logical_date",
    run_date_filter="logical_date",
    trigger_date_field="logical_date",
    source_by_file_token=False,
    pool_patch_name_key="pool",
    pool_patch_uses_update_mask=True,
    run_list_checks_dag=True,
    max_page_limit=100,
    uses_tokens=True,
)

API_LINES = {line.name: line for line in (API_V1, API_V2)}
# `auto` asks the newest first: Airflow 3 answers /api/v1 with a 404 that names /api/v2.
DETECTION_ORDER = (API_V2, API_V1)
