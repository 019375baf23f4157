"""A pane's filters, search and hits over its rows: one protocol, two row sources.

``MemoryQuery`` (``panes.memory_query``) serves rows held in memory (a store
buffer, a model's list). ``FileQuery`` serves a whole file read on demand
(millions of rows): filters and search run as scans in worker threads, newest
rows first, and matches show as they are found. A pane holds one and never
asks which.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

from vivtui.parsing.record import GluedRecord, Record
from vivtui.store.filerows import FileRows, close_snapshot, read_records
from vivtui.store.filters import Describe, FilterSet, Pattern, line_prefilter
from vivtui.store.memory_scan import MemoryScan
from vivtui.store.scan import RowScan, RowSeek

FIRST = 0  # the step to a new search's first hit (``FileQuery._go``)

StartScan = Callable[[RowScan | RowSeek | MemoryScan, str], None]  # (scan, worker group)
Saved = Callable[[], Iterator[Record]]  # run in a worker: the records to save
RecordsOf = Callable[[Sequence[Any]], Iterable[Record]]  # rows' records, read by a worker


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

    def recount(self, rows: Sequence) -> None:
        """The rows shown changed (a live run's new ones): the search's hits
        counted again where ``shown`` did not count them."""

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

    def saved(self, view, records_of: RecordsOf) -> Saved:
        raise NotImplementedError

    def cancel(self) -> None:
        """Scans stop; nothing else."""

    def _matches(self, item: Any) -> bool:
        search = self.search
        if search is None:
            return False
        return search.found_in(self.describe(item))


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

    def saved(self, view, records_of: RecordsOf) -> Saved:
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
                        if record.__class__ is GluedRecord:  # (the rest of its line)
                            yield from record.glued
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
