"""The one place that turns failures into the API's error shape, ``{"error": "<message>"}``.

It covers expapi's own errors, connexion's validation problems, routing 404/405 and
anything unexpected, so nothing answers HTML or a traceback. A store's failures reach it
already as ``ApiError`` (see ``expapi.runtime.http_error``).

The handlers are bound to the app's runtime when the app is built, so every error is
written in the app's flavour, also those raised outside any request's context (routing,
and the outermost handler for unexpected exceptions).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from expapi.errors import ApiError
from expapi.flavours import Flavour
from expapi.request_validation import RejectedField
from expapi.runtime import INTERNAL_ERROR
from expapi.service.rejections import rejection_message

if TYPE_CHECKING:
    from expapi.runtime import Runtime

log = logging.getLogger(__name__)


def json_body(body: Any, flavour: Flavour) -> str:
    """JSON as this flavour's Flask wrote it: sorted keys, its separators and newline."""
    text = json.dumps(body, **flavour.dumps_options())
    return text + "\n" if flavour.json_trailing_newline else text


class ErrorResponses:
    """The error handlers of one app, writing in its runtime's flavour."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def response(self, status: int, message: str, headers: dict[str, str] | None = None) -> ConnexionResponse:
        """The API's error shape with ``status``."""
        return ConnexionResponse(
            status_code=status,
            mimetype="application/json",
            body=json_body({"error": message}, self.runtime.flavour),
            headers=headers or {},
        )

    def api_error(self, _request: ConnexionRequest, exc: ApiError) -> ConnexionResponse:
        return self.response(exc.status, exc.message, exc.headers)

    def problem(self, _request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
        # connexion's validation and security problems: keep the human part of the text.
        message = _tidy(exc.detail) if exc.detail else (exc.title or "Bad Request")
        if exc.status >= 500:
            log.error("request failed: %s", message)
            message = INTERNAL_ERROR
        return self.response(exc.status, message, dict(exc.headers or {}))

    def rejected_field(self, _request: ConnexionRequest, exc: RejectedField) -> ConnexionResponse:
        # A value the schema refuses: Airflow's words for it where Airflow had some.
        message = rejection_message(self.runtime.flavour.messages, exc.field, exc.value) or _tidy(exc.detail)
        return self.response(400, message)

    def http_error(self, request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
        # Routing: unknown path or method. A 405 names every method the path allows.
        messages = self.runtime.flavour.messages
        routing = {404: messages.route_not_found, 405: messages.method_not_allowed}
        message = routing.get(exc.status_code) or exc.detail or "Error"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            methods = self.runtime.methods_for(request.url.path)
            if methods:
                headers["Allow"] = ", ".join(sorted(methods))
        return self.response(exc.status_code, message, headers)

    def unexpected(self, _request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        log.error("unhandled error", exc_info=exc)
        return self.response(500, INTERNAL_ERROR)

    def handlers(self) -> list[tuple[type[Exception], Callable[[ConnexionRequest, Any], ConnexionResponse]]]:
        """(exception class, handler) pairs for ``app.add_error_handler``."""
        return [
            (ApiError, self.api_error),
            (RejectedField, self.rejected_field),
            (ProblemException, self.problem),
            (HTTPException, self.http_error),
            (Exception, self.unexpected),
        ]


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
