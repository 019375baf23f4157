"""A bounded, append-only window of records with stable sequence numbers."""

from __future__ import annotations

from collections import deque
from functools import partial
from itertools import islice
from typing import Iterable, Iterator, Sequence

from vivtui.parsing.record import Record, new_record, pack
from vivtui.store.oldrows import CHUNK, OldRows, Reread

_AS_RECORD = partial(new_record, Record)
_RAW, _STAMP = Record._fields.index("raw"), Record._fields.index("stamp")
YOUNG = 100  # the newest rows keep their decoded objects; older ones are packed


class RecordBuffer:
    """Keeps the newest ``capacity`` records; ``seq`` numbers never repeat.

    The record at index ``i`` has sequence number ``first_seq + i``; a view
    that remembers a sequence number can tell whether it was evicted.

    Records are kept as plain tuples and made records again when read. The
    cyclic garbage collector stops looking at a plain tuple of plain values
    after its first pass, but walks every named tuple at every full pass: with
    tens of thousands kept, that walk was a third of the ingest time.

    Rows older than the newest ``YOUNG`` are kept as where they are in their
    file (``oldrows``) when the file can be read again (``reread``, set by
    whoever knows the file), and read back when looked at. Otherwise (a
    snapshot's entries, tests without files) they hold their line's object
    packed as JSON bytes (``parsing.record.Packed``): a decoded object is
    about a kilobyte, and a live run's kept rows grew its memory for as long
    as the buffers filled.
    """

    def __init__(self, capacity: int = 200_000, kind: str = "") -> None:
        self.capacity = capacity
        self._items: deque[tuple] = deque()
        self._old = OldRows(kind)  # before ``_items``
        self.reread: Reread | None = None
        self.total = 0  # records ever appended
        self._young = 0  # rows at the end not looked at for packing yet

    def __getstate__(self) -> dict:
        # What reads the file is this process's: another process's copy keeps
        # its rows as they are until it is given its own (``read_back_from``).
        return {**self.__dict__, "reread": None}

    def extend(self, rows: Sequence[tuple]) -> None:
        """Plain rows in the record layout (``parsing.record.rows_of``)."""
        items = self._items
        items.extend(rows)
        self.total += len(rows)
        over = len(self._old) + len(items) - self.capacity
        if over > 0:
            dropped = min(over, len(self._old))
            self._old.drop(dropped)
            for _ in range(over - dropped):
                items.popleft()
        self._young = min(self._young + len(rows), len(items))
        if len(items) > 2 * YOUNG and self.reread is not None and self.reread.able():
            moved = [items.popleft() for _ in range(len(items) - YOUNG)]
            self._old.add(moved)
            self._young = min(self._young, len(items))
        elif self._young > 2 * YOUNG:
            self._pack(len(items) - self._young, len(items) - YOUNG)

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

    def followed_by(self, later: RecordBuffer) -> None:
        """``later``'s rows after these: the rest of the same file, read by
        another process (``ingest.apart_parts``); the newest ``capacity`` of
        both are kept, numbered as one buffer would have numbered them."""
        drop = len(self) - min(len(self), max(0, self.capacity - len(later)))
        from_old = min(drop, len(self._old))
        self._old.drop(from_old)
        items = list(self._items)[drop - from_old:]
        self.total += later.total
        if later.reads_back or self.reads_back:
            self._old.add(items)  # (in file order: ours, then theirs)
            self._old.extend(later._old)
            self._items, young = deque(later._items), later._young
        else:
            self._items, young = deque([*items, *later._items]), later._young + len(items)
        self._young = min(young, len(self._items))

    def pass_over(self, count: int) -> None:
        """``count`` newer rows not kept: what was kept is older still, and goes."""
        self.clear()
        self.total += count

    def clear(self) -> None:
        self._items.clear()
        self._old.clear()
        self._young = 0

    @property
    def first_seq(self) -> int:
        return self.total - len(self)

    def __len__(self) -> int:
        return len(self._old) + len(self._items)

    def __getitem__(self, index: int) -> Record:
        old = len(self._old)
        if index < 0:
            index += len(self)
        if index >= old or index < 0:
            return new_record(Record, self._items[index - old])
        return self._old.read(self.reread, index, index + 1)[0]

    def __iter__(self) -> Iterator[Record]:
        return self.since(self.first_seq)

    @property
    def reads_back(self) -> bool:
        """Are some of its rows kept as places, read back when looked at?"""
        return len(self._old) > 0

    def seq_at(self, kind: str, line: int, offset: int) -> int | None:
        """The sequence number of the row kept from ``line`` at ``offset``,
        found from the places kept: none is read back from its file."""
        young = next((at for at, row in enumerate(self._items)
                      if row[1] == line and row[2] == offset and row[0] == kind), None)
        if young is not None:
            return self.first_seq + len(self._old) + young
        at = self._old.index_of(kind, line, offset)
        return self.first_seq + at if at is not None else None

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        """The records of sequence numbers ``seqs`` (kept ones), those kept as
        places read back at once."""
        return _records_at(self._old, self._items, self.reread, self.first_seq, seqs)

    def frozen(self) -> Iterable[Record]:
        """The records kept now, to be read on another thread while this buffer
        goes on growing (the rows in their files are read back then)."""
        return FrozenRows(self._old.copy(), list(self._items), self.reread, self.total)

    def stamped(self, start: int, stop: int) -> bool:
        """Has any of the records ``start``..``stop`` (sequence numbers) a time
        as written? Known without reading them back (``Timeline``)."""
        return _stamped(self._old, self._items, start - self.first_seq, stop - self.first_seq)

    def since(self, seq: int) -> Iterator[Record]:
        """The records from sequence number ``seq`` on; rows kept in their
        file are read back a chunk at a time, not one by one."""
        index = max(0, seq - self.first_seq)
        return _walk(self._old, self.reread, index,
                     islice(self._items, max(0, index - len(self._old)), None))


