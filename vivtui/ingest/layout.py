"""Where a run's files are: a run directory (root or ``vivarium/meta/audit/``)
or one file of any name, as the feeds that follow them."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import partial
from pathlib import Path

from vivtui.ingest.feeds import Feed, resolved_target
from vivtui.ingest.file_status import FileStatus
from vivtui.ingest.rotated import rotated_copies
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import (
    ACTION_JSONL,
    ACTION_TEXT,
    LINES,
    SPECS,
    FileSpec,
    LineParser,
    sniff,
    spec_for_name,
)
from vivtui.parsing.record import Record, copy_of
from vivtui.sources.cut_lines import UnfinishedLine
from vivtui.sources.lineindex import LOOK_SIZE
from vivtui.sources.regular import kind_of, open_regular, read_head
from vivtui.store.readback import paced

AUDIT_SUBDIR = Path("vivarium", "meta", "audit")


REREAD_BLOCK = 1 << 20  # kept rows read back a block at a time


POLL_UNLISTABLE_S = 1.0


class LayoutError(Exception):
    """The path given cannot be monitored at all (does not exist, unreadable)."""


@dataclass(slots=True)
class RunLayout:
    root: Path
    single_file: bool
    feeds: list[Feed]
    # A directory that may be searched but not listed: its files open by name, but
    # change notices need a listing; it is looked at every POLL_UNLISTABLE_S instead.
    listable: bool = True
    # Files present and not read (the action log's text twin): (records, malformed).
    counted: dict[Path, tuple[int, int]] = field(default_factory=dict)

    @property
    def directories(self) -> list[Path]:
        """What to watch. A symlinked file is written where its target is: the
        link's directory never hears of it (every line then waited for the
        one-second recheck)."""
        if self.single_file:
            return list(dict.fromkeys([self.root.parent, resolved_target(self.root).parent]))
        return [self.root, self.root / AUDIT_SUBDIR]

    def statuses(self) -> list[FileStatus]:
        return [status for feed in self.feeds for status in feed.status()]

    def lines_at(self, kind: str, offsets: list[int],
                 pace: Callable[[], object] | None = None) -> list[bytes | None]:
        """The bytes of the lines at ``offsets`` of the file ``kind`` is read
        from (each whole, or cut if too long: ``cut_lines``), as they are in the file now (None
        where they cannot be read: a snapshot's entry, a file gone), the file
        opened once; ``pace`` called between pieces of the reading (``_lines_from``)."""
        path = self._path_of(kind)
        return _lines_in(path, offsets, pace) if path is not None else [None] * len(offsets)

    def lines_before(self, kind: str,
                     offsets: list[int]) -> Iterator[tuple[str, list[bytes | None]]]:
        """``lines_at`` in each copy a rotation left of the kind's file, newest
        first, with its name."""
        path = self._path_of(kind)
        for copy in rotated_copies(path) if path is not None else ():
            yield copy.name, _lines_in(copy, offsets)

    def line_of(self, record: Record) -> bytes | None:
        """The bytes at a record's place in its file now (``lines_at``): the
        kind's, or the rotated copy it was read back from (``ReadBack.records_at``)."""
        path = self._path_of(record.kind)
        if path is None:
            return None
        if copy := copy_of(record):  # (beside the file)
            path = path.with_name(copy)
        return _lines_in(path, [record.offset])[0]

    def _path_of(self, kind: str) -> Path | None:
        feed = next((f for f in self.feeds if f.kind == kind), None)
        choice = feed.current_choice() if feed is not None else None
        return choice[1] if choice is not None else None


class LineReread:
    """A kind's rows read again from the file its feed reads now, parsed as the
    feed parses them (``store.oldrows.Reread``)."""

    def __init__(self, feed: Feed | None) -> None:
        self.feed = feed

    @classmethod
    def of(cls, layout: RunLayout, kind: str) -> LineReread:
        return cls(next((f for f in layout.feeds if f.kind == kind), None))

    def able(self) -> bool:
        choice = self.feed.current_choice() if self.feed is not None else None
        return choice is not None and choice[0].mode == LINES and not choice[0].assembled

    def rows_at(self, places: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
        if not places or not self.able():
            return {}
        return self._rows_in(*self.feed.current_choice(), places)

    def rows_before(self, places: Sequence[tuple[int, int]]
                    ) -> Iterator[dict[tuple[int, int], tuple]]:
        if not places or not self.able():
            return
        spec, path = self.feed.current_choice()
        for copy in rotated_copies(path):
            yield self._rows_in(spec, copy, places)

    def _rows_in(self, spec: FileSpec, path: Path,
                 places: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
        lines = _lines_in(path, [offset for _, offset in places])
        parser = LineParser(spec, ParseContext(self.feed.zone))
        found = parser.parse([(line, offset, data) for (line, offset), data in zip(places, lines)
                              if data is not None])
        return {(row[1], row[2]): row for row in found.rows}


def rows_between(feed: Feed, first_line: int, first_offset: int,
                 last_offset: int) -> list[tuple]:
    """The rows of ``feed``'s file from line ``first_line`` (at ``first_offset``)
    to the one at ``last_offset``, parsed again (a batch read by another
    process, looked at again: ``alerts.parts``); [] if the file no longer holds them."""
    spec, path = feed.current_choice() or feed.choices[0]
    try:
        fd = open_regular(path)
    except OSError:
        return []
    try:
        last = _lines_from(fd, [last_offset]).get(last_offset)
        data = os.pread(fd, last_offset - first_offset, first_offset) if last is not None else b""
    except OSError:
        return []
    finally:
        os.close(fd)
    if last is None:
        return []
    # ``last_offset`` can be a record's glued after another on its line
    # (``parsing.glued``): its line is read from where the line starts.
    *whole, before = data.split(b"\n")
    lines, at = [], first_offset
    for number, text in enumerate([*whole, before + last], first_line):
        lines.append((number, at, text))
        at += len(text) + 1
    return LineParser(spec, ParseContext(feed.zone)).parse(lines).rows


def read_back_from(layout: RunLayout, store, zone: tzinfo | None) -> None:
    """``store`` (a ``RunStore``) reads what it keeps as places from the
    layout's files: tasks' and sessions' events, kept rows past the newest."""
    for model, kind in ((store.tasks, "tasks"), (store.sessions, "sessions")):
        model.source.read = partial(layout.lines_at, kind)
        model.source.read_before = partial(layout.lines_before, kind)
        model.source.zone = zone
    for kind in store.buffers:
        for buffer in store.kept_rows(kind):
            if buffer.reread is None:  # (a snapshot's entries are kept by its tracker)
                buffer.reread = LineReread.of(layout, kind)


def _lines_in(path: Path, offsets: list[int],
              pace: Callable[[], object] | None = None) -> list[bytes | None]:
    """The lines of ``path`` at ``offsets`` (None: none there), the file opened once."""
    try:
        fd = open_regular(path)
    except OSError:
        return [None] * len(offsets)
    try:
        # A block at a time, in file order (a line each, 1 MB read for it,
        # a big queue's 200k saved took minutes).
        found = _lines_from(fd, sorted({offset for offset in offsets if offset >= 0}), pace)
        return [found.get(offset) for offset in offsets]
    finally:
        os.close(fd)


def _lines_from(fd: int, offsets: list[int],
                pace: Callable[[], object] | None = None) -> dict[int, bytes]:
    """The lines at sorted ``offsets``, read a block at a time: kept rows are
    mostly neighbours in their file. ``pace`` is called every ``PACE_EVERY`` (``paced``)
    (a worker saving 200k sessions read 65k lines at a go, 0.1 s, while the
    frame of a key pressed meanwhile waited its turns at the GIL)."""
    out: dict[int, bytes] = {}
    start, block = -1, b""
    # One row looked at reads little; a walk over thousands, a megabyte at a time.
    size = REREAD_BLOCK if len(offsets) > 16 else 1 << 16
    for offset in paced(offsets, pace):
        at = offset - start
        end = block.find(b"\n", at) if 0 <= at < len(block) else -1
        if end < 0:
            try:
                start, block = offset, os.pread(fd, size, offset)
            except OSError:
                continue
            at, end = 0, block.find(b"\n")
            if end < 0:
                if len(block) == size:
                    line = _line_from(fd, offset)  # a line longer than a block
                    if line is not None:
                        out[offset] = line
                    continue
                end = len(block)  # the last line, not yet ended
        out[offset] = block[at:end]
    return out


def _line_from(fd: int, offset: int) -> bytes | None:
    """The line at ``offset``, read in growing blocks to its end: whole, or
    cut if it is too long (``cut_lines``)."""
    if offset < 0:
        return None
    line = UnfinishedLine()
    at, size = offset, REREAD_BLOCK
    while True:
        try:
            data = os.pread(fd, size, at)
        except OSError:
            return None
        end = data.find(b"\n")
        if end >= 0:
            return line.ended_by(data[:end])
        line.grow(data)
        if len(data) < size:  # the last line, not yet ended
            return line.ended_by(b"")
        at, size = at + len(data), min(size * 2, LOOK_SIZE)


def discover(path: Path | str, zone: tzinfo | None = None) -> RunLayout:
    """The feeds for a run directory, or for one file of any name."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise LayoutError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise LayoutError(f"{path}: {exc.strerror or exc}") from None
    if path.is_dir():
        # Search permission is enough to open the run's files by their names.
        if not os.access(path, os.X_OK):
            raise LayoutError(f"{path}: permission denied (cannot open files in it)")
        return RunLayout(path, False, _run_feeds(path, zone), os.access(path, os.R_OK))
    if not stat.S_ISREG(st.st_mode):
        raise LayoutError(f"{path}: {kind_of(st.st_mode)}, not a regular file: not read")
    if not os.access(path, os.R_OK):
        raise LayoutError(f"{path}: permission denied")
    spec = spec_for_name(path.name)
    if spec is None:
        try:
            head = _head(path) if st.st_size else b""
        except OSError as exc:  # UTF-16 (``NotUtf8``), or gone meanwhile
            raise LayoutError(f"{path}: {exc.strerror or exc}") from None
        if b"\0" in head:
            raise LayoutError(f"{path}: binary data (NUL bytes), not a Vivarium run file")
        # An empty file of an unknown name is most likely an action log being started.
        spec = sniff(head) if head else ACTION_JSONL
    return RunLayout(path, True, [Feed([(spec, path)], zone)])


def _run_feeds(root: Path, zone: tzinfo | None) -> list[Feed]:
    """Newer runs write under vivarium/meta/audit/, older ones at the root."""
    places = (root / AUDIT_SUBDIR, root)
    feeds = []
    for spec in SPECS:
        if spec is ACTION_TEXT:
            continue  # an alternative of the action log, below
        choices = [(spec, place / spec.name) for place in places]
        if spec is ACTION_JSONL:
            choices += [(ACTION_TEXT, place / ACTION_TEXT.name) for place in places]
        feeds.append(Feed(choices, zone))
    return feeds


def _head(path: Path, size: int = 16384) -> bytes:
    return read_head(path, size)
