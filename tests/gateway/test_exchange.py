"""One stable-API call, against a scripted Airflow: detection, auth, token renewal, and every failure.

The same flows run under both drivers; these tests use the blocking one (``SyncUpstream``),
``test_client`` proves the server's driver runs them alike.
"""

from __future__ import annotations

import base64
import logging
import socket

import httpx
import pytest

from expapi.gateway.api_lines import API_V1, API_V2
from expapi.gateway.client import SyncUpstream
from expapi.gateway.errors import (
    CallerRefused,
    GatewayCredentialsRejected,
    UpstreamAnswerError,
    UpstreamBadRequest,
    UpstreamConflict,
    UpstreamNotFound,
    UpstreamUnavailable,
)
from expapi.gateway.exchange import error_detail, path
from expapi.gateway.tokens import Credentials, TokenCache
from fake_airflow import BASE, FakeAirflow, airflow2, airflow3, config, token_response
from jwt_helpers import make_token
from live_server import free_port

POOLS = {"pools": [], "total_entries": 0}
ALICE = Credentials("alice", "wonderland")


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def upstream_of(fake: FakeAirflow, **settings) -> SyncUpstream:
    return SyncUpstream(config(**settings), transport=fake.transport())


class TestDetection:
    def test_auto_asks_v2_first(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": httpx.Response(200, json=POOLS)})
        upstream = upstream_of(fake)
        assert upstream.call("GET", "/pools").json() == POOLS
        assert upstream.api_line() is API_V2
        assert upstream.exchange.airflow_version == "3.3.2"
        assert fake.seen()[0] == "GET /api/v2/version"

    def test_auto_falls_back_to_v1(self) -> None:
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        upstream = upstream_of(fake)
        upstream.call("GET", "/pools")
        assert upstream.api_line() is API_V1
        assert fake.seen() == ["GET /api/v2/version", "GET /api/v1/version", "GET /api/v1/pools"]

    def test_detection_happens_once(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": lambda _r: httpx.Response(200, json=POOLS)})
        upstream = upstream_of(fake)
        upstream.call("GET", "/pools")
        upstream.call("GET", "/pools")
        assert fake.seen().count("GET /api/v2/version") == 1

    def test_a_configured_line_is_used_without_asking(self) -> None:
        fake = FakeAirflow({"GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        upstream_of(fake, api_version="1").call("GET", "/pools")
        assert fake.seen() == ["GET /api/v1/pools"]

    def test_the_start_up_check_confirms_a_configured_line(self) -> None:
        upstream = upstream_of(FakeAirflow(airflow3()), api_version="1")
        with pytest.raises(UpstreamAnswerError) as caught:
            upstream.run(upstream.exchange.detect())
        assert caught.value.status == 502
        assert caught.value.message == (
            f"Airflow at {BASE} gave an unexpected answer: [gateway] api_version = 1 expects Airflow 2.x, "
            "but GET /api/v1/version answered 404 Not Found; set [gateway] api_version = auto"
        )

    def test_something_that_is_not_airflow(self) -> None:
        upstream = upstream_of(FakeAirflow())
        with pytest.raises(UpstreamAnswerError) as caught:
            upstream.call("GET", "/pools")
        assert caught.value.message == (
            f"Airflow at {BASE} gave an unexpected answer: it is not an Airflow 2 or 3 API server "
            "(GET /api/v2/version answered 404 Not Found; GET /api/v1/version answered 404 Not Found); "
            "[gateway] airflow_url must be the base URL of its web server (Airflow 2) or API server (Airflow 3)"
        )

    def test_a_version_that_does_not_match_the_line_is_not_taken(self) -> None:
        fake = FakeAirflow({"GET /api/v2/version": httpx.Response(200, json={"version": "2.11.2"}), **airflow2()})
        upstream = upstream_of(fake, api_version="auto")
        assert upstream.api_line() is API_V1

    def test_a_server_error_while_detecting_is_unavailability(self) -> None:
        upstream = upstream_of(FakeAirflow({"GET /api/v2/version": httpx.Response(502)}))
        with pytest.raises(UpstreamUnavailable) as caught:
            upstream.api_line()
        assert caught.value.message == f"Airflow at {BASE} is unavailable: GET /api/v2/version answered 502 Bad Gateway"

    def test_the_base_url_path_is_a_prefix(self) -> None:
        fake = FakeAirflow({"GET /airflow/api/v2/version": lambda _r: httpx.Response(200, json={"version": "3.3.2"})})
        upstream = SyncUpstream(config(airflow_url=BASE + "/airflow"), transport=fake.transport())
        assert upstream.api_line() is API_V2


class TestAirflow2Auth:
    def test_the_service_account_sends_basic_credentials(self) -> None:
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        upstream_of(fake, username="expapi", password="s3cret").call("GET", "/pools", caller=ALICE)
        assert fake.requests[-1].headers["Authorization"] == basic("expapi", "s3cret")

    def test_passthrough_forwards_the_callers_credentials(self) -> None:
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        upstream_of(fake, auth="passthrough", username="expapi", password="s3cret").call("GET", "/pools", caller=ALICE)
        assert fake.requests[-1].headers["Authorization"] == basic("alice", "wonderland")

    def test_no_credentials_no_header(self) -> None:
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        upstream_of(fake).call("GET", "/pools")
        assert "Authorization" not in fake.requests[-1].headers


class TestAirflow3ServiceToken:
    def routes(self, pools=None, token=None):
        return {
            **airflow3(),
            "POST /auth/token": token or (lambda _r: token_response()),
            "GET /api/v2/pools": pools or (lambda r: httpx.Response(200, json=POOLS)),
        }

    def test_one_token_serves_many_calls(self) -> None:
        fake = FakeAirflow(self.routes())
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        for _ in range(3):
            upstream.call("GET", "/pools")
        assert fake.seen() == ["GET /api/v2/version", "POST /auth/token"] + ["GET /api/v2/pools"] * 3
        login = fake.requests[1]
        assert (login.headers["Content-Type"], login.read()) == ("application/json", b'{"username":"expapi","password":"s3cret"}')
        assert fake.requests[-1].headers["Authorization"] == "Bearer " + make_token({"sub": "admin"})

    def test_a_token_near_its_expiry_is_renewed_before_use(self) -> None:
        now = [1_000_000.0]
        tokens = iter([token_response({"exp": now[0] + 600}, "first"), token_response({"exp": now[0] + 1200}, "second")])
        fake = FakeAirflow(self.routes(token=lambda _r: next(tokens)))
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        upstream.exchange.tokens = TokenCache(clock=lambda: now[0])
        upstream.call("GET", "/pools")
        now[0] += 600 - 59
        upstream.call("GET", "/pools")
        assert fake.seen().count("POST /auth/token") == 2
        assert fake.requests[-1].headers["Authorization"].endswith(".second")

    @pytest.mark.parametrize(
        "refusal",
        [httpx.Response(401, json={"detail": "Token Expired"}), httpx.Response(403, json={"detail": "Invalid JWT token"})],
        ids=["expired", "signed-before-a-restart"],
    )
    def test_a_refused_cached_token_is_renewed_once(self, refusal: httpx.Response) -> None:
        tokens = iter([token_response(signature="old"), token_response(signature="new")])
        pools = [lambda r: httpx.Response(200, json=POOLS), lambda r: refusal, lambda r: httpx.Response(200, json=POOLS)]
        fake = FakeAirflow(self.routes(pools=pools, token=lambda _r: next(tokens)))
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        upstream.call("GET", "/pools")
        assert upstream.call("GET", "/pools").json() == POOLS
        assert fake.seen()[2:] == ["GET /api/v2/pools", "GET /api/v2/pools", "POST /auth/token", "GET /api/v2/pools"]
        assert fake.requests[-1].headers["Authorization"].endswith(".new")

    def test_a_fresh_token_refused_is_not_retried(self, caplog: pytest.LogCaptureFixture) -> None:
        fake = FakeAirflow(self.routes(pools=lambda r: httpx.Response(403, json={"detail": "Forbidden"})))
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        with caplog.at_level(logging.ERROR), pytest.raises(GatewayCredentialsRejected) as caught:
            upstream.call("GET", "/pools")
        assert fake.seen().count("GET /api/v2/pools") == 1
        assert caught.value.status == 502
        cause = "GET /api/v2/pools answered 403 Forbidden: Forbidden (as [gateway] username 'expapi')"
        assert caught.value.message == f"Airflow at {BASE} rejected the gateway's credentials: {cause}"
        assert [r.getMessage() for r in caplog.records] == [f"Airflow at {BASE} rejected the gateway's credentials: {cause}"]

    def test_a_wrong_service_password(self, caplog: pytest.LogCaptureFixture) -> None:
        fake = FakeAirflow(self.routes(token=lambda r: httpx.Response(401, json={"detail": "Invalid credentials"})))
        with pytest.raises(GatewayCredentialsRejected) as caught:
            upstream_of(fake, username="expapi", password="s3cret").call("GET", "/pools")
        assert caught.value.message == (
            f"Airflow at {BASE} rejected the gateway's credentials: "
            "POST /auth/token answered 401 Unauthorized: Invalid credentials (as [gateway] username 'expapi')"
        )
        assert "s3cret" not in caught.value.message and "s3cret" not in caplog.text

    def test_no_username_asks_for_an_all_admins_token(self) -> None:
        fake = FakeAirflow({**self.routes(), "GET /auth/token": lambda r: token_response()})
        upstream_of(fake).call("GET", "/pools")
        assert fake.seen()[1] == "GET /auth/token"

    def test_no_username_where_all_admins_is_off(self) -> None:
        detail = "This method is only allowed if ``[core] simple_auth_manager_all_admins`` is True"
        fake = FakeAirflow({**self.routes(), "GET /auth/token": httpx.Response(403, json={"detail": detail})})
        with pytest.raises(GatewayCredentialsRejected) as caught:
            upstream_of(fake).call("GET", "/pools")
        assert caught.value.cause == f"GET /auth/token answered 403 Forbidden: {detail} (no [gateway] username is set)"

    def test_an_auth_manager_without_token_endpoint(self) -> None:
        fake = FakeAirflow({**airflow3(tokens=False), "GET /api/v2/pools": httpx.Response(200, json=POOLS)})
        with pytest.raises(UpstreamAnswerError) as caught:
            upstream_of(fake, username="expapi", password="s3cret").call("GET", "/pools")
        assert caught.value.problem == "POST /auth/token answered 404: its auth manager hands out no tokens for a password"

    def test_a_token_answer_without_a_token(self) -> None:
        fake = FakeAirflow(self.routes(token=lambda r: httpx.Response(201, json={"token": "x"})))
        with pytest.raises(UpstreamAnswerError) as caught:
            upstream_of(fake, username="expapi", password="s3cret").call("GET", "/pools")
        assert caught.value.problem == "POST /auth/token answered 201 without an access_token"


class TestAirflow3Passthrough:
    def test_each_caller_gets_a_token_of_their_own_kept_by_a_hash(self) -> None:
        def login(request: httpx.Request) -> httpx.Response:
            user = request.read().decode()
            return token_response({"sub": "alice" if "alice" in user else "bob"})

        fake = FakeAirflow({**airflow3(), "POST /auth/token": login, "GET /api/v2/pools": lambda r: httpx.Response(200, json=POOLS)})
        upstream = upstream_of(fake, auth="passthrough")
        bob = Credentials("bob", "builder")
        for caller in (ALICE, bob, ALICE, bob):
            upstream.call("GET", "/pools", caller=caller)
        assert fake.seen().count("POST /auth/token") == 2
        assert fake.requests[-2].headers["Authorization"] == "Bearer " + make_token({"sub": "alice"})
        assert fake.requests[-1].headers["Authorization"] == "Bearer " + make_token({"sub": "bob"})
        assert len(upstream.exchange.tokens) == 2

    def test_a_wrong_password_is_the_callers_403(self, caplog: pytest.LogCaptureFixture) -> None:
        fake = FakeAirflow({**airflow3(), "POST /auth/token": httpx.Response(401, json={"detail": "Invalid credentials"})})
        with caplog.at_level(logging.DEBUG), pytest.raises(CallerRefused) as caught:
            upstream_of(fake, auth="passthrough").call("GET", "/pools", caller=ALICE)
        assert (caught.value.status, caught.value.message) == (403, "Forbidden")
        assert caught.value.reason == "POST /auth/token answered 401 Unauthorized: Invalid credentials"
        assert "wonderland" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]

    def test_a_caller_without_credentials_is_refused_by_airflow(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": httpx.Response(401, json={"detail": "Not authenticated"})})
        with pytest.raises(CallerRefused):
            upstream_of(fake, auth="passthrough").call("GET", "/pools")
        assert "Authorization" not in fake.requests[-1].headers


class TestRefusals:
    @pytest.mark.parametrize(
        ("response", "kind", "detail"),
        [
            (httpx.Response(404, json={"detail": "The Dag with ID: `x` was not found"}), UpstreamNotFound, "The Dag with ID: `x` was not found"),
            (
                httpx.Response(404, json={"detail": None, "status": 404, "title": "Task not found", "type": "about:blank"}),
                UpstreamNotFound,
                "Task not found",
            ),
            (
                httpx.Response(409, json={"detail": {"reason": "Unique constraint violation", "statement": "hidden"}}),
                UpstreamConflict,
                "Unique constraint violation",
            ),
            (
                httpx.Response(422, json={"detail": [{"loc": ["body", "logical_date"], "msg": "Field required"}]}),
                UpstreamBadRequest,
                "logical_date: Field required",
            ),
            (httpx.Response(400, text="<html>Bad</html>"), UpstreamBadRequest, "<html>Bad</html>"),
        ],
    )
    def test_answers_about_the_request_keep_airflows_words(self, response, kind, detail) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/dags/x": response})
        with pytest.raises(kind) as caught:
            upstream_of(fake).call("GET", "/dags/x")
        assert (caught.value.status_code, caught.value.detail, caught.value.call) == (response.status_code, detail, "GET /api/v2/dags/x")
        # Untranslated, it still renders as a 502 that names the upstream.
        assert caught.value.status == 502
        assert caught.value.message == f"Airflow at {BASE} answered {response.status_code} to GET /api/v2/dags/x: {detail}"

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_a_server_error_is_unavailability(self, status: int, caplog: pytest.LogCaptureFixture) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": httpx.Response(status, json={"detail": "secret internals"})})
        with caplog.at_level(logging.WARNING), pytest.raises(UpstreamUnavailable) as caught:
            upstream_of(fake).call("GET", "/pools")
        reason = f"{status} {httpx.codes.get_reason_phrase(status)}"
        assert caught.value.status == 503
        assert caught.value.message == f"Airflow at {BASE} is unavailable: GET /api/v2/pools answered {reason}"
        assert "secret internals" in caplog.text  # logged for the operator, not sent to the client

    def test_an_unexpected_status(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": httpx.Response(418, json={"detail": "teapot"})})
        with pytest.raises(UpstreamAnswerError) as caught:
            upstream_of(fake).call("GET", "/pools")
        assert caught.value.problem == "GET /api/v2/pools answered 418 I'm a teapot: teapot"


class TestUnreachable:
    def test_nothing_listening(self) -> None:
        port = free_port()
        upstream = SyncUpstream(config(airflow_url=f"http://127.0.0.1:{port}"))
        with pytest.raises(UpstreamUnavailable) as caught:
            upstream.call("GET", "/pools")
        assert caught.value.status == 503
        assert caught.value.message.startswith(f"Airflow at http://127.0.0.1:{port} is unavailable: GET /api/v2/version: cannot connect (")

    @pytest.mark.parametrize(
        ("exception", "reason"),
        [
            (httpx.ReadTimeout("timed out"), "GET /api/v2/pools got no answer within 2.5 s"),
            (httpx.ConnectTimeout("timed out"), "GET /api/v2/pools got no answer within 2.5 s"),
            (httpx.PoolTimeout("busy"), "GET /api/v2/pools: every connection to it was busy for 2.5 s"),
            (httpx.RemoteProtocolError("Server disconnected without sending a response."), "GET /api/v2/pools: RemoteProtocolError (Server disconnected without sending a response.)"),
        ],
    )
    def test_no_answer(self, exception: Exception, reason: str) -> None:
        def fail(request: httpx.Request) -> httpx.Response:
            raise exception

        fake = FakeAirflow({**airflow3(), "GET /api/v2/pools": fail})
        with pytest.raises(UpstreamUnavailable) as caught:
            upstream_of(fake, timeout=2.5).call("GET", "/pools")
        assert caught.value.reason == reason

    def test_a_real_timeout_within_the_configured_time(self) -> None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection, never answers
        port = listener.getsockname()[1]
        try:
            upstream = SyncUpstream(config(airflow_url=f"http://127.0.0.1:{port}", api_version="1", timeout=0.3))
            with pytest.raises(UpstreamUnavailable) as caught:
                upstream.call("GET", "/pools")
            assert caught.value.reason == "GET /api/v1/pools got no answer within 0.3 s"
        finally:
            listener.close()


class TestRequests:
    def test_path_segments_are_encoded(self) -> None:
        run_id = "manual__2030-01-02T03:04:05+05:30"
        fake = FakeAirflow(airflow3())
        with pytest.raises(UpstreamNotFound):
            upstream_of(fake).call("GET", path("dags", "example", "dagRuns", run_id))
        assert fake.seen()[-1] == "GET /api/v2/dags/example/dagRuns/manual__2030-01-02T03%3A04%3A05%2B05%3A30"

    def test_query_lists_repeat_and_none_is_left_out(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/dags": httpx.Response(200, json={})})
        params = {"state": ["queued", "running"], "paused": False, "tags": None, "date": "2030-01-01T00:00:00+00:00"}
        upstream_of(fake).call("GET", "/dags", params=params)
        assert fake.seen()[-1] == "GET /api/v2/dags?state=queued&state=running&paused=false&date=2030-01-01T00%3A00%3A00%2B00%3A00"

    def test_no_cookie_is_kept_between_callers(self) -> None:
        session = httpx.Response(200, json=POOLS, headers={"Set-Cookie": f"session=alices; Domain=airflow.test; Path=/"})
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": [session, httpx.Response(200, json=POOLS)]})
        upstream = upstream_of(fake, auth="passthrough")
        upstream.call("GET", "/pools", caller=ALICE)
        upstream.call("GET", "/pools", caller=Credentials("mallory", "guess"))
        assert "Cookie" not in fake.requests[-1].headers

    def test_each_call_is_logged_at_debug_with_its_status_and_time(self, caplog: pytest.LogCaptureFixture) -> None:
        fake = FakeAirflow({**airflow2(), "GET /api/v1/pools": httpx.Response(200, json=POOLS)})
        with caplog.at_level(logging.DEBUG, logger="expapi.gateway.client"):
            upstream_of(fake, username="expapi", password="s3cret").call("GET", "/pools", params={"limit": 5})
        lines = [r.getMessage() for r in caplog.records if r.name == "expapi.gateway.client"]
        assert [line.rsplit(" in ", 1)[0] for line in lines] == [
            f"upstream GET {BASE}/api/v2/version -> 404",
            f"upstream GET {BASE}/api/v1/version -> 200",
            f"upstream GET {BASE}/login/ -> 404",  # no login form here: Basic from now on
            f"upstream GET {BASE}/api/v1/pools?limit=*** -> 200",
        ]
        assert all(line.endswith(" ms") for line in lines) and "s3cret" not in caplog.text


def test_error_detail_of_a_v1_problem_with_a_detail() -> None:
    response = httpx.Response(404, json={"detail": "Pool with name:'x' not found", "status": 404, "title": "Not Found"})
    assert error_detail(response) == "Pool with name:'x' not found"


def test_error_detail_of_airflow_3s_removed_v1() -> None:
    response = httpx.Response(404, json={"error": "/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead."})
    assert error_detail(response) == "/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead."


LOGIN_FORM = '<form method="post"><input id="csrf_token" name="csrf_token" type="hidden" value="tok-1"></form>'


def login_routes(*, accepted: bool = True) -> dict:
    """Airflow 2's FAB login form: GET gives the CSRF field and an anonymous session; POST logs in."""

    def post(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        good = accepted and form == {"username": "expapi", "password": "s3cret", "csrf_token": "tok-1"}
        good = good and request.headers.get("cookie") == "session=anon"
        location = "/home" if good else "/login/"
        cookies = [("set-cookie", "session=logged-in; HttpOnly; Path=/")] if good else []
        return httpx.Response(302, headers=[("location", location), *cookies])

    return {
        "GET /login/": httpx.Response(200, text=LOGIN_FORM, headers={"set-cookie": "session=anon; HttpOnly; Path=/"}),
        "POST /login/": post,
    }


def session_or_basic(request: httpx.Request) -> httpx.Response:
    if request.headers.get("cookie") == "session=logged-in" or request.headers.get("authorization", "").startswith("Basic "):
        return httpx.Response(200, json=POOLS)
    return httpx.Response(403, json={"detail": None, "status": 403, "title": "Forbidden", "type": ""})


class TestAirflow2Session:
    """Service account on Airflow 2: one login through the form, then its session instead of Basic."""

    def test_logs_in_once_and_sends_the_session_not_the_password(self) -> None:
        fake = FakeAirflow({**airflow2(), **login_routes(), "GET /api/v1/pools": session_or_basic})
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        upstream.call("GET", "/pools")
        upstream.call("GET", "/pools")
        assert fake.seen() == ["GET /api/v2/version", "GET /api/v1/version", "GET /login/", "POST /login/", "GET /api/v1/pools", "GET /api/v1/pools"]
        calls = [r for r in fake.requests if r.url.path == "/api/v1/pools"]
        assert [(r.headers.get("cookie"), r.headers.get("authorization")) for r in calls] == [("session=logged-in", None)] * 2

    def test_a_refused_login_falls_back_to_basic_for_good(self) -> None:
        fake = FakeAirflow({**airflow2(), **login_routes(accepted=False), "GET /api/v1/pools": session_or_basic})
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        upstream.call("GET", "/pools")
        upstream.call("GET", "/pools")
        assert fake.seen()[2:] == ["GET /login/", "POST /login/", "GET /api/v1/pools", "GET /api/v1/pools"]
        assert all(r.headers["authorization"].startswith("Basic ") for r in fake.requests if r.url.path == "/api/v1/pools")

    def test_an_api_without_the_session_backend_gets_basic_after_one_refusal(self) -> None:
        basic_only = lambda r: httpx.Response(200, json=POOLS) if "authorization" in r.headers else httpx.Response(403, json={})
        fake = FakeAirflow({**airflow2(), **login_routes(), "GET /api/v1/pools": basic_only})
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        assert upstream.call("GET", "/pools").json() == POOLS
        assert upstream.call("GET", "/pools").json() == POOLS
        assert fake.seen()[2:] == ["GET /login/", "POST /login/", "GET /api/v1/pools", "GET /api/v1/pools", "GET /api/v1/pools"]

    def test_an_expired_session_is_renewed_by_a_new_login(self) -> None:
        expiring = [httpx.Response(200, json=POOLS), httpx.Response(401, json={}), httpx.Response(200, json=POOLS)]
        fake = FakeAirflow({**airflow2(), **login_routes(), "GET /api/v1/pools": expiring})
        upstream = upstream_of(fake, username="expapi", password="s3cret")
        upstream.call("GET", "/pools")
        upstream.call("GET", "/pools")  # refused: Basic for this call
        upstream.call("GET", "/pools")  # logs in again
        assert fake.seen()[2:] == ["GET /login/", "POST /login/"] + ["GET /api/v1/pools"] * 3 + ["GET /login/", "POST /login/", "GET /api/v1/pools"]

    def test_passthrough_callers_always_send_basic(self) -> None:
        fake = FakeAirflow({**airflow2(), **login_routes(), "GET /api/v1/pools": session_or_basic})
        upstream = upstream_of(fake, auth="passthrough")
        upstream.call("GET", "/pools", caller=Credentials("alice", "pw"))
        assert "GET /login/" not in fake.seen()
