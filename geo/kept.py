"""Values a snapshot keeps for the sets of events asked for last: the view in words, the
histogram's counts, the strip's days... Each is worked out from the rows the filters show, so a
rerun that shows the same rows (a sort, a page of the table, a layer ticked) and a new session
opening on the same view find it done instead of reading up to a million rows again
(docs/performance.md, "A run at a million events").

Sessions are threads: the store is locked, and two sessions asking for a value not yet kept may
both work it out (the second one's copy is kept). A value handed out is shared: read it only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

KEPT_VALUES = 64  # each a sentence, a few dates or a small frame of counts


def rows_key(mask: np.ndarray) -> bytes:
    """A key for the rows a boolean ``mask`` picks (its length counts: other events, other key):
    a million rows hash in well under a millisecond once packed to bits."""
    packed = np.packbits(np.asarray(mask, dtype=bool))
    return hashlib.blake2b(packed.tobytes(), digest_size=16, person=len(mask).to_bytes(8, "little")).digest()


class Kept:
    """The values asked for last, at most ``kept``, each worked out once by its ``compute``."""

    def __init__(self, kept: int = KEPT_VALUES) -> None:
        self.kept = kept
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for ``key``, else ``compute()``'s, then kept (the oldest dropped beyond
        ``kept``)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.kept:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
