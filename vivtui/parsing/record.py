"""The record every parser produces: one line (or array entry) of one file."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, NamedTuple

ERROR = "error"
WARNING = "warning"
OK = "ok"
INFO = "info"

SEVERITIES = (ERROR, WARNING, OK, INFO)
SEVERITY_RANK = {INFO: 0, OK: 1, WARNING: 2, ERROR: 3}

MALFORMED = "MALFORMED"

# Each kind module registers how its records read as one line. Summaries are
# built on demand: only the rows a person looks at ever need one, and building
# them for every line of a million-line file would halve the ingest rate.
SUMMARIZERS: dict[str, Callable[["Record"], str]] = {}


class Record(NamedTuple):
    """One parsed line; immutable.

    A named tuple rather than a frozen dataclass: building one is several
    times cheaper (a frozen dataclass sets each field through
    ``object.__setattr__``), and a record is built for every line read.

    ``kind`` names the file kind (see ``parsing.kinds``); ``category`` is the
    value users filter by (action_type, event, status, kernel class, ...);
    ``raw`` is the decoded object, or the line's text for text files and for
    malformed lines, whose ``note`` says what is wrong. ``offset`` is the byte
    offset of the line, or -1 for entries of a whole-file JSON array.
    """

    kind: str
    line: int
    offset: int
    ts: datetime | None
    severity: str
    category: str
    raw: Any
    malformed: bool = False
    note: str = ""

    @property
    def fields(self) -> dict:
        """The raw object when it is one, else an empty dict."""
        return self.raw if isinstance(self.raw, dict) else {}

    @property
    def summary(self) -> str:
        """One line of plain (not yet display-safe) text."""
        if self.malformed:
            return f"malformed line ({self.note}): {self.raw}"
        summarize = SUMMARIZERS.get(self.kind)
        if summarize is None:
            return str(self.raw)
        return summarize(self)


def malformed(kind: str, line: int, offset: int, text: str, note: str) -> Record:
    return Record(kind, line, offset, None, ERROR, MALFORMED, text, True, note)


# Building a record as a plain tuple skips the named tuple's Python-level
# __new__: new_record(Record, (kind, line, offset, ts, severity, category, raw,
# malformed, note)). Used on the per-line paths only.
new_record = tuple.__new__
