"""The OpenAPI document a running server publishes: the source, cut to its configuration.

``openapi/experimental.yaml`` describes every flavour and every authentication backend. A
client generated from a running server, Swagger UI and contract tools should see exactly what
that server does, so the served document keeps only

* the security of the configured ``[api] auth_backend`` (none for ``default``; ``Basic`` for
  ``password``; ``Kerberos`` for ``kerberos``; for ``deny_all``, no scheme and a 403 on every
  operation), with the 401, 403 and 429 answers only where that backend gives them;
* the parts of the running flavour: any node marked ``x-expapi-flavours: [<flavour>, ...]``
  (an operation, a parameter, a response, a header, a property, a ``oneOf`` branch) is kept
  only when the running flavour is listed, and the mark itself is dropped;
* the parts of the running backend, alike: a node marked ``x-expapi-backends: [gateway]``
  (the 501 and 502 a gateway answers, the 503 example naming Airflow) only in gateway mode,
  one marked ``[database]`` only with the database. A component cut this way takes every
  ``$ref`` to it along;

and it keeps the source's ``components`` and ``$ref``s, so a client generated from the URL
has the same named models as one generated from the file. Its ``servers`` entry is absolute
(built from the request), so mocks and generated clients work without editing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from starlette.types import ASGIApp, Receive, Scope, Send

FLAVOURS_MARK = "x-expapi-flavours"
BACKENDS_MARK = "x-expapi-backends"
BACKENDS = ("database", "gateway")

# What each backend declares: its scheme (a key of components.securitySchemes, or None) and
# the refusals it can answer with.
BACKEND_SECURITY: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "default": (None, ()),
    "deny_all": (None, ("403",)),
    "password": ("Basic", ("401", "403", "429")),
    "kerberos": ("Kerberos", ("401", "403")),
}
REFUSALS = {"401": "Unauthorized", "403": "Forbidden", "429": "TooManyRequests"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def served_document(source: dict, *, auth_backend: str, flavour: str, backend: str = "database") -> dict:
    """The document to publish for a server with ``auth_backend`` and ``flavour``, in front of ``backend``."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}")
    running = {FLAVOURS_MARK: flavour, BACKENDS_MARK: backend}
    cut_refs = {
        f"#/components/{kind}/{name}"
        for kind, entries in source.get("components", {}).items()
        for name, entry in entries.items()
        if isinstance(entry, dict) and not _kept(entry, running)
    }
    document = _cut(copy.deepcopy(source), running, cut_refs)
    scheme, refusals = BACKEND_SECURITY[auth_backend]
    schemes = document.get("components", {}).get("securitySchemes", {})
    if scheme is None:
        # An empty requirement: explicitly no credentials (a missing one makes lint tools ask).
        document["security"] = [{}]
        document.get("components", {}).pop("securitySchemes", None)
    else:
        document["security"] = [{scheme: []}]
        document["components"]["securitySchemes"] = {scheme: schemes[scheme]}
    for item in document["paths"].values():
        for method in METHODS:
            if method in item:
                responses = item[method]["responses"]
                for status in REFUSALS:
                    if status not in refusals:
                        responses.pop(status, None)
                if auth_backend == "deny_all":
                    responses["403"] = {"$ref": "#/components/responses/Forbidden"}
    for status, name in REFUSALS.items():
        if status not in refusals:
            document["components"]["responses"].pop(name, None)
    return document


def _cut(node: Any, running: dict[str, str], cut_refs: set[str]) -> Any:
    """``node`` without the parts marked for another flavour or backend (or referring to one), and without the marks."""
    if isinstance(node, dict):
        kept = {}
        for key, value in node.items():
            if key in running:
                continue
            if isinstance(value, dict) and not (_kept(value, running) and value.get("$ref") not in cut_refs):
                continue
            kept[key] = _cut(value, running, cut_refs)
        return kept
    if isinstance(node, list):
        return [
            _cut(value, running, cut_refs)
            for value in node
            if not (isinstance(value, dict) and not (_kept(value, running) and value.get("$ref") not in cut_refs))
        ]
    return node


def _kept(node: dict, running: dict[str, str]) -> bool:
    # A node without a mark belongs everywhere.
    return all(value in node.get(mark, (value,)) for mark, value in running.items())


class ServedSpecMiddleware:
    """Answers ``<base>/openapi.json`` and ``<base>/openapi.yaml`` with the served document."""

    def __init__(self, app: ASGIApp, document: dict, base_path: str) -> None:
        self.app = app
        self.document = document
        self.base_path = base_path
        self.formats = {f"{base_path}/openapi.json": _as_json, f"{base_path}/openapi.yaml": _as_yaml}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        render = self.formats.get(scope.get("path", "")) if scope["type"] == "http" else None
        if render is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        document = {**self.document, "servers": [{"url": self.server_url(scope)}]}
        media_type, body = render(document)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", media_type), (b"content-length", str(len(body)).encode("ascii")),
        ]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def server_url(self, scope: Scope) -> str:
        """The API's absolute URL as this request reached it (behind a proxy: its Host and root path)."""
        headers = dict(scope.get("headers", ()))
        host = headers.get(b"host", b"").decode("latin-1")
        if not host:
            server = scope.get("server") or ("127.0.0.1", 8080)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{self.base_path}"


def _as_json(document: dict) -> tuple[bytes, bytes]:
    return b"application/json", json.dumps(document, ensure_ascii=False).encode("utf-8")


def _as_yaml(document: dict) -> tuple[bytes, bytes]:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return b"text/yaml; charset=utf-8", text.encode("utf-8")
