"""Follow one append-only file and hand out only complete lines.

The tailer remembers (device, inode, offset, unfinished last line). Each
``read`` notices what happened to the file since the last one: created,
truncated (starts over), rotated (finishes the old file, then follows the new
one), deleted (finishes what is left, then waits for it to come back).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate, chain, count, islice
from pathlib import Path
from time import monotonic
from typing import Iterator, NamedTuple

from vivtui.sources.cut_lines import UnfinishedLine, too_long, unwritten_from
from vivtui.sources.regular import NOT_UTF8, open_regular, read_size, says_wide

MISSING = "missing"
EMPTY = "empty"
OK = "ok"
UNREADABLE = "unreadable"

CREATED = "created"
TRUNCATED = "truncated"
ROTATED = "rotated"
DELETED = "deleted"
# Deleted, then there again: the same file (its inode and the bytes read), moved
# away and back. Read on from where it was: read again from its start, a run
# directory moved away and back counted every line twice.
RETURNED = "back (the same file: read on from where it was)"

_PLUS_ONE = (1).__add__  # a C callable: no Python frame per line

Line = tuple[int, int, bytes]  # (line number from 1, byte offset, content without newline)


@dataclass(slots=True)
class LineRun:
    """Consecutive complete lines of one file, kept as two parallel lists
    rather than a tuple per line: iterating zips them without allocating.
    ``first_length``: the first line's length in the file when it was too
    long to hold (``cut_lines``: its piece is its first bytes and a note);
    ``longest``: no piece is longer (0: not known)."""

    first_line: int
    first_offset: int
    pieces: list[bytes]
    first_length: int | None = None
    longest: int = 0  # no line of it is longer (a bound: the read's size, known for free)

    def __iter__(self) -> Iterator[Line]:
        # Offsets and numbering computed in C as the run is walked (accumulate
        # also yields the offset past the last line; zip stops before it).
        lengths = map(len, self.pieces)
        if self.first_length is not None:
            lengths = chain((self.first_length,), islice(lengths, 1, None))
        offsets = accumulate(map(_PLUS_ONE, lengths), initial=self.first_offset)
        return zip(count(self.first_line), offsets, self.pieces)

    def __len__(self) -> int:
        return len(self.pieces)


@dataclass(slots=True)
class Chunk:
    """What one read found. Blank lines are included (they keep the numbering
    contiguous); parsers skip them."""

    runs: list[LineRun] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    more: bool = False  # stopped at the read budget: call again for the rest

    def __iter__(self) -> Iterator[Line]:
        return chain.from_iterable(self.runs)

    def __len__(self) -> int:
        return sum(len(run) for run in self.runs)

    @property
    def longest(self) -> int:
        """No line of it is longer (the bound its runs know: a parser that
        looks for long lines need not look at each)."""
        return max((run.longest or max(map(len, run.pieces), default=0) for run in self.runs),
                   default=0)

    @property
    def lines(self) -> list[Line]:
        """The non-blank lines as (line number, offset, bytes) tuples."""
        return [line for line in self if not is_blank(line[2])]


def is_blank(piece: bytes) -> bool:
    return not piece or piece.isspace()


class Place(NamedTuple):
    """How far a tailer got: the end of its last complete line, that line's
    number, and the bytes it knows the file by (see ``_remember_prints``)."""

    offset: int
    line_no: int
    prints: tuple[bytes, bytes]


ROTATION_GRACE_S = 1.0
PRINT_BYTES = 64


class LineTailer:
    def __init__(self, path: Path | str, *, budget: int = 8 << 20,
                 tail_bytes: int | None = None, limit: int | None = None,
                 longest: int | None = None) -> None:
        """``limit``: no byte past it is read (a part of the file, read by
        another process: ``ingest.apart_process``); ``longest``: a longer
        line is cut (None: ``cut_lines.LONGEST_LINE``)."""
        self.path = Path(path)
        self.budget = budget
        self.limit = limit
        self.state = MISSING
        self.error = ""
        self.offset = 0  # file position just past the last byte consumed
        self.line_no = 0  # complete lines handed out (blank ones included)
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._unfinished = UnfinishedLine(longest)  # the last line, until its newline comes
        self._ever_missing = False
        self._tail_bytes = tail_bytes
        self.started_at = 0  # where the first read began (tail_bytes: a line start)
        self._prints: tuple[bytes, bytes] = (b"", b"")  # see _remember_prints
        self._grace_until: float | None = None  # see _check_identity
        # The file's identity, place and start when it was last seen deleted (``_back``).
        self._left: tuple[tuple[int, int] | None, Place, int] | None = None

    # -- public -----------------------------------------------------------------

    def read(self, final: bool = False) -> Chunk:
        """What is new since the last call.

        ``final`` treats an unterminated last line as complete (one-shot reads).
        """
        chunk = Chunk()
        if self._fd is not None:
            self._check_identity(chunk)
        if self._fd is None:
            self._open(chunk)
        if self._fd is not None:
            self._read_new(chunk, final)
        return chunk

    def resume_at(self, offset: int, line_no: int) -> None:
        """Before the first read: start at ``offset``, after line ``line_no``
        (where someone else stopped reading this file: ``stream.ship``)."""
        self.offset = self.started_at = offset
        self.line_no = line_no

    def took_over(self, place: Place) -> None:
        """The file was read up to ``place`` by someone else (through this
        tailer's open descriptor): go on from there, and know the file again
        by the bytes they read."""
        self.offset, self.line_no, self._prints = place
        self._unfinished.clear()

    def place(self) -> Place:
        """Where the complete lines read so far end (for ``took_over``)."""
        return Place(self._consumed(), self.line_no, self._prints)

    def open_now(self) -> int | None:
        """The file opened now, if it is not yet: its descriptor (None: it cannot be)."""
        if self._fd is None:
            self._open(Chunk())
            if self._fd is not None:  # read by someone else from now: it is there
                self.state = OK if os.fstat(self._fd).st_size else EMPTY
        return self._fd

    @property
    def identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file followed now."""
        return self._identity

    def written(self) -> datetime | None:
        """When the file followed was last written (its mtime; None: not open)."""
        if self._fd is None:
            return None
        return datetime.fromtimestamp(os.fstat(self._fd).st_mtime, UTC)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def partial(self) -> bytes:
        """What is kept of the unfinished last line (its first bytes, if it is too long)."""
        return bytes(self._unfinished.kept)

    @property
    def unfinished_length(self) -> int:
        """The bytes of the unfinished last line read so far."""
        return len(self._unfinished)

    def _consumed(self) -> int:
        """Where the complete lines read so far end."""
        return self.offset - len(self._unfinished)

    # -- what happened to the file ---------------------------------------------

    def _check_identity(self, chunk: Chunk) -> None:
        assert self._fd is not None
        try:
            st = os.stat(self.path)
            now = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            now = None
        except OSError:
            return  # a passing error on stat: try again next time
        if now == self._identity:
            self._check_truncation(chunk)
            return
        # Replaced or gone: what the old file still holds is read to its end
        # first. A line half-written before the rename may still be finished on
        # the writer's descriptor: the old file is read again until it is, for
        # up to ROTATION_GRACE_S, before its unfinished line counts as complete.
        self._read_new(chunk, final=False, unbounded=True)
        if self._unfinished:
            if self._grace_until is None:
                self._grace_until = monotonic() + ROTATION_GRACE_S
            if monotonic() < self._grace_until:
                return
            self._emit_unfinished(chunk)
        self._grace_until = None
        self.close()
        chunk.events.append(ROTATED if now is not None else DELETED)
        if now is None:
            self.state = MISSING
            self._ever_missing = True
            self._left = (self._identity, self.place(), self.started_at)
        self._reset_position()

    def _check_truncation(self, chunk: Chunk) -> None:
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        shrunk = size < self.offset
        # Cut and refilled past our offset between two looks (copytruncate and a
        # fast writer): the bytes we read last, and the file's first bytes, must
        # still be there. (The newline before our offset alone was fooled by
        # lines of equal length: 10 of 15 lost.)
        if shrunk or not self._same_bytes():
            if self.limit is not None:
                # A part's reading ends here: the lines it had are the file's
                # no more. Whoever goes on from its place finds the file cut
                # and starts over once (a part that started over read the new
                # lines too, and each part said the file was cut).
                self.limit = self.offset
                return
            chunk.events.append(TRUNCATED)
            self._reset_position()

    def _same_bytes(self) -> bool:
        fd = self._fd
        consumed = self._consumed()
        head, tail = self._prints
        if head and os.pread(fd, len(head), self.started_at) != head:
            return False
        return not tail or os.pread(fd, len(tail), consumed - len(tail)) == tail

    def _remember_prints(self) -> None:
        """The file's first bytes and the last ones read, to know it again."""
        consumed = self._consumed()
        head = self._prints[0]
        if len(head) < PRINT_BYTES and consumed > self.started_at:
            head = os.pread(self._fd, min(PRINT_BYTES, consumed - self.started_at),
                            self.started_at)
        size = min(PRINT_BYTES, consumed - self.started_at)
        tail = os.pread(self._fd, size, consumed - size) if size > 0 else b""
        self._prints = (head, tail)

    def _reset_position(self) -> None:
        self.offset = 0
        self.line_no = 0
        self._unfinished.clear()
        self._prints = (b"", b"")
        self.started_at = 0

    def _open(self, chunk: Chunk) -> None:
        try:
            fd = open_regular(self.path)
        except FileNotFoundError:
            self.state = MISSING
            self._ever_missing = True
            return
        except OSError as exc:
            self.state = UNREADABLE
            self.error = exc.strerror or str(exc)
            return
        st = os.fstat(fd)
        self._fd = fd
        self._identity = (st.st_dev, st.st_ino)
        self.error = ""
        if self._back():
            chunk.events.append(RETURNED)
            return
        if self._ever_missing:
            chunk.events.append(CREATED)
        if self._tail_bytes is not None:
            self._start_near_end(st.st_size, self._tail_bytes)
            self._tail_bytes = None

    def _back(self) -> bool:
        """Is the file just opened the one last seen deleted (its inode, and the
        bytes read of it: an inode is soon given to a new file)? Then this
        tailer goes on from where it was in it."""
        left, self._left = self._left, None
        if left is None or left[0] != self._identity:
            return False
        _, place, started_at = left
        self.took_over(place)
        self.started_at = started_at
        if os.fstat(self._fd).st_size >= self.offset and self._same_bytes():
            return True
        self._reset_position()
        return False

    def _start_near_end(self, size: int, tail_bytes: int) -> None:
        """Start at the first line that begins in the last ``tail_bytes``: the
        newest screen first; what is before is someone else's to read."""
        assert self._fd is not None
        start = max(0, size - tail_bytes)
        if start:
            cut = os.pread(self._fd, min(size - start, 1 << 20), start - 1).find(b"\n")
            # None begins there: the line still being written does, before.
            # (Started at the end, its rest was read as a line once it ended.)
            start = start + cut if cut >= 0 else line_start_before(self._fd, start)
        self.offset = self.started_at = start

    def dup_fd(self) -> int | None:
        """A descriptor of the file now followed, for reading it after rotation."""
        return os.dup(self._fd) if self._fd is not None else None

    # -- reading ----------------------------------------------------------------

    def _read_new(self, chunk: Chunk, final: bool, unbounded: bool = False) -> None:
        assert self._fd is not None
        budget = self.budget
        data_read = False
        try:
            end = os.fstat(self._fd).st_size
        except OSError:
            end = 0
        limit = self.limit
        while True:
            if self._unfinished.dropped:  # (cut already: a hole in it is not read)
                self._skip_hole(end if limit is None else min(end, limit))
            want = read_size(end, self.offset)
            if limit is not None:
                want = min(want, limit - self.offset)
                if want <= 0:
                    break
            try:
                data = os.pread(self._fd, min(want, 4 << 20) if unbounded
                                else min(want, budget, 4 << 20), self.offset)
            except OSError as exc:
                self.state = UNREADABLE
                self.error = exc.strerror or str(exc)
                return
            if not data:
                break
            if self.offset == 0 and says_wide(data):  # (opened while it was empty)
                self.close()
                self.state, self.error = UNREADABLE, NOT_UTF8
                return
            data_read = True
            self.offset += len(data)
            budget -= len(data)
            self._split(data, chunk)
            if budget <= 0 and not unbounded:
                chunk.more = True
                break
        if data_read:
            self._remember_prints()
        if final and self._unfinished and not chunk.more:
            # Only at the real end: a line longer than the read budget is not
            # cut into pieces by a one-shot read that stopped in its middle.
            self._emit_unfinished(chunk)
            self._remember_prints()  # (the bytes read last end with it now: a look
            # after a final read took the file for one cut under it)
        self.state = OK if self.offset > 0 else EMPTY

    def _skip_hole(self, end: int) -> None:
        skipped = unwritten_from(self._fd, self.offset, end)
        if skipped:
            self._unfinished.skip(skipped)
            self.offset += skipped

    def _split(self, data: bytes, chunk: Chunk) -> None:
        start = self.offset - len(data) - len(self._unfinished)
        pieces = data.split(b"\n")
        rest = pieces.pop()  # after the last newline: not a line yet
        if pieces:
            length = len(self._unfinished) + len(pieces[0])
            pieces[0] = self._unfinished.ended_by(pieces[0])
            chunk.runs.append(LineRun(self.line_no + 1, start, pieces, self._if_cut(length),
                                      max(len(pieces[0]), len(data))))
            self.line_no += len(pieces)
        self._unfinished.grow(rest)

    def _if_cut(self, length: int) -> int | None:
        """A line's length, when it is too long to hold (``LineRun.first_length``)."""
        return length if too_long(length, self._unfinished.longest) else None

    def _emit_unfinished(self, chunk: Chunk) -> None:
        """The unfinished last line, taken as complete."""
        offset, length = self._consumed(), len(self._unfinished)
        self.line_no += 1
        last = self._unfinished.ended_by(b"")
        chunk.runs.append(LineRun(self.line_no, offset, [last], self._if_cut(length), len(last)))


def line_start_before(fd: int, at: int, piece: int = 1 << 20) -> int:
    """Where the line that byte ``at`` is in starts (looked for backwards a
    piece at a time; a piece that is all hole, ``unwritten_from``, not read)."""
    end = at
    while end > 0:
        begin = max(0, end - piece)
        if unwritten_from(fd, begin, end) == end - begin:
            end = begin
            continue
        found = os.pread(fd, end - begin, begin).rfind(b"\n")
        if found >= 0:
            return begin + found + 1
        end = begin
    return 0
