"""Every safety block of every file, kept as each file's rows are kept: the
newest hundred of a file whole, older ones as their places in the file (16
bytes), read back when looked at (``store.buffer``). The newest 5,000 only
were, as records: a big run's 37k blocks were counted, 32k of them not listed.

Each block's time is kept beside it, so that the blocks view is put in time
order without reading any back.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence

from vivtui.parsing.record import Record
from vivtui.store.buffer import RecordBuffer
from vivtui.store.oldrows import CHUNK

KEPT_BLOCKS = 1_000_000  # per file


class Blocks:
    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = KEPT_BLOCKS if capacity is None else capacity
        self.buffers: dict[str, RecordBuffer] = {}  # a file's kind: its blocks
        self._names: list[str] = []  # the kinds seen
        self._which = bytearray()  # each block's kind (in ``_names``), by arrival
        self._seqs = array("q")  # its sequence number in its kind's buffer
        self._times = array("d")  # -inf: no time (sorted first)
        self._ordered: list[int] | None = None

    def __len__(self) -> int:
        return sum(map(len, self.buffers.values()))

    def buffer(self, kind: str) -> RecordBuffer:
        found = self.buffers.get(kind)
        if found is None:
            found = self.buffers[kind] = RecordBuffer(self.capacity, kind)
        return found

    def extend(self, kind: str, rows: Sequence[tuple], records: Sequence[Record]) -> None:
        """``rows`` of ``kind`` that are blocks, and their ``records``."""
        buffer = self.buffer(kind)
        if kind not in self._names:
            self._names.append(kind)
        code = self._names.index(kind)
        self._seqs.extend(range(buffer.total, buffer.total + len(rows)))
        buffer.extend(rows)
        self._which.extend([code] * len(rows))
        self._times.extend(record.ts.timestamp() if record.ts is not None else -math.inf
                           for record in records)
        self._ordered = None
        self._let_go()

    def in_time_order(self) -> Sequence[Record]:
        """Every block kept, by time (no time first; the same time: as they came)."""
        if self._ordered is None:
            kept = [at for at in range(len(self._seqs)) if self._kept(at)]
            kept.sort(key=self._times.__getitem__)
            self._ordered = kept
        return _Ordered(self, self._ordered)

    def of_kind_since(self, kind: str, since: float, most: int) -> Sequence[Record]:
        """``kind``'s blocks timed at or after ``since`` (seconds), the first
        ``most`` of them: found by their times, only those read back."""
        code = self._names.index(kind) if kind in self._names else -1
        times, which = self._times, self._which
        places = [at for at in range(len(self._seqs))
                  if which[at] == code and times[at] >= since and self._kept(at)]
        return _Ordered(self, places[:most])

    def __iter__(self) -> Iterator[Record]:
        """By arrival: each file's in line order, files in the order they were read."""
        return iter(_Ordered(self, [at for at in range(len(self._seqs)) if self._kept(at)]))

    def absorb(self, other: Blocks, kinds: set[str], rank: dict[str, int]) -> None:
        """Take over ``other``'s blocks of ``kinds`` (read by another process),
        in the order one process reading kind after kind keeps them."""
        for kind in kinds:
            if kind in other.buffers:
                self.buffers[kind] = other.buffers[kind]
        arrivals = [(self, at) for at in range(len(self._seqs))
                    if self._name(at) not in kinds]
        arrivals += [(other, at) for at in range(len(other._seqs)) if other._name(at) in kinds]
        arrivals.sort(key=lambda found: rank.get(found[0]._name(found[1]), len(rank)))
        names = list(dict.fromkeys(source._name(at) for source, at in arrivals))
        self._which = bytearray(names.index(source._name(at)) for source, at in arrivals)
        self._seqs = array("q", (source._seqs[at] for source, at in arrivals))
        self._times = array("d", (source._times[at] for source, at in arrivals))
        self._names = names
        self._ordered = None

    # -- internals ----------------------------------------------------------------

    def _name(self, at: int) -> str:
        return self._names[self._which[at]]

    def _kept(self, at: int) -> bool:
        buffer = self.buffers[self._name(at)]
        return self._seqs[at] >= buffer.first_seq and self._seqs[at] < buffer.total

    def _let_go(self) -> None:
        """Blocks no buffer keeps any more, dropped from the columns in bulk."""
        gone = 0
        while gone < len(self._seqs) and not self._kept(gone):
            gone += 1
        if gone > CHUNK and gone * 2 > len(self._seqs):
            for column in (self._which, self._seqs, self._times):
                del column[:gone]


class _Ordered(Sequence):
    """Blocks at their places in the columns, read a chunk at a time."""

    def __init__(self, blocks: Blocks, places: list[int]) -> None:
        self._blocks, self._places = blocks, places

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self._places[index])
        return self._read([self._places[index]])[0]

    def __iter__(self) -> Iterator[Record]:
        for start in range(0, len(self._places), CHUNK):
            yield from self._read(self._places[start:start + CHUNK])

    def _read(self, places: list[int]) -> list[Record]:
        blocks = self._blocks
        wanted: dict[str, list[int]] = {}
        for at in places:
            wanted.setdefault(blocks._name(at), []).append(blocks._seqs[at])
        found = {kind: dict(zip(seqs, blocks.buffers[kind].records_at(seqs)))
                 for kind, seqs in wanted.items()}
        return [found[blocks._name(at)][blocks._seqs[at]] for at in places]
