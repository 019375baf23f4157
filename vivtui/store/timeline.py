"""Every file's records merged by time, for the timeline and for e/E.

Kept up to date with the records that arrive and bounded like the buffers. A
line without a time of its own (a malformed line) is placed after the line
before it in its file; kernel lines of the backlog have no time anywhere near
and are only counted.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from copy import copy
from datetime import datetime
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Callable, Protocol

from vivtui.parsing.kinds import gc_paused
from vivtui.parsing.record import ERROR, WARNING, Record
from vivtui.store.memory_scan import no_pace
from vivtui.store.run import KINDS, RunStore

Entry = tuple[datetime, int, Record]  # (time, arrival order, record)

# A row's code (``Timeline.codes``): its kind's place in KINDS, its severity
# (error, warning, else) and whether it is malformed, in a byte.
_SEVERITY_BITS = {ERROR: 1, WARNING: 2}
_SEVERITIES = (None, ERROR, WARNING, None)
_OTHER_KIND = 31
_PARTS = itemgetter(2)  # an entry's record
_CODED = attrgetter("kind", "severity", "malformed")


class _Codes(dict):
    """(kind, severity, malformed) -> a row's code, worked out once each."""

    def __missing__(self, parts: tuple) -> int:
        kind, severity, malformed = parts
        code = self[parts] = ((KINDS.index(kind) if kind in KINDS else _OTHER_KIND) << 3
                              | _SEVERITY_BITS.get(severity, 0) << 1 | bool(malformed))
        return code


_CODES = _Codes()


def row_codes(rows: list[Entry]) -> bytearray:
    """The rows' codes, made in C (but for the first of each kind of row)."""
    return bytearray(map(_CODES.__getitem__, map(_CODED, map(_PARTS, rows))))


def code_parts(code: int) -> tuple[str | None, str | None, bool]:
    """A row's kind (None: none of KINDS), its severity if an error or a
    warning, and whether it is malformed, from its code."""
    kind = code >> 3
    return KINDS[kind] if kind < len(KINDS) else None, _SEVERITIES[code >> 1 & 3], bool(code & 1)


class Buffer(Protocol):
    """A kind's kept rows: ``store.buffer.RecordBuffer``, or a frozen copy."""

    total: int
    first_seq: int

    def since(self, seq: int) -> Iterator[Record]: ...

    def stamped(self, start: int, stop: int) -> bool: ...


BULK = 1000  # more new rows than this: one sort beats many inserts
NEWEST_CHUNK = 4096  # rows read back at a time, newest first (``_newest_first``)
CAPACITY = 50_000  # rows kept, of every file together


