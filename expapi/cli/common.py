"""What the commands share: loading config once, and failing with one clear line."""

from __future__ import annotations

import sys

from expapi import logs
from expapi.config import Config, load_config


class CommandError(Exception):
    """A command that cannot do its job; its message is printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int) -> int:
    print(f"expapi: {message}", file=sys.stderr)
    return exit_code


def setup() -> Config:
    """Read the configuration and set up logging, as every command starts.

    $EXPAPI_HOME and the DAGs folder are created on first use, as Airflow creates its home.
    """
    config = load_config()
    logs.configure(config.logging.logging_level)
    for folder in (config.home, config.core.dags_folder):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {folder}: {exc.strerror}") from None
    return config
