"""What a feed says of its files: each one's state, records and note
(``Feed.status``), and what reading it in another process left (``Reading``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from vivtui.sources.regular import kind_of
from vivtui.sources.snapshot import HALF_WRITTEN, SnapshotReader
from vivtui.sources.tailer import MISSING, LineTailer, Place


@dataclass(slots=True)
class FileStatus:
    name: str
    path: Path
    state: str
    records: int = 0
    malformed: int = 0
    used: bool = True
    note: str = ""
    kind: str = ""  # the feed's file kind: alternatives of one kind count as one file
    unread_copies: int = 0  # rotated copies beside it whose lines were not read
    refused: str = ""  # why what it holds stays unread, as long as it does (a snapshot's)


@dataclass(slots=True)
class Reading:
    """What reading a feed's file left (``Feed.reading``), sent from the
    process that read it."""

    statuses: list[FileStatus]
    records: int
    malformed: int
    place: Place | None = None  # where its complete lines end (a line file's)


def reader_note(reader: LineTailer | SnapshotReader) -> str:
    if isinstance(reader, SnapshotReader):
        return reader.problem or reader.error
    return reader.error


def reader_refusal(reader: LineTailer | SnapshotReader) -> str:
    """Why a file read well is not taken in, until it changes (a snapshot
    that is no JSON array, or holds too many values); "" otherwise, and
    while a rewrite may be caught halfway."""
    if isinstance(reader, SnapshotReader) and reader.problem != HALF_WRITTEN:
        return reader.problem
    return ""


def stat_state(path: Path) -> tuple[str, str]:
    """(state, why it is unreadable)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return MISSING, ""
    except OSError as exc:  # a symlink loop, a path through a file...
        return "unreadable", exc.strerror or str(exc)
    if not stat.S_ISREG(st.st_mode):
        return "unreadable", f"{kind_of(st.st_mode)}, not a regular file: not read"
    if not os.access(path, os.R_OK):
        return "unreadable", "Permission denied"
    return ("ok" if st.st_size else "empty"), ""


def unique_names(statuses: list[FileStatus]) -> list[FileStatus]:
    """One status a name (the same name in the two places a run keeps its
    files): one found over one missing."""
    seen: dict[str, FileStatus] = {}
    for status in statuses:
        if status.name not in seen or (seen[status.name].state == MISSING
                                       and status.state != MISSING):
            seen[status.name] = status
    return list(seen.values())
