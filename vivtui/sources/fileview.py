"""One line file as indexed stretches ("segments"): the newest screen at once,
the history indexed by a worker, appends indexed as they come.

The lines themselves are not kept: a segment is a descriptor and a
``LineIndex``, and lines are read again when someone looks at them. A segment
keeps its own descriptor, so the lines of a file that was rotated away (or
deleted) stay readable; a truncated file's segments are dropped, since what
they indexed is gone.

Changed on one thread only (the monitor's UI thread): ``poll`` and
``attach_history``. A worker that reads lines takes a ``snapshot`` with
descriptors of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from vivtui.sources.lineindex import LineIndex
from vivtui.sources.tailer import TRUNCATED, LineTailer

# Read at once on open, on the UI thread: ~500 lines of the action log, ten
# screens (the rest is indexed by a worker). A megabyte's read, while the
# backlogs' processes read their files from a cold disk, held the UI thread
# 351-460 ms (``benchmarks/loop_lag.py``).
TAIL_BYTES = 128 << 10
READ_BUDGET = 4 << 20  # per poll: a huge append is taken in steps
# Its lines are read again where they are drawn: the view holds none whole,
# only their lengths. A 45 MB line held whole as it came, then joined and
# counted, took the UI thread 250 ms (110 ms at its end).
HELD_LONGEST = 1 << 20
KEPT_SEGMENTS = 16  # rotations remembered; older files are let go


@dataclass(slots=True)
class Segment:
    fd: int
    index: LineIndex
    identity: tuple[int, int]
    first_line: int | None  # number in its file of its first line (from 1); None: not known yet
    serial: int = field(default_factory=count().__next__)  # descriptors are reused; this is not

    def close(self) -> None:
        os.close(self.fd)


# Per segment, for a worker: (its own descriptor, index, line count then, first line number).
Snapshot = list[tuple[int, LineIndex, int, int | None]]


@dataclass(slots=True)
class PendingHistory:
    """The lines before where the view started reading, still to be indexed."""

    segment: Segment
    stop: int  # byte where the segment starts: the history ends there


class FileView:
    def __init__(self, path: Path | str, tail_bytes: int = TAIL_BYTES) -> None:
        self.path = Path(path)
        self.tailer = LineTailer(self.path, budget=READ_BUDGET, tail_bytes=tail_bytes,
                                 longest=HELD_LONGEST)
        self.segments: list[Segment] = []
        self.pending: PendingHistory | None = None
        self.events: list[str] = []
        # Rows put in front of the first row (history) minus rows taken away
        # from the front: a view keeps its cursor on the same line with it.
        self.shift = 0
        self.version = 0  # changes whenever rows or their numbering change
        # The run is over: a last line with no newline is a line (``Tailing.lines_ended``).
        self.lines_ended = False
        self._names: set[str] | None = None

    def __len__(self) -> int:
        return sum(segment.index.count for segment in self.segments)

    def poll(self) -> bool:
        """Index what was appended. True when there is more to read already."""
        chunk = self.tailer.read(final=self.lines_ended)
        if TRUNCATED in chunk.events:
            self._drop_current_file()
        for run in chunk.runs:
            if not self.segments or (run.first_line == 1 and not self._awaits(run.first_offset)):
                self._start_segment(run.first_offset)
            index = self.segments[-1].index
            pieces = run.pieces
            if run.first_length is not None:  # (its piece is cut: ``cut_lines``)
                index.add_line_of(run.first_length)
                pieces = pieces[1:]
            if pieces:
                index.add(b"\n".join(pieces) + b"\n")
        started = not self.segments and self.tailer.started_at > 0
        if started:
            # No line begins in the tail read first (the newest one is longer):
            # the lines before are the history all the same.
            self._start_segment(self.tailer.started_at)
        if chunk.runs or chunk.events or started:
            self.version += 1
        self.events.extend(chunk.events)
        return chunk.more

    def attach_history(self, pending: PendingHistory, history: LineIndex) -> None:
        """The worker indexed the lines before the first segment."""
        if pending is not self.pending:
            return  # the file was truncated meanwhile: that history is void
        self.pending = None
        segment = pending.segment
        at = self.segments.index(segment)
        self.segments.insert(at, Segment(os.dup(segment.fd), history, segment.identity, 1))
        segment.first_line = history.count + 1
        self.shift += history.count
        self.version += 1

    def snapshot(self) -> Snapshot:
        """The segments as they are now, for a worker; it closes the descriptors
        when done."""
        return [(os.dup(s.fd), s.index, s.index.count, s.first_line) for s in self.segments]

    def close(self) -> None:
        for segment in self.segments:
            segment.close()
        self.segments.clear()
        self.tailer.close()

    @property
    def names(self) -> set[str]:
        """The file's name, and its target's when it is a symlink: asked at
        every change notice of the run, worked out again only when another file
        is read under the path (resolving at every notice was a quarter of a
        live run's CPU when the feeds did it)."""
        if self._names is None:
            try:
                self._names = {self.path.name, self.path.resolve().name}
            except OSError:
                return {self.path.name}
        return self._names

    # -- internals --------------------------------------------------------------

    def _awaits(self, offset: int) -> bool:
        """Is the newest segment one begun empty at ``offset`` (no line began
        in the tail read first), whose first line this is?"""
        last = self.segments[-1].index
        return last.count == 0 and last.start == offset

    def _start_segment(self, offset: int) -> None:
        self._names = None  # a new file under the path: its target may be another
        fd = self.tailer.dup_fd()
        if fd is None:
            return
        st = os.fstat(fd)
        numbered = offset == 0
        segment = Segment(fd, LineIndex(offset), (st.st_dev, st.st_ino), 1 if numbered else None)
        self.segments.append(segment)
        if not numbered:
            self.pending = PendingHistory(segment, offset)
        while len(self.segments) > KEPT_SEGMENTS:
            dropped = self.segments.pop(0)
            self.shift -= dropped.index.count
            dropped.close()

    def _drop_current_file(self) -> None:
        """Truncated: the lines indexed in this file are gone."""
        fd = self.tailer.dup_fd()
        if fd is None:
            return
        st = os.fstat(fd)
        os.close(fd)
        current = (st.st_dev, st.st_ino)
        kept = []
        for index, segment in enumerate(self.segments):
            if segment.identity == current:
                if index == len(kept):  # only rows before every kept one shift the view
                    self.shift -= segment.index.count
                segment.close()
            else:
                kept.append(segment)
        self.segments = kept
        if self.pending is not None and self.pending.segment not in kept:
            self.pending = None
