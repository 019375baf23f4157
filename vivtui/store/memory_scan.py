"""Which rows of a model's list pass a test, found by a worker.

A filter or a search over a big run's 200k sessions described each one on
the UI thread: 0.7-0.9 s, every key waiting (``benchmarks/loop_lag.py``).
Here a worker walks the list, a page at a time, and the pane shows the
matches once it is done (the file-backed panes' scans, ``store.scan``, do
the same for a file). The list is one the model made for the pane, never
changed afterwards; its items are read as they are then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

PAGE = 4096


def no_pace() -> None:
    """A scan's ``pace`` when nobody sets one: its pages one after another."""


class MemoryScan:
    def __init__(self, source: Sequence, test: Callable[[Any], bool], generation: int) -> None:
        self.source = source
        self.test = test
        self.generation = generation  # of the filters (or search) it tests for
        self.matches: list[int] = []  # places in ``source``, once ``done``
        self.scanned = 0
        self.done = False
        self.cancel = threading.Event()
        self.pace: Callable[[], object] = no_pace  # before each page (``store.scan``)

    def run(self) -> None:
        source, test, found = self.source, self.test, []
        try:
            for start in range(0, len(source), PAGE):
                self.pace()
                if self.cancel.is_set():
                    return
                stop = min(start + PAGE, len(source))
                found.extend(at for at in range(start, stop) if test(source[at]))
                self.scanned = stop
            self.matches = found
        finally:
            self.done = True

    @property
    def progress(self) -> float:
        return self.scanned / len(self.source) if len(self.source) else 1.0
