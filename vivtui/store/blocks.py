"""Every safety block of every file, kept as each file's rows are kept: the
newest hundred of a file whole, older ones as their places in the file (16
bytes), read back when looked at (``store.buffer``). The newest 5,000 only
were, as records: a big run's 37k blocks were counted, 32k of them not listed.

Each block's time is kept beside it, so that the blocks view is put in time
order without reading any back. A file's blocks are kept apart from the
others': a backlog read by another process is taken over whole (at the
hand-over, on the UI thread).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain

from vivtui.parsing.record import Record
from vivtui.store.buffer import RecordBuffer
from vivtui.store.oldrows import CHUNK

KEPT_BLOCKS = 1_000_000  # per file
# ... of a file whose lines cannot be read back (entries spanning lines, or no
# file to read: a report): each kept whole, packed, a few hundred bytes.
KEPT_WHOLE = 5_000
# A block's place: its file's number (``Blocks.kinds``), then its sequence
# number in the file's rows. An int, not a (kind, number) pair: making 150k
# pairs was a quarter of the first B's 100 ms.
_SEQ_BITS = 40
_SEQ = (1 << _SEQ_BITS) - 1


class FileBlocks:
    """One file's blocks, and their times (-inf: none; sorted first)."""

    def __init__(self, kind: str, capacity: int) -> None:
        self.rows = RecordBuffer(capacity, kind)
        self.times = array("d")  # of sequence numbers ``times_from`` on
        self.times_from = 0

    def extend(self, rows: Sequence[tuple], records: Sequence[Record]) -> None:
        reread = self.rows.reread
        if reread is None or not reread.able():
            self.rows.capacity = min(self.rows.capacity, KEPT_WHOLE)
        self.rows.extend(rows)
        self.times.extend(record.ts.timestamp() if record.ts is not None else -math.inf
                          for record in records)
        gone = self.rows.first_seq - self.times_from
        if gone > CHUNK and gone * 2 > len(self.times):  # let go in bulk
            del self.times[:gone]
            self.times_from += gone

    def followed_by(self, later: FileBlocks) -> None:
        """``later``'s blocks after these (the rest of the file, read apart)."""
        total = self.rows.total
        self.rows.followed_by(later.rows)
        self.times = self.times[max(0, self.rows.first_seq - self.times_from):]
        self.times_from = max(self.times_from, self.rows.first_seq)
        later_from = total + later.times_from  # (theirs numbered after ours)
        self.times.extend(later.times[max(0, self.times_from + len(self.times) - later_from):])

    def time_of(self, seq: int) -> float:
        return self.times[seq - self.times_from]

    def kept(self) -> range:
        """The sequence numbers kept."""
        return range(self.rows.first_seq, self.rows.total)


