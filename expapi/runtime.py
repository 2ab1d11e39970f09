"""What one running app (or local client) serves with, and the unit of work each operation runs in."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Callable, TypeVar


from expapi.admission import Admission, AdmissionTimeout
from expapi.config import Config
from expapi.dates import resolve_timezone
from expapi.errors import ApiError, BadRequest, InternalServerError, ServiceUnavailable
from expapi.flavours import FLAVOURS, Flavour
from expapi.redact import clip
from expapi.service.context import Context
from expapi.service.input_values import check_input_values
from expapi.store import open_storage
from expapi.store.outcomes import StoreFailure, StoreUnavailable, ValueNotStorable
from expapi.store.protocol import Storage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from expapi.gateway.client import AsyncUpstream

log = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# expapi's own words (not Airflow's): what a client is told when the store fails.
STORE_UNAVAILABLE = "The {name} is unavailable; try again shortly"
VALUE_NOT_STORABLE = "A value in the request cannot be stored by the {store}"
INTERNAL_ERROR = "Internal server error"
# Seconds a client is asked to wait after a 503: a lock or a pool wait has already run out.
RETRY_AFTER_SECONDS = 5
NO_DATABASE = "gateway mode ([gateway] airflow_url is set) has no metadata database: users and DAGs live in Airflow"

_current: ContextVar[Runtime] = ContextVar("expapi_runtime")


@dataclass
class Runtime:
    """An app's configuration, flavour and storage (the latter opened in its lifespan)."""

    config: Config
    flavour: Flavour = field(init=False)
    timezone: tzinfo = field(init=False)
    storage: Storage | None = None
    # Gateway mode ([gateway] airflow_url): the worker's shared client of Airflow, opened in the lifespan.
    upstream: AsyncUpstream | None = None
    # Methods each spec path allows, for the Allow header of a 405.
    allowed_methods: list[tuple[re.Pattern[str], frozenset[str]]] = field(default_factory=list)
    # Slots for requests that use the database, made on first use in the serving event loop.
    admission: Admission | None = None

    def __post_init__(self) -> None:
        self.flavour = FLAVOURS[self.config.api.compat]
        self.timezone = resolve_timezone(self.config.core.default_timezone)

    def methods_for(self, path: str) -> frozenset[str]:
        """Every method the spec allows on ``path`` (a request path, base path included)."""
        return frozenset().union(*(methods for pattern, methods in self.allowed_methods if pattern.fullmatch(path)))

    def open(self) -> Storage:
        """The storage, opened on first use."""
        if self.storage is None:
            self.storage = open_storage(self.config, self.upstream)
        return self.storage

    def close(self) -> None:
        if self.storage is not None:
            self.storage.close()
            self.storage = None

    @contextmanager
    def unit_of_work(self) -> Iterator[Context]:
        """The service's Context over one unit of work: kept if the block returns, dropped if it raises."""
        with self.open().unit_of_work() as store:
            yield Context(store=store, flavour=self.flavour, timezone=self.timezone)

    def call(self, operation: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a service operation in a unit of work of its own (for the handlers and the local client).

        Raises ApiError, or StoreFailure when the store itself fails: each caller tells its
        own user about that (an HTTP status, or a command's exit code).
        """
        check_input_values(_named_arguments(operation, args, kwargs))
        try:
            with self.unit_of_work() as ctx:
                return operation(ctx, *args, **kwargs)
        except ValueNotStorable as refused:
            raise BadRequest(VALUE_NOT_STORABLE.format(store=refused.store)) from None

    @contextmanager
    def database_session(self) -> Iterator[Session]:
        """A transaction on the metadata database itself, for what only a database holds.

        The password backend's users live there whatever store answers the API; failures
        come out as store outcomes, as the store's do.
        """
        from expapi.store.sql import SqlStorage

        storage = self.open()
        if not isinstance(storage, SqlStorage):
            raise RuntimeError(NO_DATABASE)
        with storage.session() as session:
            yield session


def _named_arguments(operation: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by parameter name (the first, the Context, left out)."""
    if not args:
        return kwargs
    parameters = [name for name in inspect.signature(operation).parameters][1:]
    return {**dict(zip(parameters, args)), **kwargs}


def http_error(failure: StoreFailure) -> ApiError:
    """How a failing store looks to an HTTP client: 503 while it is unavailable, else a logged 500."""
    if isinstance(failure, StoreUnavailable):
        # The driver's first line (e.g. "connection refused") tells an operator what broke.
        log.error("%s is unavailable: %s: %s", failure.where, failure.error, clip(failure.detail))
        return ServiceUnavailable(
            STORE_UNAVAILABLE.format(name=failure.name), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    log.error("%s failed: %s: %s", failure.where, failure.error, clip(failure.detail), exc_info=failure.__cause__)
    return InternalServerError(INTERNAL_ERROR)


def bind(runtime: Runtime):
    """Make ``runtime`` the current one for this request; returns a token to reset it."""
    return _current.set(runtime)


def unbind(token) -> None:
    _current.reset(token)


def current() -> Runtime:
    """The runtime of the app serving this request."""
    return _current.get()


def with_context(handler: F) -> F:
    """Run a handler in one unit of work, with the service ``Context`` as its first argument.

    The request first waits (on the event loop, at most ``[database] pool_timeout``) for an
    admission slot, then runs in a worker thread. connexion still sees (through
    ``__wrapped__``) and fills only the handler's own keyword parameters.
    """

    # Imported here: importing connexion prints a starlette warning, and commands that fail
    # before the app is built (a one-line error) must not print it.
    from connexion import request as connexion_request

    @functools.wraps(handler)
    async def run(**kwargs: Any) -> Any:
        runtime = current()
        if runtime.admission is None or runtime.admission.loop is not asyncio.get_running_loop():
            runtime.admission = Admission(runtime.config.database.pool_timeout)
        try:
            async with runtime.admission.slot(connexion_request.method):
                return await runtime.admission.run(runtime.call, handler, **kwargs)
        except AdmissionTimeout as busy:
            raise http_error(
                StoreUnavailable(name="metadata database", where="the database", error="AdmissionTimeout", detail=str(busy))
            ) from None
        except StoreFailure as failure:
            raise http_error(failure) from None

    return run  # type: ignore[return-value]


def without_store(handler: F) -> F:
    """Run a handler that reads nothing stored on the event loop, with a store-less ``Context``.

    It takes no worker thread and no database connection, so a held lock, a full pool or
    busy handler threads cannot delay it: what a liveness check needs.
    """

    @functools.wraps(handler)
    async def run(**kwargs: Any) -> Any:
        runtime = current()
        return handler(Context(store=None, flavour=runtime.flavour, timezone=runtime.timezone), **kwargs)  # type: ignore[arg-type]

    return run  # type: ignore[return-value]
