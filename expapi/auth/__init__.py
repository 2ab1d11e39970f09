"""Authentication: one backend per ``[api] auth_backend`` value, chosen when the app is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from expapi.auth.base import Backend, Identity
from expapi.auth.default import OpenBackend
from expapi.auth.deny_all import DenyAllBackend
from expapi.auth.kerberos import KerberosBackend
from expapi.auth.password_backend import PasswordBackend

if TYPE_CHECKING:
    from expapi.runtime import Runtime

# Keys are expapi.config's short names; config maps Airflow's dotted names onto them.
BACKENDS: dict[str, type[Backend]] = {
    backend.name: backend for backend in (OpenBackend, DenyAllBackend, PasswordBackend, KerberosBackend)
}


def backend_class(name: str) -> type[Backend]:
    """The class for a configured backend name; raises ConfigError if its library is missing."""
    cls = BACKENDS[name]
    cls.ensure_available()
    return cls


def build_backend(runtime: Runtime) -> Backend:
    """The backend ``[api] auth_backend`` names, ready to check requests."""
    return backend_class(runtime.config.api.auth_backend)(runtime)


__all__ = ["BACKENDS", "Backend", "Identity", "backend_class", "build_backend"]
