"""Slow, incomplete and oversized requests over real sockets end in bounded time (issue 9 items 6-8).

Each runs against a server of each flavour: the refusals are JSON as that flavour's Airflow
wrote it, and the 2 flavour's carry its deprecation headers like every other answer.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from expapi.flavours import FLAVOURS
from http_helpers import API
from live_server import LiveServer, clean_environment

pytestmark = pytest.mark.live

# Short bounds so that the faults end quickly; the defaults are 10 s and 30 s.
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
# Generous: two shared cores.
GRACE = 8.0


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(tmp_path_factory, flavour: str):
    home = tmp_path_factory.mktemp("limits")
    (home / "dags").mkdir()
    env = clean_environment(
        home,
        EXPAPI__API__COMPAT=flavour,
        EXPAPI__WEBSERVER__HEADER_READ_TIMEOUT=str(HEADER_TIMEOUT),
        EXPAPI__WEBSERVER__BODY_READ_TIMEOUT=str(BODY_TIMEOUT),
        EXPAPI__WEBSERVER__MAX_CONNECTIONS="40",
    )
    with LiveServer(home, workers=1, env=env) as live:
        yield live


def error_body(flavour: str, message: str) -> bytes:
    """``{"error": message}`` written as the flavour's Flask wrote JSON."""
    chosen = FLAVOURS[flavour]
    text = json.dumps({"error": message}, **chosen.dumps_options())
    return (text + ("\n" if chosen.json_trailing_newline else "")).encode()


def assert_notice(flavour: str, headers: dict[str, str]) -> None:
    """The flavour's own headers (Airflow 2's deprecation notice) are on the answer."""
    expected = {name.lower(): value for name, value in FLAVOURS[flavour].response_headers.items()}
    assert {name: headers.get(name) for name in ("deprecation", "link")} == {
        name: expected.get(name) for name in ("deprecation", "link")
    }


def connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=GRACE + 5)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response; the connection's end ends the body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def request_head(path: str, *extra: str) -> bytes:
    return ("\r\n".join([f"POST {API}{path} HTTP/1.1", "Host: 127.0.0.1", *extra]) + "\r\n\r\n").encode()


