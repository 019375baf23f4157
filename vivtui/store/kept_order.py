"""Numbers kept sorted by a column of floats as they come and change: the
queue's triage order. Sorted afresh at every change, a live run's 200k tasks
took 50-60 ms of the UI thread at each look (every second with the queue
shown, and at every e, which looks at every pane's rows). A task whose key
changed since the last look is moved (a search and an insertion); after many
changes the list is sorted whole (``session_order.moves``, the sessions'
order's rule)."""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections.abc import Collection, Sequence

from vivtui.store.session_order import moves, remove_at


class KeptOrder:
    """The numbers below ``count`` by (key, number): what sorting them by key
    alone gives, the sort being stable. The tracker's column of keys is
    given at each look (nothing bound to it is pickled with a model read in
    another process); the key each number was placed by is kept, to find
    it again once its key changed (looked for by value, each took 0.3 ms
    in 200k: 20 ms of a live run's look)."""

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self._placed_by = array("d")  # each number's key when placed

    def update(self, keys: Sequence[float], changed: Collection[int] | None) -> list[int]:
        """The numbers below ``len(keys)`` in order; ``changed``: those placed
        before whose key changed since the last look (None: any may have)."""
        placed = len(self._placed_by)
        fresh = range(placed, len(keys))
        if moves(changed, len(fresh)) is None:
            self._sort_all(keys)
        else:
            self._move(keys, [at for at in set(changed) if at < placed], fresh)
        return self.numbers

    def moves(self, changed: Collection[int] | None, count: int) -> int | None:
        """``session_order.moves`` for ``count`` numbers now."""
        return moves(changed, count - len(self._placed_by))

    def _sort_all(self, keys: Sequence[float]) -> None:
        self.numbers = sorted(range(len(keys)), key=keys.__getitem__)
        self._placed_by = array("d", keys)

    def _move(self, keys: Sequence[float], moved: list[int], fresh: range) -> None:
        numbers, placed_by = self.numbers, self._placed_by
        by_placed = lambda other: (placed_by[other], other)  # noqa: E731 (the order's own)
        for at in moved:
            remove_at(numbers, bisect_left(numbers, (placed_by[at], at), key=by_placed), at)
        placed_by.extend(keys[len(placed_by):])
        for at in (*moved, *fresh):
            placed_by[at] = keys[at]
            insort(numbers, at, key=by_placed)
