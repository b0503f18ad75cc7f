"""A throwaway PostgreSQL cluster with PostGIS for the store's tests and benchmark: ``initdb`` into
a temporary folder, ``pg_ctl start`` listening on a Unix socket only, ``CREATE EXTENSION postgis``,
and stopped and removed at the end. The binaries are Debian's (``postgresql``,
``postgresql-15-postgis-3``, which scripts/test.sh installs when missing).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLUSTER_USER = "postgres"  # PostgreSQL refuses to run as root: as root, the cluster is this user's


def binaries() -> Path | None:
    """The newest PostgreSQL server's bin folder (Debian keeps it off the PATH), else None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def missing() -> str | None:
    """Why no cluster can be started here, or None."""
    bin_dir = binaries()
    if bin_dir is None:
        return "PostgreSQL's initdb is not installed (Debian's postgresql; bash scripts/test.sh installs it)"
    version = bin_dir.parent.name
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"PostGIS for PostgreSQL {version} is not installed (Debian's postgresql-{version}-postgis-3)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(CLUSTER_USER)
        except KeyError:
            return f"running as root and there is no {CLUSTER_USER!r} user to run PostgreSQL as"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A running cluster with PostGIS in its ``postgres`` database; yields its connection URL."""
    import psycopg

    bin_dir = binaries()
    assert bin_dir is not None, missing()
    folder = Path(tempfile.mkdtemp(prefix="panj-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam(CLUSTER_USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", CLUSTER_USER, "--"]
    data, port = folder / "data", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
            "-o", f"-p {port} -k {folder} -c listen_addresses=''", "start")
        url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("CREATE EXTENSION postgis")
            yield url
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
