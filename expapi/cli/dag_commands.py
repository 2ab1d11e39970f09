"""``expapi dags trigger|delete|list-runs|state|pause|unpause|show-code|latest-runs|lineage``."""

from __future__ import annotations

import argparse
import sys

from expapi.cli.api_commands import api_command
from expapi.cli.arguments import confirm, json_object
from expapi.cli.common import CommandError
from expapi.cli.output import add_output_option, render
from expapi.client import Client

DELETE_QUESTION = "This will drop all existing records related to the specified DAG. Proceed?"
RUN_COLUMNS = ("id", "run_id", "state", "execution_date", "start_date")


def register(actions) -> None:
    """Add the API-backed DAG commands to the ``dags`` group."""
    trigger = actions.add_parser("trigger", help="trigger a DAG run", description="Trigger a run of the DAG.")
    add_trigger_arguments(trigger)
    add_output_option(trigger)
    trigger.set_defaults(run=api_command(run_trigger))

    delete = actions.add_parser(
        "delete", help="delete a DAG's records", description="Delete every database record of the DAG (it returns at the next sync)."
    )
    delete.add_argument("dag_id", metavar="DAG_ID")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_output_option(delete)
    delete.set_defaults(run=api_command(run_delete))

    runs = actions.add_parser("list-runs", help="list a DAG's runs", description="List the DAG's runs, oldest first.")
    runs.add_argument("-d", "--dag-id", required=True, help="the DAG")
    runs.add_argument("--state", help="only runs in this state (running, success, failed)")
    add_output_option(runs)
    runs.set_defaults(run=api_command(lambda client, args: print(
        render(client.list_dag_runs(args.dag_id, args.state), args.output, RUN_COLUMNS)
    )))

    state = actions.add_parser("state", help="the state of a run", description="Print the state of the DAG's run at a date.")
    state.add_argument("dag_id", metavar="DAG_ID")
    state.add_argument("execution_date", metavar="EXEC_DATE", help="e.g. 2021-01-02T03:04:05+00:00")
    add_output_option(state, default="plain")
    state.set_defaults(run=api_command(lambda client, args: print(
        render(client.get_dag_run_state(args.dag_id, args.execution_date), args.output, ["state"])
    )))

    for name, paused in (("pause", True), ("unpause", False)):
        parser = actions.add_parser(name, help=f"{name} a DAG", description=f"{name.capitalize()} the DAG.")
        parser.add_argument("dag_id", metavar="DAG_ID")
        add_output_option(parser)
        parser.set_defaults(run=api_command(_set_paused(paused)))

    code = actions.add_parser("show-code", help="print a DAG's file", description="Print the text of the DAG's file.")
    code.add_argument("dag_id", metavar="DAG_ID")
    code.set_defaults(run=api_command(lambda client, args: sys.stdout.write(client.get_dag_code(args.dag_id))))

    latest = actions.add_parser("latest-runs", help="the newest run of each DAG", description="List the newest run of every DAG.")
    add_output_option(latest)
    latest.set_defaults(run=api_command(lambda client, args: print(
        render(client.get_latest_runs()["items"], args.output, ("dag_id", "execution_date", "start_date"))
    )))

    lineage = actions.add_parser("lineage", help="a run's inlets and outlets", description="Print the inlets and outlets of a run's tasks.")
    lineage.add_argument("dag_id", metavar="DAG_ID")
    lineage.add_argument("execution_date", metavar="EXEC_DATE")
    add_output_option(lineage)
    lineage.set_defaults(run=api_command(run_lineage))


def add_trigger_arguments(parser: argparse.ArgumentParser) -> None:
    """DAG_ID, -r, -c, -e and --no-replace-microseconds, as Airflow's trigger commands take them."""
    parser.add_argument("dag_id", metavar="DAG_ID")
    parser.add_argument("-r", "--run-id", "--run_id", dest="run_id", help="the new run's id (default: manual__<date>)")
    parser.add_argument("-c", "--conf", type=json_object, help="the run's conf, a JSON object, e.g. '{\"key\": \"value\"}'")
    parser.add_argument("-e", "--exec-date", "--exec_date", dest="exec_date", help="the execution date (default: now)")
    parser.add_argument(
        "--no-replace-microseconds", dest="replace_microseconds", action="store_false", default=None,
        help="keep the microseconds of the date (they are dropped when no date is given)",
    )


def trigger(client: Client, args: argparse.Namespace) -> dict:
    """Trigger with the arguments of ``add_trigger_arguments``."""
    return client.trigger_dag_run(
        args.dag_id, run_id=args.run_id, conf=args.conf, execution_date=args.exec_date,
        replace_microseconds=args.replace_microseconds,
    )


def run_trigger(client: Client, args: argparse.Namespace) -> None:
    row = args.cli.trigger_row(trigger(client, args), args.dag_id, args.conf)
    print(render(row, args.output, args.cli.trigger_columns))


def confirmed_delete(client: Client, args: argparse.Namespace) -> dict | None:
    """Delete after the confirmation Airflow asks for (skipped with -y); None when refused."""
    if not args.yes and not confirm(DELETE_QUESTION):
        return None
    return client.delete_dag(args.dag_id)


def run_delete(client: Client, args: argparse.Namespace) -> None:
    result = confirmed_delete(client, args)
    if result is None:
        raise CommandError("Cancelled")
    print(render(result, args.output, ("count", "message")))


def _set_paused(paused: bool):
    def run(client: Client, args: argparse.Namespace) -> None:
        client.set_dag_paused(args.dag_id, paused)
        state = client.get_dag_paused(args.dag_id)
        print(render({"dag_id": args.dag_id, **state}, args.output, ("dag_id", "is_paused")))

    return run


def run_lineage(client: Client, args: argparse.Namespace) -> None:
    task_ids = client.get_lineage(args.dag_id, args.execution_date)["task_ids"]
    if args.output in ("json", "yaml"):
        print(render({"task_ids": task_ids}, args.output))
        return
    rows = [{"task_id": task_id, **declared} for task_id, declared in task_ids.items()]
    print(render(rows, args.output, ("task_id", "inlets", "outlets")))
