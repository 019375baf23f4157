"""The execution queue: one row per task, failures first; the selected task's
status history below."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from vivtui.parsing.record import Record
from vivtui.parsing.values import text
from vivtui.store import tasks as model
from vivtui.store.filters import TIME, record_field
from vivtui.store.readback import Pace
from vivtui.store.run import RunStore
from vivtui.store.task_ranks import timed_at_severity
from vivtui.store.triage import seconds_rank
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.finding import LEVEL_SEVERITY
from vivtui.ui.rowview import RowView


class QueuePane(Pane):
    title = "Queue"
    follows = False
    reads = ("tasks",)
    empty = "waiting for execution_log.jsonl…"
    empty_when_read = "no task events in {name} yet: {lines} read{malformed}"
    DEFAULT_CSS = """
    QueuePane > .history { height: 9; border-top: solid $primary-darken-2; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._tracker: model.TaskTracker | None = None

    def compose_extra(self) -> ComposeResult:
        yield Static(classes="history")

    def row(self, task: model.Task, width: int) -> Text:
        return render.task_row(task, width, self.zone, self.dated)

    def describe(self, task: model.Task) -> tuple[str, str, str]:
        return (f"{task.task_id} {task.status} {render.safe(task.last('worker_id'))} "
                f"{render.safe(task.last('model'))} {render.safe(task.error)}",
                task.status, task.severity, partial(_task_field, task))

    def severity_of(self, task: model.Task) -> str:
        return task.severity

    def record_of(self, task: model.Task) -> Record | None:
        return task.latest

    def records_of(self, tasks: Sequence[model.Task],
                   pace: Pace | None = None) -> Iterable[Record]:
        return tasks[0].tracker.latest_records(tasks, pace) if tasks else ()

    def brief_of(self, task: model.Task) -> Record | None:
        return task.brief

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        """The statuses, counted by the tracker as tasks change (not each task described)."""
        if not self._source:
            return []
        return self._source[0].tracker.statuses_by_count()

    def timed_problems(self, level: str) -> Iterable[tuple[float, int]]:
        severity = LEVEL_SEVERITY.get(level)
        return timed_at_severity(self.view.rows, severity) if severity is not None else ()

    def time_of(self, task: model.Task) -> datetime | None:
        return task.when  # (its brief's, without making it)

    def rank_time(self, task: model.Task) -> float:
        return seconds_rank(task.ts)

    def place_of(self, task: model.Task) -> list:
        return ["task", task.task_id]

    def item_named(self, place: list) -> model.Task | None:
        """By its id (``TaskTracker.tasks``)."""
        rows = self.view.rows
        if not rows or len(place) != 2 or place[0] != "task" or not isinstance(place[1], str):
            return None  # (a state file edited by hand: anything)
        return rows[0].tracker.tasks.get(place[1])

    def _update(self, store: RunStore, now: datetime) -> None:
        tracker, shown = store.tasks, self.rows_store(store).tasks
        seen = (self.counts_seen(tracker.version), shown.version, shown is tracker)
        if seen == self._seen_version:
            return  # nothing to count or order again (it was every second, every row)
        if self.rows_due(seen):
            self._tracker = shown
            self.show_rows(shown.triage_order())
            # The selected task's history, read from the file, once the pane is
            # on screen: read for a hidden pane at each e on a live big run, it
            # took 5-10 ms of the jump.
            self.draw_when_shown(lambda: self.show_history(self.view.selected))
        self._seen_version = seen
        counts, held = tracker.commonest_statuses(heads.COUNTS_MOST)
        self.head(self.previewed(heads.counts(f"Queue {len(tracker.tasks)} tasks", [
            (status, count, styles.FAILURE if model.status_failed(status) else styles.PLAIN)
            for status, count in counts], held), "Queue"))

    def show_history(self, task: model.Task | None) -> None:
        """Its events read back by a thread (``ui.soon``): a long line's took
        the screen's thread 110 ms at each move onto its row."""
        history = self.query_one(".history", Static)
        tracker = self._tracker
        if not task or tracker is None:
            history.update(heads.hint("select a task to see its status history"))
            return
        zone, dated = self.zone, self.dated
        self.detail_soon.show(
            lambda: render.history_text(task, tracker.history(task), zone, dated),
            history.update, lambda: history.update(heads.hint("reading the task's events…")))

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_history(message.item)


def _task_field(task: model.Task, name: str) -> str | None:
    if name == TIME:
        return task.when  # kept: a time span over 200k tasks reads no file
    if name in ("status", "state", "type"):
        return task.status
    if name in ("task", "worker", "model", "error", "errors"):
        # What the task kept: a field term over 200k tasks reads no file.
        value = task.task_id if name == "task" else task.last(
            {"worker": "worker_id", "error": "errors"}.get(name, name))
        return None if value is None else text(value)
    return record_field(task.latest, name)
