"""The texts an Airflow line answers with, as one table per flavour.

Each is a ``str.format`` template; its placeholders name what the service fills in. Clients
match on these words, so each is kept exactly as that Airflow line wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Messages:
    """Every message of one Airflow line's experimental API, by what it reports."""

    # Looking things up: {dag_id}, {task_id}, {execution_date} (as the flavour prints dates).
    dag_not_found_in_dag_model: str
    dag_not_found: str
    task_not_found: str
    dag_run_not_found: str
    task_instance_not_found: str
    dag_code_not_found: str
    # {value}: what the client sent; {example}: a date in the expected form.
    unreadable_execution_date: str
    # Triggering: {dag_id}, {run_id}, {execution_date}, {start_date}.
    conf_not_a_dict: str
    # Listing runs with a ``state`` the line does not know: {state}.
    dag_run_state_invalid: str
    execution_date_before_start_date: str
    run_id_exists: str
    execution_date_exists: str
    run_created: str
    # Deleting a DAG's records: {count}; refused while some of its task instances run (2.x).
    dag_records_removed: str
    task_instances_still_running: str
    # Pools: {name}, {slots}, {length}.
    pool_name_empty: str
    pool_name_too_long: str
    pool_not_found: str
    pool_slots_invalid: str
    pool_not_deletable: str
    # Routing, before any handler: an unknown path, a method the path does not allow.
    route_not_found: str
    method_not_allowed: str
