"""The run's rhythm: events and failures per minute of their own times (spend
and tokens per minute are the budget's), and bins of several minutes that fit
a strip of a given width.

Counted a batch at a time: the minute of a stamp as written is its first 16
characters, so a batch's minutes are counted by slicing, and each distinct
minute is made a time once (``EpochMinutes``), not each line's time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from vivtui.parsing.record import ERROR, Record
from vivtui.parsing.values import EpochMinutes

_STAMP_AT, _ZONE_AT, _SEVERITY_AT, _MALFORMED_AT = map(
    Record._fields.index, ("stamp", "zone", "severity", "malformed"))
_MINUTE = itemgetter(slice(0, 16))
_SUFFIX_FROM = 19  # after the seconds: a fraction, then the zone as written
NICE_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)


@dataclass(frozen=True, slots=True)
class Bins:
    first: int  # epoch minute the first bin starts at
    size: int  # minutes a bin
    values: list[float]

    def span(self, index: int) -> tuple[int, int]:
        """The epoch minutes bin ``index`` covers, [start, end)."""
        start = self.first + index * self.size
        return start, start + self.size


class TimeBins:
    def __init__(self) -> None:
        self.events: Counter[int] = Counter()
        self.failures: Counter[int] = Counter()
        self._minutes = EpochMinutes()

    def add(self, rows: list) -> None:
        """A batch's rows (malformed ones have no time and are not counted)."""
        self._count(rows, self.events)
        failed = [row for row in rows if row[_SEVERITY_AT] == ERROR and not row[_MALFORMED_AT]]
        if failed:
            self._count(failed, self.failures)

    def absorb(self, other: TimeBins) -> None:
        self.events.update(other.events)
        self.failures.update(other.failures)

    def forget(self) -> None:
        self.events.clear()
        self.failures.clear()

    def _count(self, rows: list, into: Counter) -> None:
        written = [row for row in rows if row[_STAMP_AT].__class__ is str]
        if len(written) != len(rows):  # times worked out (kernel lines), or none
            into.update(int(row[_STAMP_AT].timestamp() // 60) for row in rows
                        if row[_STAMP_AT].__class__ is datetime)
        if not written:
            return
        stamps = [row[_STAMP_AT] for row in written]
        minutes = list(map(_MINUTE, stamps))
        sample = dict(zip(minutes, written))  # a row of each minute: its zone as written
        for minute, count in Counter(minutes).items():
            row = sample[minute]
            suffix = row[_STAMP_AT][_SUFFIX_FROM:].lstrip(".0123456789")
            at = self._minutes.of_minute((minute, suffix), row[_ZONE_AT])
            if at is not None:
                into[at] += count


def bin_size(first: int, last: int, width: int) -> int:
    """The smallest usual bin (1, 2, 5, 10, 15, 30 minutes …) that puts the
    run from ``first`` to ``last`` (epoch minutes) in ``width`` bins."""
    needed = math.ceil((last - first + 1) / max(1, width))
    return next((size for size in NICE_MINUTES if size >= needed),
                NICE_MINUTES[-1] * math.ceil(needed / NICE_MINUTES[-1]))


def binned(per_minute: Mapping[int, float], first: int, size: int, count: int) -> Bins:
    values = [0.0] * count
    for minute, value in per_minute.items():
        index = (minute - first) // size
        if 0 <= index < count:
            values[index] += value
    return Bins(first, size, values)


def extent(*tables: Iterable[int]) -> tuple[int, int] | None:
    """The first and last minute any of the tables has."""
    keys = [key for table in tables for key in table]
    return (min(keys), max(keys)) if keys else None
