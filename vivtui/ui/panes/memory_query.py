"""Rows held in memory (a store buffer, a model's list) filtered as they
arrive and searched on the spot; a long list by a worker (``MemoryScan``)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Callable, Sequence

from vivtui.store.filters import Describe
from vivtui.store.memory_scan import MemoryScan
from vivtui.store.rows import FilteredRows
from vivtui.ui.panes.query import Query, RecordsOf, Saved, StartScan

# Rows a model's list may have for its filters and search to be tested on
# the UI thread; a longer one's are tested by a worker (``MemoryScan``).
IN_PLACE_MOST = 20_000
# ... and a list whose rows are read back from their files (the audit pane's:
# 30k took 175 ms to walk, where a model's took a few ms).
IN_PLACE_READ_BACK = 2_000
# ... and for a search's hits counted again as a live list changes (each
# second a pane is drawn), beyond which a worker counts them.
RECOUNT_IN_PLACE_MOST = 2_000


def in_place_most(rows: Sequence) -> int:
    return IN_PLACE_READ_BACK if getattr(rows, "reads_back", False) else IN_PLACE_MOST


class MemoryQuery(Query):
    """A model's list, filtered and searched here, or by a worker when long
    (``start_scan``; without it, here whatever the length): the rows shown
    are then the last scan's, of the filters as they are now, until the
    next scan is done."""

    def __init__(self, describe: Describe, start_scan: StartScan | None = None) -> None:
        super().__init__(describe)
        self._filtered: FilteredRows | None = None
        self._start_scan = start_scan
        self._source: Sequence | None = None
        self._generation = 0  # of the filters: a scan of older ones is not shown
        self._scan: MemoryScan | None = None  # the filters' latest
        self._shown_scan: MemoryScan | None = None  # the one whose matches are shown
        self._hit_scan: MemoryScan | None = None  # the search's
        self._wanted: tuple[int, bool] | None = None  # a move to a hit, once they are found
        # The rows the hits were counted in, and how many there were then.
        self._counted: tuple[Sequence, int] = ((), -1)

    def shown(self, source: Sequence) -> Sequence:
        self._source = source
        if not self.filters.active:
            self._filtered = None
            self._stop(self._scan)
            self._scan = None
            return source
        if self._start_scan is not None and len(source) > in_place_most(source):
            return self._scanned(source)
        if self._filtered is None or self._filtered.source is not source:
            self._filtered = FilteredRows(source, self.describe, self.filters)
            self._filtered.rebuild()
        else:
            self._filtered.update()
        return self._filtered

    def _scanned(self, source: Sequence) -> Sequence:
        """The last done scan's matches (nothing before the first is done); a
        scan of ``source`` started if none runs."""
        scan = self._scan
        if scan is not None and scan.generation == self._generation:
            if not scan.done:
                return self._filtered if self._filtered is not None else self._none(source)
            if self._shown_scan is not scan:
                self._filtered = FilteredRows(scan.source, self.describe, self.filters)
                self._filtered.rebuild(scan.matches, len(scan.source))
                self._shown_scan = scan
            if scan.source is not source:  # the list changed since: looked at again
                self._scan = self._started(source, self._accepted, "filter")
            return self._filtered
        self._stop(scan)
        self._scan = self._started(source, self._accepted, "filter")
        return self._none(source)

    def _none(self, source: Sequence) -> FilteredRows:
        self._filtered = FilteredRows(source, self.describe, self.filters)
        self._filtered.rebuild([], len(source))
        return self._filtered

    def _accepted(self, item: Any) -> bool:
        return self.filters.accepts(*self.describe(item))

    def _started(self, rows: Sequence, test: Callable[[Any], bool], group: str) -> MemoryScan:
        scan = MemoryScan(rows, test, self._generation)
        assert self._start_scan is not None
        self._start_scan(scan, group)
        return scan

    @staticmethod
    def _stop(scan: MemoryScan | None) -> None:
        if scan is not None:
            scan.cancel.set()

    def reset(self) -> None:
        self._filtered = None
        self._generation += 1

    def cancel(self) -> None:
        for scan in (self._scan, self._hit_scan):
            self._stop(scan)
        self._scan = self._hit_scan = None

    def count_hits(self, rows: Sequence, most: int | None = None) -> None:
        """``most``: rows counted here, beyond which a worker counts them (the
        hits said until it is done: none)."""
        self._stop(self._hit_scan)
        self._hit_scan = None
        self._wanted = None
        self._counted = (rows, len(rows))
        if (self.search is not None and self._start_scan is not None
                and len(rows) > (in_place_most(rows) if most is None else most)):
            self.hits = 0  # counted by a worker (``tick``)
            self._hit_scan = self._started(rows, self._matches, "search")
            return
        self.hits = sum(1 for item in rows if self._matches(item)) if self.search else 0

    def recount(self, rows: Sequence) -> None:
        counted, length = self._counted
        if self.search is None or (counted is rows and length == len(rows)):
            return
        if self._hit_scan is not None and not self._hit_scan.done:
            # Counted once it is done, then again (as the filters' scans are):
            # started afresh at each change, a big live list's count never ended.
            return
        hits, wanted = self.hits, self._wanted
        self.count_hits(rows, min(RECOUNT_IN_PLACE_MOST, in_place_most(rows)))
        if self._hit_scan is not None:
            self.hits = hits  # (until the worker's count)
        self._wanted = wanted

    def progress(self) -> float | None:
        running = [scan.progress for scan in (self._scan, self._hit_scan)
                   if scan is not None and not scan.done]
        return min(running) if running else None

    @property
    def scanning(self) -> bool:
        return self._scan is not None and not self._scan.done

    def tick(self, view) -> bool:
        if self._source is not None and self.filters.active:
            rows = self.shown(self._source)
            if rows is not view.rows:
                view.set_rows(rows)
                if self.search is not None:
                    wanted = self._wanted
                    self.count_hits(rows)
                    self._wanted = wanted  # (a move asked for: to a hit of these rows)
        hits = self._hit_scan
        if hits is not None and hits.done and not hits.cancel.is_set():
            self.hits = len(hits.matches)
            if self._wanted is not None and hits.source is view.rows:
                (step, include_current), self._wanted = self._wanted, None
                self._go(view, hits.matches, step, include_current)
            self.recount(view.rows)  # (the rows that came while it counted)
        return self.progress() is not None

    def first_hit(self, view) -> None:
        if self._hit_scan is not None and not self._hit_scan.done:
            self._wanted = (1, True)  # once the worker has found the hits (``tick``)
            return
        super().first_hit(view)

    def next_match(self, view, step: int, include_current: bool = False) -> bool:
        rows = view.rows
        if self.search is None or not rows:
            return False
        if self._start_scan is not None and len(rows) > in_place_most(rows):  # not walked here
            if self._hit_scan is None or self._hit_scan.source is not rows:
                self.count_hits(rows)  # (the list changed since the search)
            hits = self._hit_scan
            assert hits is not None
            if not hits.done:
                self._wanted = (step, include_current)
                return True
            return self._go(view, hits.matches, step, include_current)
        start = max(view.cursor, 0)
        for distance in range(0 if include_current else 1, len(rows) + 1):
            index = (start + step * distance) % len(rows)
            if self._matches(rows[index]):
                view.select(index)
                return True
        return False

    @staticmethod
    def _go(view, matches: list[int], step: int, include_current: bool) -> bool:
        """The match ``step`` from the cursor (wrapping round), selected; False: none."""
        if not matches:
            return False
        here = max(view.cursor, 0)
        if step > 0:
            at = bisect_left(matches, here if include_current else here + 1)
            view.select(matches[at] if at < len(matches) else matches[0])
        else:
            at = bisect_right(matches, here if include_current else here - 1) - 1
            view.select(matches[at] if at >= 0 else matches[-1])
        return True

    def saved(self, view, records_of: RecordsOf) -> Saved:
        # The rows taken now, without reading any back (a buffer's frozen
        # copy, a model's handles); their records read and written by the
        # worker (a big queue's, read back one by one here, froze the screen
        # for over a minute).
        rows = frozen(view.rows)
        return lambda: iter(records_of(rows))


def frozen(rows: Sequence) -> Sequence:
    """``rows`` as they are now, for another thread to read while they change."""
    freeze = getattr(rows, "frozen", None)
    return freeze() if freeze is not None else list(rows)
