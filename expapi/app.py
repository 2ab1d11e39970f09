"""The app factory: the spec, bound to the handlers, behind expapi's middleware."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from connexion import AsyncApp
from connexion.jsonifier import Jsonifier
from connexion.middleware import MiddlewarePosition

from expapi import error_responses
from expapi.config import Config, load_config
from expapi.flavours import Flavour
from expapi.middleware import AccessLogMiddleware, JsonBodyMiddleware, RuntimeMiddleware
from expapi.runtime import Runtime

API_BASE_PATH = "/api/experimental"


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


def create_app(config: Config | None = None, *, validate_responses: bool = False) -> AsyncApp:
    """Build the ASGI app for ``config`` (read from the environment when not given)."""
    runtime = Runtime(config or load_config())

    @asynccontextmanager
    async def lifespan(_app):
        runtime.open()
        try:
            yield
        finally:
            runtime.close()

    app = AsyncApp(__name__, lifespan=lifespan, jsonifier=FlavourJsonifier(runtime.flavour))
    app.add_api(
        spec_path(),
        base_path=API_BASE_PATH,
        validate_responses=validate_responses,
    )
    for exception_class, handler in error_responses.HANDLERS:
        app.add_error_handler(exception_class, handler)
    app.add_middleware(AccessLogMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(RuntimeMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, runtime=runtime)
    app.add_middleware(JsonBodyMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION)
    app.runtime = runtime  # for tests and the CLI
    return app


def create_app_from_environment() -> AsyncApp:
    """Factory for ``uvicorn --factory``: reads $EXPAPI_HOME and EXPAPI__* variables."""
    return create_app()
