"""A throwaway MIT Kerberos realm on loopback, for tests and the benchmark.

It follows shared/reference/kerberos-testing.md: a realm directory with its own
krb5.conf and kdc.conf, a KDC bound to 127.0.0.1 on a free port, a user principal with a
ticket in the realm's ccache, and a keytab holding ``airflow/<host>`` for the server.
Nothing outside the directory is touched; ``environ`` holds the variables that point
the Kerberos libraries at it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REALM = "EXAMPLE.TEST"
USER = "alice"
USER_PASSWORD = "alice-secret"
SERVICE = "airflow"
BINARIES = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist")
INSTALL_HINT = (
    "apt-get install krb5-kdc krb5-admin-server krb5-user libkrb5-dev "
    "and pip install 'expapi[kerberos]' (python-gssapi)"
)


def missing_requirements() -> list[str]:
    """What this machine lacks to run a realm and talk GSSAPI: binary and module names."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    try:
        import gssapi  # noqa: F401
    except ImportError:
        missing.append("python module gssapi")
    return missing


def service_hosts() -> list[str]:
    """The host names the server may call itself: localhost and this machine's FQDN."""
    return sorted({"localhost", socket.getfqdn()})


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Realm:
    """A KDC for ``EXAMPLE.TEST`` in ``directory``; start() brings it up, stop() ends it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.keytab = directory / "airflow.keytab"
        self.environ = {
            "KRB5_CONFIG": str(directory / "krb5.conf"),
            "KRB5_KDC_PROFILE": str(directory / "kdc.conf"),
            "KRB5_KTNAME": f"FILE:{self.keytab}",
            "KRB5CCNAME": f"FILE:{directory / 'ccache'}",
            # Lower case on purpose: the replay cache type name is case-sensitive.
            "KRB5RCACHENAME": f"file2:{directory / 'rcache'}",
        }
        self._pid_file = directory / "kdc.pid"

    def start(self) -> Realm:
        """Create the realm and its principals, start the KDC and get the user a ticket."""
        self._write_configs()
        self._run("kdb5_util", "create", "-s", "-r", REALM, "-P", "throwaway-master-password")
        self._admin(f"addprinc -pw {USER_PASSWORD} {USER}")
        services = [f"{SERVICE}/{host}" for host in service_hosts()]
        for principal in services:
            self._admin(f"addprinc -randkey {principal}")
        self._admin(f"ktadd -k {self.keytab} -norandkey {' '.join(services)}")
        # kadmin.local exits 0 even when a query fails: check the keytab itself.
        listing = self._run("klist", "-k", str(self.keytab))
        for principal in services:
            if f"{principal}@{REALM}" not in listing:
                raise RuntimeError(f"{principal} is missing from {self.keytab}:\n{listing}")
        self._run("krb5kdc", "-r", REALM, "-P", str(self._pid_file))
        try:
            self._wait_for_kdc()
            self._run("kinit", USER, input=USER_PASSWORD + "\n")
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End the KDC (it daemonized, so by the PID it wrote) and wait for it to go."""
        try:
            pid = int(self._pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._pid_file.unlink(missing_ok=True)

    def _write_configs(self) -> None:
        d = self.directory
        hosts = "\n".join(f"    {host} = {REALM}" for host in service_hosts())
        (d / "krb5.conf").write_text(
            f"""[libdefaults]
    default_realm = {REALM}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ticket_lifetime = 1h
    default_ccache_name = FILE:{d}/ccache
    default_keytab_name = FILE:{self.keytab}
    default_client_keytab_name = FILE:{d}/no-client-keytab

[realms]
    {REALM} = {{
        kdc = 127.0.0.1:{self.port}
    }}

[domain_realm]
{hosts}
"""
        )
        (d / "kdc.conf").write_text(
            f"""[kdcdefaults]
    kdc_listen = 127.0.0.1:{self.port}
    kdc_tcp_listen = 127.0.0.1:{self.port}

[realms]
    {REALM} = {{
        database_name = {d}/principal
        key_stash_file = {d}/stash
        kdc_listen = 127.0.0.1:{self.port}
        kdc_tcp_listen = 127.0.0.1:{self.port}
        max_life = 1h
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }}

[logging]
    kdc = FILE:{d}/kdc.log
    default = FILE:{d}/kdc.log
"""
        )

    def _wait_for_kdc(self) -> None:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the KDC did not listen on 127.0.0.1:{self.port}; see {self.directory}/kdc.log")
                time.sleep(0.02)

    def _admin(self, query: str) -> None:
        self._run("kadmin.local", "-r", REALM, "-q", query)

    def _run(self, *command: str, input: str | None = None) -> str:
        env = {**os.environ, **self.environ}
        result = subprocess.run(command, env=env, input=input, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:2])} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout
