"""Reading a model's events back from their file, and keeping one copy of
repeated strings: what the compact task and session models share.

A model keeps where its events are (offsets) rather than the events; what is
looked at (a task's history, a session's detail) is read again from the file
as it is now. A line found there that is not the event any more (the file
was rotated or truncated since) is not taken for it; looked up one by one
(``records_at``: a history, a detail), the event is then looked for at the
same place in the copies a rotation left (``read_before``), newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from itertools import islice, repeat
from typing import TypeVar

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import LineParse
from vivtui.parsing.recent_big import BIG, RecentBig
from vivtui.parsing.record import Record

# Big lines read back, parsed once while they are looked at (by their bytes).
_BIG_READ = RecentBig(by_content=True)
T = TypeVar("T")
READ_CHUNK = 1 << 16  # items whose records are read back in one pass (``ReadBack.each_of``)
# Items a worker reading back goes through between two calls of its pace (a
# look at keys being answered): a few milliseconds' work.
PACE_EVERY = 512
# offsets, and what to call between pieces of the reading (a worker's pace, or None)
# -> the lines' bytes as the file holds them now (None: unreadable), one open.
Pace = Callable[[], object]
LinesReader = Callable[[list[int], "Pace | None"], list["bytes | None"]]
# offsets -> each rotated copy of the file (newest first): its name, and the lines there
LinesBefore = Callable[[list[int]], Iterator[tuple[str, list["bytes | None"]]]]
# One copy of a string: called ``keep(s, s)`` (``Interner.keeper``).
Keep = Callable[[str, str], str]


def paced(items: Iterable[T], pace: Pace | None, every: int = PACE_EVERY) -> Iterator[T]:
    """``items``, with ``pace`` called before each ``every`` of them: a worker
    reading much back (a big list's save) took turns at the GIL with the
    frame of a key pressed meanwhile (103-159 ms for a sessions pane's ``j``)."""
    if pace is None:
        return iter(items)
    return _paced(items, pace, every)


def _paced(items: Iterable[T], pace: Pace, every: int) -> Iterator[T]:
    for count, item in enumerate(items):
        if count % every == 0:
            pace()
        yield item


class ReadBack:
    """A file's events read again by offset, parsed as the feed parses them."""

    def __init__(self, parse: LineParse) -> None:
        self.parse = parse
        self.read: LinesReader | None = None  # set by whoever knows the file
        self.read_before: LinesBefore | None = None  # (the same)
        self.zone: tzinfo | None = None  # of the file's naive times

    def __getstate__(self) -> dict:
        # What reads the file is this process's (an open layout): another
        # process's copy reads nothing until it is given its own.
        return {**self.__dict__, "read": None, "read_before": None}

    def records_at(self, places: Iterable[tuple[int, int]],
                   belongs: Callable[[Record], bool]) -> list[Record | None]:
        """The records at (line, offset) places, each only if the line there
        still ``belongs``: in the file, else in a rotated copy of it (its
        ``note`` names the copy); None where none does, or none can be read."""
        places = list(places)
        found = [record if record is not None and belongs(record) else None
                 for record in self.each_at(places)]
        missing = [at for at, record in enumerate(found) if record is None]
        if missing and self.read_before is not None:
            ctx = ParseContext(self.zone)
            for name, lines in self.read_before([places[at][1] for at in missing]):
                for at, data in zip(missing, lines):
                    if found[at] is None and data is not None:
                        record = self.parse(data, *places[at], ctx)
                        if record is not None and not record.malformed and belongs(record):
                            found[at] = record._replace(note=name)
                if all(found[at] is not None for at in missing):
                    break
        return found

    def each_at(self, places: Sequence[tuple[int, int]],
                pace: Pace | None = None) -> Iterator[Record | None]:
        """The records at (line, offset) places (None: unreadable, or not a
        record), their lines read at once, in file order (``pace`` called
        between pieces), and parsed one at a time as they are asked for (a
        big list's saved: its lines' bytes held, not every record made)."""
        if self.read is None:
            yield from repeat(None, len(places))
            return
        ctx = ParseContext(self.zone)
        for (line, offset), data in zip(places, self.read([offset for _, offset in places],
                                                          pace)):
            if data is None:
                record = None
            elif len(data) < BIG:
                record = self.parse(data, line, offset, ctx)
            else:  # (a big line read back at each draw was parsed again: 0.1 s each)
                record = _BIG_READ.made((self.parse, self.zone, line, offset, data),
                                        lambda _: self.parse(data, line, offset, ctx),
                                        len(data))
            yield record if record is not None and not record.malformed else None

    def each_of(self, items: Iterable[T], place: Callable[[T], tuple[int, int] | None],
                belongs: Callable[[T, Record], bool],
                kept: Callable[[T], Record], pace: Pace | None = None) -> Iterator[Record]:
        """For each of ``items`` (a model's tasks, sessions), its record at its
        ``place`` (line, offset) if the line there still ``belongs`` to it,
        else what it ``kept``: read back ``READ_CHUNK`` items at a time, each
        chunk's lines in one pass over the file (a big list's save: 4,096 a
        pass made 49 passes over a big queue), ``pace`` called between pieces
        of each pass. Items with no place are left out."""
        items = iter(items)
        while taken := list(islice(items, READ_CHUNK)):
            # (A chunk's places, 65k sessions', took 0.1 s: paced too.)
            chunk = [(item, at) for item in paced(taken, pace)
                     if (at := place(item)) is not None]
            for (item, _), record in zip(chunk, self.each_at([at for _, at in chunk], pace)):
                yield record if record is not None and belongs(item, record) else kept(item)

    def record_at(self, line: int, offset: int,
                  belongs: Callable[[Record], bool]) -> Record | None:
        return self.records_at([(line, offset)], belongs)[0]


class Interner:
    """One copy of each string seen (worker ids, models, task texts, errors):
    a big run repeats them in every line. Bounded: past ``most`` new strings
    are kept as they come."""

    def __init__(self, most: int = 200_000) -> None:
        self._seen: dict[str, str] = {}
        self._most = most

    def __call__(self, value):
        if value.__class__ is str and len(self._seen) < self._most:
            return self._seen.setdefault(value, value)
        return value

    def keeper(self, count: int) -> Keep:
        """For up to ``count`` strings to come, called as ``keep(s, s)``: the
        table's own ``setdefault`` while that many more surely fit (a C call
        where a call of this object is a Python one, on the hot loops), else
        one that looks at the room left each time."""
        if len(self._seen) + count <= self._most:
            return self._seen.setdefault
        return self._keep_if_room

    def _keep_if_room(self, value: str, _: str) -> str:
        return self(value)
