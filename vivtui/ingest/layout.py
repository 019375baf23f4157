"""Where a run's files are: a run directory (root or ``vivarium/meta/audit/``)
or one file of any name, as the feeds that follow them."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from vivtui.ingest.feeds import Feed, FileStatus, resolved_target
from vivtui.parsing.kinds import ACTION_JSONL, ACTION_TEXT, SPECS, sniff, spec_for_name
from vivtui.sources.regular import kind_of, open_regular, read_head

AUDIT_SUBDIR = Path("vivarium", "meta", "audit")


LINE_LIMIT = 1 << 20  # what the inspector's raw view reads of one line


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

    def line_at(self, kind: str, offset: int) -> bytes | None:
        """The bytes of the line at ``offset`` of the file ``kind`` is read from
        (up to ``LINE_LIMIT``), as they are in the file now; None when they
        cannot be read (a snapshot's entry, a file gone)."""
        return self.lines_at(kind, [offset])[0]

    def lines_at(self, kind: str, offsets: list[int]) -> list[bytes | None]:
        """``line_at`` for several offsets, the file opened once."""
        feed = next((f for f in self.feeds if f.kind == kind), None)
        choice = feed.current_choice() if feed is not None else None
        if choice is None:
            return [None] * len(offsets)
        try:
            fd = open_regular(choice[1])
        except OSError:
            return [None] * len(offsets)
        try:
            return [_line_from(fd, offset) for offset in offsets]
        finally:
            os.close(fd)


def _line_from(fd: int, offset: int) -> bytes | None:
    if offset < 0:
        return None
    try:
        data = os.pread(fd, LINE_LIMIT, offset)
    except OSError:
        return None
    return data.split(b"\n", 1)[0]


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
        head = _head(path) if st.st_size else b""
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
