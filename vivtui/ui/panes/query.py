"""A pane's filters, search and hits over its rows: one protocol, two row sources.

``MemoryQuery`` serves rows held in memory (a store buffer, a model's list):
filtered as they arrive, searched on the spot (a long list by a worker).
``FileQuery`` serves a whole file read on demand (millions of rows): filters
and search run as scans in worker threads, newest rows first, and matches
show as they are found. A pane holds one and never asks which.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Callable, Iterator, Sequence

from vivtui.parsing.record import Record
from vivtui.store.filerows import FileRows, close_snapshot, read_records
from vivtui.store.filters import Describe, FilterSet, Pattern, line_prefilter
from vivtui.store.memory_scan import MemoryScan
from vivtui.store.rows import FilteredRows
from vivtui.store.scan import RowScan, RowSeek

FIRST = 0  # the step to a new search's first hit (``FileQuery._go``)

RecordOf = Callable[[Any], Record | None]
StartScan = Callable[[RowScan | RowSeek | MemoryScan, str], None]  # (scan, worker group)
Saved = Callable[[], Iterator[Record]]  # run in a worker: the records to save


class Query:
    """What both kinds share: the filters, the search and the hit count."""

    file_backed = False

    def __init__(self, describe: Describe) -> None:
        self.describe = describe
        self.filters = FilterSet()
        self.search: Pattern | None = None
        self.hits = 0

    def take_over(self, other: "Query") -> None:
        """Carry the user's filters and search over to a new row source."""
        self.filters, self.search = other.filters, other.search
        other.cancel()

    def shown(self, source: Sequence) -> Sequence:
        """The rows to show of ``source`` (which may have grown)."""
        raise NotImplementedError

    def reset(self) -> None:
        """The filters changed: start again from the source."""

    def count_hits(self, rows: Sequence) -> None:
        raise NotImplementedError

    def next_match(self, view, step: int, include_current: bool = False) -> bool:
        raise NotImplementedError

    def seek(self, view, step: int, test: Callable[[Any], bool],
             answer: Callable[[int | None], None],
             between: tuple[int, int] | None = None) -> None:
        """A file-backed query's (``FileQuery.seek``): the only ones e/E walk."""
        raise NotImplementedError

    def first_hit(self, view) -> None:
        """A new search: its first hit at or after the cursor selected."""
        if self.hits:
            self.next_match(view, 1, include_current=True)

    def progress(self) -> float | None:
        """How far running scans are, None when none runs."""
        return None

    @property
    def scanning(self) -> bool:
        return False

    def tick(self, view) -> bool:
        """Matches found meanwhile go on screen; True while scans still run."""
        return False

    def position_of(self, record: Record, view) -> int | None:
        """Where a record of the store is among the rows shown (file rows only)."""
        return None

    def saved(self, view, record_of: RecordOf) -> Saved:
        raise NotImplementedError

    def cancel(self) -> None:
        """Scans stop; nothing else."""

    def _matches(self, item: Any) -> bool:
        search = self.search
        if search is None:
            return False
        return search.found_in(self.describe(item))


# Rows a model's list may have for its filters and search to be tested on
# the UI thread; a longer one's are tested by a worker (``MemoryScan``).
IN_PLACE_MOST = 20_000


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

    def shown(self, source: Sequence) -> Sequence:
        self._source = source
        if not self.filters.active:
            self._filtered = None
            self._stop(self._scan)
            self._scan = None
            return source
        if self._start_scan is not None and len(source) > IN_PLACE_MOST:
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

    def count_hits(self, rows: Sequence) -> None:
        self._stop(self._hit_scan)
        self._hit_scan = None
        self._wanted = None
        if self.search is not None and self._start_scan is not None and len(rows) > IN_PLACE_MOST:
            self.hits = 0  # counted by a worker (``tick``)
            self._hit_scan = self._started(rows, self._matches, "search")
            return
        self.hits = sum(1 for item in rows if self._matches(item)) if self.search else 0

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
        if self._start_scan is not None and len(rows) > IN_PLACE_MOST:  # not walked here
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

    def saved(self, view, record_of: RecordOf) -> Saved:
        # Taken now (at most a buffer's worth), written by the worker.
        records = [record for record in map(record_of, view.rows) if record is not None]
        return lambda: iter(records)


