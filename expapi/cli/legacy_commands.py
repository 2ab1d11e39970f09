"""Airflow 1.10's command names: ``trigger_dag``, ``delete_dag`` (and ``pool``, in pool_commands)."""

from __future__ import annotations

import argparse

from expapi.cli import dag_commands, pool_commands
from expapi.cli.api_commands import api_command
from expapi.cli.common import CommandError
from expapi.cli.output import add_output_option, render
from expapi.client import Client


def register(commands) -> None:
    trigger = commands.add_parser(
        "trigger_dag", help="trigger a DAG run (Airflow 1.10 style)",
        description="Trigger a run of the DAG; prints the server's message, as Airflow 1.10 did.",
    )
    dag_commands.add_trigger_arguments(trigger)
    add_output_option(trigger, default="plain")
    trigger.set_defaults(run=api_command(run_trigger))

    delete = commands.add_parser(
        "delete_dag", help="delete a DAG's records (Airflow 1.10 style)",
        description="Delete every database record of the DAG; asks first unless -y.",
    )
    delete.add_argument("dag_id", metavar="DAG_ID")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_output_option(delete, default="plain")
    delete.set_defaults(run=api_command(run_delete))

    pool_commands.register_legacy(commands)


def run_trigger(client: Client, args: argparse.Namespace) -> None:
    _print_message(dag_commands.trigger(client, args), args)


def run_delete(client: Client, args: argparse.Namespace) -> None:
    result = dag_commands.confirmed_delete(client, args)
    if result is None:
        raise CommandError("Bail.")
    _print_message(result, args)


def _print_message(result: dict, args: argparse.Namespace) -> None:
    # 1.10 printed the bare message; -o json/yaml gives the whole answer.
    print(result["message"] if args.output == "plain" else render(result, args.output))
