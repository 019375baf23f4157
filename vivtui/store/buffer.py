"""A bounded, append-only window of records with stable sequence numbers."""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import Iterator, Sequence

from vivtui.parsing.record import Record, new_record, pack

_AS_RECORD = partial(new_record, Record)
_RAW = Record._fields.index("raw")
YOUNG = 1_000  # the newest rows keep their decoded objects; older ones are packed


class RecordBuffer:
    """Keeps the newest ``capacity`` records; ``seq`` numbers never repeat.

    The record at index ``i`` has sequence number ``first_seq + i``; a view
    that remembers a sequence number can tell whether it was evicted.

    Records are kept as plain tuples and made records again when read. The
    cyclic garbage collector stops looking at a plain tuple of plain values
    after its first pass, but walks every named tuple at every full pass: with
    tens of thousands kept, that walk was a third of the ingest time.

    Rows older than the newest ``YOUNG`` hold their line's object packed as
    JSON bytes (``parsing.record.Packed``), not decoded: a decoded object is
    about a kilobyte, and a live run's kept rows grew its memory for as long
    as the buffers filled.
    """

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._items: deque[tuple] = deque(maxlen=capacity)
        self.total = 0  # records ever appended
        self._young = 0  # rows at the end not looked at for packing yet

    def extend(self, rows: Sequence[tuple]) -> None:
        """Plain rows in the record layout (``parsing.record.rows_of``)."""
        self._items.extend(rows)
        self.total += len(rows)
        self._young = min(self._young + len(rows), len(self._items))
        if self._young > 2 * YOUNG:
            self._pack(len(self._items) - self._young, len(self._items) - YOUNG)

    def _pack(self, start: int, stop: int) -> None:
        items = self._items
        items.rotate(-start)  # the rows to pack to the front: popped and put back in order
        for _ in range(stop - start):
            row = items.popleft()
            if row[_RAW].__class__ is dict:
                row = (*row[:_RAW], pack(row[_RAW]), *row[_RAW + 1:])
            items.append(row)
        items.rotate(stop)  # back in order
        self._young -= stop - start

    def pass_over(self, count: int) -> None:
        """``count`` newer rows not kept: what was kept is older still, and goes."""
        self._items.clear()
        self._young = 0
        self.total += count

    def clear(self) -> None:
        self._items.clear()
        self._young = 0

    @property
    def first_seq(self) -> int:
        return self.total - len(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Record:
        return new_record(Record, self._items[index])

    def __iter__(self) -> Iterator[Record]:
        return map(_AS_RECORD, self._items)
