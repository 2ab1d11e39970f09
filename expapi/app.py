"""The app factory: the spec, bound to the handlers, behind expapi's middleware."""

from __future__ import annotations

import copy
import functools
from functools import partial
import json
import re
from contextlib import AsyncExitStack, asynccontextmanager
from importlib import resources
from pathlib import Path

import yaml

from connexion import AsyncApp
from connexion.jsonifier import Jsonifier
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.options import SwaggerUIOptions

from expapi import error_responses
from expapi.auth import build_backend
from expapi.auth.base import Backend
from expapi.auth.middleware import SpecGuardMiddleware
from expapi.auth.security import security_map
from expapi.config import Config, load_config
from expapi.connexion_app import App
from expapi.flavours import Flavour
from expapi.gateway.client import open_upstream
from expapi.middleware import FrameMiddleware, JsonBodyMiddleware, NoSlashRedirectMiddleware
from expapi.request_guard import RequestGuardMiddleware
from expapi.request_validation import VALIDATORS
from expapi.runtime import Runtime
from expapi.served_spec import ServedSpecMiddleware, served_document
from expapi.swagger_page import SwaggerPageMiddleware, SwaggerUIFilesMiddleware

API_BASE_PATH = "/api/experimental"


@functools.lru_cache(maxsize=1)
def _parsed_spec() -> dict:
    # Parsed once per process: pure-Python YAML takes ~0.2 s for the spec, per app.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(spec_path().read_text(encoding="utf-8"), Loader=loader)


def load_spec() -> dict:
    """The OpenAPI document as a dict (a fresh copy: connexion resolves it in place)."""
    return copy.deepcopy(_parsed_spec())


def spec_path() -> Path:
    """Where the OpenAPI document is, in a checkout or an installed wheel."""
    return Path(str(resources.files("expapi.openapi").joinpath("experimental.yaml")))


class FlavourJsonifier(Jsonifier):
    """connexion's serializer, writing JSON as the flavour's Flask did."""

    def __init__(self, flavour: Flavour) -> None:
        super().__init__(json, **flavour.dumps_options())
        self.newline = flavour.json_trailing_newline

    def dumps(self, data, **kwargs) -> str:
        text = super().dumps(data, **kwargs)
        return text if self.newline else text.rstrip("\n")


def swagger_ui_options(expose_spec: str) -> SwaggerUIOptions:
    """Serve the spec and Swagger UI unless ``[api] expose_spec = off``.

    connexion serves the document with every ``$ref`` inlined; ``ServedSpecMiddleware``
    answers the spec's URLs first, so connexion's copy is never what a client reads.
    """
    served = expose_spec != "off"
    return SwaggerUIOptions(serve_spec=served, swagger_ui=served)


def create_app(config: Config | None = None, *, validate_responses: bool = False) -> AsyncApp:
    """Build the ASGI app for ``config`` (read from the environment when not given).

    Without arguments it is the factory each uvicorn worker calls (``--factory``).
    """
    runtime = Runtime(config or load_config())
    backend = build_backend(runtime)

    @asynccontextmanager
    async def lifespan(_app):
        try:
            async with AsyncExitStack() as stack:
                if runtime.config.gateway.enabled:
                    # First the shared client, which the Airflow store answers through.
                    runtime.upstream = await stack.enter_async_context(open_upstream(runtime.config.gateway))
                runtime.open()
                yield
        finally:
            runtime.upstream = None
            runtime.close()

    app = App(
        __name__,
        lifespan=lifespan,
        jsonifier=FlavourJsonifier(runtime.flavour),
        middlewares=middleware_stack(runtime, backend, validate_responses=validate_responses),
    )
    app.add_api(
        load_spec(),
        base_path=API_BASE_PATH,
        validate_responses=validate_responses,
        validator_map=VALIDATORS,
        # connexion checks the spec's schemes after routing (404/405 first, as in Airflow);
        # both schemes defer to the configured backend.
        security_map=security_map(backend),
        swagger_ui_options=swagger_ui_options(runtime.config.api.expose_spec),
    )
    for exception_class, handler in error_responses.ErrorResponses(runtime).handlers():
        app.add_error_handler(exception_class, handler)
    runtime.allowed_methods = _allowed_methods(_parsed_spec())
    app.runtime = runtime  # for tests and the CLI
    app.auth_backend = backend  # for tests
    return app


def middleware_stack(runtime: Runtime, backend: Backend, *, validate_responses: bool) -> list:
    """Every layer a request passes through, outermost first: connexion's, with expapi's in between.

    Written out whole rather than inserted at connexion's positions, so that one place shows
    the order, and layers that would do nothing are left out.
    """
    webserver = runtime.config.webserver
    expose_spec = runtime.config.api.expose_spec
    documents = []  # the spec and Swagger UI, answered before connexion's own routing
    if expose_spec == "protected":
        documents.append(partial(SpecGuardMiddleware, backend=backend, base_path=API_BASE_PATH))
    if expose_spec != "off":
        store_backend = "gateway" if runtime.config.gateway.enabled else "database"
        document = served_document(_parsed_spec(), auth_backend=backend.name, flavour=runtime.flavour.name, backend=store_backend)
        documents.append(partial(ServedSpecMiddleware, document=document, base_path=API_BASE_PATH))
        documents.append(partial(SwaggerPageMiddleware, base_path=API_BASE_PATH))
    return [
        ServerErrorMiddleware,
        partial(FrameMiddleware, runtime=runtime, base_path=API_BASE_PATH),
        ExceptionMiddleware,
        *documents,
        # Before the Swagger UI's files and routing: a foreign Host or a cross-site write reaches no operation.
        partial(RequestGuardMiddleware, webserver=webserver, base_path=API_BASE_PATH),
        SwaggerUIFilesMiddleware,
        NoSlashRedirectMiddleware,
        RoutingMiddleware,
        SecurityMiddleware,
        partial(JsonBodyMiddleware, max_body=webserver.max_request_body, read_timeout=webserver.body_read_timeout),
        RequestValidationMiddleware,
        # Off in production (the tests keep it on): it would only pass the answer through.
        *([ResponseValidationMiddleware] if validate_responses else []),
        LifespanMiddleware,
        ContextMiddleware,
    ]


def _allowed_methods(spec: dict) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    # connexion's 405 names the methods of one route only; the spec knows them all.
    table = []
    for template, item in spec["paths"].items():
        methods = {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch")}
        if "GET" in methods:
            methods.add("HEAD")
        pattern = re.escape(API_BASE_PATH + template)
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", pattern)
        table.append((re.compile(pattern), frozenset(methods)))
    return table
