"""Kept rows past the newest few, held as where they are in their file.

A live run's buffers fill for as long as it runs (50,000 action and kernel
rows, 20,000 of each other kind). As packed JSON a row still cost several
hundred bytes, and a soak at 200 events a second grew by 11 MB a minute
until every buffer was full. Here a row costs 16 bytes: its line number, its
offset and a check of what it was; it is parsed again from the file when it
is looked at (the timeline, related events, a walk over failures), as the
task and session models already read their events back.

A line read back that fails the check is not taken for the row. Rotated,
the file's lines are at the same places in the copy the rotation left (an
operator scrolling back after the action log rotated read "gone" for every
row past the newest 100); truncated or rewritten, or its copy removed, the
row reads as gone, saying so.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import repeat
from math import nan
from typing import Protocol
from zlib import crc32

from vivtui.parsing.record import INFO, Record, new_record

_STAMP, _CATEGORY, _RAW = 3, 6, 7
CHUNK = 4096  # rows read back at a time when walked over
GONE = "gone"
GONE_NOTE = "the file no longer holds this line (rotated, truncated or rewritten)"
_U32 = (1 << 32) - 1  # checks are 32 bits; lines too, until one is past it


class Reread(Protocol):
    """Reads a kind's rows again from the file it is read from now."""

    def able(self) -> bool:
        """Rows can be read back (a line file, not entries spanning lines)."""

    def rows_at(self, places: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
        """The rows at (line, offset) places, by place (those found)."""

    def rows_before(self, places: Sequence[tuple[int, int]]
                    ) -> Iterator[dict[tuple[int, int], tuple]]:
        """The rows at those places in each older copy of the file (the copies
        a rotation left beside it), the newest copy first."""


def check_of(row: tuple) -> int:
    """What a row was, to know it again: its line itself when kept as bytes or
    text, else its time as written and its category (a CRC-32: a line read
    back from another generation of the file is all it tells apart). Not
    ``hash``, which differs from process to process: the rows a reading
    process kept are read back by the monitor's."""
    raw = row[_RAW]
    if raw.__class__ is bytes:
        return crc32(raw)
    if raw.__class__ is not str:
        raw = f"{row[_STAMP]}\0{row[_CATEGORY]}"
    return crc32(raw.encode("utf-8", "surrogatepass"))


class OldRows:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._lines = array("I")  # (widened should a file pass 4 billion lines)
        self._offsets = array("q")
        self._checks = array("I")
        self._stamped = array("B")  # 1: it has a time as written, or one worked out
        # Times worked out, not written in the line (a live kernel line's: when
        # it was read), which reading the line back cannot give; NaN: none.
        # Made with the first such row.
        self._times: array | None = None
        self._start = 0  # rows before it were dropped (compacted away in bulk)

    def __len__(self) -> int:
        return len(self._lines) - self._start

    def add(self, rows: Sequence[tuple]) -> None:
        lines = [row[1] for row in rows]
        if lines and self._lines.typecode == "I" and max(lines) > _U32:
            self._lines = array("q", self._lines)
        stamps = [row[_STAMP] for row in rows]
        if self._times is None and datetime in set(map(type, stamps)):
            self._times = array("d", [nan]) * len(self._lines)
        if self._times is not None:
            self._times.extend(stamp.timestamp() if stamp.__class__ is datetime else nan
                               for stamp in stamps)
        self._lines.extend(lines)
        self._offsets.extend(row[2] for row in rows)
        self._checks.extend(map(check_of, rows))
        self._stamped.extend(stamp is not None for stamp in stamps)

    def _columns(self) -> list[array]:
        return [self._lines, self._offsets, self._checks, self._stamped,
                *([self._times] if self._times is not None else [])]

    def drop(self, count: int) -> None:
        """The oldest ``count`` rows go."""
        self._start += min(count, len(self))
        if self._start > CHUNK and self._start * 2 > len(self._lines):
            for column in self._columns():
                del column[:self._start]
            self._start = 0

    def copy(self) -> OldRows:
        other = OldRows(self.kind)
        at = slice(self._start, None)
        other._lines, other._offsets = self._lines[at], self._offsets[at]
        other._checks, other._stamped = self._checks[at], self._stamped[at]
        other._times = self._times[at] if self._times is not None else None
        return other

    def extend(self, later: OldRows) -> None:
        """``later``'s rows after these (the rest of the file, read by another
        process: ``ingest.apart_parts``)."""
        if (self._times is None) != (later._times is None):
            for rows in (self, later):
                if rows._times is None:
                    rows._times = array("d", [nan]) * len(rows._lines)
        if later._lines.typecode != self._lines.typecode:
            self._lines = array("q", self._lines)
        start = later._start
        for mine, theirs in zip(self._columns(), later._columns()):
            mine.extend(theirs[start:])

    def clear(self) -> None:
        for column in self._columns():
            del column[:]
        self._start = 0

    def stamped(self, start: int, stop: int) -> bool:
        """Has any of rows ``start``..``stop`` a time (as written: it may not
        read as one)? Known without reading them back."""
        return 1 in self._stamped[self._start + start:self._start + stop]

    def index_of(self, kind: str, line: int, offset: int) -> int | None:
        """Where the row at ``line`` and ``offset`` is among these, found in
        their places (in C, whatever order a rotation left the lines in)."""
        lines, offsets, at = self._lines, self._offsets, self._start - 1
        if kind != self.kind:
            return None
        try:
            while offsets[at := lines.index(line, at + 1)] != offset:
                pass
        except ValueError:  # (not among them, whatever the value: a state file's)
            return None
        return at - self._start

    def read(self, reread: Reread, start: int, stop: int) -> list[Record]:
        """Rows ``start``..``stop`` (indices among the old rows), read back."""
        at = slice(self._start + start, self._start + stop)
        times = self._times[at] if self._times is not None else repeat(nan)
        return self._read_back(reread, self._lines[at], self._offsets[at], self._checks[at],
                               times)

    def read_at(self, reread: Reread, indices: Sequence[int]) -> list[Record]:
        """The rows at ``indices`` (among the old rows), read back."""
        at = [self._start + index for index in indices]
        lines, offsets, checks = self._lines, self._offsets, self._checks
        times = self._times
        return self._read_back(reread, [lines[i] for i in at], [offsets[i] for i in at],
                               [checks[i] for i in at],
                               [times[i] for i in at] if times is not None else repeat(nan))

    def _read_back(self, reread: Reread, lines, offsets, checks, times) -> list[Record]:
        places = list(zip(lines, offsets))
        found = reread.rows_at(places)
        # By place and check: a row of the file before a rotation and one of
        # the file after it may have the same place.
        rows: dict[tuple, tuple] = {}
        missing: dict[tuple[int, int], set[int]] = {}
        for place, check in zip(places, checks):
            row = found.get(place)
            if row is not None and check_of(row) == check:
                rows[place, check] = row
            else:
                missing.setdefault(place, set()).add(check)
        if missing:
            for older in reread.rows_before(list(missing)):
                for place, row in older.items():
                    wanted, check = missing.get(place, ()), check_of(row)
                    if check in wanted:
                        rows[place, check] = row
                        wanted.discard(check)
                if not any(missing.values()):
                    break
        out = []
        for place, check, time in zip(places, checks, times):
            row = rows.get((place, check))
            if row is None:
                row = (self.kind, *place, None, None, INFO, GONE, "", True, GONE_NOTE)
            elif time == time:  # (not NaN)
                row = (*row[:_STAMP], datetime.fromtimestamp(time, UTC), *row[_STAMP + 1:])
            out.append(new_record(Record, row))
        return out
