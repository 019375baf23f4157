"""A bounded, append-only window of records with stable sequence numbers."""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import Iterator, Sequence

from vivtui.parsing.record import Record, new_record

_AS_RECORD = partial(new_record, Record)


class RecordBuffer:
    """Keeps the newest ``capacity`` records; ``seq`` numbers never repeat.

    The record at index ``i`` has sequence number ``first_seq + i``; a view
    that remembers a sequence number can tell whether it was evicted.

    Records are kept as plain tuples and made records again when read. The
    cyclic garbage collector stops looking at a plain tuple of plain values
    after its first pass, but walks every named tuple at every full pass: with
    tens of thousands kept, that walk was a third of the ingest time.
    """

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._items: deque[tuple] = deque(maxlen=capacity)
        self.total = 0  # records ever appended

    def extend(self, rows: Sequence[tuple]) -> None:
        """Plain rows in the record layout (``parsing.record.rows_of``)."""
        self._items.extend(rows)
        self.total += len(rows)

    def pass_over(self, count: int) -> None:
        """``count`` newer rows not kept: what was kept is older still, and goes."""
        self._items.clear()
        self.total += count

    def clear(self) -> None:
        self._items.clear()

    @property
    def first_seq(self) -> int:
        return self.total - len(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Record:
        return new_record(Record, self._items[index])

    def __iter__(self) -> Iterator[Record]:
        return map(_AS_RECORD, self._items)
