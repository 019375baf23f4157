"""Numbers kept sorted by a column of floats as they come and change: the
queue's triage order. Sorted afresh at every change, a live run's 200k tasks
took 50-60 ms of the UI thread at each look (every second with the queue
shown, and at every e, which looks at every pane's rows). A task whose key
changed since the last look is moved (a search and an insertion); after many
changes the list is sorted whole (``MOST_MOVES``, the sessions' order's
rule)."""

from __future__ import annotations

from bisect import insort
from collections.abc import Collection, Sequence

from vivtui.store.session_order import MOST_MOVES


class KeptOrder:
    """The numbers below ``count`` by (key, number): what sorting them by key
    alone gives, the sort being stable. The keys are not kept here (the
    tracker's column is given at each look): nothing bound to it is
    pickled with a model read in another process."""

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self._placed = 0  # numbers below this are in ``numbers``

    def update(self, keys: Sequence[float], changed: Collection[int] | None) -> list[int]:
        """The numbers below ``len(keys)`` in order; ``changed``: those placed
        before whose key changed since the last look (None: any may have)."""
        count = len(keys)
        fresh = range(self._placed, count)
        if changed is None or len(changed) + len(fresh) > MOST_MOVES:
            self._sort_all(keys)
        else:
            self._move(keys, [at for at in set(changed) if at < self._placed], fresh)
        self._placed = count
        return self.numbers

    def _sort_all(self, keys: Sequence[float]) -> None:
        self.numbers = sorted(range(len(keys)), key=keys.__getitem__)

    def _move(self, keys: Sequence[float], moved: list[int], fresh: range) -> None:
        numbers = self.numbers
        for at in moved:
            numbers.remove(at)  # (in C; a few moves between looks)
        for at in (*moved, *fresh):
            insort(numbers, at, key=lambda other: (keys[other], other))
