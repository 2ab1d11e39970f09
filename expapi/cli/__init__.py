"""The ``expapi`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from expapi import __version__
from expapi.cli import dags, db, legacy_commands, monitoring, pool_commands, scheduler, server, task_commands, users
from expapi.cli.common import CommandError, fail
from expapi.config import ConfigError

EXIT_CODES = """exit codes:
  0  success
  1  the command ran and failed: the API refused it (its message is printed),
     a DAG file could not be read, or a confirmation was declined
  2  bad usage or configuration
  3  the API (json_client) or the database (local_client) could not be reached
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expapi",
        description="Apache Airflow's experimental REST API, contract first.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"expapi {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    server.register(commands)
    scheduler.register(commands)
    db.register(commands)
    dags.register(commands)
    task_commands.register(commands)
    pool_commands.register(commands)
    legacy_commands.register(commands)
    monitoring.register(commands)
    users.register(commands)
    version = commands.add_parser("version", help="print expapi's version", description="Print expapi's version.")
    version.set_defaults(run=lambda _args: print(__version__))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except ConfigError as exc:
        return fail(f"configuration error: {exc}", 2)
    except CommandError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
