"""Moving through a run as a triager does: the next failure in time order across
every pane, and the next row of the same session or task."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from vivtui.parsing.record import Record
from vivtui.store.related import RelationKey, relation_keys

# Where a row is, to order rows of different panes: (time, pane's rank, row).
Position = tuple[datetime, int, int]

SAME_THREAD_REACH = 20_000  # rows looked at by o/O in a file-backed pane


def identity(record: Record | None) -> tuple | None:
    """The same line, whichever pane or buffer holds it."""
    return (record.kind, record.line, record.offset) if record is not None else None


def only_in_timeline(record: Record | None, listed_kinds: Iterable[str]) -> bool:
    """The timeline repeats the other panes, except for the malformed lines of
    files whose pane lists models (sessions, tasks) rather than lines."""
    return record is not None and record.malformed and record.kind not in listed_kinds


def next_position(candidates: Iterable[Position], here: Position,
                  step: int) -> Position | None:
    """The candidate after (``step`` > 0) or before ``here``, wrapping around."""
    ordered = sorted(candidates)
    if not ordered:
        return None
    if step > 0:
        return next((c for c in ordered if c > here), ordered[0])
    return next((c for c in reversed(ordered) if c < here), ordered[-1])


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
