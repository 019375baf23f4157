"""The rows of lines too long to read where they are drawn.

A row is read from its file when drawn (``store.filerows``). A 20 MB line,
read, split and parsed on the screen's thread to draw its one row, held it
184 ms, a 100 MB one 627 ms (``benchmarks/loop_lag.py``). Such a line's row
is a stand-in (``UnreadRecord``: "reading a 20.0 MB line…") until a thread
has read and parsed it, and made what its row shows; the rows are drawn
again then. A key that needs the whole record (the inspector, a copy, a
save) reads it at once (``read``).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections import OrderedDict, deque
from typing import Callable

from vivtui.parsing.record import Record, UnreadRecord, unread
from vivtui.sources.cut_lines import read_line

Parse = Callable[[list[tuple[int, int, bytes]]], list[Record]]

KEPT = 8  # rows of long lines kept made (each holds its line)


class BigRows:
    """Rows of ``kind`` made by ``parse`` (lines to records, as a file's rows
    are); ``made`` is called, from the thread, each time a row was made.
    ``pace_of`` gives what the thread calls before each line (None: nothing):
    the frame on its way goes out before it holds the GIL in long pieces."""

    def __init__(self, kind: str, parse: Parse, made: Callable[[], None],
                 pace_of: Callable[[], Callable[[], object] | None] | None = None) -> None:
        self._kind = kind
        self._parse = parse
        self._made = made
        self._pace_of = pace_of
        self._rows: OrderedDict[tuple, Record] = OrderedDict()
        self._asked: deque[tuple[int, tuple]] = deque()  # (own descriptor, key)
        self._pending: set[tuple] = set()
        self._lock = threading.Lock()
        self._working = False
        self.version = 0  # rows made so far: stand-ins drawn before are stale

    def row(self, fd: int, part: int, line: int, offset: int, size: int) -> Record:
        """The row of the line of ``size`` bytes at ``offset`` of ``fd``: made
        if it was, else a stand-in (and the line asked for)."""
        key = (part, line, offset, size)
        with self._lock:
            made = self._rows.get(key)
            if made is not None:
                self._rows.move_to_end(key)
                return made
            if key not in self._pending:
                self._pending.add(key)
                self._asked.append((os.dup(fd), key))
                if not self._working:
                    self._working = True
                    # In the asker's context: ``made`` may need it (an app's).
                    threading.Thread(target=contextvars.copy_context().run, args=(self._work,),
                                     daemon=True, name="reading long lines").start()
        return unread(self._kind, line, offset, size, part)

    def made_row(self, stand_in: UnreadRecord) -> Record | None:
        """The row made for a stand-in since it was given (None: not yet)."""
        with self._lock:
            return self._rows.get((stand_in.part, stand_in.line, stand_in.offset,
                                   stand_in.size))

    def read(self, fd: int, line: int, offset: int, size: int) -> Record:
        """The line's record, read and parsed now, with what its row shows made
        (a line too long to hold: cut, ``cut_lines``)."""
        data = read_line(fd, offset, size)
        record = self._parse([(line, offset, data)])[0]
        # Made here, and kept (``parsing.recent_big``): what drawing the row
        # asks for (the object, the summary; the line's hash, its row's key).
        record.fields  # noqa: B018
        record.summary  # noqa: B018
        if record.raw.__class__ is bytes:
            hash(record.raw)
        return record

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._asked:
                    self._working = False
                    return
                fd, key = self._asked.popleft()
            part, line, offset, size = key
            pace = self._pace_of() if self._pace_of is not None else None
            try:
                if pace is not None:
                    pace()
                record = self.read(fd, line, offset, size)
            except (OSError, IndexError):  # the file went meanwhile: drawn again, asked again
                record = None
            finally:
                os.close(fd)
            with self._lock:
                self._pending.discard(key)
                if record is not None:
                    self._rows[key] = record
                    while len(self._rows) > KEPT:
                        self._rows.popitem(last=False)
                    self.version += 1
            if record is not None:
                self._made()
