"""A file's lines as a sequence of records, parsed when looked at.

The rows of the action stream for a log of any size: ``len`` is the number of
lines indexed by a ``FileView``; row ``i`` is read from the file and parsed on
demand, a page of rows at a time, and the newest pages parsed are kept in a
bounded cache. Memory does not grow with the file beyond the view's index.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import partial
from itertools import accumulate, count
from typing import Callable, Iterator

from vivtui.parsing.kinds import LineParser
from vivtui.parsing.long_lines import LONG_LINE
from vivtui.parsing.record import INFO, Record, UnreadRecord, glued_row, make
from vivtui.sources.fileview import FileView, Snapshot
from vivtui.sources.lineindex import LineIndex
from vivtui.sources.tailer import is_blank
from vivtui.store.big_rows import BigRows

PAGE = 128  # rows read and parsed together
# Parsed rows cost about a kilobyte each: 64 pages held ~8 MB for a followed
# pane, filled within minutes on a live run. 16 (2,048 rows) still cover many
# screens around the cursor; a page read again costs under a millisecond.
CACHED_PAGES = 16

_PLUS_ONE = (1).__add__


def read_lines(fd: int, index: LineIndex, first_line: int | None, first: int,
               stop: int) -> list[tuple[int, int, bytes]]:
    """Lines ``first`` to ``stop`` of a segment as (number in the file, offset,
    bytes). Numbers are 0 while they are not known yet."""
    offset, pieces = index.read(fd, first, stop)
    offsets = accumulate(map(_PLUS_ONE, map(len, pieces)), initial=offset)
    return list(zip(_numbers(first_line, first), offsets, pieces))


def _numbers(first_line: int | None, first: int) -> Iterator[int]:
    """The numbers in the file of a segment's lines from ``first`` on (0 while
    they are not known: ``first_line`` None)."""
    return count(first_line + first) if first_line is not None else iter(int, 1)


def parse_lines(parser: LineParser, lines: list[tuple[int, int, bytes]]) -> list[Record]:
    """One record per line, blank lines included (a row shows what the file
    has). A line that holds several records (``parsing.glued``) shows its
    first, which holds the others (``GluedRecord``: each has its own offset,
    past the line's own; the store has every one)."""
    parsed = parser.parse(lines)
    kind = parser.spec.kind
    out: list[Record] = []
    at = 0
    for line, offset, data in lines:
        if is_blank(data):
            out.append(make(kind, line, offset, None, None, INFO, "", ""))
            continue
        record, at = parsed[at], at + 1
        first, end = at, offset + len(data)
        while at < len(parsed) and parsed.rows[at][2] < end:
            at += 1
        if at > first:
            record = glued_row(record, [parsed[glued] for glued in range(first, at)])
        out.append(record)
    return out


class FileRows:
    """``long_made``: a line longer than ``big_rows.LONG_LINE`` is read by a
    thread, which calls it once the line's row is made; a stand-in is its row
    until then (None: it is read where its row is drawn). ``pace_of``: see
    ``BigRows``."""

    def __init__(self, view: FileView, parser: LineParser,
                 long_made: Callable[[], None] | None = None,
                 pace_of: Callable[[], Callable[[], object] | None] | None = None) -> None:
        self.view = view
        self.parser = parser
        self._pages: OrderedDict[tuple[int, int], list[Record]] = OrderedDict()
        self._version = -1
        self._long = (BigRows(parser.spec.kind, partial(parse_lines, parser), long_made, pace_of)
                      if long_made is not None else None)
        self._long_version = 0

    # -- the sequence a RowView shows ---------------------------------------------

    @property
    def first_seq(self) -> int:
        """Negative when rows were put in front (the history): see ``RowView``."""
        return -self.view.shift

    def __len__(self) -> int:
        return len(self.view)

    def __getitem__(self, index: int) -> Record:
        if index < 0:
            index += len(self)
        for number, segment in enumerate(self.view.segments):
            if index < segment.index.count:
                return self._row(number, segment, index)
            index -= segment.index.count
        raise IndexError("row out of range")

    def row_of(self, record: Record) -> int | None:
        """The row of a record read elsewhere (the store's worker) from this file."""
        base, found = 0, None
        for segment in self.view.segments:
            first, count = segment.first_line, segment.index.count
            if first is not None and first <= record.line < first + count:
                row = base + record.line - first
                if self[row].offset == record.offset:
                    found = row  # the newest file that has it, if a rotation repeated it
            base += count
        return found

    def being_read(self, record: Record) -> str | None:
        """A long line's stand-in whose row the thread has not made yet: what
        it says ("reading a 45.0 MB line…"), else None. Read at once instead,
        the inspector held the screen for the whole decoding (5 s for a line
        of 15 million objects, behind the tail loop's own)."""
        if record.__class__ is not UnreadRecord or self._long is None \
                or self._long.made_row(record) is not None:
            return None
        return record.summary

    def whole(self, record: Record) -> Record:
        """The record of a row, whole: a long line's stand-in read now."""
        if record.__class__ is not UnreadRecord or self._long is None:
            return record
        made = self._long.made_row(record)
        if made is not None:
            return made
        for segment in self.view.segments:
            if segment.serial == record.part:
                return self._long.read(segment.fd, record.line, record.offset, record.size)
        return record

    def _row(self, number: int, segment, local: int) -> Record:
        if self.view.version != self._version:
            # Numbering or segments changed: pages parsed before may be stale.
            self._version = self.view.version
            self._pages = OrderedDict((k, v) for k, v in self._pages.items()
                                      if self._still_valid(k, v))
        if self._long is not None and self._long.version != self._long_version:
            self._long_version = self._long.version
            self._pages = OrderedDict((k, self._made_rows(v)) for k, v in self._pages.items())
        page = local // PAGE
        key = (segment.serial, page)
        rows = self._pages.get(key)
        if rows is None or local - page * PAGE >= len(rows):
            rows = self._read_page(segment, page * PAGE, page * PAGE + PAGE)
            self._pages[key] = rows
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return rows[local - page * PAGE]

    def _read_page(self, segment, first: int, stop: int) -> list[Record]:
        index = segment.index
        _, start, end = index.span(first, min(stop, index.count))
        if self._long is None or end - start <= LONG_LINE:
            return parse_lines(self.parser, read_lines(segment.fd, index, segment.first_line,
                                                       first, stop))
        # A long line in the page, perhaps: each line read as far as that.
        lines = [(number, offset, data) for number, (offset, data)
                 in zip(_numbers(segment.first_line, first),
                        index.read_capped(segment.fd, first, stop, LONG_LINE))]
        short = [line for line in lines if line[2].__class__ is bytes]
        parsed = iter(parse_lines(self.parser, short))
        return [next(parsed) if data.__class__ is bytes
                else self._long.row(segment.fd, segment.serial, line, offset, data)
                for line, offset, data in lines]

    def _made_rows(self, rows: list[Record]) -> list[Record]:
        """A page's stand-ins replaced by the rows made for them since."""
        if not any(row.__class__ is UnreadRecord for row in rows):
            return rows
        return [self._long.made_row(row) or row if row.__class__ is UnreadRecord else row
                for row in rows]

    def _still_valid(self, key: tuple[int, int], rows: list[Record]) -> bool:
        serial, page = key
        for segment in self.view.segments:
            if segment.serial == serial:
                expected = segment.first_line
                first = rows[0].line if rows else 0
                return (expected is None and first == 0) or (
                    expected is not None and first == expected + page * PAGE)
        return False


def read_records(snapshot: Snapshot, parser: LineParser, start: int, stop: int,
                 page: int = 4096,
                 keep: Callable[[bytes], bool] | None = None) -> Iterator[tuple[int, Record]]:
    """(row, record) for rows ``start`` to ``stop`` of a ``FileView.snapshot``,
    for workers: no shared cache, the snapshot's own descriptors. ``keep``
    turns lines away before they are parsed (their rows are not yielded)."""
    base = 0
    for fd, index, lines, first_line in snapshot:
        low, high = max(start - base, 0), min(stop - base, lines)
        for first in range(low, high, page):
            numbered = list(zip(count(base + first),
                                read_lines(fd, index, first_line, first, min(first + page, high))))
            if keep is not None:
                numbered = [(row, line) for row, line in numbered if keep(line[2])]
            rows, chosen = zip(*numbered) if numbered else ((), ())
            yield from zip(rows, parse_lines(parser, list(chosen)))
        base += lines


def close_snapshot(snapshot: Snapshot) -> None:
    for fd, *_ in snapshot:
        os.close(fd)
