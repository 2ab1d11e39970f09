"""Logging set-up shared by the command line and every server worker."""

from __future__ import annotations

import logging
import logging.config
import warnings
from typing import Any

from expapi.redact import clip

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The longest message written; longer ones (connexion repeats a rejected value whole) are cut.
MAX_MESSAGE = 1000


class BoundedMessages(logging.Filter):
    """Cuts every message to MAX_MESSAGE characters, stating its full size: a client cannot flood the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_MESSAGE:
            record.msg, record.args = clip(message, MAX_MESSAGE), None
        return True


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig for expapi and uvicorn at ``level``; uvicorn's own access log is off."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "filters": {"bounded": {"()": BoundedMessages}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr", "filters": ["bounded"]}
        },
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
