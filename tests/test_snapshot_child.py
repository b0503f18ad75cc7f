"""A child process of the page (``geo.snapshot._run_child``, ``geo.snapshotchild``) ends with the
process that started it: a server stopped or killed leaves none working on (Linux)."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from contextlib import suppress

import pytest

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent's end is signalled by Linux")
WAIT_S = 60

# The parent: _run_child as the page calls it, saying its child's process id once it has one.
PARENT = """
import subprocess, sys
from geo import snapshot
class Told(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        print(self.pid, flush=True)
subprocess.Popen = Told
snapshot._run_child(("snapshot", (sys.argv[1], sys.argv[2])))
"""


def test_a_child_ends_when_the_process_that_started_it_is_killed() -> None:
    # Its job reads a PostgreSQL store at an address that takes connections and never answers, so
    # the child would wait for ever: only its parent's end can end it.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://panj@127.0.0.1:{silent.getsockname()[1]}/panj"
        parent = subprocess.Popen([sys.executable, "-c", PARENT, str(LAYERS_DIR), url], stdout=subprocess.PIPE, text=True)
        child = None
        try:
            assert select.select([parent.stdout], [], [], WAIT_S)[0], f"no child started within {WAIT_S} s"
            child = int(parent.stdout.readline())
            ended = os.pidfd_open(child)  # readable once the child has ended
            try:
                parent.kill()
                parent.wait()
                assert select.select([ended], [], [], WAIT_S)[0], f"the child outlived its parent by {WAIT_S} s"
            finally:
                os.close(ended)
        finally:
            parent.kill()
            parent.wait()
            parent.stdout.close()
            if child is not None:
                with suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
