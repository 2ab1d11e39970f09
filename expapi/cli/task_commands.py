"""``expapi tasks info|state|instance``."""

from __future__ import annotations

from expapi.cli.api_commands import api_command
from expapi.cli.output import add_output_option, render, render_record


def register(commands) -> None:
    tasks = commands.add_parser("tasks", help="read tasks and task instances", description="Read tasks and task instances.")
    actions = tasks.add_subparsers(dest="tasks_command", metavar="ACTION", required=True)

    info = actions.add_parser("info", help="a task's attributes", description="Print every attribute of the task's operator.")
    info.add_argument("dag_id", metavar="DAG_ID")
    info.add_argument("task_id", metavar="TASK_ID")
    add_output_option(info)
    info.set_defaults(run=api_command(lambda client, args: print(
        render_record(client.get_task(args.dag_id, args.task_id), args.output)
    )))

    state = actions.add_parser("state", help="a task instance's state", description="Print the state of the task in the run at a date.")
    _instance_arguments(state)
    add_output_option(state, default="plain")
    state.set_defaults(run=api_command(lambda client, args: print(render(
        {"state": client.get_task_instance(args.dag_id, args.execution_date, args.task_id)["state"]}, args.output, ["state"]
    ))))

    instance = actions.add_parser(
        "instance", help="a task instance's attributes", description="Print every attribute of the task instance."
    )
    _instance_arguments(instance)
    add_output_option(instance)
    instance.set_defaults(run=api_command(lambda client, args: print(
        render_record(client.get_task_instance(args.dag_id, args.execution_date, args.task_id), args.output)
    )))


def _instance_arguments(parser) -> None:
    parser.add_argument("dag_id", metavar="DAG_ID")
    parser.add_argument("task_id", metavar="TASK_ID")
    parser.add_argument("execution_date", metavar="EXEC_DATE", help="the run's execution date")
