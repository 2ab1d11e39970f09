"""``expapi dags``: the DAGs the server knows."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import select

from expapi.cli import dag_commands
from expapi.cli.common import setup
from expapi.cli.preparation import open_database, prepare_database, refuse_in_gateway_mode
from expapi.cli.output import add_output_option, render
from expapi.models import DagModel


def register(commands) -> None:
    dags = commands.add_parser("dags", help="list and load DAGs", description="List, load, trigger and inspect DAGs.")
    actions = dags.add_subparsers(dest="dags_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="list the DAGs in the database", description="List the DAGs the server serves (as last synced)."
    )
    add_output_option(listing)
    listing.set_defaults(run=run_list)
    sync = actions.add_parser(
        "sync",
        help="load DAG files into the database",
        description="Read every DAG file (the examples if [core] load_examples, then [core] dags_folder) "
        "and store them in the database. Unreadable files are reported; the rest still load. "
        "Exits 1 if any file could not be read.",
    )
    sync.set_defaults(run=run_sync)
    dag_commands.register(actions)


def run_sync(_args: argparse.Namespace) -> int:
    config = setup()
    refuse_in_gateway_mode(config, "expapi dags sync", "Airflow parses its own DAG files")
    report = prepare_database(config)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(f"Loaded {len(report.loaded)} DAG(s); {len(report.errors)} file(s) could not be read.")
    if report.deactivated:
        print(f"Deactivated {len(report.deactivated)} DAG(s) whose file is gone: {', '.join(report.deactivated)}")
    return 1 if report.errors else 0


def run_list(args: argparse.Namespace) -> int:
    config = setup()
    refuse_in_gateway_mode(config, "expapi dags list", "Airflow lists its own DAGs (airflow dags list)")
    database = open_database(config)
    try:
        with database.transaction() as session:
            rows = [
                {"dag_id": d.dag_id, "fileloc": d.fileloc, "owners": d.owners, "is_paused": d.is_paused, "is_active": d.is_active}
                for d in session.scalars(select(DagModel).order_by(DagModel.dag_id))
            ]
    finally:
        database.dispose()
    print(render(rows, args.output, ("dag_id", "owners", "is_paused", "is_active", "fileloc")))
    return 0
