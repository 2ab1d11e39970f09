"""What one running app serves with, and the one transaction each handler call runs in."""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from expapi.config import Config
from expapi.dates import resolve_timezone
from expapi.db import Database
from expapi.flavours import FLAVOURS, Flavour
from expapi.service.context import Context

if TYPE_CHECKING:
    from expapi.gateway.client import AsyncUpstream

F = TypeVar("F", bound=Callable[..., Any])

_current: ContextVar[Runtime] = ContextVar("expapi_runtime")


@dataclass
class Runtime:
    """An app's configuration, flavour and database (the latter opened in its lifespan)."""

    config: Config
    flavour: Flavour = field(init=False)
    timezone: tzinfo = field(init=False)
    database: Database | None = None
    # Gateway mode ([gateway] airflow_url): the worker's shared client of Airflow, opened in the lifespan.
    upstream: AsyncUpstream | None = None
    # Methods each spec path allows, for the Allow header of a 405.
    allowed_methods: list[tuple[re.Pattern[str], frozenset[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flavour = FLAVOURS[self.config.api.compat]
        self.timezone = resolve_timezone(self.config.core.default_timezone)

    def methods_for(self, path: str) -> frozenset[str]:
        """Every method the spec allows on ``path`` (a request path, base path included)."""
        return frozenset().union(*(methods for pattern, methods in self.allowed_methods if pattern.fullmatch(path)))

    def open(self) -> Database:
        if self.database is None:
            self.database = Database.from_url(self.config.core.sql_alchemy_conn)
        return self.database

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()
            self.database = None


def bind(runtime: Runtime):
    """Make ``runtime`` the current one for this request; returns a token to reset it."""
    return _current.set(runtime)


def unbind(token) -> None:
    _current.reset(token)


def current() -> Runtime:
    """The runtime of the app serving this request."""
    return _current.get()


def with_context(handler: F) -> F:
    """Run a handler in one transaction: committed if it returns, rolled back if it raises.

    The handler receives a service ``Context`` first; connexion still sees (through
    ``__wrapped__``) and fills only the handler's own keyword parameters.
    """

    @functools.wraps(handler)
    def run(**kwargs: Any) -> Any:
        runtime = current()
        with runtime.open().transaction() as session:
            return handler(Context(session=session, flavour=runtime.flavour, timezone=runtime.timezone), **kwargs)

    return run  # type: ignore[return-value]
