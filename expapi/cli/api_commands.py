"""Running one API operation from the command line, through the configured client."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from expapi.cli.common import CommandError, setup
from expapi.client import Client, ClientError, get_client
from expapi.flavours import FLAVOURS

# Exit status when the API could not be reached at all (1 is a refusal from the API).
EXIT_UNREACHABLE = 3


def api_command(operation: Callable[[Client, argparse.Namespace], Any]) -> Callable[[argparse.Namespace], int]:
    """Wrap a command body: build the client, call it, and turn refusals into one clear line."""

    def run(args: argparse.Namespace) -> int:
        config = setup()
        # The configured flavour's CLI habits (how results are printed), for the command body.
        args.cli = FLAVOURS[config.api.compat].cli
        try:
            with get_client(config) as client:
                operation(client, args)
        except ClientError as exc:
            raise CommandError(exc.message, EXIT_UNREACHABLE if exc.status is None else 1) from None
        return 0

    return run
