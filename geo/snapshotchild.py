"""The child process of ``geo.snapshot``'s work apart from the page: reads a job pickled on
standard input and writes its outcome pickled on standard output. Jobs:

- ``("snapshot", (layers directory, store URL))``: the snapshot's parts built with the store
  opened for reading only (``build_snapshot_apart``): ``("parts", parts)``, or ``("problems",
  (problems, store failed))``;
- ``("popups", (events, texts, map layers, aliases, published folder's path, name))``: the popup
  text written into that folder (``Snapshot._write_popups``): ``None``.

Reading and joining every row uses memory the compact columns do not keep (the rows' Arrow
columns, a geometry per place, the join's frames) that a long-lived page's allocators would keep
after it is freed; here it goes when the child ends. Its logging goes to standard
error, which the page's log receives on a failure. It ends with the page's process
(``geo.snapshot.end_with_parent``)."""

from __future__ import annotations

import contextlib
import pickle
import sys
from typing import Any

from geo import assets, compact, eventdata, snapshot
from geo.store import StoreError, open_store


def _snapshot(layers_dir: Any, url: str) -> tuple[str, Any]:
    try:
        return "parts", snapshot.snapshot_parts(layers_dir, open_store(url, create=False))
    except snapshot.DataError as error:
        return "problems", (error.problems, isinstance(error.__cause__, StoreError))
    except StoreError as error:
        return "problems", ([str(error)], True)


def _popups(events: Any, texts: compact.EventTexts, map_layers: Any, aliases: Any, folder: Any, name: str) -> None:
    def details(rows: Any) -> Any:
        return compact.details(rows, texts, map_layers, aliases)

    assets.publish_subfolder(folder, name, eventdata.popup_files(events, details))


JOBS = {"snapshot": _snapshot, "popups": _popups}


def main() -> int:
    snapshot.end_with_parent()
    job, arguments = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    with contextlib.redirect_stdout(sys.stderr):  # standard output carries the pickle alone
        outcome = JOBS[job](*arguments)
    pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
