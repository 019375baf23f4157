"""The execution queue: each task's latest status and its whole history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vivtui.parsing.execution import status_severity
from vivtui.parsing.record import ERROR, WARNING, Record
from vivtui.parsing.values import number, text


@dataclass(slots=True)
class Task:
    task_id: str
    history: list[Record] = field(default_factory=list)

    @property
    def latest(self) -> Record:
        return self.history[-1]

    @property
    def status(self) -> str:
        return self.latest.category

    @property
    def failed(self) -> bool:
        return self.latest.severity == ERROR

    def last(self, name: str) -> object:
        """The newest non-null value of a field across the history."""
        for record in reversed(self.history):
            value = record.fields.get(name)
            if value is not None and value != "":
                return value
        return None

    @property
    def error(self) -> str:
        return text(self.last("errors"))

    @property
    def budget_used(self) -> float | None:
        return number(self.last("budget_used"))


class TaskTracker:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.version = 0

    def apply(self, records: list[Record]) -> None:
        for record in records:
            if record.malformed:
                continue
            task_id = text(record.fields.get("task_id")) or "?"
            task = self.tasks.get(task_id)
            if task is None:
                task = self.tasks[task_id] = Task(task_id)
            task.history.append(record)
        if records:
            self.version += 1

    def by_status(self) -> Counter:
        return Counter(task.status for task in self.tasks.values())

    def failed(self) -> list[Task]:
        return [task for task in self.tasks.values() if task.failed]


def status_failed(status: str) -> bool:
    """A status that means the task failed (the parser's rule, not a copy)."""
    return status_severity(status) == ERROR


def triage_order(tasks) -> list[Task]:
    """Failures first, then warnings (requeued), then the rest; newest first."""
    return sorted(tasks, key=_task_rank)


def _task_rank(task: Task) -> tuple:
    latest = task.latest
    rank = 0 if task.failed else 1 if latest.severity == WARNING else 2
    return (rank, -(latest.ts.timestamp() if latest.ts else 0))
