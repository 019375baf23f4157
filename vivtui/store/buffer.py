"""A bounded, append-only window of records with stable sequence numbers."""

from __future__ import annotations

from collections import deque
from typing import Iterator, Sequence

from vivtui.parsing.record import Record


class RecordBuffer:
    """Keeps the newest ``capacity`` records; ``seq`` numbers never repeat.

    The record at index ``i`` has sequence number ``first_seq + i``; a view
    that remembers a sequence number can tell whether it was evicted.
    """

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._items: deque[Record] = deque(maxlen=capacity)
        self.total = 0  # records ever appended

    def extend(self, records: Sequence[Record]) -> None:
        self._items.extend(records)
        self.total += len(records)

    def clear(self) -> None:
        self._items.clear()

    @property
    def first_seq(self) -> int:
        return self.total - len(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Record:
        return self._items[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._items)
