"""``expapi test`` and ``expapi info``: is the API there, and what it follows."""

from __future__ import annotations

from expapi.cli.api_commands import api_command
from expapi.cli.output import add_output_option, render


def register(commands) -> None:
    test = commands.add_parser(
        "test",
        help="check that the API answers (and that the credentials work)",
        description="Call GET /test through the configured client; prints OK.",
    )
    add_output_option(test, default="plain")
    test.set_defaults(run=api_command(lambda client, args: print(render(client.test(), args.output, ["status"]))))
    info = commands.add_parser(
        "info", help="print the Airflow version the API follows", description="Call GET /info through the configured client."
    )
    add_output_option(info, default="plain")
    info.set_defaults(run=api_command(lambda client, args: print(render(client.get_info(), args.output, ["version"]))))
