"""The execution queue: each task's latest status, and where its history is.

A big queue has hundreds of thousands of tasks: a task keeps what the queue
shows (its status, time, and the newest worker, model, budget and error any
of its events gave) and where its events are in the file; its events (the
latest one's whole object, the history) are read back from the file when
looked at. A few hundred bytes a task, where keeping every event's decoded
object was 4.7 KB.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from heapq import nlargest
from itertools import compress, count

from vivtui.parsing.execution import KIND, parse, status_severity
from vivtui.parsing.record import (
    ERROR,
    WARNING,
    Record,
    make,
    new_record,
    rows_of,
)
from vivtui.parsing.values import EpochMinutes, number, text
from vivtui.store.columns import (
    SEVERITIES,
    SEVERITY_CODE,
    BoundTracker,
    Handle,
    HandleMap,
    Handles,
    Kept,
    NumberColumn,
    entries_of,
    entry_of,
    or_none,
)
from vivtui.store.kept_order import KeptOrder
from vivtui.store.readback import Interner, Pace, ReadBack
from vivtui.store.session_order import KeepsOrder

# The fields a task row shows, carried from older events when the latest lacks them.
CARRIED = ("worker_id", "model", "budget_used", "errors")
_MALFORMED, _RAW, _STAMP, _ZONE, _SEVERITY, _CATEGORY = map(
    Record._fields.index, ("malformed", "raw", "stamp", "zone", "severity", "category"))
_RANK = {ERROR: 0, WARNING: 1}  # failures, then warnings (requeued), then the rest
_NO_EVENT = -1  # a task's latest event before it has any


class Task(Handle):
    """A handle on task ``at`` of its tracker, which keeps what the task
    keeps in columns: a task costs its place in them (about 220 bytes with
    its id, where an object holding its fields, an array of its offsets and
    a tuple of its carried values was about 500)."""

    __slots__ = ()
    tracker: TaskTracker

    task_id = entry_of("_ids")
    status = entry_of("_statuses")
    order = entry_of("_orders", "The triage order's key (see ``TaskTracker.triage_order``).")
    events = entry_of("_counts")

    @property
    def severity(self) -> str:
        return SEVERITIES[self.tracker._severities[self.at]]

    @property
    def ts(self) -> float | None:
        """The latest event's time, seconds since the epoch."""
        return or_none(self.tracker._times[self.at])

    line = entry_of("_lines", "The latest event's line number.")

    @property
    def offset(self) -> int:
        """Where the latest event starts in the file."""
        return self.tracker._event_offsets[self.tracker._latest[self.at]]

    carried = entries_of("_carried", "The newest non-empty value of each of ``CARRIED``.")

    @property
    def when(self) -> datetime | None:
        ts = self.ts
        return datetime.fromtimestamp(ts, UTC) if ts is not None else None

    @property
    def shown(self) -> Record:
        """The latest event as the row shows it (no object: nothing read)."""
        return make(KIND, self.line, self.offset, self.when, None, self.severity, self.status,
                    None)

    @property
    def latest(self) -> Record:
        """The latest event, its object read back from the file; when the file
        no longer holds it, what the task kept of it."""
        record = self.tracker.latest_of(self)
        return record if record is not None else self.brief

    @property
    def brief(self) -> Record:
        """The latest event as far as the task kept it: read from no file, for
        walks over every task."""
        kept = {"task_id": self.task_id, "status": self.status}
        kept.update((name, value) for name, value in zip(CARRIED, self.carried)
                    if value is not None)
        return self.shown._replace(raw=kept)

    @property
    def failed(self) -> bool:
        return self.tracker._severities[self.at] == SEVERITY_CODE[ERROR]

    def last(self, name: str) -> object:
        """The newest non-empty value of a field across the history (of those
        a row shows: ``CARRIED``; others from the latest event)."""
        if name in CARRIED:
            return self.tracker._carried[CARRIED.index(name)][self.at]
        value = self.latest.fields.get(name)
        return None if value == "" else value

    @property
    def error(self) -> str:
        return text(self.last("errors"))

    @property
    def budget_used(self) -> float | None:
        return number(self.last("budget_used"))


