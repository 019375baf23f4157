"""Where the lines of a file are, in a few bytes per 64 KiB of file.

A viewer of a 1 GB log must reach any line without holding the lines. A
per-line offset costs 8 bytes a line in an ``array`` (32 MB for 4M lines) and
50 bytes as a Python list (toolong). This index keeps one entry per
``BLOCK`` bytes instead: the number and offset of the first line that starts
in each block, about 0.1 byte a line. Reading line ``n`` reads from the entry
before it up to the entry after it (one block, ~250 lines) and splits that.

Building it costs a ``bytes.count`` and a ``bytes.find`` per block (C loops);
no Python code runs per line, so a 1 GB file is indexed in about half a
second.
"""

from __future__ import annotations

import os
import threading
from array import array
from bisect import bisect_left, bisect_right
from typing import Callable

from vivtui.sources.cut_lines import unwritten_from

BLOCK = 1 << 16
READ_SIZE = 256 << 10  # short C calls: the GIL is handed back often
LOOK_SIZE = 8 << 20  # read at a time looking for a long line's end
_PREADV = getattr(os, "preadv", None)  # (not on every system)


class LineIndex:
    """The complete lines of one stretch of a file, from byte ``start``."""

    def __init__(self, start: int = 0) -> None:
        self.start = start
        self.end = start  # offset just past the last complete line
        self.count = 0  # complete lines indexed
        self._lines = array("q")  # entry: number (from 0) of a line ...
        self._offsets = array("q")  # ... and where it starts

    def add(self, data: bytes, size: int | None = None) -> None:
        """Index ``data[:size]``: complete lines (a newline ends it) found at ``end``."""
        size = len(data) if size is None else size
        if not size:
            return
        lines, offsets = self._lines, self._offsets
        if not lines:
            lines.append(0)
            offsets.append(self.start)
        base, line, pos = self.end, self.count, 0
        while True:
            # The first line that starts at least a block after the last entry.
            target = offsets[-1] + BLOCK - base
            if target >= size:
                break
            newline = data.find(b"\n", max(target - 1, pos), size)
            if newline < 0:
                break
            # (An entry where the data ends too, the start of a line to come: a
            # line longer than a block is then always followed by an entry,
            # and ends where it says: ``line_end``.)
            line += data.count(b"\n", pos, newline + 1)
            pos = newline + 1
            lines.append(line)
            offsets.append(base + pos)
        self.count = line + data.count(b"\n", pos, size)
        self.end = base + size

    def add_line_of(self, length: int) -> None:
        """Index one line of ``length`` bytes and its newline found at
        ``end``, not read (too long to hold: ``cut_lines``); followed by an
        entry, as ``add`` makes one after a line longer than a block."""
        if not self._lines:
            self._lines.append(0)
            self._offsets.append(self.start)
        self.count += 1
        self.end += length + 1
        if self.end - self._offsets[-1] >= BLOCK:
            self._lines.append(self.count)
            self._offsets.append(self.end)

    def span(self, first: int, stop: int) -> tuple[int, int, int]:
        """A byte range that holds lines ``first`` to ``stop`` (exclusive), as
        (number of the range's first line, start offset, end offset)."""
        at = max(0, bisect_right(self._lines, first) - 1)
        after = bisect_left(self._lines, stop)
        end = self._offsets[after] if after < len(self._offsets) else self.end
        return self._lines[at], self._offsets[at], end

    def read(self, fd: int, first: int, stop: int) -> tuple[int, list[bytes]]:
        """Lines ``first`` to ``stop`` (numbers from 0) without their newlines,
        and the offset of the first of them."""
        stop = min(stop, self.count)
        if first >= stop:
            return self.end, []
        line, start, end = self.span(first, stop)
        pieces = os.pread(fd, end - start, start).split(b"\n")
        skipped = pieces[: first - line]
        return start + sum(map(len, skipped)) + len(skipped), pieces[first - line: stop - line]

    def line_end(self, number: int, at: int) -> int | None:
        """Where line ``number``, starting at byte ``at``, ends (its newline),
        if an entry follows it at once (None: not known without reading).
        Always, for a line longer than a block (see ``add``)."""
        after = bisect_right(self._offsets, at)
        if after < len(self._offsets):
            return self._offsets[after] - 1 if self._lines[after] == number + 1 else None
        return self.end - 1 if number == self.count - 1 else None

    def read_capped(self, fd: int, first: int, stop: int,
                    most: int) -> list[tuple[int, bytes | int]]:
        """Lines ``first`` to ``stop`` as (offset, bytes without the newline),
        but a line longer than ``most`` bytes as (offset, its length): not
        read. Its end is looked for a piece at a time: a 100 MB line read
        whole to draw one row held the screen's thread 0.6 s."""
        stop = min(stop, self.count)
        if first >= stop:
            return []
        number, at, end = self.span(first, stop)
        out: list[tuple[int, bytes | int]] = []
        while number < stop and at < end:
            data = os.pread(fd, min(most + 1, end - at), at)
            cut = data.rfind(b"\n") + 1
            if not data:
                break
            if not cut:  # no newline in its first ``most`` bytes: too long to read
                known = self.line_end(number, at)
                length = (known if known is not None else
                          _newline_from(fd, at + len(data), end)) - at
                if number >= first:
                    out.append((at, length))
                number, at = number + 1, at + length + 1
                continue
            for piece in data[:cut - 1].split(b"\n"):
                if number >= stop:
                    break
                if number >= first:
                    out.append((at, piece))
                number, at = number + 1, at + len(piece) + 1
        return out

    @property
    def entries(self) -> int:
        return len(self._lines)


