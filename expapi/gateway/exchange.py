"""One call to Airflow's stable API, written once as a generator of HTTP requests ("sans I/O").

A flow yields each ``httpx.Request`` it needs and receives its ``httpx.Response``: finding the
API line (``auto``), getting or renewing a token, the call itself, and turning every failure
into a typed outcome. ``expapi.gateway.client`` drives flows with a plain ``httpx.Client`` (the
CLI) or the worker's shared ``httpx.AsyncClient`` (the server), so both behave the same.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Generator, Mapping
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

import httpx

from expapi.config import GatewayConfig
from expapi.gateway.api_lines import API_LINES, DETECTION_ORDER, ApiLine
from expapi.gateway.errors import (
    REFUSALS,
    CallerRefused,
    GatewayCredentialsRejected,
    UpstreamAnswerError,
    UpstreamUnavailable,
)
from expapi.gateway.tokens import Credentials, TokenCache
from expapi.gateway.urls import mask_url

log = logging.getLogger(__name__)

T = TypeVar("T")
Flow = Generator[httpx.Request, httpx.Response, T]

TOKEN_PATH = "/auth/token"
JSON = "application/json"
# Airflow 2's login form: its CSRF field, and the Flask session cookie it hands out.
_CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
SESSION_COOKIE = "session"


def path(*segments: str) -> str:
    """A URL path from raw segments, each percent-encoded (run ids hold ``+`` and ``:``)."""
    return "".join("/" + quote(str(segment), safe="") for segment in segments)


def error_detail(response: httpx.Response) -> str:
    """Airflow's own words for a refusal: ``detail`` (v2 and v1), else v1's ``title``, else the text."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str) and detail:
            return detail
        if isinstance(detail, list):  # v2's validation errors
            return "; ".join(_validation_message(item) for item in detail)
        if isinstance(detail, dict) and isinstance(detail.get("reason"), str):  # v2's database errors
            return detail["reason"]
        for key in ("title", "error"):  # v1 leaves detail null on some 404s; /api/v1 on Airflow 3
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    return response.reason_phrase


def _validation_message(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
    return f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))


