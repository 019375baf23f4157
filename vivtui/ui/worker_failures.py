"""Background work that fails is said, wherever it ran.

Textual's worker state messages go to the widget that started the worker and
do not bubble: the app heard only of its own workers' failures, and a pane's
scan, a file's history indexing or a merge on a thread failed unseen.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class SaysWorkerFailures:
    """For a widget, screen or app that starts workers: their failures are said
    by the app (``VivtuiApp.say_failure``: a toast, then the status line)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.error is not None:
            self.app.say_failure(worker.name or "background work", worker.error)