def scan(fd: int, start: int, stop: int, *, progress: Callable[[int], None] | None = None,
         cancel: threading.Event | None = None) -> LineIndex:
    """Index the complete lines between byte ``start`` and byte ``stop`` of ``fd``
    (``stop`` is where a line starts: what follows a last newline is left out)."""
    index = LineIndex(start)
    offset = start
    buffer = bytearray(READ_SIZE)
    while offset < stop:
        if cancel is not None and cancel.is_set():
            break
        buffer, got = _read_into(buffer, fd, min(READ_SIZE, stop - offset), offset)
        if not got:
            break
        cut = buffer.rfind(b"\n", 0, got) + 1
        if cut:
            index.add(buffer, cut)  # the next read starts at the cut: nothing is copied
            offset += cut
        elif offset + got >= stop:
            break
        else:  # one line longer than the read: its end looked for, the line not held
            end = _newline_from(fd, offset + got, stop)
            index.add_line_of(end - offset)
            offset = end + 1
        if progress is not None:
            progress(offset)
    return index


def lines_before(path, offset: int) -> int:
    """How many lines the file at ``path`` holds before byte ``offset`` (where
    a line starts): a part of it read from there is numbered on from them."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return scan(fd, 0, offset).count
    finally:
        os.close(fd)


def _read_into(buffer: bytearray, fd: int, size: int, offset: int) -> tuple[bytearray, int]:
    """``size`` bytes at ``offset`` into ``buffer`` (grown if need be), and
    how many were read: one buffer for a whole scan, not a block of memory
    from the allocator for each read (each its own pages, see ``allocator``)."""
    if len(buffer) < size:
        buffer = bytearray(size)
    if _PREADV is None:
        data = os.pread(fd, size, offset)
        buffer[:len(data)] = data
        return buffer, len(data)
    with memoryview(buffer) as view:
        return buffer, _PREADV(fd, [view[:size]], offset)


def _newline_from(fd: int, at: int, end: int) -> int:
    """Where the first newline at or past byte ``at`` is (``end - 1`` if none
    comes before ``end``: a span of complete lines ends with one). Read in
    big pieces: the GIL is let go for each read, and taken back after it
    (in 1 MB pieces, a 100 MB line held the screen's thread 143 ms)."""
    while at < end:
        at += unwritten_from(fd, at, end)  # (a hole holds no newline: not read)
        data = os.pread(fd, min(LOOK_SIZE, end - at), at)
        found = data.find(b"\n")
        if found >= 0:
            return at + found
        if not data:
            break
        at += len(data)
    return end - 1