class TestIncompleteRequests:
    def test_incomplete_body_ends_in_408_within_the_body_timeout(self, server, flavour: str) -> None:
        with connect(server) as sock:
            started = time.monotonic()
            sock.sendall(request_head("/pools", "Content-Length: 100") + b'{"name": "half')
            status, headers, body = read_response(sock)
            held = time.monotonic() - started
            assert status == 408
            assert headers["content-type"] == "application/json"
            assert body == error_body(flavour, f"The request body did not arrive within {BODY_TIMEOUT:g} seconds")
            assert_notice(flavour, headers)
            assert held < BODY_TIMEOUT + GRACE
            assert closed(sock)
        with connect(server) as sock:
            sock.sendall(f"GET {API}/pools/half HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            assert read_response(sock)[0] == 404  # nothing half-written

    def test_slow_headers_end_in_408_and_a_closed_connection(self, server, flavour: str) -> None:
        with connect(server) as sock:
            started = time.monotonic()
            sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            status, headers, body = read_response(sock)
            assert status == 408
            assert headers["content-type"] == "application/json"
            assert "did not arrive" in json.loads(body)["error"]
            assert_notice(flavour, headers)
            assert time.monotonic() - started < HEADER_TIMEOUT + GRACE
            assert closed(sock)

    def test_a_silent_connection_is_closed(self, server) -> None:
        with connect(server) as sock:
            started = time.monotonic()
            status, _, _ = read_response(sock)
            assert status == 408
            assert closed(sock)
            assert time.monotonic() - started < HEADER_TIMEOUT + GRACE

    def test_slowloris_connections_are_all_dropped_and_the_server_answers(self, server) -> None:
        socks = [connect(server) for _ in range(30)]
        try:
            for sock in socks:
                sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ".encode())
            time.sleep(HEADER_TIMEOUT + 1)
            for sock in socks:  # one more byte each, as slowloris does: too late
                try:
                    sock.sendall(b"b")
                except OSError:
                    pass
            deadline = time.monotonic() + GRACE
            for sock in socks:
                sock.settimeout(max(deadline - time.monotonic(), 0.1))
                assert closed(sock) or read_response(sock)[0] == 408
        finally:
            for sock in socks:
                sock.close()
        with connect(server) as sock:
            sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            assert read_response(sock)[0] == 200


class TestConnectionLimit:
    def test_over_max_connections_answers_503_then_recovers(self, server) -> None:
        # 40 connections half-way through their headers fill [webserver] max_connections = 40.
        held = [connect(server) for _ in range(40)]
        try:
            for sock in held:
                sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            with connect(server) as sock:
                sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                status, headers, _ = read_response(sock)
            assert status == 503  # uvicorn's own answer, text/plain (docs/reliability.md)
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + HEADER_TIMEOUT + GRACE
        while True:
            with connect(server) as sock:
                sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                if read_response(sock)[0] == 200:
                    break
            assert time.monotonic() < deadline, "the server did not recover after the held connections closed"
            time.sleep(0.2)


class TestOversizedHeaders:
    def test_a_10_mb_header_is_refused_with_431(self, server, flavour: str) -> None:
        with connect(server) as sock:
            sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".encode())
            try:
                for _ in range(160):  # 10 MB in 64 KiB pieces; the server stops reading early
                    sock.sendall(b"a" * 65536)
            except OSError:
                pass
            status, headers, body = read_response(sock)
            assert status == 431
            assert body == error_body(flavour, "The request headers are larger than 65536 bytes ([webserver] max_header_bytes)")
            assert_notice(flavour, headers)

    def test_100000_headers_are_refused(self, server) -> None:
        with connect(server) as sock:
            sock.sendall(f"GET {API}/test HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            try:
                sock.sendall(b"".join(b"X-%d: v\r\n" % i for i in range(100_000)) + b"\r\n")
            except OSError:
                pass
            assert read_response(sock)[0] == 431

    def test_150_small_headers_are_refused_by_count(self, server) -> None:
        with connect(server) as sock:
            extra = [f"X-{i}: v" for i in range(150)]
            sock.sendall(("\r\n".join([f"GET {API}/test HTTP/1.1", "Host: 127.0.0.1", *extra]) + "\r\n\r\n").encode())
            status, _, body = read_response(sock)
            assert status == 431
            assert "at most 100 are read" in json.loads(body)["error"]


class TestProtocolErrors:
    def test_bytes_that_are_not_http_answer_400_json(self, server, flavour: str) -> None:
        with connect(server) as sock:
            sock.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
            status, headers, body = read_response(sock)
            assert status == 400
            assert headers["content-type"] == "application/json"
            assert "error" in json.loads(body)
            assert_notice(flavour, headers)


class TestBodies:
    def test_chunked_body_over_a_socket(self, server, flavour: str) -> None:
        payload = json.dumps({"name": "chunky", "slots": 4, "description": "chunked"}).encode()
        pieces = [payload[:10], payload[10:]]
        encoded = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        with connect(server) as sock:
            sock.sendall(request_head("/pools", "Transfer-Encoding: chunked", "Connection: close") + encoded)
            status, _, body = read_response(sock)
            assert status == 200, body
            pool = {"description": "chunked", "id": 2, "pool": "chunky", "slots": 4}
            if flavour == "2":  # Airflow 2.7+'s extra key
                pool["include_deferred"] = False
            assert json.loads(body) == pool

    def test_declared_length_over_the_limit_is_refused_before_the_body(self, server, flavour: str) -> None:
        with connect(server) as sock:
            started = time.monotonic()
            sock.sendall(request_head("/pools", f"Content-Length: {50 * 1024 * 1024}"))
            status, headers, body = read_response(sock)  # no body byte sent: answered at once
            assert status == 413
            assert_notice(flavour, headers)
            assert "max_request_body" in json.loads(body)["error"]
            assert closed(sock)  # the unread body cannot be followed by another request
            assert time.monotonic() - started < BODY_TIMEOUT + GRACE

    def test_chunked_body_is_cut_off_at_the_limit(self, server) -> None:
        with connect(server) as sock:
            sock.sendall(request_head("/pools", "Transfer-Encoding: chunked"))
            piece = b"x" * 65536
            sent = 0
            try:
                while sent < 8 * 1024 * 1024:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                    sent += len(piece)
            except OSError:
                pass
            status, _, body = read_response(sock)
            assert status == 413
            assert "max_request_body" in json.loads(body)["error"]