class TaskTracker(KeepsOrder, BoundTracker):
    """Tasks in columns, one entry each per task (``Task.at``), and every
    event's place in arrays, each event linked to the task's one before."""

    BOUND = ("_task", "tasks")

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # task id -> its number in the columns
        self._bind()
        self.counts: Counter = Counter()  # tasks by latest status, kept as events come
        self.source = ReadBack(parse)  # the queue file, for the events looked at
        self.version = 0
        self._intern = Interner(100_000)  # workers, models and errors repeat
        self._ids: list[str] = []
        self._status_names: dict[str, str] = {}
        self._statuses: list[str | None] = []  # (None: only within its first batch)
        self._severities = bytearray()  # index in SEVERITIES
        self._times = array("d")  # NaN: no time
        # Failures, then warnings (requeued), then the rest; newest first: one
        # float, so that ordering 200k tasks calls no Python code per task.
        self._orders = array("d")
        self._order = KeptOrder()
        self._changed: list[int] | None = []  # whose order changed since its last look
        self._latest = array("q")  # its latest event, in the event arrays
        self._lines = array("q")  # its latest event's line (the history is read by offset)
        self._counts = array("q")  # its events
        self._carried: tuple = tuple(NumberColumn() if name == "budget_used" else []
                                     for name in CARRIED)
        self._event_offsets = array("q")
        # How many events back the task's event before this one is (0: none):
        # relative, so that a part read apart joins on as it is (``followed_by``).
        self._event_before = array("q")
        self._minutes = EpochMinutes()

    def _bind(self) -> None:
        self._task = Task.bound(self)
        self.tasks = HandleMap(self._task, self._numbers)

    def apply(self, records: Iterable) -> None:
        """Each event taken in. This runs for every line of a queue, so the
        per-event work is written out here against names bound once a batch
        (as a method per event, with its attribute lookups, it was half
        again as many instructions); what a task's row shows is its newest
        event's, taken once a batch (``_shown_as``)."""
        rows = rows_of(records)
        numbers, new = self._numbers, self._new
        latest, events = self._latest, self._counts
        newest: dict[int, tuple] = {}  # each task's newest row in the batch
        carried = tuple(zip(self._carried, CARRIED))
        keep = self._intern.keeper(len(rows) * len(CARRIED))
        offsets, add_offset, add_before = (self._event_offsets, self._event_offsets.append,
                                           self._event_before.append)
        for row in rows:
            if row[_MALFORMED]:
                continue
            fields = row[_RAW]
            if fields.__class__ is not dict:
                fields = new_record(Record, row).fields
            task_id = fields.get("task_id")
            task_id = (task_id if task_id.__class__ is str else text(task_id)) or "?"
            at = numbers.get(task_id)
            if at is None:
                at = numbers[task_id] = new(task_id)
            newest[at] = row
            event, before = len(offsets), latest[at]
            add_offset(row[2])
            add_before(event - before if before != _NO_EVENT else 0)
            latest[at] = event
            events[at] += 1
            for column, name in carried:
                value = fields.get(name)
                if value.__class__ is str:
                    if value:
                        column[at] = keep(value, value)
                elif value is not None:
                    column[at] = value
        self._shown_as(newest)
        if rows:
            self.version += 1

    def _shown_as(self, newest: dict[int, tuple]) -> None:
        """What the queue shows of each task from its newest row, once a
        batch (a task's events come close together: its time parsed once,
        not for each of them)."""
        counts, statuses, status_names = self.counts, self._statuses, self._status_names
        severities, severity_code, rank = self._severities, SEVERITY_CODE.get, _RANK.get
        times, orders, seconds = self._times, self._orders, self._minutes.seconds
        lines = self._lines
        for at, row in newest.items():
            was = statuses[at]
            if was is not None:
                counts[was] -= 1
            # One copy of each status: each line's own was kept with its task (200k: 11 MB).
            status = statuses[at] = status_names.setdefault(row[_CATEGORY], row[_CATEGORY])
            counts[status] += 1
            severity = row[_SEVERITY]
            severities[at] = severity_code(severity, 0)
            ts = seconds(row[_STAMP], row[_ZONE])
            times[at] = ts if ts is not None else math.nan
            orders[at] = rank(severity, 2) * 1e11 - (ts or 0.0)
            lines[at] = row[1]
        self._moved(newest)

    def can_follow(self, later: TaskTracker) -> bool:
        """A task's events join on wherever the cut falls."""
        return True

    def followed_by(self, later: TaskTracker) -> None:
        """``later``'s events after these: the rest of the queue file, read by
        another process (``ingest.apart_parts``). A task in both goes on from
        where it was here: the latest of its events is ``later``'s, its
        history links its first event there to its last one here. (The
        tasks only ``later`` knows, most of them, are taken over column by
        column: one at a time, a big queue's took 0.3 s.)"""
        shift = len(self._event_offsets)
        self._event_offsets.extend(later._event_offsets)
        self._event_before.extend(later._event_before)
        numbers = self._numbers
        known = list(map(numbers.__contains__, later._ids))
        new = Kept(list(map(operator.not_, known)))
        start = len(self._ids)
        new.extend(self._ids, later._ids)
        numbers.update(zip(self._ids[start:], count(start)))
        for name in later._status_names:
            self._status_names.setdefault(name, name)
        self.counts.update(later.counts)
        self._statuses.extend(map(self._status_names.__getitem__,
                                  compress(later._statuses, new.keep)))
        for column in ("_severities", "_times", "_orders", "_lines", "_counts"):
            new.extend(getattr(self, column), getattr(later, column))
        self._latest.extend(map(shift.__add__, compress(later._latest, new.keep)))
        for mine, theirs in zip(self._carried, later._carried):
            new.extend(mine, theirs)
        for theirs in compress(range(len(known)), known):
            self._go_on(numbers[later._ids[theirs]], later, theirs, shift)
        self._changed = None
        self.version = max(self.version, later.version) + 1

    def _go_on(self, at: int, later: TaskTracker, theirs: int, shift: int) -> None:
        """Task ``at`` goes on with what ``later`` knows of it (its ``theirs``)."""
        self.counts[self._statuses[at]] -= 1
        first = later._first_event(theirs) + shift
        self._event_before[first] = first - self._latest[at]
        self._statuses[at] = self._status_names[later._statuses[theirs]]
        self._severities[at] = later._severities[theirs]
        self._times[at] = later._times[theirs]
        self._orders[at] = later._orders[theirs]
        self._latest[at] = later._latest[theirs] + shift
        self._lines[at] = later._lines[theirs]
        self._counts[at] += later._counts[theirs]
        for mine, their_column in zip(self._carried, later._carried):
            value = their_column[theirs]
            if value is not None:
                mine[at] = value

    def _first_event(self, at: int) -> int:
        """Task ``at``'s first event, in the event arrays."""
        event = self._latest[at]
        while back := self._event_before[event]:
            event -= back
        return event

    def _new(self, task_id: str) -> int:
        self._ids.append(task_id)
        self._statuses.append(None)  # (until its first event's batch is taken in)
        self._severities.append(0)
        self._times.append(math.nan)
        self._orders.append(0.0)
        self._latest.append(_NO_EVENT)
        self._lines.append(0)
        self._counts.append(0)
        for column in self._carried:
            column.append(None)
        return len(self._ids) - 1

    def offsets_of(self, at: int, newest: int | None = None) -> list[int]:
        """Where task ``at``'s events (its newest ``newest``) start, oldest first."""
        out = []
        event = self._latest[at]
        while event != _NO_EVENT and (newest is None or len(out) < newest):
            out.append(self._event_offsets[event])
            back = self._event_before[event]
            event = event - back if back else _NO_EVENT
        out.reverse()
        return out

    def history(self, task: Task, newest: int = 30) -> list[Record | None]:
        """A task's newest events, read back from the file; None where the file
        no longer holds the event (rotated away, truncated), but the latest
        is always there (see ``Task.latest``)."""
        found = self.source.records_at([(0, offset)
                                        for offset in self.offsets_of(task.at, newest)],
                                       partial(_is_of, task))
        if found and found[-1] is None:
            found[-1] = task.brief
        return found

    def latest_records(self, tasks: Iterable[Task], pace: Pace | None = None) -> Iterator[Record]:
        """Each task's latest event (``Task.latest``), read back many at a
        time (one at a time, a big queue's 200k took minutes); ``pace``:
        ``ReadBack.each_of``'s."""
        return self.source.each_of(tasks, lambda task: (task.line, task.offset), _is_of,
                                   lambda task: task.brief, pace)

    def latest_of(self, task: Task) -> Record | None:
        """The task's latest event, if the file still has it where it was."""
        return self.source.record_at(task.line, task.offset, partial(_is_of, task))

    def by_status(self) -> Counter:
        return +self.counts  # without the statuses no task has any more

    def statuses_by_count(self) -> list[tuple[str, int]]:
        """Every status tasks have, the most tasks first (in the order first
        seen where as many have each): in C (``by_status`` copies the counts
        in Python, 101 ms for 200k statuses at a key)."""
        counts = self.counts
        return sorted(compress(counts.items(), counts.values()), key=operator.itemgetter(1),
                      reverse=True)

    def commonest_statuses(self, most: int) -> tuple[list[tuple[str, int]], int]:
        """The ``most`` statuses the most tasks have, the most first (in the
        order first seen where as many have each), and how many statuses
        tasks have: found in C (a queue of 200k statuses, one a task, had
        them all copied and sorted at each draw, 140-220 ms)."""
        counts = self.counts
        top = nlargest(most, counts.items(), key=operator.itemgetter(1))
        held = len(counts) - list(counts.values()).count(0)
        return [(status, count) for status, count in top if count > 0], held

    def failed(self) -> list[Task]:
        error = SEVERITY_CODE[ERROR]
        return [self._task(at) for at, severity in enumerate(self._severities)
                if severity == error]

    def triage_order(self) -> Handles:
        """Failures first, then warnings (requeued), then the rest; newest
        first: by the order column, kept sorted as tasks change
        (``store.kept_order``); a copy, the rows shown staying as they were."""
        self.settle_order()
        return Handles(self._task, list(self._order.numbers))

    def _to_order(self) -> int:
        return len(self._orders)

    def _order_looks(self) -> None:
        self._order.update(self._orders, self._changed)


def _is_of(task: Task, record: Record) -> bool:
    return text(record.fields.get("task_id")) == task.task_id


def status_failed(status: str) -> bool:
    """A status that means the task failed (the parser's rule, not a copy)."""
    return status_severity(status) == ERROR