class FrozenRows:
    """A buffer's rows as they were, read as the buffer reads them."""

    def __init__(self, old: OldRows, young: list[tuple], reread: Reread | None,
                 total: int = 0) -> None:
        self.old, self.young, self.reread = old, young, reread
        self.total = total

    @property
    def first_seq(self) -> int:
        return self.total - len(self.old) - len(self.young)

    def __iter__(self) -> Iterator[Record]:
        return _walk(self.old, self.reread, 0, self.young)

    def stamped(self, start: int, stop: int) -> bool:
        return _stamped(self.old, self.young, start - self.first_seq, stop - self.first_seq)

    def since(self, seq: int) -> Iterator[Record]:
        index = max(0, seq - self.first_seq)
        return _walk(self.old, self.reread, index,
                     self.young[max(0, index - len(self.old)):])

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        return _records_at(self.old, self.young, self.reread, self.first_seq, seqs)


class FrozenPick:
    """Some rows of a frozen buffer (by sequence number), read a chunk at a
    time: a filtered list's rows as they were, for another thread."""

    def __init__(self, rows: FrozenRows, seqs: list[int]) -> None:
        self.rows, self.seqs = rows, seqs

    def __len__(self) -> int:
        return len(self.seqs)

    def __iter__(self) -> Iterator[Record]:
        for start in range(0, len(self.seqs), CHUNK):
            yield from self.rows.records_at(self.seqs[start:start + CHUNK])


def _records_at(old: OldRows, young: Sequence[tuple], reread: Reread | None, first: int,
                seqs: Sequence[int]) -> list[Record]:
    indices = [seq - first for seq in seqs]
    kept_old = len(old)
    olds = [at for at in indices if at < kept_old]
    back = iter(old.read_at(reread, olds) if olds else ())
    return [next(back) if at < kept_old else new_record(Record, young[at - kept_old])
            for at in indices]


def _walk(old: OldRows, reread: Reread | None, index: int,
          young: Iterable[tuple]) -> Iterator[Record]:
    """Old rows from ``index``, read back a chunk at a time, then the young ones."""
    for start in range(index, len(old), CHUNK):
        yield from old.read(reread, start, min(len(old), start + CHUNK))
    yield from map(_AS_RECORD, young)


def _stamped(old: OldRows, young: Sequence[tuple], start: int, stop: int) -> bool:
    """Rows ``start``..``stop`` (indices among the old, then the young rows)."""
    start, split = max(0, start), len(old)
    if start < split and old.stamped(start, min(stop, split)):
        return True
    return any(row[_STAMP] is not None
               for row in islice(young, max(0, start - split), max(0, stop - split)))
