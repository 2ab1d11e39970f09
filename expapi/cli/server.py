"""``expapi serve``: the HTTP server."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from expapi import logs
from expapi.cli.common import setup
from expapi.cli.db import open_database
from expapi.dags.sync import sync_dags

log = logging.getLogger(__name__)


def register(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the API",
        description="Create the schema if needed, load the DAG files, and serve the API under "
        "/api/experimental (Swagger UI at /api/experimental/ui/).",
    )
    serve.add_argument("--host", help="address to bind (default: [webserver] web_server_host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: [webserver] web_server_port, 8080)")
    serve.add_argument("--workers", type=int, help="worker processes (default: [webserver] workers, 1)")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    config = setup()
    host = args.host or config.webserver.web_server_host
    port = args.port or config.webserver.web_server_port
    workers = args.workers or config.webserver.workers
    database = open_database(config)
    try:
        report = sync_dags(database, config)
    finally:
        database.dispose()
    log.info("loaded %d DAG(s); %d file(s) could not be read", len(report.loaded), len(report.errors))
    log.info("serving http://%s:%d/api/experimental with %d worker(s)", host, port, workers)
    uvicorn.run(
        "expapi.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=logs.logging_config(config.logging.logging_level),
        timeout_graceful_shutdown=30,
    )
    return 0
