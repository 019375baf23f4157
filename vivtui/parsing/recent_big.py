"""The last few values made from big objects, kept by the object's identity.

A record is an immutable tuple and what it shows is made when asked for: a
row of a 20 MB line, drawn again at each key's frame, decoded its line
again (60 ms) and made its 20 MB summary again (40 ms). Kept here, the few
big ones are made once while they are looked at.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

BIG = 1 << 20  # characters or bytes: below, a value is made again, as it is cheap
# At most, in all; a value bigger than this is kept alone (a 100 MB line's,
# decoded again at each frame, took 0.2-0.5 s of each key).
KEPT_BYTES = 64 << 20


class RecentBig:
    """``by_content``: kept by the source's value (a line read back again is
    new bytes each time), not its identity."""

    def __init__(self, most: int = KEPT_BYTES, by_content: bool = False) -> None:
        self._most = most
        self._by_content = by_content
        self._made: dict[Any, tuple[Any, Any, int]] = {}  # key -> (source, value, size)
        self._size = 0
        self._lock = threading.Lock()  # (drawn on the screen's thread, scanned on others)
        self._asked: set = set()  # keys a thread is making the value of (``soon``)

    def _key(self, source: Any) -> Any:
        return source if self._by_content else id(source)

    def get(self, source: Any) -> Any:
        """What was kept for ``source`` (None: nothing)."""
        found = self._made.get(self._key(source))
        return found[1] if found is not None and (self._by_content or found[0] is source) \
            else None

    def keep(self, source: Any, value: Any, size: int | None = None) -> Any:
        """``value``, kept for ``source`` (the oldest let go to make room, all
        of them for one bigger than the bound);
        ``size``: its bytes, if ``sys.getsizeof`` does not tell them (a
        decoded object: its line's)."""
        size = sys.getsizeof(value) if size is None else size
        with self._lock:
            was = self._made.pop(self._key(source), None)  # (made twice, by two threads)
            self._size -= was[2] if was is not None else 0
            while self._made and self._size + size > self._most:
                self._size -= self._made.pop(next(iter(self._made)))[2]
            self._made[self._key(source)] = (source, value, size)
            self._size += size
        return value

    def made(self, source: Any, make: Callable[[Any], Any], size: int | None = None) -> Any:
        """``make(source)``, kept as ``size`` bytes (default: as big as ``source``)."""
        found = self.get(source)
        return found if found is not None else self.keep(
            source, make(source), len(source) if size is None else size)

    def soon(self, source: Any, make: Callable[[Any], Any], made: Callable[[], None],
             pace_of: Callable[[], Callable[[], object] | None] | None = None) -> Any:
        """What was kept for ``source``; else None, and a thread makes it
        (``make(source)``), keeps it and calls ``made``: a value made where
        the screen is drawn held it (a 20 MB record's summary: 154-227 ms).
        ``pace_of`` gives what the thread calls first (None: nothing): the
        frame on its way goes out before it holds the GIL in long pieces."""
        found = self.get(source)
        if found is not None:
            return found
        key = self._key(source)
        with self._lock:
            if key in self._asked:
                return None
            self._asked.add(key)

        def work() -> None:
            try:
                pace = pace_of() if pace_of is not None else None
                if pace is not None:
                    pace()
                self.keep(source, make(source))
            finally:
                with self._lock:
                    self._asked.discard(key)
            made()

        # In the asker's context: ``made`` may need it (an app's).
        _maker().submit(contextvars.copy_context().run, work)
        return None


def _maker() -> ThreadPoolExecutor:
    """The one thread that makes big values (``soon``): one at a time, as
    each holds the GIL for long C calls that the screen's thread waits behind
    (five at once, one per file's big line, held it 140-190 ms)."""
    global _MAKER
    if _MAKER is None:
        _MAKER = ThreadPoolExecutor(1, thread_name_prefix="making big values")
    return _MAKER


_MAKER: ThreadPoolExecutor | None = None