def basic_authorization(credentials: Credentials) -> str:
    """The value of an HTTP Basic Authorization header."""
    pair = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class Exchange:
    """What one gateway process knows about its Airflow: where, which API line, whose tokens."""

    def __init__(self, config: GatewayConfig, *, tokens: TokenCache | None = None) -> None:
        if not config.enabled:
            raise ValueError("[gateway] airflow_url is not set")
        self.config = config
        self.base_url = config.airflow_url
        self.upstream = mask_url(config.airflow_url)
        self.passthrough = config.auth == "passthrough"
        self.service = Credentials(config.username, config.password) if config.username else None
        self.tokens = tokens or TokenCache()
        # Known from the configuration, or found by the first call (api_version = auto).
        self.line: ApiLine | None = API_LINES.get(config.api_version)
        self.airflow_version: str | None = None
        # A rejection of the gateway's own credentials is logged (the 502 goes to a client);
        # the start-up check reports it itself instead.
        self.log_rejections = True
        # Airflow 2, service account: the session of one login through the web server's form,
        # sent instead of Basic (whose password check costs Airflow 0.2-1 s per call). Only the
        # service account's: a passthrough caller's session could be ridden by the next caller.
        # ``session_login`` turns false for good when this Airflow offers no usable login.
        self.session_cookie: str | None = None
        self.session_proven = False
        self.session_login = True

    # -- flows ------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        api_path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        caller: Credentials | None = None,
        accept: str = JSON,
    ) -> Flow[httpx.Response]:
        """One stable-API call (``api_path`` below the line's prefix); its 2xx response.

        ``caller`` is the API caller's Basic credentials: used in passthrough mode, ignored
        with the service account. Raises the typed outcomes of ``expapi.gateway.errors``.
        """
        line = self.line if self.line is not None else (yield from self.detect())
        who = caller if self.passthrough else self.service
        url_path = line.prefix + api_path
        authorization, cached = yield from self._authorization(line, who, renew=False)
        response = yield self.request(method, url_path, params=params, json=json, headers={"Accept": accept, **authorization})
        if cached is not None and response.status_code in (401, 403):
            # A cached token may have expired, or been signed with the key of an Airflow that
            # has restarted since (403 "Invalid JWT token"): renew it, once. A refused session
            # (expired, or Airflow 2 without the session backend) gives way to Basic.
            if line.uses_tokens:
                self.tokens.forget(self.tokens.key_for(who), cached)
            else:
                self._drop_session(cached)
            authorization, _ = yield from self._authorization(line, who, renew=True)
            response = yield self.request(method, url_path, params=params, json=json, headers={"Accept": accept, **authorization})
        elif cached is not None and not line.uses_tokens:
            self.session_proven = True
        return self.checked(response, f"{method} {url_path}")

    def detect(self) -> Flow[ApiLine]:
        """Which API line the Airflow speaks, and its version, from the version endpoints.

        ``auto`` asks /api/v2 first, then /api/v1; a configured line is only confirmed.
        """
        configured = API_LINES.get(self.config.api_version)
        answers = []
        for line in (configured,) if configured else DETECTION_ORDER:
            response = yield self.request("GET", line.version_path)
            if response.status_code >= 500:
                raise UpstreamUnavailable(self.upstream, f"GET {line.version_path} answered {_status(response)}")
            version = _version_of(response)
            if version is not None and version.split(".")[0] == str(line.airflow_major):
                self.line, self.airflow_version = line, version
                return line
            answers.append(f"GET {line.version_path} answered {_status(response)}")
        if configured:
            raise UpstreamAnswerError(
                self.upstream,
                f"[gateway] api_version = {configured.name} expects Airflow {configured.airflow_major}.x, but "
                f"{'; '.join(answers)}; set [gateway] api_version = auto",
            )
        raise UpstreamAnswerError(
            self.upstream,
            f"it is not an Airflow 2 or 3 API server ({'; '.join(answers)}); "
            "[gateway] airflow_url must be the base URL of its web server (Airflow 2) or API server (Airflow 3)",
        )

    def check(self) -> Flow[ApiLine]:
        """Start-up check: the API line and version, and (service account) one authenticated read."""
        line = yield from self.detect()
        if not self.passthrough:
            yield from self.call("GET", "/dags", params={"limit": 1})
        return line

    # -- pieces -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url_path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """An HTTP request to ``url_path`` below the base URL (its own path prefix kept)."""
        return httpx.Request(method, self.base_url + url_path, params=_query(params), json=json, headers=headers)

    def checked(self, response: httpx.Response, what: str) -> httpx.Response:
        """``response`` if it is a 2xx; otherwise the typed outcome it means."""
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status >= 500:
            log.warning("Airflow at %s answered %s to %s: %s", self.upstream, _status(response), what, error_detail(response))
            raise UpstreamUnavailable(self.upstream, f"{what} answered {_status(response)}")
        if status in (401, 403):
            return self._refused_credentials(response, what)
        refusal = REFUSALS.get(status)
        if refusal is not None:
            raise refusal(self.upstream, what, status, error_detail(response))
        raise UpstreamAnswerError(self.upstream, f"{what} answered {_status(response)}: {error_detail(response)}")

    def _refused_credentials(self, response: httpx.Response, what: str) -> NoReturn:
        detail = f"{what} answered {_status(response)}: {error_detail(response)}"
        if self.passthrough:
            raise CallerRefused(self.upstream, detail)
        if self.service is None:
            cause = f"{detail} (no [gateway] username is set)"
        else:
            cause = f"{detail} (as [gateway] username {self.service.username!r})"
        if self.log_rejections:
            log.error("Airflow at %s rejected the gateway's credentials: %s", self.upstream, cause)
        raise GatewayCredentialsRejected(self.upstream, cause)

    def _authorization(
        self, line: ApiLine, who: Credentials | None, *, renew: bool
    ) -> Flow[tuple[dict[str, str], str | None]]:
        """The Authorization (or session Cookie) header for ``who``, and the token or session it used."""
        if not line.uses_tokens:
            if who is None:
                return {}, None
            if renew or self.passthrough or line.login_path is None or not self.session_login:
                return {"Authorization": basic_authorization(who)}, None
            if self.session_cookie is None:
                self.session_cookie = yield from self._log_in(line.login_path, who)
                if self.session_cookie is None:
                    return {"Authorization": basic_authorization(who)}, None
            return {"Cookie": f"{SESSION_COOKIE}={self.session_cookie}"}, self.session_cookie
        if who is None and self.passthrough:
            return {}, None  # a caller without credentials: let Airflow refuse them
        key = self.tokens.key_for(who)
        token = None if renew else self.tokens.get(key)
        if token is not None:
            return {"Authorization": f"Bearer {token}"}, token
        token = yield from self._new_token(who)
        self.tokens.put(key, token)
        return {"Authorization": f"Bearer {token}"}, None

    def _log_in(self, form_path: str, who: Credentials) -> Flow[str | None]:
        """A session cookie from Airflow 2's login form (GET it for the CSRF token, POST it), or None."""
        page = yield self.request("GET", form_path, headers={"Accept": "text/html"})
        if page.status_code >= 500:
            self.checked(page, f"GET {form_path}")
        field = _CSRF_FIELD.search(page.text) if page.status_code == 200 else None
        cookie = _session_cookie(page)
        if field is None or cookie is None:
            self._no_session(f"GET {form_path} answered {_status(page)} without a login form")
            return None
        form = {"username": who.username, "password": who.password, "csrf_token": field.group(1)}
        answer = yield httpx.Request(
            "POST", self.base_url + form_path, data=form, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}
        )
        if answer.status_code >= 500:
            self.checked(answer, f"POST {form_path}")
        # A login goes on to the UI; a refused one back to the form.
        if answer.status_code != 302 or form_path.rstrip("/") in answer.headers.get("location", ""):
            self._no_session(f"POST {form_path} answered {_status(answer)} (not logged in)")
            return None
        return _session_cookie(answer) or cookie

    def _no_session(self, why: str) -> None:
        # DEBUG: a wrong password ends here too, and start-up then reports that in one line.
        log.debug("Airflow at %s: no login session (%s); sending Basic credentials on every call", self.upstream, why)
        self.session_login = False

    def _drop_session(self, cookie: str) -> None:
        # A session that never worked means the API does not take sessions (no `session` in
        # Airflow's [api] auth_backends): stop logging in. One that worked has expired.
        if not self.session_proven:
            self._no_session("the stable API refused its session")
        if self.session_cookie == cookie:
            self.session_cookie = None

    def _new_token(self, who: Credentials | None) -> Flow[str]:
        """A JWT from Airflow 3's auth manager: for ``who``, or with no credentials (all-admins)."""
        if who is None:
            what = f"GET {TOKEN_PATH}"
            response = yield self.request("GET", TOKEN_PATH, headers={"Accept": JSON})
        else:
            what = f"POST {TOKEN_PATH}"
            body = {"username": who.username, "password": who.password}
            response = yield self.request("POST", TOKEN_PATH, json=body, headers={"Accept": JSON})
        if response.status_code == 404:
            raise UpstreamAnswerError(self.upstream, f"{what} answered 404: its auth manager hands out no tokens for a password")
        self.checked(response, what)
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            token = None
        if not isinstance(token, str) or not token:
            raise UpstreamAnswerError(self.upstream, f"{what} answered {response.status_code} without an access_token")
        return token


def _query(params: Mapping[str, Any] | None) -> list[tuple[str, str]] | None:
    """Query pairs; a list value repeats its key (``state=a&state=b``), None values are left out."""
    if not params:
        return None
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if item is not None:
                pairs.append((key, "true" if item is True else "false" if item is False else str(item)))
    return pairs


def _session_cookie(response: httpx.Response) -> str | None:
    """The value of the session cookie the response sets, if it sets one."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0].strip() or None
    return None


def _version_of(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return None
    try:
        version = response.json().get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def _status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()
