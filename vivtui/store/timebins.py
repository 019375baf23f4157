"""The run's rhythm: events and failures per minute of their own times (spend
and tokens per minute are the budget's), and bins of several minutes that fit
a strip of a given width.

Counted a batch at a time: the minute of a stamp as written is its first 16
characters and its zone (what follows the seconds and their fraction), so a
batch's minutes are counted by slicing, and each distinct minute is made a
time once (``EpochMinutes``), not each line's time. A minute's zone is read
from its first and last rows in the batch; where they differ, from each row.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import itemgetter

from vivtui.parsing.record import ERROR, Record
from vivtui.parsing.values import EpochMinutes, zone_written

_STAMP_AT, _ZONE_AT, _SEVERITY_AT, _MALFORMED_AT = map(
    Record._fields.index, ("stamp", "zone", "severity", "malformed"))
_STAMP = itemgetter(_STAMP_AT)
_MINUTE = itemgetter(slice(0, 16))
NICE_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MOST_CHANGES = 10_000  # a table's changes kept for its bins: then taken in, all of them
KEPT_SIZES = 4  # bin sizes a table keeps sums in (a strip's, the status line's, …)


@dataclass(frozen=True, slots=True)
class Bins:
    first: int  # epoch minute the first bin starts at
    size: int  # minutes a bin
    values: list[float]

    def span(self, index: int) -> tuple[int, int]:
        """The epoch minutes bin ``index`` covers, [start, end)."""
        start = self.first + index * self.size
        return start, start + self.size


class MinuteCounts(Counter):
    """Values per epoch minute that keep their sums in bins of each size
    asked for (``binned``) as minutes change: summed afresh, a live big run's
    four tables took 2.5-4.5 ms of each frame, and a live run draws several
    a second (the status line's strip). Other changes than setting a
    minute's value (a part joined on, a file read again) sum them afresh."""

    def __init__(self, *args, **kwargs) -> None:
        self._changes: list[tuple[int, float]] = []  # (minute, by how much) since the bins'
        self._bins: dict[int, list] = {}  # size -> [sums by minute // size, changes taken]
        super().__init__(*args, **kwargs)

    def __setitem__(self, minute: int, value: float) -> None:
        if self._bins:
            self._changes.append((minute, value - self.get(minute, 0)))
        super().__setitem__(minute, value)
        if len(self._changes) > MOST_CHANGES:
            for size in self._bins:
                self._bins_of(size)
            self._changes.clear()
            for kept in self._bins.values():
                kept[1] = 0

    def _summed_afresh(self) -> None:
        self._bins.clear()
        self._changes.clear()

    def update(self, *args, **kwargs) -> None:
        # (Each minute set one by one but into an empty Counter from a
        # mapping: a kernel batch's times counted keep the bins.)
        if not self:
            self._summed_afresh()
        super().update(*args, **kwargs)

    def clear(self) -> None:
        super().clear()
        self._summed_afresh()

    def __delitem__(self, minute: int) -> None:
        super().__delitem__(minute)
        self._summed_afresh()

    def pop(self, *args):
        self._summed_afresh()
        return super().pop(*args)

    def popitem(self):
        self._summed_afresh()
        return super().popitem()

    def setdefault(self, *args):
        self._summed_afresh()
        return super().setdefault(*args)

    def binned(self, first: int, size: int, count: int) -> list[float]:
        """``count`` bins of ``size`` minutes from minute ``first`` (a
        multiple of ``size``), as ``binned`` sums them."""
        sums = self._bins_of(size)
        start = first // size
        return list(map(float, map(sums.get, range(start, start + count), repeat(0))))

    def _bins_of(self, size: int) -> Counter:
        kept = self._bins.get(size)
        if kept is None:
            if len(self._bins) >= KEPT_SIZES:
                del self._bins[next(iter(self._bins))]
            sums: Counter[int] = Counter()
            for minute, value in self.items():
                sums[minute // size] += value
            kept = self._bins[size] = [sums, len(self._changes)]
        sums, taken = kept
        for minute, by in self._changes[taken:]:
            sums[minute // size] += by
        kept[1] = len(self._changes)
        return sums


class TimeBins:
    def __init__(self) -> None:
        self.events: Counter[int] = MinuteCounts()
        self.failures: Counter[int] = MinuteCounts()
        self._minutes = EpochMinutes()

    def add(self, rows: list) -> None:
        """A batch's rows (malformed ones have no time and are not counted)."""
        if not any(map(_STAMP, rows)):  # (a kernel log's backlog: no line has a time)
            return
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
        last = dict(zip(minutes, written))  # the last row of each minute
        first = 0
        for minute, count in Counter(minutes).items():  # (in the order first seen)
            first = minutes.index(minute, first)
            zone, naive_zone = zone_written(stamps[first]), written[first][_ZONE_AT]
            if zone == zone_written(last[minute][_STAMP_AT]):
                self._add(into, minute, zone, naive_zone, count)
                continue
            # Written in two zones, one after the other (the hour a clock falls
            # back writes each of its minutes twice): each row's own zone.
            zones = Counter(zone_written(stamp) for stamp, written_minute
                            in zip(stamps, minutes) if written_minute == minute)
            for zone, count_in_zone in zones.items():
                self._add(into, minute, zone, naive_zone, count_in_zone)

    def _add(self, into: Counter, minute: str, zone: str, naive_zone, count: int) -> None:
        at = self._minutes.of_minute((minute, zone), naive_zone)
        if at is not None:
            into[at] += count


def bin_size(first: int, last: int, width: int) -> int:
    """The smallest usual bin (1, 2, 5, 10, 15, 30 minutes …) that puts the
    run from ``first`` to ``last`` (epoch minutes) in ``width`` bins."""
    needed = math.ceil((last - first + 1) / max(1, width))
    return next((size for size in NICE_MINUTES if size >= needed),
                NICE_MINUTES[-1] * math.ceil(needed / NICE_MINUTES[-1]))


def binned(per_minute: Mapping[int, float], first: int, size: int, count: int) -> Bins:
    if isinstance(per_minute, MinuteCounts):
        return Bins(first, size, per_minute.binned(first, size, count))
    values = [0.0] * count
    for minute, value in per_minute.items():
        index = (minute - first) // size
        if 0 <= index < count:
            values[index] += value
    return Bins(first, size, values)


def extent(*tables: Iterable[int]) -> tuple[int, int] | None:
    """The first and last minute any of the tables has."""
    tables = [table for table in tables if table]
    return (min(map(min, tables)), max(map(max, tables))) if tables else None
