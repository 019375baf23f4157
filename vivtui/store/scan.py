"""Which rows of a whole file pass a test, found by a worker, newest first.

Filtering or searching a 4M-line history takes seconds; the screen must not
wait for it. ``run`` (in a worker thread) walks the file from the end back,
so the matches nearest to what the user looks at appear first, and the view
grows upward as older ones are found. Rows appended after the scan started
are tested by ``update`` on the UI thread, like any filtered stream.

Matches are kept as keys that stay valid when rows are put in front of the
file's first row (its history, indexed later): key = row - the view's
``shift`` when the scan started.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from operator import neg
from typing import Callable

from vivtui.parsing.kinds import gc_paused
from vivtui.parsing.record import GluedRecord, Record
from vivtui.store.filerows import FileRows, close_snapshot, read_records
from vivtui.store.memory_scan import no_pace

PAGE = 4096


def on_its_line(test: Callable[[Record], bool]) -> Callable[[Record], bool]:
    """``test``, passed by a row or by a record glued on its line after it
    (a ``GluedRecord``'s: a search finds the line that holds it)."""
    def passes(record: Record) -> bool:
        return test(record) or (record.__class__ is GluedRecord
                                and any(map(test, record.glued)))
    return passes


class RowScan:
    def __init__(self, rows: FileRows, test: Callable[[Record], bool],
                 keep: Callable[[bytes], bool] | None = None) -> None:
        self.rows = rows
        self.given = test  # (a ``Kept``'s records are read from it)
        self.test = on_its_line(test)
        self.keep = keep  # a quick look at a line's bytes that may turn it away unparsed
        self.shift = rows.view.shift
        self.start = len(rows)  # rows before this are the worker's, after it update's
        self._checked_key = self.start - self.shift
        self._back = array("q")  # keys found by the worker, newest first
        self._ahead = array("q")  # keys of rows that came later, oldest first
        self.scanned = 0
        self.done = self.start == 0
        self.cancel = threading.Event()
        # Called before each page: the screen's user sets it to give a key's
        # frame its turn first (a search's first frame, drawn while the scan
        # held the GIL half the time, took 400 ms).
        self.pace: Callable[[], object] = no_pace
        self._snapshot = rows.view.snapshot()  # taken now: the rows as numbered now

    # -- the worker ---------------------------------------------------------------

    def run(self) -> None:
        snapshot, parser, test = self._snapshot, self.rows.parser, self.test
        shift, back = self.shift, self._back
        try:
            for stop in range(self.start, 0, -PAGE):
                self.pace()
                if self.cancel.is_set():
                    return
                low = max(0, stop - PAGE)
                # A page's records are held while tested, the collector paused:
                # each page moved 20k objects on to where its full passes walk
                # them (15-25 ms, every 150 ms of a search, all threads held).
                with gc_paused():
                    page = list(read_records(snapshot, parser, low, stop, keep=self.keep))
                    back.extend(row - shift for row, record in reversed(page) if test(record))
                self.scanned += stop - low
        finally:
            close_snapshot(snapshot)
            self.done = True

    def covers(self, row: int) -> bool:
        """Are the matches at and after file row ``row`` all known (the worker
        has walked back past it, or is done)?"""
        return self.done or row - self.rows.view.shift >= self.start - self.scanned - self.shift

    @property
    def progress(self) -> float:
        return self.scanned / self.start if self.start else 1.0

    # -- the UI thread ------------------------------------------------------------

    def update(self) -> None:
        """Test the rows appended since the last look."""
        rows, total, shift = self.rows, len(self.rows), self.rows.view.shift
        for row in range(max(self._checked_key + shift, 0), total):
            if self.test(rows[row]):
                self._ahead.append(row - shift)
        self._checked_key = total - shift

    @property
    def first_seq(self) -> int:
        """Matches found in front of the others: see ``RowView``."""
        return -len(self._back)

    def __len__(self) -> int:
        return len(self._back) + len(self._ahead)

    def key_at(self, position: int) -> int:
        back = self._back
        if position < 0:
            position += len(self)
        if position < len(back):
            return back[len(back) - 1 - position]
        return self._ahead[position - len(back)]

    def row_at(self, position: int) -> int:
        """The file row of the ``position``-th match."""
        return self.key_at(position) + self.rows.view.shift

    def __getitem__(self, position: int) -> Record:
        if not -len(self) <= position < len(self):
            raise IndexError("match out of range")
        return self.rows[self.row_at(position)]

    def position_of(self, row: int) -> int:
        """Where file row ``row`` is, or would go, among the matches."""
        key = row - self.rows.view.shift
        back = self._back  # descending: the keys below ``key`` are at its end
        below = len(back) - bisect_right(back, -key, key=neg)
        return below + bisect_left(self._ahead, key)


class Kept:
    """A scan's test that keeps the records it passes: for a list that needs
    them all (related events), not read and parsed again on the UI thread."""

    def __init__(self, test: Callable[[Record], bool]) -> None:
        self.test = test
        self.records: list[Record] = []  # appended by the worker, in the scan's order

    def __call__(self, record: Record) -> bool:
        if self.test(record):
            self.records.append(record)
            return True
        return False


class RowSeek:
    """The nearest row past a given one (down, ``step`` 1, or up, -1) that
    passes a test, found by a worker a page at a time from there: e/E in a
    file the run's timeline cannot rank (lines without a time, the kernel's
    backlog; older lines than it keeps), where the next failure is the next
    in the file."""

    def __init__(self, rows: FileRows, start: int, step: int,
                 test: Callable[[Record], bool], stop: int | None = None) -> None:
        """``stop``: the row the walk ends before (going down) or at (going
        up); without it, the file's end (and the rows written since) or start."""
        self.rows, self.start, self.step = rows, start, step
        self.test = on_its_line(test)
        self.shift = rows.view.shift
        self.end = len(rows)  # rows from here on came later: the UI thread's (``row``)
        self.stop = stop
        self.found: int | None = None  # its key (row - shift), as ``RowScan``'s
        self.done = False
        self.cancel = threading.Event()
        self.pace: Callable[[], object] = no_pace  # (``RowScan``'s)
        self._snapshot = rows.view.snapshot()

    def run(self) -> None:
        snapshot, parser, test, forward = self._snapshot, self.rows.parser, self.test, self.step > 0
        end = self.end if self.stop is None else min(self.stop, self.end)
        first = 0 if self.stop is None else self.stop
        pages = (((low, min(low + PAGE, end)) for low in range(self.start, end, PAGE))
                 if forward else
                 ((max(first, stop - PAGE), stop) for stop in range(self.start + 1, first, -PAGE)))
        try:
            for low, stop in pages:
                self.pace()
                if self.cancel.is_set():
                    return
                with gc_paused():  # (as ``RowScan.run``'s pages)
                    page = list(read_records(snapshot, parser, low, stop))
                    found = next((row for row, record in (page if forward else reversed(page))
                                  if test(record)), None)
                if found is not None:
                    self.found = found - self.shift
                    return
        finally:
            close_snapshot(snapshot)
            self.done = True

    def row(self) -> int | None:
        """Once done, from the UI thread: the file row found (going down, the
        rows written since the worker started looked at too), or None."""
        rows, shift = self.rows, self.rows.view.shift
        if self.found is not None:
            return self.found + shift
        if self.step > 0 and self.stop is None and not self.cancel.is_set():
            return next((row for row in range(max(self.end - self.shift + shift, self.start),
                                               len(rows)) if self.test(rows[row])), None)
        return None


def first_row_after(rows: FileRows, when, strict: bool = True) -> int:
    """The first row of ``rows`` written after ``when`` (or at it, not
    ``strict``), found by halves in a file written in time order; a row
    without a time counts as after it (a malformed line: it follows the rows
    before it). A few parsed rows, on any thread."""
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        ts = rows[middle].ts
        if ts is None or ts > when or (not strict and ts == when):
            high = middle
        else:
            low = middle + 1
    return low
