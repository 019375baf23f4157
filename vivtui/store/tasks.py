"""The execution queue: each task's latest status, and where its history is.

A big queue has hundreds of thousands of tasks: a task keeps what the queue
shows (its status, time, and the newest worker, model, budget and error any
of its events gave) and where its events are in the file; its events (the
latest one's whole object, the history) are read back from the file when
looked at. A few hundred bytes a task, where keeping every event's decoded
object was 4.7 KB.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from operator import attrgetter

from vivtui.parsing.execution import KIND, parse, status_severity
from vivtui.parsing.record import ERROR, WARNING, Record, make, new_record, rows_of
from vivtui.parsing.values import number, text, timestamp
from vivtui.store.readback import Interner, ReadBack

_ORDER = attrgetter("order")

# The fields a task row shows, carried from older events when the latest lacks them.
CARRIED = ("worker_id", "model", "budget_used", "errors")
_NONE = (None, None, None, None)
_MALFORMED, _RAW, _STAMP, _ZONE, _SEVERITY, _CATEGORY = map(
    Record._fields.index, ("malformed", "raw", "stamp", "zone", "severity", "category"))


class Task:
    __slots__ = ("task_id", "status", "severity", "ts", "order", "line", "carried",
                 "offsets", "tracker")

    def __init__(self, task_id: str, tracker: TaskTracker | None = None) -> None:
        self.task_id = task_id
        self.status = "?"
        self.severity = ""
        self.ts: float | None = None  # the latest event's time, seconds since the epoch
        self.order = 0.0  # the triage order's key (see triage_order)
        self.line = 0  # the latest event's line number
        self.carried: tuple = _NONE  # newest non-empty value of each of CARRIED
        self.offsets = array("q")  # where each of its events starts in the file
        self.tracker = tracker

    @property
    def offset(self) -> int:
        """Where the latest event starts in the file."""
        return self.offsets[-1] if self.offsets else -1

    @property
    def when(self) -> datetime | None:
        return datetime.fromtimestamp(self.ts, UTC) if self.ts is not None else None

    @property
    def shown(self) -> Record:
        """The latest event as the row shows it (no object: nothing read)."""
        return make(KIND, self.line, self.offset, self.when, None, self.severity, self.status,
                    None)

    @property
    def latest(self) -> Record:
        """The latest event, its object read back from the file; when the file
        no longer holds it, what the task kept of it."""
        record = self.tracker.latest_of(self) if self.tracker is not None else None
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
    def events(self) -> int:
        return len(self.offsets)

    @property
    def failed(self) -> bool:
        return self.severity == ERROR

    def last(self, name: str) -> object:
        """The newest non-empty value of a field across the history (of those
        a row shows: ``CARRIED``; others from the latest event)."""
        if name in CARRIED:
            return self.carried[CARRIED.index(name)]
        value = self.latest.fields.get(name)
        return None if value == "" else value

    @property
    def error(self) -> str:
        return text(self.last("errors"))

    @property
    def budget_used(self) -> float | None:
        return number(self.last("budget_used"))



class TaskTracker:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.counts: Counter = Counter()  # tasks by latest status, kept as events come
        self.source = ReadBack(parse)  # the queue file, for the events looked at
        self.version = 0
        self._intern = Interner(100_000)  # workers, models and errors repeat

    def apply(self, records: Iterable) -> None:
        rows = rows_of(records)
        for row in rows:
            if row[_MALFORMED]:
                continue
            fields = row[_RAW]
            if fields.__class__ is not dict:
                fields = new_record(Record, row).fields
            task_id = text(fields.get("task_id")) or "?"
            task = self.tasks.get(task_id)
            if task is None:
                task = self.tasks[task_id] = Task(task_id, self)
            else:
                self.counts[task.status] -= 1
            self._update(task, row, fields)
            self.counts[task.status] += 1
        if rows:
            self.version += 1

    def _update(self, task: Task, row: tuple, fields: dict) -> None:
        task.status = row[_CATEGORY]
        task.severity = row[_SEVERITY]
        stamp = row[_STAMP]
        when = stamp if stamp.__class__ is datetime else timestamp(stamp, row[_ZONE])
        task.ts = when.timestamp() if when is not None else None
        # Failures, then warnings (requeued), then the rest; newest first: one
        # float, so that ordering 200k tasks calls no Python code per task.
        rank = 0 if task.severity == ERROR else 1 if task.severity == WARNING else 2
        task.order = rank * 1e11 - (task.ts or 0.0)
        task.line = row[1]
        task.offsets.append(row[2])
        carried = list(task.carried)
        for at, name in enumerate(CARRIED):
            value = fields.get(name)
            if value is not None and value != "":
                carried[at] = self._intern(value)
        task.carried = tuple(carried)

    def history(self, task: Task, newest: int = 30) -> list[Record | None]:
        """A task's newest events, read back from the file; None where the file
        no longer holds the event (rotated away, truncated), but the latest
        is always there (see ``Task.latest``)."""
        found = self.source.records_at([(0, offset) for offset in task.offsets[-newest:]],
                                       partial(_is_of, task))
        if found and found[-1] is None:
            found[-1] = task.brief
        return found

    def latest_of(self, task: Task) -> Record | None:
        """The task's latest event, if the file still has it where it was."""
        return self.source.record_at(task.line, task.offset, partial(_is_of, task))

    def by_status(self) -> Counter:
        return +self.counts  # without the statuses no task has any more

    def failed(self) -> list[Task]:
        return [task for task in self.tasks.values() if task.failed]


def _is_of(task: Task, record: Record) -> bool:
    return text(record.fields.get("task_id")) == task.task_id


def status_failed(status: str) -> bool:
    """A status that means the task failed (the parser's rule, not a copy)."""
    return status_severity(status) == ERROR


def triage_order(tasks) -> list[Task]:
    """Failures first, then warnings (requeued), then the rest; newest first."""
    return sorted(tasks, key=_ORDER)
