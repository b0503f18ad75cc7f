"""The child process of ``geo.snapshot.build_snapshot_apart``: reads (layers directory, store URL)
pickled on standard input, builds the snapshot's parts with the store opened for reading only, and
writes ("parts", parts) or ("problems", (problems, store failed)) pickled on standard output. Its
logging goes to standard error, which the page's log receives on a failure."""

from __future__ import annotations

import contextlib
import pickle
import sys

from geo import snapshot
from geo.store import StoreError, open_store


def main() -> int:
    layers_dir, url = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        with contextlib.redirect_stdout(sys.stderr):  # standard output carries the pickle alone
            store = open_store(url, create=False)
            outcome = ("parts", snapshot.snapshot_parts(layers_dir, store))
    except snapshot.DataError as error:
        outcome = ("problems", (error.problems, isinstance(error.__cause__, StoreError)))
    except StoreError as error:
        outcome = ("problems", ([str(error)], True))
    pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
