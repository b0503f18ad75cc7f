"""A child process of the page (``geo.snapshot._run_child``, ``geo.snapshotchild``) ends with the
process that started it: a server stopped or killed leaves none working on (Linux)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent's end is signalled by Linux")
WAIT_S = 60


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:  # it ended meanwhile
            continue
    return found


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {WAIT_S} s"
        time.sleep(0.05)


def test_a_child_ends_when_the_process_that_started_it_is_killed() -> None:
    # Its job reads a PostgreSQL store at an address that takes connections and never answers, so
    # the child would wait for ever: only its parent's end can end it.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://panj@127.0.0.1:{silent.getsockname()[1]}/panj"
        code = "import sys; from geo import snapshot; snapshot._run_child(('snapshot', (sys.argv[1], sys.argv[2])))"
        parent = subprocess.Popen([sys.executable, "-c", code, str(LAYERS_DIR), url])
        children: list[int] = []
        try:
            wait_until(lambda: children.extend(children_of(parent.pid)) or children, "the child started")
            [child] = children
            parent.kill()
            parent.wait()
            wait_until(lambda: not running(child), "the child ended with its parent")
        finally:
            parent.kill()
            parent.wait()
            for pid in children:
                if running(pid):
                    subprocess.run(["kill", "-9", str(pid)], check=False)
