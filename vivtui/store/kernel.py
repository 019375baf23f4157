"""kernel_run.log lines by class, and its waves."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from operator import itemgetter

from vivtui.parsing.kernel import lines_holding, wave_number
from vivtui.parsing.record import Record, rows_of

_CATEGORY = itemgetter(Record._fields.index("category"))
_RAW = itemgetter(Record._fields.index("raw"))
_STAMP_AT = Record._fields.index("stamp")


class KernelTracker:
    def __init__(self) -> None:
        self.lines = 0
        self.by_class: Counter = Counter()
        self.waves: list[int] = []
        self.wave_starts = 0  # "[WAVE N] Starting" lines: a restarted kernel repeats N
        # When each wave began, where its line has a time (kernel output has none of
        # its own: lines read while watched take their read time).
        self.wave_times: dict[int, datetime] = {}
        self.version = 0

    def apply(self, records) -> None:
        """A batch at a time: wave lines are found in C first (two regex calls
        a line were most of the UI thread's time on a big file)."""
        rows = rows_of(records)
        if not rows:
            return
        self.lines += len(rows)
        self.by_class.update(map(_CATEGORY, rows))
        lines = list(map(str, map(_RAW, rows)))
        for at in lines_holding(lines, "[WAVE "):
            wave = wave_number(lines[at])
            if wave is None:
                continue
            if not self.waves or self.waves[-1] != wave:
                self.waves.append(wave)
            when = rows[at][_STAMP_AT]
            if when.__class__ is datetime and wave not in self.wave_times:
                self.wave_times[wave] = when
            if "Starting" in lines[at]:
                self.wave_starts += 1
        self.version += 1