class Timeline:
    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = CAPACITY if capacity is None else capacity
        self.rows: list[Entry] = []
        # Each row's code (``row_codes``), in the rows' order: e/E pick a
        # level's rows from them in C (from the rows, a live big run's 50k
        # took 15-40 ms of each e).
        self.codes = bytearray()
        self.version = 0  # bumped when rows change
        self._seen: dict[str, int] = {}
        self._order = 0
        self._last_ts: dict[str, datetime] = {}
        # Kinds of which older rows were let go, and rows without a time left out.
        self.let_go: set[str] = set()
        self._untimed: dict[str, int] = {}

    def catch_up(self, store: RunStore) -> bool:
        """Take in what the store's buffers gained since; True if rows changed."""
        return self.catch_up_with(store.buffers)

    @property
    def short(self) -> set[str]:
        """Kinds of which it lacks rows (e/E walk such a file itself)."""
        return self.let_go | self.untimed_kinds

    @property
    def untimed_kinds(self) -> set[str]:
        """Kinds of which rows without a time were left out."""
        return set(self._untimed)

    @property
    def untimed(self) -> int:
        """Rows without a time left out (none of a kind ``forget`` let go)."""
        return sum(self._untimed.values())

    def forget(self, kinds: set[str]) -> None:
        """The rows of ``kinds`` let go, to be merged again from other buffers
        (a big file's preview, then its rows once it is read)."""
        if not kinds:
            return
        self.rows = [entry for entry in self.rows if entry[2].kind not in kinds]
        self.codes = row_codes(self.rows)
        for kind in kinds:
            self._seen.pop(kind, None)
            self._last_ts.pop(kind, None)
            self.let_go.discard(kind)
            self._untimed.pop(kind, None)
        self.version += 1

    def oldest_of(self, kind: str) -> Entry | None:
        """The oldest row of ``kind`` it holds (None: none)."""
        return next((entry for entry in self.rows if entry[2].kind == kind), None)

    def behind(self, buffers: Mapping[str, Buffer]) -> int:
        """How many rows ``catch_up_with(buffers)`` would read."""
        return sum(buffer.total - self._start(kind, buffer) for kind, buffer in buffers.items()
                   if kind in KINDS)

    def copy(self) -> Timeline:
        other = copy(self)
        other.rows, other.codes = list(self.rows), bytearray(self.codes)
        other._seen, other._last_ts = dict(self._seen), dict(self._last_ts)
        other.let_go, other._untimed = set(self.let_go), dict(self._untimed)
        return other

    def _start(self, kind: str, buffer: Buffer) -> int:
        return max(self._seen.get(kind, 0), buffer.first_seq, buffer.total - self.capacity)

    def catch_up_with(self, buffers: Mapping[str, Buffer],
                      pace: Callable[[], object] = no_pace) -> bool:
        """Take in what ``buffers`` (the store's, or frozen copies of them, on
        another thread) gained since; True if rows changed. ``pace`` is called
        between chunks of the work (on a thread: the screen's keys and frames
        first, which waited behind a big merge's share of the GIL)."""
        spans = []
        for kind in KINDS:
            buffer = buffers[kind]
            seen = self._seen.get(kind, 0)
            if buffer.total == seen:
                continue
            start = self._start(kind, buffer)
            if start > seen:
                self.let_go.add(kind)
            spans.append((kind, buffer, start))
        coming = sum(buffer.total - start for _, buffer, start in spans)
        if coming > self.capacity:
            # (its rows are kept; the collector walked everything kept three times
            # during a big run's first merge, 40-58 ms each, keys waiting)
            with gc_paused():
                fresh = self._newest_first(spans, pace)
        else:
            fresh = self._in_order(spans, pace)
        for kind, buffer, _ in spans:
            self._seen[kind] = buffer.total
        if not fresh:
            return False
        rows, codes = self.rows, self.codes
        if len(fresh) > BULK:
            pace()
            rows.extend(fresh)
            rows.sort(key=entry_key)
            self._keep_newest(rows)
            self.codes = row_codes(rows)
        else:
            for item, code in zip(fresh, row_codes(fresh)):
                at = bisect_right(rows, entry_key(item), key=entry_key)
                rows.insert(at, item)
                codes.insert(at, code)
            self._keep_newest(rows)
            del codes[:len(codes) - len(rows)]
        self.version += 1
        return True

    def _keep_newest(self, rows: list[Entry]) -> None:
        """Sorted ``rows`` cut to the capacity (the kinds cut from, let go)."""
        if len(rows) > self.capacity:
            over = len(rows) - self.capacity
            self.let_go.update(entry[2].kind for entry in rows[:over])
            del rows[:over]

    def _in_order(self, spans: list[tuple[str, Buffer, int]],
                  pace: Callable[[], object]) -> list[Entry]:
        fresh = []
        for kind, buffer, start in spans:
            records = buffer.since(start)
            while chunk := list(islice(records, NEWEST_CHUNK)):
                pace()
                for record in chunk:
                    ts = record.ts or self._last_ts.get(kind)
                    if ts is None:
                        self._untimed[kind] = self._untimed.get(kind, 0) + 1
                        continue
                    self._last_ts[kind] = ts
                    self._order += 1
                    fresh.append((ts, self._order, record))
        return fresh

    def _newest_first(self, spans: list[tuple[str, Buffer, int]],
                      pace: Callable[[], object]) -> list[Entry]:
        """``_in_order``'s rows that the capacity keeps, read from the newest
        back a chunk at a time, the file whose rows read so far reach the
        newest time first, until the next chunk of each is older than every
        row kept: a big run's first merge read 160k rows back from their
        files to keep 50k. (A file is taken to be written in time order,
        give or take less than a chunk.)"""
        order = self._order
        every = []
        for kind, buffer, start in spans:
            every.append(_Backwards(kind, buffer, start, order - start + 1))
            order += buffer.total - start
        self._order = order
        reads = list(every)
        kept: list[Entry] = []
        while reads:
            pace()
            read = max(reads, key=_Backwards.reach)
            if read.oldest is None and read.kind not in self._last_ts \
                    and not read.buffer.stamped(read.start, read.high):
                # None of its rows left has a time, nor one to take (a kernel
                # backlog: 50k rows were read back only to be counted).
                left = read.high - read.start + len(read.pending)
                self._untimed[read.kind] = self._untimed.get(read.kind, 0) + left
                reads.remove(read)
                continue
            if len(kept) >= self.capacity:
                kept.sort(key=entry_key)
                self._keep_newest(kept)
                if read.reach() < (0, entry_key(kept[0])):
                    self.let_go.update(other.kind for other in reads)  # (the rest would be cut)
                    break
            pace()
            read.step(kept)
            if read.done:
                reads.remove(read)
                self._untimed_left(read, kept)
        for read in every:
            if read.newest is not None:
                self._last_ts[read.kind] = read.newest
        return kept

    def _untimed_left(self, read: _Backwards, kept: list[Entry]) -> None:
        """The first rows of a file read to its start, without a time: as
        ``_in_order`` places them (after the rows before, or left out)."""
        if not read.pending:
            return
        prior = self._last_ts.get(read.kind)
        if prior is None:
            self._untimed[read.kind] = self._untimed.get(read.kind, 0) + len(read.pending)
        else:
            kept.extend((prior, read.first_order + seq, record) for seq, record in read.pending)


