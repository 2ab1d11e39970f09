"""The one place that turns failures into the API's error shape, ``{"error": "<message>"}``.

It covers expapi's own errors, connexion's validation problems, routing 404/405,
database failures and anything unexpected, so nothing answers HTML or a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, OperationalError
from starlette.exceptions import HTTPException

from expapi import runtime
from expapi.db import driver_message
from expapi.errors import ApiError
from expapi.flavours import AIRFLOW_1_10, Flavour

log = logging.getLogger(__name__)

ROUTING_MESSAGES = {
    404: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
    405: "The method is not allowed for the requested URL.",
}
DATABASE_UNAVAILABLE = "The metadata database is unavailable; try again shortly"
INTERNAL_ERROR = "Internal server error"


def json_body(body: Any, flavour: Flavour) -> str:
    """JSON as this flavour's Flask wrote it: sorted keys, its separators and newline."""
    text = json.dumps(body, **flavour.dumps_options())
    return text + "\n" if flavour.json_trailing_newline else text


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> ConnexionResponse:
    """The API's error shape with ``status``."""
    try:
        flavour = runtime.current().flavour
    except LookupError:  # outside a request bound to an app
        flavour = AIRFLOW_1_10
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        body=json_body({"error": message}, flavour),
        headers=headers or {},
    )


def api_error(_request: ConnexionRequest, exc: ApiError) -> ConnexionResponse:
    return error_response(exc.status, exc.message, exc.headers)


def problem(_request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
    # connexion's validation and security problems: keep the human part of the text.
    message = _tidy(exc.detail) if exc.detail else (exc.title or "Bad Request")
    if exc.status >= 500:
        log.error("request failed: %s", message)
        message = INTERNAL_ERROR
    return error_response(exc.status, message, dict(exc.headers or {}))


def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    # Routing: unknown path or method. A 405 names every method the path allows.
    message = ROUTING_MESSAGES.get(exc.status_code) or exc.detail or "Error"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        methods = runtime.current().methods_for(request.url.path)
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return error_response(exc.status_code, message, headers)


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if isinstance(exc, DataError):
        # A value the database refuses (e.g. a NUL character on PostgreSQL) is the client's.
        return error_response(400, "A value in the request cannot be stored by the database")
    if isinstance(exc, (OperationalError, DisconnectionError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        # The driver's first line (e.g. "connection refused") tells an operator what broke.
        log.error("database unavailable: %s: %s", exc.__class__.__name__, driver_message(exc))
        return error_response(503, DATABASE_UNAVAILABLE)
    log.error("unhandled error", exc_info=exc)
    return error_response(500, INTERNAL_ERROR)


_SCHEMA_PATH = re.compile(r"^(?P<message>.*?)(?: - '(?P<path>[^']*)')?$", re.S)


def _tidy(detail: str) -> str:
    """jsonschema's message, with the field it concerns, cut to one readable line."""
    detail = str(detail).strip()
    match = _SCHEMA_PATH.match(detail)
    message, path = (match["message"], match["path"]) if match else (detail, None)
    message = message.replace("\n", " ")
    if len(message) > 200:
        message = message[:197] + "..."
    if path:
        message = f"{message} (at {path.replace('.', '/')})" if not message.startswith(f"'{path}'") else message
    return message


HANDLERS = (
    (ApiError, api_error),
    (ProblemException, problem),
    (HTTPException, http_error),
    (Exception, unexpected),
)
