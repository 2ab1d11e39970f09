"""Swagger UI's page, served by expapi so its requests say they come from a script.

connexion's page is the stock one; this one adds a ``requestInterceptor`` that marks every
"Try it out" request with ``X-Requested-With: XMLHttpRequest``. The server then answers a
missing login with a challenge the browser does not turn into its own "Sign in" dialog
(``expapi.auth.middleware.quiet_challenge``, applied by ``expapi.middleware.FrameMiddleware``):
Authorize is the way in. The scripts and styles are still connexion's (``swagger_ui_bundle``),
next to this page.
"""

from __future__ import annotations

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>expapi: Airflow experimental REST API</title>
  <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
  <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  <style>body { margin: 0; background: #fafafa; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script>
    window.onload = function () {
      window.ui = SwaggerUIBundle({
        url: "__SPEC_URL__",
        dom_id: "#swagger-ui",
        deepLinking: true,
        validatorUrl: null,
        showExtensions: false,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        plugins: [SwaggerUIBundle.plugins.DownloadUrl],
        layout: "StandaloneLayout",
        // Marks the page's requests, so a 401 never opens the browser's login dialog.
        requestInterceptor: function (request) {
          request.headers["X-Requested-With"] = "XMLHttpRequest";
          return request;
        }
      });
    };
  </script>
</body>
</html>
"""


class SwaggerPageMiddleware:
    """Answers ``<base>/ui/`` and ``<base>/ui/index.html`` with expapi's Swagger UI page."""

    def __init__(self, app: ASGIApp, base_path: str) -> None:
        self.app = app
        self.base_path = base_path
        self.paths = {f"{base_path}/ui/", f"{base_path}/ui/index.html"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        spec_url = f"{scope.get('root_path', '')}{self.base_path}/openapi.json"
        body = PAGE.replace("__SPEC_URL__", spec_url).encode("utf-8")
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode("ascii")),
        ]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class SwaggerUIFilesMiddleware(SwaggerUIMiddleware):
    """connexion's Swagger UI layer, entered only by requests for its own paths.

    connexion routes every request through the Swagger UI's router before the API's own;
    API requests go straight to the next layer instead (a saving of about a tenth of
    GET /test's time). Under ``<base>/ui`` it serves the UI's scripts and styles.
    """

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.own_paths: tuple[str, ...] = ()

    def add_api(self, specification, base_path: str | None = None, **kwargs) -> None:
        super().add_api(specification, base_path=base_path, **kwargs)
        base = base_path or ""
        self.own_paths += (f"{base}/ui", f"{base}/openapi.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self.own_paths):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
