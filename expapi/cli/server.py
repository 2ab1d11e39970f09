"""``expapi serve``: the HTTP server."""

from __future__ import annotations

import argparse
import functools
import ipaddress
import logging
import os
from dataclasses import replace

from expapi import logs
from expapi.auth import backend_class
from expapi.cli import supervisor
from expapi.cli.common import CommandError, setup
from expapi.cli.preparation import prepare_database
from expapi.config import Config, GatewayConfig, port_number, positive_int
from expapi.gateway.urls import mask_url, parse_airflow_url
from expapi.http_limits import uvicorn_options

log = logging.getLogger(__name__)

PASSWORD_IN_GATEWAY_MODE = (
    "[api] auth_backend = password needs expapi's own users, which gateway mode does not keep: "
    "set [gateway] auth = passthrough (Airflow checks each caller) and [api] auth_backend = default"
)
OPEN_OFF_LOOPBACK = (
    "[api] auth_backend = default checks no credentials, and %s can be reached from other "
    "machines: anyone there may trigger, pause and delete. Set [api] auth_backend "
    "(EXPAPI__API__AUTH_BACKEND) to deny_all, password or kerberos, or bind to 127.0.0.1."
)


def register(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the API",
        description="Create the schema in an empty database, load the DAG files, and serve the API under "
        "/api/experimental (Swagger UI at /api/experimental/ui/). A schema with pending migrations "
        "stops the server unless --upgrade-db is given. SIGTERM lets requests in flight finish first.",
    )
    serve.add_argument("--host", help="address to bind (default: [webserver] web_server_host, 127.0.0.1)")
    serve.add_argument("--port", type=port_option, help="port to bind (default: [webserver] web_server_port, 8080)")
    serve.add_argument("--workers", type=workers_option, help="worker processes (default: [webserver] workers, 1)")
    serve.add_argument(
        "--airflow-url",
        type=airflow_url_option,
        metavar="URL",
        help="gateway mode: answer from the Airflow 2 or 3 web/API server at URL through its stable API "
        "(default: [gateway] airflow_url; see docs/gateway.md)",
    )
    serve.add_argument(
        "--upgrade-db",
        action="store_true",
        help="apply pending schema migrations before serving (default: refuse to start on an outdated schema)",
    )
    serve.set_defaults(run=run_serve)


def _option(parse, expected: str):
    """An argparse type from a config parser, so an option and its config key accept the same values."""

    def convert(text: str):
        try:
            return parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {expected}") from None

    return convert


port_option = _option(port_number, "a port number from 1 to 65535")
workers_option = _option(positive_int, "a whole number of at least 1")


def airflow_url_option(text: str) -> str:
    """--airflow-url, checked as [gateway] airflow_url is (and printed masked if refused)."""
    try:
        return parse_airflow_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{mask_url(text)!r}: {exc}") from None


def check_gateway(gateway: GatewayConfig) -> None:
    """Stop with one line unless the Airflow behind the gateway answers as configured."""
    # Imported here: its HTTP client (httpx) is for gateway mode only.
    from expapi.gateway.errors import UpstreamError, UpstreamUnavailable
    from expapi.gateway.startup import check_airflow

    try:
        log.info(check_airflow(gateway))
    except UpstreamUnavailable as exc:
        raise CommandError(exc.message, exit_code=3) from None
    except UpstreamError as exc:
        raise CommandError(exc.message, exit_code=2) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine: localhost, 127.0.0.0/8 or ::1."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # another host name: assume it is reachable from elsewhere
        return False


def run_serve(args: argparse.Namespace) -> int:
    config = setup()
    if args.airflow_url is not None:
        os.environ["EXPAPI__GATEWAY__AIRFLOW_URL"] = args.airflow_url  # the workers read it from there
        config = replace(config, gateway=replace(config.gateway, airflow_url=args.airflow_url))
    if config.gateway.enabled:
        if config.api.auth_backend == "password":
            raise CommandError(PASSWORD_IN_GATEWAY_MODE)
        check_gateway(config.gateway)
    host = args.host if args.host is not None else config.webserver.web_server_host
    # The workers decide the allowed Host names from the address really bound.
    os.environ["EXPAPI__WEBSERVER__WEB_SERVER_HOST"] = host
    port = args.port if args.port is not None else config.webserver.web_server_port
    workers = args.workers if args.workers is not None else config.webserver.workers
    backend_class(config.api.auth_backend)  # a backend whose library is missing stops here, in one line
    if config.api.auth_backend == "default" and not is_loopback(host):
        log.warning(OPEN_OFF_LOOPBACK, host)
    if not config.gateway.enabled:  # else Airflow keeps the DAGs and runs: nothing to prepare
        _prepare(config, args.upgrade_db)
    log.info("serving http://%s:%d/api/experimental with %d worker(s)", host, port, workers)
    supervisor.serve(functools.partial(preloaded_app, config), workers=workers, **server_options(config, host, port))
    return 0


def _prepare(config, upgrade: bool) -> None:
    report = prepare_database(config, upgrade=upgrade)
    for error in report.errors:
        log.error("DAG file skipped: %s", error)
    log.info("loaded %d DAG(s); %d file(s) could not be read", len(report.loaded), len(report.errors))
    if report.deactivated:
        log.warning("deactivated DAG(s) whose file is gone: %s", ", ".join(report.deactivated))


def preloaded_app(config: Config):
    """The app with everything built that connexion would otherwise build in each worker.

    connexion resolves the spec and makes its validators and routes on the first call (the
    lifespan), i.e. after the fork, once per worker; built here, the workers share it.
    """
    from expapi.app import create_app  # here, not at the top: other commands need not import the app

    app = create_app(config)
    if not config.gateway.enabled:
        import expapi.store.sql  # noqa: F401  # else each worker would import it at its first request
    connexion = app.middleware
    if connexion.middleware_stack is None:  # connexion 3's private builder: no public hook exists
        connexion.app, connexion.middleware_stack = connexion._build_middleware_stack()
    return app


def server_options(config: Config, host: str, port: int) -> dict:
    """uvicorn.Config's keyword arguments for ``serve``: the one place they are chosen."""
    return {
        **uvicorn_options(config),  # the HTTP limits: header size and time, keep-alive, connections
        "host": host,
        "port": port,
        "access_log": False,  # expapi's FrameMiddleware writes the access log
        "log_config": logs.logging_config(config.logging.logging_level),
        "timeout_graceful_shutdown": 30,
    }
