"""Every file's records merged by time, for the timeline and for e/E.

Kept up to date with the records that arrive and bounded like the buffers. A
line without a time of its own (a malformed line) is placed after the line
before it in its file; kernel lines of the backlog have no time anywhere near
and are only counted.
"""

from __future__ import annotations

from bisect import insort
from datetime import datetime

from vivtui.parsing.record import Record
from vivtui.store.run import KINDS, RunStore

Entry = tuple[datetime, int, Record]  # (time, arrival order, record)
BULK = 1000  # more new rows than this: one sort beats many inserts


class Timeline:
    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self.rows: list[Entry] = []
        self.untimed = 0
        self.version = 0  # bumped when rows change
        self._seen: dict[str, int] = {}
        self._order = 0
        self._last_ts: dict[str, datetime] = {}

    def catch_up(self, store: RunStore) -> bool:
        """Take in what the store's buffers gained since; True if rows changed."""
        fresh = []
        for kind in KINDS:
            buffer = store.buffers[kind]
            seen = self._seen.get(kind, 0)
            if buffer.total == seen:
                continue
            start = max(seen, buffer.first_seq, buffer.total - self.capacity)
            for record in buffer.since(start):
                ts = record.ts or self._last_ts.get(kind)
                if ts is None:
                    self.untimed += 1
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
            del self.rows[: len(self.rows) - self.capacity]
        self.version += 1
        return True


def entry_key(item: Entry) -> tuple:
    return item[0], item[1]