def entry_key(item: Entry) -> tuple:
    return item[0], item[1]


class _Backwards:
    """One file's rows read from its newest back, a chunk at a time."""

    def __init__(self, kind: str, buffer: Buffer, start: int, first_order: int) -> None:
        self.kind, self.buffer, self.start = kind, buffer, start
        self.first_order = first_order  # the order of row (sequence number) 0
        self.high = buffer.total  # rows from here on are read
        self.pending: list[tuple[int, Record]] = []  # read, their time from a row before
        self.newest: datetime | None = None  # the newest row's time (its own or taken)
        self.oldest: tuple | None = None  # the oldest (time, order) read of a row's own
        self.done = False

    def reach(self) -> tuple:
        """How new its rows not read yet may be, as ``(0, (time, order))``:
        older than its oldest row read; ``(1,)``, newer than any, while no
        row with a time was read."""
        return (0, self.oldest) if self.oldest is not None else (1,)

    def step(self, kept: list[Entry]) -> None:
        """The next chunk's rows into ``kept``."""
        low = max(self.start, self.high - NEWEST_CHUNK)
        last = None
        leading = []
        for seq, record in enumerate(islice(self.buffer.since(low), self.high - low), low):
            ts = record.ts or last
            if ts is None:
                leading.append((seq, record))
                continue
            if last is None:
                self.oldest = (ts, self.first_order + seq)
            last = ts
            kept.append((ts, self.first_order + seq, record))
        if last is not None:
            if self.newest is None:
                self.newest = last
            kept.extend((last, self.first_order + seq, record) for seq, record in self.pending)
            self.pending = leading
        else:
            self.pending = leading + self.pending
        self.high = low
        self.done = low == self.start
