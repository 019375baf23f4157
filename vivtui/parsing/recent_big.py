"""The last few values made from big objects, kept by the object's identity.

A record is an immutable tuple and what it shows is made when asked for: a
row of a 20 MB line, drawn again at each key's frame, decoded its line
again (60 ms) and made its 20 MB summary again (40 ms). Kept here, the few
big ones are made once while they are looked at.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

BIG = 1 << 20  # characters or bytes: below, a value is made again, as it is cheap
KEPT = 4


class RecentBig:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._made: dict[int, tuple[Any, Any]] = {}  # id(source) -> (source, value)
        self._lock = threading.Lock()  # (drawn on the screen's thread, scanned on others)

    def get(self, source: Any) -> Any:
        """What was kept for ``source`` (None: nothing)."""
        found = self._made.get(id(source))
        return found[1] if found is not None and found[0] is source else None

    def keep(self, source: Any, value: Any) -> Any:
        """``value``, kept for ``source`` (the oldest kept let go)."""
        with self._lock:
            if len(self._made) >= self._kept:
                del self._made[next(iter(self._made))]
            self._made[id(source)] = (source, value)
        return value

    def made(self, source: Any, make: Callable[[Any], Any]) -> Any:
        """``make(source)``, kept."""
        found = self.get(source)
        return found if found is not None else self.keep(source, make(source))