class FileQuery(Query):
    file_backed = True

    def __init__(self, describe: Describe, start_scan: StartScan) -> None:
        super().__init__(describe)
        self._start_scan = start_scan
        self._source: FileRows | None = None
        self._scan: RowScan | None = None  # the filters' matches
        self._hit_scan: RowScan | None = None  # the search's
        # A move asked for (step, including the row under the cursor) that
        # waits for the search's scan to be sure of its hit (``_go``).
        self._wanted: tuple[int, bool] | None = None
        self._seek: tuple[RowSeek, Callable[[int | None], None]] | None = None

    def shown(self, source: FileRows) -> Sequence:
        self._source = source
        if self._hit_scan is not None:
            self._hit_scan = self._current(self._hit_scan, self._is_hit, self._hit_patterns(),
                                           "search")
            self.hits = len(self._hit_scan)
        if not self.filters.active:
            self._scan = None
            return source
        self._scan = self._current(self._scan, self._accepts, self.filters.patterns, "filter")
        return self._scan

    def reset(self) -> None:
        self.cancel()

    def cancel(self) -> None:
        for scan in (self._scan, self._hit_scan):
            if scan is not None:
                scan.cancel.set()
        self._scan = self._hit_scan = None
        self._wanted = None
        if self._seek is not None:
            self._seek[0].cancel.set()
            self._seek = None

    def count_hits(self, rows: Sequence) -> None:
        self._wanted = None  # (a move asked for under another search)
        if self._hit_scan is not None:
            self._hit_scan.cancel.set()
            self._hit_scan = None
        if self.search is None or self._source is None:
            self.hits = 0
            return
        self._hit_scan = self._current(None, self._is_hit, self._hit_patterns(), "search")
        self.hits = len(self._hit_scan)

    def first_hit(self, view) -> None:
        self.next_match(view, FIRST, include_current=True)

    def next_match(self, view, step: int, include_current: bool = False) -> bool:
        """False when there is no hit to go to; else the hit is selected now,
        or as soon as the scan is sure of it (``tick``)."""
        if self.search is None or self._hit_scan is None or not view.rows:
            return False
        moved = self._go(view, step, include_current)
        self._wanted = (step, include_current) if moved is None else None
        return moved is not False

    def seek(self, view, step: int, test: Callable[[Record], bool],
             answer: Callable[[int | None], None],
             between: tuple[int, int] | None = None) -> None:
        """The nearest row past the cursor (``step`` 1: below, -1: above) that
        passes ``test`` and the filters: its position among the rows shown is
        ``answer``ed once a worker has found it (None: there is none; or it
        is not shown). ``between``: the file rows to walk instead, from the
        first to before (going down) or down to (going up) the second."""
        if self._source is None or not view.rows:
            answer(None)
            return
        if self._seek is not None:
            self._seek[0].cancel.set()
        wanted = test if not self.filters.active else (
            lambda record: test(record) and self._accepts(record))
        if between is None:
            here = self._file_row(view.rows, max(view.cursor, 0))
            seek = RowSeek(self._source, here + step, step, wanted)
        else:
            seek = RowSeek(self._source, between[0], step, wanted, stop=between[1])
        self._seek = seek, answer
        self._start_scan(seek, "seek")

    def progress(self) -> float | None:
        running = [scan.progress for scan in self._scans() if not scan.done]
        return min(running) if running else None

    @property
    def scanning(self) -> bool:
        return self._scan is not None and not self._scan.done

    def tick(self, view) -> bool:
        if self._source is not None:
            view.set_rows(self.shown(self._source))
        if self._wanted is not None and view.rows:
            if self._go(view, *self._wanted) is not None:
                self._wanted = None
        if self._seek is not None and self._seek[0].done:
            (seek, answer), self._seek = self._seek, None
            row = seek.row()
            answer(None if row is None else self._position(view.rows, row))
        return self._seek is not None or any(not scan.done for scan in self._scans())

    def _go(self, view, step: int, include_current: bool) -> bool | None:
        """The hit ``step`` from the cursor (1: the next, -1: the previous,
        ``FIRST``: a new search's, the newest when following) selected: True;
        None while the scan cannot be sure which it is; False: there is none.
        The scan walks back from the newest row, so the hits next to a cursor
        far up are known only once it has got there: taken from the hits found
        so far, a search from the top of a 4M-line kernel log went to line
        3,965,047 (wrapping round waits for the whole scan)."""
        hits = self._hit_scan
        assert hits is not None
        if not len(hits):
            return False if hits.done else None
        if step == FIRST and view.follow:
            target = hits.row_at(-1)
        else:
            here = self._file_row(view.rows, max(view.cursor, 0))
            if not hits.covers(here):
                return None
            if step == -1:
                at = hits.position_of(here) - 1
                wrapped = at < 0
            else:
                at = hits.position_of(here if include_current else here + 1)
                wrapped = at == len(hits)
            if wrapped and not hits.done:
                return None
            target = hits.row_at((-1 if step == -1 else 0) if wrapped else at)
        if view.rows is self._scan and self._scan is not None and not self._scan.covers(target):
            return None  # not among the filtered rows shown yet
        view.select(self._position(view.rows, target))
        return True

    def position_of(self, record: Record, view) -> int | None:
        row = self._source.row_of(record) if self._source is not None else None
        if row is None:
            return None
        shown = view.rows
        if shown is self._scan and self._scan is not None:
            at = self._scan.position_of(row)
            return at if at < len(self._scan) and self._scan.row_at(at) == row else None
        return row

    def saved(self, view, record_of: RecordOf) -> Saved:
        """Every row shown of the whole file, read again by the worker."""
        source = self._source
        assert source is not None
        scan = self._scan if view.rows is self._scan else None
        wanted = {scan.row_at(i) for i in range(len(scan))} if scan is not None else None
        snapshot = source.view.snapshot()

        def records() -> Iterator[Record]:
            try:
                for row, record in read_records(snapshot, source.parser, 0, len(source)):
                    if wanted is None or row in wanted:
                        yield record
            finally:
                close_snapshot(snapshot)

        return records

    # -- internals ------------------------------------------------------------------

    def _scans(self) -> list[RowScan]:
        return [scan for scan in (self._scan, self._hit_scan) if scan is not None]

    def _current(self, scan: RowScan | None, test, patterns: list[Pattern],
                 group: str) -> RowScan:
        """The scan brought up to date; a new one when rows were put in front of
        the ones it knows (history indexed since) or taken away."""
        source = self._source
        assert source is not None
        if scan is not None and scan.rows is source and scan.shift == source.view.shift:
            scan.update()
            return scan
        if scan is not None:
            scan.cancel.set()
        scan = RowScan(source, test, line_prefilter(patterns))
        self._start_scan(scan, group)
        return scan

    def _hit_patterns(self) -> list[Pattern]:
        """What a hit must match: the filters (when on) and the search."""
        patterns = list(self.filters.patterns) if self.filters.enabled else []
        return patterns + ([self.search] if self.search is not None else [])

    def _accepts(self, record: Record) -> bool:
        return self.filters.accepts(*self.describe(record))

    def _is_hit(self, record: Record) -> bool:
        described = self.describe(record)
        search = self.search
        return (search is not None and self.filters.accepts(*described)
                and search.found_in(described))

    def _file_row(self, rows: Sequence, position: int) -> int:
        scan = self._scan
        return scan.row_at(position) if rows is scan and scan is not None and len(scan) else position

    def _position(self, rows: Sequence, row: int) -> int:
        scan = self._scan
        return scan.position_of(row) if rows is scan and scan is not None else row
