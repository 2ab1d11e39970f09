"""What every authentication backend shares: the identity it returns and the two refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from expapi.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from expapi.runtime import Runtime

# Airflow's words, kept exactly: clients match on them.
UNAUTHORIZED = "Unauthorized"
FORBIDDEN = "Forbidden"


@dataclass(frozen=True)
class Identity:
    """Who made a request (None when the backend does not ask), and headers for the answer."""

    user: str | None
    response_headers: Mapping[str, str] = field(default_factory=dict)


ANONYMOUS = Identity(user=None)


class Backend:
    """An authentication backend: reads the Authorization header, returns an Identity or refuses."""

    name: ClassVar[str]
    # The spec's http scheme this backend reads ("basic", "negotiate"); None: it reads none.
    scheme: ClassVar[str | None] = None

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @classmethod
    def ensure_available(cls) -> None:
        """Raise ConfigError when a library this backend needs is not installed."""

    async def authenticate(self, authorization: str | None, client: str | None = None) -> Identity:
        """The caller's identity; raises Unauthorized or Forbidden to refuse the request.

        ``client`` is the address the request came from (for throttling), when known.
        """
        raise NotImplementedError


def unauthorized(challenge: str) -> Unauthorized:
    """401 ``Unauthorized`` with the challenge that tells the client how to authenticate."""
    return Unauthorized(UNAUTHORIZED, headers={"WWW-Authenticate": challenge})


def forbidden() -> Forbidden:
    """403 ``Forbidden``: credentials were given, and they are not good."""
    return Forbidden(FORBIDDEN)


def split_authorization(header: str | None) -> tuple[str, str] | None:
    """``(scheme in lower case, credentials)`` of an Authorization header, None if it has no such shape."""
    if not header:
        return None
    parts = header.strip().split(None, 1)
    if len(parts) != 2:
        return None
    return parts[0].lower(), parts[1].strip()
