"""The start-up check of gateway mode: is the Airflow there, which API, do our credentials work."""

from __future__ import annotations

from expapi.config import GatewayConfig
from expapi.gateway.client import SyncUpstream


def check_airflow(config: GatewayConfig) -> str:
    """One line describing the Airflow behind the gateway, once it has answered as expected.

    Raises ``UpstreamUnavailable`` (unreachable, timed out, 5xx), ``GatewayCredentialsRejected``
    or ``UpstreamAnswerError`` (not an Airflow 2/3 API, or not the configured api_version);
    each names the masked URL and the cause in one line.
    """
    with SyncUpstream(config) as upstream:
        exchange = upstream.exchange
        exchange.log_rejections = False
        line = upstream.run(exchange.check())
    if config.auth == "passthrough":
        auth = "auth passthrough (each caller's own credentials)"
    elif exchange.service is not None:
        auth = f"auth service as {exchange.service.username!r}"
    else:
        auth = "auth service without credentials"
    return f"gateway mode: Airflow {exchange.airflow_version} at {exchange.upstream} (stable API {line.prefix}, {auth})"
