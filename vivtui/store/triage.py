"""Moving through a run as a triager does: the next failure in time order across
every pane, and the next row of the same session or task."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Callable, Iterable

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


def only_in_timeline(record: Record | None, listed_kinds: Iterable[str]) -> bool:
    """The timeline repeats the other panes, except for the malformed lines of
    files whose pane lists models (sessions, tasks) rather than lines."""
    return record is not None and record.malformed and record.kind not in listed_kinds


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


def next_position(candidates: list[Position], here: Position,
                  step: int) -> Position | None:
    """The candidate after (``step`` > 0) or before ``here``, wrapping around
    (looked for, not sorted: they may be hundreds of thousands)."""
    if step > 0:
        return min((c for c in candidates if c > here), default=None) or min(
            candidates, default=None)
    return max((c for c in candidates if c < here), default=None) or max(
        candidates, default=None)


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
