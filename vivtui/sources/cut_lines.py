"""Lines too long to hold: their first megabyte, and a note of how long they are.

A file can hold a "line" of gigabytes: where a crash left the blocks a file
had grown by unwritten (NUL bytes, no newline), or a writer went on at its
old offset after the file was cut under it (``copytruncate``, a ``>``
redirect). Held whole while its end was awaited, a 3 GB run of NUL bytes at
an audit log's end took the monitor to 4 GB of memory, and each process
reading a part of it to 2.6 GB. A line longer than ``LONGEST_LINE`` is kept
as a note of its length, its first ``KEPT_OF_CUT`` bytes and its last
``KEPT_TAIL``: a record that says what it is (a JSON line so cut is
malformed, and says why), where it is, how long it was, and what was
written at its end (after a hole, the writer's next line).
"""

from __future__ import annotations

import errno
import os
import re

LONGEST_LINE = 64 << 20  # bytes: a longer line is cut
# Bytes of a cut line kept: its first, and its last (where the first record
# written after a hole is: glued to it, with no newline between); with the
# note, within a stream's message (NATS: 1 MB unless set otherwise).
KEPT_OF_CUT = 256 << 10
KEPT_TAIL = 64 << 10

_NOTE = "[vivtui: a line of {:.1f} MB, only its first {:.1f} MB and last {:.1f} MB read] "
_NOTE_FOUND = re.compile(rb"\[vivtui: (a line of [0-9.]+ MB, only its first [0-9.]+ MB "
                         rb"and last [0-9.]+ MB read)\] ")
_NOTE_MOST = 100  # bytes: a note is never longer
_BETWEEN = " [\u2026] ".encode()  # where the bytes not kept were


def cut_line(head: bytes | bytearray, tail: bytes | bytearray, length: int,
             kept: tuple[int, int] | None = None) -> bytes:
    """A line of ``length`` bytes that starts with ``head`` and ends with
    ``tail``: the note, its first ``kept[0]`` bytes, its last ``kept[1]``
    (``KEPT_OF_CUT`` and ``KEPT_TAIL`` unless given; the note first: what a
    row or the inspector shows first)."""
    first, last = kept or (KEPT_OF_CUT, KEPT_TAIL)
    head, tail = bytes(head[:first]), bytes(tail[max(0, len(tail) - last):])
    note = _NOTE.format(length / (1 << 20), len(head) / (1 << 20), len(tail) / (1 << 20))
    return b"".join((note.encode(), head, _BETWEEN, tail))


def within(data: bytes, most: int) -> bytes:
    """``data``, or when it is longer than ``most`` bytes, it cut to them:
    a line a stream's message cannot hold (NATS: 1 MB unless set otherwise)."""
    if len(data) <= most:
        return data
    room = max(0, most - _NOTE_MOST - len(_BETWEEN))
    kept = (min(KEPT_OF_CUT, room * 4 // 5), min(KEPT_TAIL, room // 5))
    return cut_line(data, data, len(data), kept)


def too_long(length: int, longest: int | None = None) -> bool:
    return length > (LONGEST_LINE if longest is None else longest)


def read_line(fd: int, offset: int, length: int) -> bytes:
    """The line of ``length`` bytes (without its newline) at ``offset``:
    whole, or cut when it is too long."""
    if too_long(length):
        return cut_line(os.pread(fd, KEPT_OF_CUT, offset),
                        os.pread(fd, KEPT_TAIL, offset + length - KEPT_TAIL), length)
    return os.pread(fd, length, offset)


def cut_note(data: bytes) -> tuple[str, bytes] | None:
    """What a cut line's note says ("a line of 3072.0 MB, only its first 0.2
    MB and last 0.1 MB read") and the bytes kept after it, if ``data`` is
    one (None: a line as the file has it)."""
    if not data.startswith(b"[vivtui: "):
        return None
    found = _NOTE_FOUND.match(data, 0, _NOTE_MOST)
    return (found.group(1).decode(), data[found.end():]) if found is not None else None


def unwritten_from(fd: int, at: int, end: int) -> int:
    """How many bytes from ``at`` on (up to ``end``) are a hole: never
    written, read as NUL bytes, no newline among them (0: data is there, or
    the system cannot tell). A file cut under a writer that went on at its
    offset has a hole as long as the file was: read, 3 GB of it took 11 s
    of CPU."""
    try:
        data_at = os.lseek(fd, at, os.SEEK_DATA)
    except AttributeError:  # (no SEEK_DATA on this system)
        return 0
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # (this file system cannot tell)
            return 0
        data_at = end  # no data past ``at``: a hole to the end
    return max(0, min(data_at, end) - at)


class UnfinishedLine:
    """The line being read, until its newline comes: whole while it is no
    longer than ``LONGEST_LINE``, then its first ``KEPT_OF_CUT`` bytes, its
    last ``KEPT_TAIL`` and its length only (``longest``: a bound of its
    own, for a reader that needs no long line whole)."""

    def __init__(self, longest: int | None = None) -> None:
        self._longest = longest
        self.kept = bytearray()  # the line; once cut, its first bytes
        self.tail = bytearray()  # once cut, its last bytes
        self.dropped = 0  # once cut, its bytes past the first ones

    def __len__(self) -> int:
        return len(self.kept) + self.dropped

    @property
    def longest(self) -> int:
        return LONGEST_LINE if self._longest is None else self._longest

    def __bool__(self) -> bool:
        return bool(self.kept) or self.dropped > 0

    def grow(self, more: bytes) -> None:
        """``more`` of the line. A line longer than a read grows in place:
        joined to each read afresh, a 50 MB line took 400 copies (24 s)."""
        if not self.dropped and len(self.kept) + len(more) <= self.longest:
            self.kept += more
            return
        length = len(self) + len(more)
        if not self.dropped:  # cut now: its first bytes kept, what is past them its tail
            need = KEPT_OF_CUT - len(self.kept)
            if need >= 0:
                self.kept += more[:need]
                more = more[need:]
            else:
                self.tail = bytearray(self.kept[max(KEPT_OF_CUT, len(self.kept) - KEPT_TAIL):])
                del self.kept[KEPT_OF_CUT:]
        self._ends_with(more)
        self.dropped = length - len(self.kept)

    def skip(self, length: int) -> None:
        """``length`` more bytes of a line cut already, not read: a hole,
        NUL bytes."""
        assert self.dropped, "only a cut line's bytes go unread"
        self._ends_with(bytes(min(length, KEPT_TAIL)))
        self.dropped += length

    def _ends_with(self, more: bytes) -> None:
        self.tail += more[-KEPT_TAIL:]
        del self.tail[:-KEPT_TAIL]

    def ended_by(self, last: bytes) -> bytes:
        """The line whole, ``last`` its last bytes (before the newline); the
        buffer is emptied."""
        if not self.dropped and len(self.kept) + len(last) <= self.longest:
            line = b"".join((self.kept, last)) if self.kept else last
        else:
            self.grow(last)
            line = cut_line(self.kept, self.tail, len(self))
        self.clear()
        return line

    def clear(self) -> None:
        self.kept = bytearray()
        self.tail = bytearray()
        self.dropped = 0