class Blocks:
    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = KEPT_BLOCKS if capacity is None else capacity
        self.files: dict[str, FileBlocks] = {}  # by kind, in the order first seen
        self.kinds: list[str] = []  # each file's kind by its number (a place's first bits)
        # The time order as last asked for (None: to be sorted afresh), each
        # file's first block kept and how many had come then.
        self._ordered: list[int] | None = None
        self._firsts: dict[str, int] = {}
        self._upto: dict[str, int] = {}

    def __len__(self) -> int:
        return sum(len(blocks.rows) for blocks in self.files.values())

    def buffer(self, kind: str) -> RecordBuffer:
        """``kind``'s blocks' rows (made now if none came yet)."""
        return self._of(kind).rows

    def extend(self, kind: str, rows: Sequence[tuple], records: Sequence[Record]) -> None:
        """``rows`` of ``kind`` that are blocks, and their ``records``."""
        self._of(kind).extend(rows, records)

    def in_time_order(self) -> Sequence[Record]:
        """Every block kept, by time (no time first; the same time: file after
        file, each in line order). Blocks newer than all before them are put
        at the end; others have every block sorted again."""
        ordered, time = self._ordered, self._time
        firsts = {kind: blocks.rows.first_seq for kind, blocks in self.files.items()}
        if firsts != self._firsts:
            ordered = None  # blocks were let go
        if ordered is not None:
            new = list(chain.from_iterable(
                self._places(kind, self._upto.get(kind, firsts[kind]), blocks.rows.total)
                for kind, blocks in self.files.items()))
            new.sort(key=time)
            if not new or not ordered or self._follows(new[0], ordered[-1]):
                ordered = [*ordered, *new]  # (a list shown or scanned stays as it was)
            else:
                ordered = None
        if ordered is None:
            ordered = self._kept_places()
            # Sorted by a column of their times (a Python key for each of a
            # run's 150k blocks held the screen 100 ms at the first B).
            times = self._kept_times()
            ordered = list(map(ordered.__getitem__,
                               sorted(range(len(times)), key=times.__getitem__)))
        self._ordered, self._firsts = ordered, firsts
        self._upto = {kind: blocks.rows.total for kind, blocks in self.files.items()}
        return BlockRows(self, ordered)

    def followed_by(self, later: Blocks, kind: str) -> None:
        """``later``'s blocks of ``kind`` after these: the rest of the file,
        read by another process (``ingest.apart_parts``)."""
        if kind in later.files:
            self._of(kind).followed_by(later.files[kind])
            self._ordered = None

    def kind_and_seq(self, place: int) -> tuple[str, int]:
        return self.kinds[place >> _SEQ_BITS], place & _SEQ

    def _places(self, kind: str, start: int, stop: int) -> range:
        """The places of ``kind``'s blocks ``start`` to ``stop`` (sequence numbers)."""
        base = self.kinds.index(kind) << _SEQ_BITS
        return range(base + start, base + stop)

    def _time(self, place: int) -> float:
        kind, seq = self.kind_and_seq(place)
        return self.files[kind].time_of(seq)

    def _follows(self, place: int, last: int) -> bool:
        """Does the block at ``place``, newer in its file, come after ``last``
        in the time order? At the same time, if its file is ``last``'s or a
        later one (a live run writes many blocks in one second: each batch
        but the second's first had all sorted again, 100 ms for 150k)."""
        at, before = self._time(place), self._time(last)
        if at != before:
            return at > before
        files = list(self.files)
        return (files.index(self.kind_and_seq(place)[0])
                >= files.index(self.kind_and_seq(last)[0]))

    def of_kind_since(self, kind: str, since: float, most: int) -> Sequence[Record]:
        """``kind``'s blocks timed at or after ``since`` (seconds), the first
        ``most`` of them: found by their times, only those read back."""
        blocks = self.files.get(kind)
        if blocks is None:
            return []
        found = []
        for place, seq in zip(self._places(kind, blocks.rows.first_seq, blocks.rows.total),
                              blocks.kept()):
            if blocks.time_of(seq) >= since:
                found.append(place)
                if len(found) == most:
                    break
        return BlockRows(self, found)

    def __iter__(self) -> Iterator[Record]:
        """File after file (in the order first seen), each in line order."""
        return iter(BlockRows(self, self._kept_places()))

    def _kept_places(self) -> list[int]:
        """Every block kept, file after file."""
        return list(chain.from_iterable(self._places(kind, blocks.rows.first_seq,
                                                     blocks.rows.total)
                                        for kind, blocks in self.files.items()))

    def _kept_times(self) -> array:
        """The time of each block kept, in ``_kept_places``' order."""
        times = array("d")
        for blocks in self.files.values():
            start = blocks.rows.first_seq - blocks.times_from
            times.extend(blocks.times[start:start + len(blocks.kept())])
        return times

    def absorb(self, other: Blocks, kinds: set[str], rank: dict[str, int]) -> None:
        """Take over ``other``'s blocks of ``kinds`` (files another process
        read), the files in the order one process reading them in turn does."""
        for kind in kinds:
            if kind in other.files:
                self.files[kind] = other.files[kind]
                self._number(kind)
            else:
                self.files.pop(kind, None)
        self.files = dict(sorted(self.files.items(), key=lambda item: rank.get(item[0],
                                                                               len(rank))))
        self._ordered = None

    def _of(self, kind: str) -> FileBlocks:
        found = self.files.get(kind)
        if found is None:
            found = self.files[kind] = FileBlocks(kind, self.capacity)
            self._number(kind)
        return found

    def _number(self, kind: str) -> None:
        """``kind`` given a number, if it has none (kept: places shown name it)."""
        if kind not in self.kinds:
            self.kinds.append(kind)


class BlockRows(Sequence):
    """Blocks at their places (``Blocks.kind_and_seq``), read a chunk at a time."""

    def __init__(self, blocks: Blocks, places: list[int],
                 rows: dict | None = None) -> None:
        """``rows``: each file's rows to read from (default: as kept now)."""
        self._blocks, self._places = blocks, places
        self._rows = rows

    def frozen(self, indices: Sequence[int] | None = None) -> BlockRows:
        """These blocks (those at ``indices``) as kept now, for another thread
        to read while blocks come and go: each file's kept rows frozen."""
        places = list(self._places) if indices is None else [self._places[i] for i in indices]
        return BlockRows(self._blocks, places, {kind: blocks.rows.frozen()
                                                for kind, blocks in self._blocks.files.items()})

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self._places[index])
        return self._read([self._places[index]])[0]

    @property
    def reads_back(self) -> bool:
        return any(blocks.rows.reads_back for blocks in self._blocks.files.values())

    def times(self) -> list[float | None]:
        """Each block's time in seconds (None: none), read from no file."""
        files = self._blocks.files
        return [None if time == -math.inf else time
                for time in (files[kind].time_of(seq)
                             for kind, seq in map(self._blocks.kind_and_seq, self._places))]

    def __iter__(self) -> Iterator[Record]:
        for start in range(0, len(self._places), CHUNK):
            yield from self._read(self._places[start:start + CHUNK])

    def _read(self, places: list[int]) -> list[Record]:
        places = list(map(self._blocks.kind_and_seq, places))
        wanted: dict[str, list[int]] = {}
        for kind, seq in places:
            wanted.setdefault(kind, []).append(seq)
        rows = self._rows or {kind: blocks.rows for kind, blocks in self._blocks.files.items()}
        found = {kind: dict(zip(seqs, rows[kind].records_at(seqs)))
                 for kind, seqs in wanted.items()}
        return [found[kind][seq] for kind, seq in places]
