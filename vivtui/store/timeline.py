"""Every file's records merged by time, for the timeline and for e/E.

Kept up to date with the records that arrive and bounded like the buffers. A
line without a time of its own (a malformed line) is placed after the line
before it in its file; kernel lines of the backlog have no time anywhere near
and are only counted.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator, Mapping
from copy import copy
from datetime import datetime
from typing import Protocol

from vivtui.parsing.record import Record
from vivtui.store.run import KINDS, RunStore

Entry = tuple[datetime, int, Record]  # (time, arrival order, record)


class Buffer(Protocol):
    """A kind's kept rows: ``store.buffer.RecordBuffer``, or a frozen copy."""

    total: int
    first_seq: int

    def since(self, seq: int) -> Iterator[Record]: ...


BULK = 1000  # more new rows than this: one sort beats many inserts
CAPACITY = 50_000  # rows kept, of every file together


class Timeline:
    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = CAPACITY if capacity is None else capacity
        self.rows: list[Entry] = []
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
        other.rows = list(self.rows)
        other._seen, other._last_ts = dict(self._seen), dict(self._last_ts)
        other.let_go, other._untimed = set(self.let_go), dict(self._untimed)
        return other

    def _start(self, kind: str, buffer: Buffer) -> int:
        return max(self._seen.get(kind, 0), buffer.first_seq, buffer.total - self.capacity)

    def catch_up_with(self, buffers: Mapping[str, Buffer]) -> bool:
        """Take in what ``buffers`` (the store's, or frozen copies of them, on
        another thread) gained since; True if rows changed."""
        fresh = []
        for kind in KINDS:
            buffer = buffers[kind]
            seen = self._seen.get(kind, 0)
            if buffer.total == seen:
                continue
            start = self._start(kind, buffer)
            if start > seen:
                self.let_go.add(kind)
            for record in buffer.since(start):
                ts = record.ts or self._last_ts.get(kind)
                if ts is None:
                    self._untimed[kind] = self._untimed.get(kind, 0) + 1
                    continue
                self._last_ts[kind] = ts
                self._order += 1
                fresh.append((ts, self._order, record))
            self._seen[kind] = buffer.total
        if not fresh:
            return False
        if len(fresh) > BULK:
            self.rows.extend(fresh)
            self.rows.sort(key=entry_key)
        else:
            for item in fresh:
                insort(self.rows, item, key=entry_key)
        if len(self.rows) > self.capacity:
            over = len(self.rows) - self.capacity
            self.let_go.update(entry[2].kind for entry in self.rows[:over])
            del self.rows[:over]
        self.version += 1
        return True


def entry_key(item: Entry) -> tuple:
    return item[0], item[1]
