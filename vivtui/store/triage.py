"""Moving through a run as a triager does: the next failure in time order across
every pane, and the next row of the same session or task."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

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
    return (record.kind, record.line, record.offset) if record is not None else None


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


class TimedRows(Sequence):
    """(time, row) pairs kept as two columns, the rows in their order: made
    and sorted as tuples, a live big run's 35k failed sessions took 15 ms of
    each e (a pane's problems; ``sorted_ranks``)."""

    __slots__ = ("times", "rows")

    def __init__(self, times: Sequence[float], rows: Sequence[int]) -> None:
        self.times, self.rows = times, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, at: int) -> tuple[float, int]:
        return self.times[at], self.rows[at]

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.times, self.rows)

    def __reversed__(self) -> Iterator[tuple[float, int]]:
        return zip(reversed(self.times), reversed(self.rows))


# A pane's problems for ``next_among``: its rank, its rows' (time, row) sorted,
# and the row not to stop at (the cursor's; -1: none).
Ranked = tuple[int, Sequence[tuple[float, int]], int]


def next_among(panes: Sequence[Ranked], here: Position, step: int) -> Position | None:
    """The problem after (``step`` > 0) or before ``here`` among every pane's,
    rounding to the first (last) of all, the cursor's row passed over:
    found by halving each pane's sorted list, where a big run's 70k listed
    afresh and looked through at each e took 95 ms. (Within a pane, (time,
    row) order is ``Position`` order.)"""
    found = [nearest for rank, ranked, skip in panes
             if (nearest := _nearest(ranked, rank, skip, here, step)) is not None]
    if not found:  # round to the first (last) of all
        found = [end for rank, ranked, skip in panes
                 if (end := _end(ranked, rank, skip, step)) is not None]
    if not found:
        return None
    return min(found) if step > 0 else max(found)


def _nearest(ranked: list[tuple[float, int]], rank: int, skip: int, here: Position,
             step: int) -> Position | None:
    when, here_rank, row = here
    # The (time, row) that the pane's own places compare with ``here`` as:
    # beyond every row at ``when`` in a pane ranked before it, before every
    # row at ``when`` in one ranked after it.
    probe = (when, row if rank == here_rank else -1 if rank > here_rank else math.inf)
    if step > 0:
        at = bisect_right(ranked, probe)
        while at < len(ranked) and ranked[at][1] == skip:
            at += 1
        return (ranked[at][0], rank, ranked[at][1]) if at < len(ranked) else None
    at = bisect_left(ranked, probe) - 1
    while at >= 0 and ranked[at][1] == skip:
        at -= 1
    return (ranked[at][0], rank, ranked[at][1]) if at >= 0 else None


def _end(ranked: list[tuple[float, int]], rank: int, skip: int, step: int) -> Position | None:
    places = ranked if step > 0 else reversed(ranked)
    return next(((when, rank, row) for when, row in places if row != skip), None)


def sorted_ranks(ranked: Iterable[tuple[float, int]]) -> Sequence[tuple[float, int]]:
    """A pane's (time, row) in order, no time (NaN too) first, as ``NO_RANK``.
    Those of ``TimedRows`` (its rows in order: equal times stay by row) are
    sorted by their times alone, and stay columns."""
    if not isinstance(ranked, TimedRows):
        return sorted((when if when == when else NO_RANK, row) for when, row in ranked)
    times = [when if when == when else NO_RANK for when in ranked.times]
    order = sorted(range(len(times)), key=times.__getitem__)
    return TimedRows(list(map(times.__getitem__, order)),
                     list(map(ranked.rows.__getitem__, order)))


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
