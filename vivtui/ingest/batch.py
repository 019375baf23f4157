"""What one poll of one feed found: the message from a file's reading to
whoever takes it in (the store, the panes, the alerts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vivtui.parsing.record import Records


@dataclass(slots=True)
class Batch:
    """What one poll of one feed found."""

    kind: str
    records: Records = field(default_factory=Records)
    source: str = ""  # the file's name
    events: list[str] = field(default_factory=list)  # human-readable, names the file
    happened: list[str] = field(default_factory=list)  # the same, as the tailer names them
    reset: bool = False  # the kind's earlier records are void (a rewritten snapshot)
    more: bool = False  # stopped at the read budget
    rows_to_come: int = 0  # about how many more lines the file holds already
    fresh: bool = False  # written while watched: the file grew (or was rewritten) since read
    written: datetime | None = None  # when the file was last written (its mtime), if not fresh
    # The newest lines of a big file, read ahead of the rest (``Feed.preview``).
    preview: bool = False
    # The whole backlog, taken in apart by the reading thread (``ingest.apart``):
    # its store is to be absorbed; the batch has no records of its own.
    apart: Any = None
