"""What a flood of wrong passwords does to requests whose credentials are cached.

Not a test: run it by hand from the checkout, ``python benchmarks/password_flood.py``.
It starts ``expapi serve`` (one worker, SQLite, the password backend, bcrypt cost 12),
warms the cache with one good request, then times ``GET /test`` with the good credentials
one after another: first on an idle server, then while ``--flood`` connections send wrong
passwords as fast as they are answered. Run once with throttling on (the default) and
once with ``[api] failed_login_limit = 0``. ``--code DIR`` runs another commit's expapi:
unpack it there (``git archive <commit> | tar -x -C DIR``) and link its ``handlers``,
``models`` and ``openapi`` folders into ``DIR/expapi``, as the installed package maps them.

Measured on the 2-core build machine (shared), 100 good requests per phase, 16 flooders:

    code                          idle median   flood median   flood p95   flood max
    before (225a07a)                   2.8 ms        10.7 ms     19.7 ms     32.4 ms
    throttle off (limit 0)             3.4 ms         7.6 ms     18.0 ms     36.1 ms
    throttle on (default 5/40 s)       3.4 ms         4.6 ms     14.6 ms     22.5 ms

With throttling on, 377 of 397 flood requests were refused (429) before any bcrypt check.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

USER, PASSWORD = "bench", "bench-password"
# The flood guesses another user's password from 127.0.0.1; the good client calls from
# 127.0.0.2 (any 127/8 address reaches a loopback server on Linux).
FLOOD_USER = "someone_else"
GOOD_CLIENT = "127.0.0.2"
LAUNCH = "import sys; from expapi.cli import main; sys.exit(main(sys.argv[1:]))"


def header(password: str, user: str = USER) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def get(url: str, headers: dict[str, str], source: str = "127.0.0.1") -> int:
    """One GET on a new connection from ``source`` (the flood and the good client use different addresses)."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("GET", parsed.path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_requests(url: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        status = get(url, header(PASSWORD), source=GOOD_CLIENT)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"a request with good credentials answered {status}")
    return timings


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed good requests per phase (default 100)")
    parser.add_argument("--flood", type=int, default=16, help="connections sending wrong passwords (default 16)")
    parser.add_argument("--failed-login-limit", default="5", help="[api] failed_login_limit for the server (0 = off)")
    parser.add_argument("--code", type=Path, help="the checkout whose expapi to run (default: the installed one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="expapi-flood-") as tmp:
        home = Path(tmp)
        (home / "dags").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXPAPI")}
        env.update(EXPAPI_HOME=str(home), EXPAPI__API__AUTH_BACKEND="password", EXPAPI__CORE__LOAD_EXAMPLES="False",
                   EXPAPI__API__FAILED_LOGIN_LIMIT=args.failed_login_limit, EXPAPI__LOGGING__LOGGING_LEVEL="WARNING")
        if args.code:
            env["PYTHONPATH"] = str(args.code.resolve())
        expapi = [sys.executable, "-c", LAUNCH]
        subprocess.run([*expapi, "db", "init"], env=env, check=True, capture_output=True, cwd=home)
        subprocess.run([*expapi, "users", "create", "--username", USER, "--password", PASSWORD], env=env, check=True, capture_output=True, cwd=home)
        port = free_port()
        log = (home / "serve.log").open("wb")
        server = subprocess.Popen([*expapi, "serve", "--port", str(port), "--workers", "1"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, cwd=home)
        url = f"http://127.0.0.1:{port}/api/experimental/test"
        try:
            for _ in range(300):
                try:
                    get(url, {})
                    break
                except OSError:
                    time.sleep(0.1)
            timed_requests(url, 5)  # the one bcrypt check, then the cache
            idle = timed_requests(url, args.requests)

            stop = threading.Event()
            answers: Counter[int] = Counter()

            def flood() -> None:
                while not stop.is_set():
                    answers[get(url, header("wrong", FLOOD_USER))] += 1

            flooders = [threading.Thread(target=flood, daemon=True) for _ in range(args.flood)]
            for thread in flooders:
                thread.start()
            time.sleep(2)
            started = time.monotonic()
            during = timed_requests(url, args.requests)
            elapsed = time.monotonic() - started
            stop.set()
            for thread in flooders:
                thread.join(timeout=60)
        except SystemExit:
            print((home / "serve.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"{os.cpu_count()} CPU(s); failed_login_limit={args.failed_login_limit}; code: {args.code or 'installed'}")
    print(f"cached credentials, idle:                {summary(idle)}")
    print(f"cached credentials, {args.flood}-connection flood: {summary(during)}")
    print(f"flood answers over {elapsed:.1f} s: {dict(sorted(answers.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
