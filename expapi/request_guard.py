"""Refuses what a web page could make a browser send: foreign Host names and cross-site writes.

A page on any site can make the browser of someone running expapi on 127.0.0.1 send it a
"simple" request (a form or ``fetch`` POST with ``text/plain``, which expapi reads as JSON as
Airflow did), and DNS rebinding can point a foreign name at 127.0.0.1. Browsers say where a
request comes from (``Origin``, ``Sec-Fetch-Site``) and which name they asked for (``Host``);
scripts and Airflow's own clients send no ``Origin`` nor ``Sec-Fetch-Site``, so they pass as before.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from expapi.config import WebserverConfig
from expapi.errors import Forbidden, HeadersTooLarge
from expapi.redact import clip

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A GET that changes state, kept from Airflow's experimental API.
STATE_CHANGING_GETS = re.compile(r"/dags/[^/]+/paused/[^/]+$")
# Sec-Fetch-Site values that mean "not started by another site's page".
OWN_SITE = ("same-origin", "none")

HOST_REFUSED = (
    "Host {host!r} is not one this server answers to; add it to [webserver] allowed_hosts "
    "(EXPAPI__WEBSERVER__ALLOWED_HOSTS)"
)
CROSS_SITE_REFUSED = (
    "Cross-site request refused: a page from another origin may not change state here; "
    "add its origin to [webserver] trusted_origins (EXPAPI__WEBSERVER__TRUSTED_ORIGINS) to allow it"
)
TOO_MANY_HEADERS = "The request has {count} header fields; at most {limit} are read ([webserver] max_header_count)"


def allowed_hosts(webserver: WebserverConfig) -> frozenset[str] | None:
    """The host names requests may name, lower-case; None = any."""
    names = [n.strip().lower().strip("[]") for n in webserver.allowed_hosts.split(",") if n.strip()]
    if "*" in names:
        return None
    if names:
        return frozenset(names)
    if _is_loopback(webserver.web_server_host):
        return frozenset({*LOOPBACK_NAMES, webserver.web_server_host.lower().strip("[]")})
    return None  # bound to other interfaces: the names it is reached by are not known here


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The name in a ``Host`` header or an origin's netloc, without port or brackets, lower-case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class RequestGuardMiddleware:
    """403 to a foreign ``Host`` and to cross-site state-changing requests; 431 to too many headers."""

    def __init__(self, app: ASGIApp, webserver: WebserverConfig, base_path: str) -> None:
        self.app = app
        self.hosts = allowed_hosts(webserver)
        self.trusted = frozenset(o.strip().lower().rstrip("/") for o in webserver.trusted_origins.split(",") if o.strip())
        self.max_header_count = webserver.max_header_count
        self.base_path = base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.check(scope)
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> None:
        raw = scope["headers"]
        if len(raw) > self.max_header_count:
            raise HeadersTooLarge(TOO_MANY_HEADERS.format(count=len(raw), limit=self.max_header_count))
        headers = {k.lower(): v.decode("latin-1") for k, v in raw}
        host = headers.get(b"host")
        # No Host at all (HTTP/1.0) is no browser's request: browsers always send one.
        if host is not None and self.hosts is not None and host_name(host) not in self.hosts:
            raise Forbidden(HOST_REFUSED.format(host=clip(host, 100)))
        if self._changes_state(scope) and self._cross_site(headers, host):
            raise Forbidden(CROSS_SITE_REFUSED)

    def _changes_state(self, scope: Scope) -> bool:
        if scope["method"] not in SAFE_METHODS:
            return True
        path = scope["path"]
        return path.startswith(self.base_path) and bool(STATE_CHANGING_GETS.search(path))

    def _cross_site(self, headers: dict[bytes, str], host: str | None) -> bool:
        origin = headers.get(b"origin")
        if origin is not None and origin.strip().lower().rstrip("/") in self.trusted:
            return False
        site = headers.get(b"sec-fetch-site")
        if site is not None and site.strip().lower() not in OWN_SITE:
            return True
        if origin is None:
            return False  # not a browser's cross-origin request (browsers send Origin on those)
        parts = urlsplit(origin.strip())
        if origin.strip() == "null" or not parts.netloc:
            return True  # sandboxed frames, file: pages, redirects across sites
        return host is None or parts.netloc.lower() != host.strip().lower()
