"""connexion's AsyncApp, with each operation's request and response handling built once.

connexion 3 builds an operation's decorators (parameter parsing, response serialisation,
sync/async adaptation, each with its own signature inspection and ``functools.wraps``) anew
on every request, as two nested steps: ``AsyncOperation.fn`` makes the decorator, whose
wrapper then decorates the handler again per call. Nothing in them depends on the request
(they read it from connexion's context when called), so they are built here on the first
request of each operation and kept: about a sixth of GET /test's time.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.operations import AbstractOperation


class DecoratedOnce(StarletteDecorator):
    """connexion's decorator for Starlette, with the handler decorated when it is applied, not per call."""

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)
        uri_parser = None  # one per operation: made from its parameters on the first call

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            nonlocal uri_parser
            if uri_parser is None:
                uri_parser = self.uri_parser
            request = self.framework.get_request(uri_parser=uri_parser, scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class PrebuiltOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        return DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class PrebuiltApi(AsyncApi):
    def make_operation(self, operation: AbstractOperation) -> PrebuiltOperation:
        return PrebuiltOperation.from_operation(operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


class PrebuiltASGIApp(AsyncASGIApp):
    api_cls = PrebuiltApi


class App(AsyncApp):
    """AsyncApp, taking the same arguments, whose operations are :class:`PrebuiltOperation`."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        # AsyncApp's own __init__ only makes its ASGI app and passes everything on.
        self._middleware_app = PrebuiltASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)
