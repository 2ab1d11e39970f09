"""Install the optional packages whose system libraries this machine has (tox's commands_pre).

python-gssapi (the ``kerberos`` extra) compiles against the Kerberos headers, so it is
installed only where ``krb5-config`` is on PATH; without it the Kerberos tests skip
(or, under CI=true, fail). Keep KERBEROS_REQUIREMENT equal to pyproject.toml's extra.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

KERBEROS_REQUIREMENT = "gssapi>=1.8"


def main() -> int:
    """pip-install python-gssapi when the Kerberos development files are present."""
    if shutil.which("krb5-config") is None:
        print("optional-deps: krb5-config not found, skipping python-gssapi (Kerberos tests will not run)")
        return 0
    print(f"optional-deps: installing {KERBEROS_REQUIREMENT}")
    return subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", KERBEROS_REQUIREMENT])


if __name__ == "__main__":
    sys.exit(main())
