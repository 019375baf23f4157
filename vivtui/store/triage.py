"""Moving through a run as a triager does: the next failure in time order across
every pane, and the next row of the same session or task."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from math import isnan
from operator import attrgetter

from vivtui.parsing.record import Record
from vivtui.store.related import NO_TIME, RelationKey, relation_keys

# Where a row is, to order rows of different panes: (time, pane's rank, row).
# The time in seconds (a big run's e ranks 250k failures: made a datetime
# each, they were half of its first answer).
Position = tuple[float, int, int]
NO_RANK = float("-inf")  # no time: first
LAST_TIME = datetime.max.replace(tzinfo=UTC)

SAME_THREAD_REACH = 20_000  # rows looked at by o/O in a file-backed pane


def identity(record: Record | None) -> tuple | None:
    """The same line, whichever pane or buffer holds it."""
    return _IDENTITY(record) if record is not None else None


def identities(records: Iterable[Record]) -> Iterator[tuple]:
    """``identity`` of each, made in C (a call for each of a live big run's
    15k timeline rows took 10-20 ms of each e)."""
    return map(_IDENTITY, records)


_IDENTITY = attrgetter("kind", "line", "offset")


def malformed_only_in_timeline(kind: str, listed_kinds: Iterable[str]) -> bool:
    """Whether the timeline alone lists a malformed line of ``kind``: it
    repeats the other panes, except for the malformed lines of files whose
    pane lists models (sessions, tasks) rather than lines."""
    return kind not in listed_kinds


def rank_of(ts: datetime | None) -> float:
    """A time as a ``Position``'s."""
    return ts.timestamp() if ts is not None else NO_RANK


def seconds_rank(ts: float | None) -> float:
    """A time in seconds (a model's column) as a ``Position``'s."""
    return ts if ts is not None else NO_RANK


def moment(rank: float) -> datetime:
    """A ``Position``'s time as a time (no time: ``NO_TIME``). A line's time at
    the end of year 9999 comes back a little past it, out of range: the
    last time there is."""
    if rank == NO_RANK:
        return NO_TIME
    try:
        return datetime.fromtimestamp(rank, UTC)
    except (OverflowError, ValueError, OSError):
        return LAST_TIME if rank > 0 else NO_TIME


class TimedRows:
    """A pane's problems as two columns, (time, row) pair by pair, in the
    pane's order; no time (NaN too) as ``NO_RANK``. e/E want one of them,
    the nearest to where the cursor is: found by halving the times sorted
    alone (C's sort of floats; a pane's problems are a few runs in time
    order, sorted in one pass each), then looking for its rows. (Sorted as
    pairs, a live big run's 35k failed sessions took 10-15 ms of each e,
    and every pane's problems move each second.)"""

    __slots__ = ("times", "rows", "_sorted")

    def __init__(self, times: list[float], rows: Sequence[int]) -> None:
        if any(map(isnan, times)):
            times = [NO_RANK if when != when else when for when in times]
        self.times, self.rows = times, rows
        self._sorted: list[float] | None = None

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, int]]) -> TimedRows:
        columns = tuple(zip(*pairs))
        return cls(list(columns[0]), columns[1]) if columns else cls([], ())

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.times, self.rows)

    def nearest(self, when: float, row: float, step: int, skip: int) -> tuple[float, int] | None:
        """The (time, row) nearest after (``step`` > 0) or before (time, then
        row) ``(when, row)``, ``skip``'s row passed over."""
        if self._sorted is None:
            self._sorted = sorted(self.times)
        times = self._sorted
        low, high = bisect_left(times, when), bisect_right(times, when)
        beyond, best = (row.__lt__, min) if step > 0 else (row.__gt__, max)
        at = [found for found in self._rows_at(when, high - low)
              if found != skip and beyond(found)]
        while not at:
            if not 0 <= (high if step > 0 else low - 1) < len(times):
                return None
            when = times[high] if step > 0 else times[low - 1]
            low, high = bisect_left(times, when), bisect_right(times, when)
            at = [found for found in self._rows_at(when, high - low) if found != skip]
        return when, best(at)

    def _rows_at(self, when: float, many: int) -> list[int]:
        """The rows of the ``many`` times equal to ``when`` (found in C)."""
        times, rows, found, where = self.times, self.rows, [], -1
        for _ in range(many):
            where = times.index(when, where + 1)
            found.append(rows[where])
        return found


# A pane's problems for ``next_among``: its rank, its rows with their times,
# and the row not to stop at (the cursor's; -1: none).
Ranked = tuple[int, TimedRows, int]


def next_among(panes: Sequence[Ranked], here: Position, step: int) -> Position | None:
    """The problem after (``step`` > 0) or before ``here`` among every pane's,
    rounding to the first (last) of all, the cursor's row passed over: each
    pane's nearest (``TimedRows.nearest``), where a big run's 70k listed
    afresh and looked through at each e took 95 ms."""
    when, here_rank, row = here
    when = float(when) if when == when else NO_RANK
    found = []
    for rank, ranked, skip in panes:
        # The row that the pane's own compare with ``here`` as at ``when``:
        # beyond every row in a pane ranked before it, before every row in
        # one ranked after it.
        probe = row if rank == here_rank else -1 if rank > here_rank else math.inf
        nearest = ranked.nearest(when, probe, step, skip)
        if nearest is not None:
            found.append((nearest[0], rank, nearest[1]))
    if not found:  # round to the first (last) of all
        end = (NO_RANK, -1) if step > 0 else (math.inf, math.inf)
        found = [(nearest[0], rank, nearest[1]) for rank, ranked, skip in panes
                 if (nearest := ranked.nearest(*end, step, skip)) is not None]
    if not found:
        return None
    return min(found) if step > 0 else max(found)


def next_of_thread(keys: set[RelationKey], record_at: Callable[[int], Record | None],
                   count: int, start: int, step: int, reach: int) -> int | None:
    """The nearest row after (or before) ``start``, within ``reach`` rows, that
    shares a session, task or identity with ``keys``."""
    for distance in range(1, min(count, reach)):
        index = start + step * distance
        if not 0 <= index < count:
            return None
        other = record_at(index)
        if other is not None and not keys.isdisjoint(relation_keys(other)):
            return index
    return None
