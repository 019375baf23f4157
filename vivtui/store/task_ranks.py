"""The queue's tasks at a severity as e/E rank them: read from their
tracker's columns, and found as the run of rows the triage order puts them
in where it does (``TaskTracker.triage_order``: failures, then warnings)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, count

from vivtui.parsing.record import ERROR, WARNING
from vivtui.store.columns import SEVERITY_CODE, numbers_of
from vivtui.store.tasks import Task
from vivtui.store.triage import TimedRows


def timed_at_severity(tasks: Sequence[Task], severity: str) -> Iterable[tuple[float, int]]:
    """The places in ``tasks`` of those of ``severity``, with their times
    (``Task.ts``; -inf: none), read from their tracker's columns (e/E rank
    every row of the queue). (The handles of one list are of one tracker,
    and are their places in its columns.)"""
    code = SEVERITY_CODE.get(severity)
    if not tasks or code is None:
        return iter(())
    tracker = tasks[0].tracker
    numbers = numbers_of(tasks)
    places = _block_at(tracker._severities, numbers, code)
    if places is None:
        # The rows of ``severity`` picked in C (200k tasks one by one in
        # Python: 50-340 ms of a big run's first e).
        severities = tracker._severities
        places = list(compress(count(), map(code.__eq__, map(severities.__getitem__, numbers))))
    times = map(tracker._times.__getitem__, map(numbers.__getitem__, places))
    return TimedRows(list(times), places)


def _block_at(severities: bytearray, numbers: Sequence[int], code: int) -> range | None:
    """Where the tasks of severity ``code`` are in ``numbers`` when they are
    the triage order's (failures, then warnings, first): a run of rows, found
    by looking at it alone (the walk of a live run's 200k rows to find its
    20k failures took 20 ms of each e). None: they are not such a run (the
    rows filtered, or ordered otherwise)."""
    if code == SEVERITY_CODE[ERROR]:
        start = 0
    elif code == SEVERITY_CODE[WARNING]:
        start = severities.count(SEVERITY_CODE[ERROR])
    else:
        return None
    block = range(start, start + severities.count(code))
    # Every task of the severity is in these rows when each of them is of it.
    if block.stop <= len(numbers) and all(map(code.__eq__, map(
            severities.__getitem__, map(numbers.__getitem__, block)))):
        return block
    return None
