"""What authentication costs: the median time of one GET /api/experimental/test per backend.

Not a test: run it by hand from the checkout, ``python benchmarks/auth.py``. Each backend
gets its own app over one SQLite database, driven in-process by starlette's TestClient,
and is compared with the open backend measured in the same run. Kerberos is included
when python-gssapi and the MIT KDC binaries are installed (a throwaway realm on loopback,
as the tests use); its client tokens are made before the clock starts.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# starlette asks for httpx2 in its test client; httpx is what connexion uses.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from starlette.testclient import TestClient  # noqa: E402

from expapi.app import create_app  # noqa: E402
from expapi.auth import password_hashing  # noqa: E402
from expapi.auth.credential_cache import VerifiedCredentials  # noqa: E402
from expapi.auth.users import create_user  # noqa: E402
from expapi.config import load_config  # noqa: E402
from expapi.db import Database  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "auth"))
from kdc import Realm, missing_requirements  # noqa: E402  (the tests' realm helper)

URL = "/api/experimental/test"
USER, PASSWORD = "bench", "bench-password"


def basic_header() -> dict[str, str]:
    """Good Basic credentials for the benchmark user."""
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


def negotiate_headers(count: int) -> Iterator[dict[str, str]]:
    """``count`` fresh SPNEGO tokens (a token is good once: the server keeps a replay cache)."""
    import gssapi

    name = gssapi.Name(f"airflow@{socket.getfqdn()}", gssapi.NameType.hostbased_service)
    spnego = gssapi.Mechanism.from_sasl_name("SPNEGO")
    tokens = []
    for _ in range(count):
        context = gssapi.SecurityContext(name=name, usage="initiate", mech=spnego)
        tokens.append({"Authorization": "Negotiate " + base64.b64encode(context.step()).decode()})
    return iter(tokens)


def measure(client: TestClient, headers: Callable[[], dict[str, str]], count: int, expect: int, before: Callable[[], None] = lambda: None) -> list[float]:
    """Seconds per request, each timed on its own."""
    timings = []
    for _ in range(count):
        request_headers = headers()
        before()
        started = time.perf_counter()
        response = client.get(URL, headers=request_headers)
        timings.append(time.perf_counter() - started)
        if response.status_code != expect:
            raise SystemExit(f"unexpected {response.status_code} {response.text}")
    return timings


@contextmanager
def app_client(home: Path, backend: str) -> Iterator[TestClient]:
    config = load_config(home, environ={"EXPAPI__API__AUTH_BACKEND": backend})
    with TestClient(create_app(config), base_url="http://localhost") as client:
        yield client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="timed requests per backend (default 400)")
    parser.add_argument("--cold-requests", type=int, default=20, help="timed requests with an empty password cache (default 20)")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the access log would be timed too

    with tempfile.TemporaryDirectory(prefix="expapi-bench-") as tmp:
        home = Path(tmp)
        (home / "dags").mkdir()
        database = Database.from_url(load_config(home, environ={}).core.sql_alchemy_conn)
        database.create_schema()
        with database.transaction() as session:
            create_user(session, USER, password_hashing.hash_password(PASSWORD))  # bcrypt cost 12, as in use
        database.dispose()

        results: list[tuple[str, list[float], str]] = []
        n = args.requests
        for backend, expect in (("default", 200), ("deny_all", 403)):
            with app_client(home, backend) as client:
                measure(client, dict, 50, expect)  # warm-up: lazy middleware, connections
                results.append((backend, measure(client, dict, n, expect), f"{expect}, no credentials"))
        with app_client(home, "password") as client:
            measure(client, basic_header, 50, 200)
            results.append(("password (cache warm)", measure(client, basic_header, n, 200), "200, one bcrypt check at start"))
            backend = client.app.auth_backend

            def forget() -> None:
                backend.verified = VerifiedCredentials()

            results.append(
                ("password (cache cold)", measure(client, basic_header, args.cold_requests, 200, forget), "200, bcrypt cost 12 every time")
            )
        missing = missing_requirements()
        if missing:
            print(f"kerberos: skipped, missing {', '.join(missing)}\n")
        else:
            (home / "realm").mkdir()
            realm = Realm(home / "realm").start()
            os.environ.update(realm.environ)
            try:
                with app_client(home, "kerberos") as client:
                    tokens = negotiate_headers(n + 50)
                    measure(client, lambda: next(tokens), 50, 200)
                    results.append(("kerberos", measure(client, lambda: next(tokens), n, 200), "200, a fresh ticket token each time"))
            finally:
                realm.stop()

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPU(s); median of N requests via starlette TestClient\n")
    baseline = statistics.median(results[0][1])
    print(f"{'backend':<24}{'N':>6}{'median':>12}{'vs open':>14}   answer")
    for name, timings, note in results:
        median = statistics.median(timings)
        extra = "baseline" if name == "default" else f"{(median - baseline) * 1000:+.3f} ms"
        print(f"{name:<24}{len(timings):>6}{median * 1000:>9.3f} ms{extra:>14}   {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
