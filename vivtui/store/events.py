"""Where sessions' starts and completions are in their file, and when: in
arrays, 25 bytes an event, where an object each (with its numbers) was about
150. A session holds the indices of its two."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from vivtui.parsing.record import Record
from vivtui.parsing.values import EpochMinutes
from vivtui.store.columns import SEVERITIES, SEVERITY_CODE, or_none

_LINE, _OFFSET, _STAMP, _ZONE, _SEVERITY = map(itemgetter, map(
    Record._fields.index, ("line", "offset", "stamp", "zone", "severity")))


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

    def add(self, rows: Sequence[tuple]) -> int:
        """Records' (or their plain rows') places and times, taken a column at
        a time; the first one's index."""
        first = len(self._lines)
        self._lines.extend(map(_LINE, rows))
        self._offsets.extend(map(_OFFSET, rows))
        times = map(self._minutes.seconds, map(_STAMP, rows), map(_ZONE, rows))
        self._times.extend([math.nan if when is None else when for when in times])
        self._severities.extend(map(SEVERITY_CODE.get, map(_SEVERITY, rows), repeat(0)))
        return first

    def __getitem__(self, index: int) -> Event:
        return Event(self._lines[index], self._offsets[index], self.time(index),
                     SEVERITIES[self._severities[index]])

    @property
    def times(self) -> array:
        """Every event's time in seconds (NaN: none), by index."""
        return self._times

    def time(self, index: int) -> float | None:
        return or_none(self._times[index])
