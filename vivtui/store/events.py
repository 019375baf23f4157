"""Where sessions' starts and completions are in their file, and when: in
arrays, 25 bytes an event, where an object each (with its numbers) was about
150. A session holds the indices of its two."""

from __future__ import annotations

import math
from array import array
from datetime import UTC, datetime
from typing import NamedTuple

from vivtui.parsing.record import Record
from vivtui.parsing.values import EpochMinutes
from vivtui.store.columns import SEVERITIES, SEVERITY_CODE, or_none

_LINE, _OFFSET, _STAMP, _ZONE, _SEVERITY = map(
    Record._fields.index, ("line", "offset", "stamp", "zone", "severity"))


class Event(NamedTuple):
    """Where a start or completion is, and when: its record is read back on demand."""

    line: int
    offset: int
    ts: float | None
    severity: str

    @property
    def when(self) -> datetime | None:
        return datetime.fromtimestamp(self.ts, UTC) if self.ts is not None else None


class Events:
    """Every start and completion seen."""

    def __init__(self) -> None:
        self._lines = array("q")
        self._offsets = array("q")
        self._times = array("d")  # NaN: no time
        self._severities = bytearray()
        self._minutes = EpochMinutes()

    def __len__(self) -> int:
        return len(self._lines)

    def extend(self, later: Events) -> int:
        """``later``'s events after these (a file read in parts at once,
        ``store.session_parts``); where they start among them."""
        start = len(self._lines)
        for mine, theirs in ((self._lines, later._lines), (self._offsets, later._offsets),
                             (self._times, later._times),
                             (self._severities, later._severities)):
            mine.extend(theirs)
        return start

    def add(self, row: tuple) -> int:
        """A record's (or its plain row's) place and time; its index."""
        when = self._minutes.seconds(row[_STAMP], row[_ZONE])
        self._lines.append(row[_LINE])
        self._offsets.append(row[_OFFSET])
        self._times.append(when if when is not None else math.nan)
        self._severities.append(SEVERITY_CODE.get(row[_SEVERITY], 0))
        return len(self._lines) - 1

    def __getitem__(self, index: int) -> Event:
        return Event(self._lines[index], self._offsets[index], self.time(index),
                     SEVERITIES[self._severities[index]])

    @property
    def times(self) -> array:
        """Every event's time in seconds (NaN: none), by index."""
        return self._times

    def time(self, index: int) -> float | None:
        return or_none(self._times[index])
