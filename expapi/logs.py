"""Logging set-up shared by the command line and every server worker."""

from __future__ import annotations

import logging.config
import warnings
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig for expapi and uvicorn at ``level``; uvicorn's own access log is off."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        # alembic narrates every connection it inspects; expapi.db_migrations logs what it applies.
        # httpx logs every request at INFO; the gateway writes its own line per call at DEBUG.
        "loggers": {"uvicorn.access": {"level": "WARNING"}, "alembic": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
    }


def configure(level: str) -> None:
    """Log to stderr at ``level``; Python warnings go to the log too."""
    # connexion imports starlette's test client at start-up, which warns about httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    logging.config.dictConfig(logging_config(level))
    logging.captureWarnings(True)
